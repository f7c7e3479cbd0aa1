/* SPDX-License-Identifier: Apache-2.0 */
/* ledger.c: the hash-chained audit ledger (ledger.h). */
#include "config.h"

#include "mav2/send/ledger.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/hex.h"
#include "mav2/core/error.h"
#include "mav2/net/ledger_link.h"
#include "mav2/net/state.h"

#define RECORD_MAX (1 << 20)

void mav2_ledger_line_hash(const char *line, size_t len, char out[67])
{
    uint8_t h[32];
    mav2_ledger_link_hash(line, len, h);
    mh_hex_encode(h, 32, out, 67, 1);
}

int mav2_ledger_parse_line(const char *line, size_t len, json_object **out, unsigned long long *seq)
{
    json_object *o, *v;
    uint64_t n;
    if (out != NULL)
        *out = NULL;
    if (!mav2_ledger_link_parse(line, len, &o, &n, NULL))
        return 0;
    if (!json_object_object_get_ex(o, "time", &v) || !json_object_is_type(v, json_type_string) ||
        !json_object_object_get_ex(o, "event", &v) || !json_object_is_type(v, json_type_string))
        return json_object_put(o), mav2_error_set("no time or event");
    if (seq != NULL)
        *seq = (unsigned long long)n;
    if (out != NULL)
        *out = o;
    else
        json_object_put(o);
    return 1;
}

/* The last line of the file fd (size bytes, > 0, ending in a newline) into *line. */
static int last_line(int fd, off_t size, char **line, size_t *len)
{
    off_t start = size - 1, chunk = 4096;
    char *buf = NULL;
    for (;;) {
        off_t from = start > chunk ? start - chunk : 0;
        size_t n = (size_t)(size - from);
        char *nl, *g = realloc(buf, n);
        if (g == NULL)
            return free(buf), mav2_error_set("ledger: out of memory");
        buf = g;
        if (pread(fd, buf, n, from) != (ssize_t)n)
            return free(buf), mav2_error_set("ledger: read failed");
        if (buf[n - 1] != '\n')
            return free(buf), mav2_error_set("ledger: the file ends in a partial line (run "
                                             "mav2 audit verify)");
        buf[n - 1] = '\0';
        nl = strrchr(buf, '\n');
        if (nl != NULL || from == 0) {
            const char *s = nl != NULL ? nl + 1 : buf;
            *len = strlen(s);
            memmove(buf, s, *len + 1);
            *line = buf;
            return 1;
        }
        chunk *= 2;
    }
}

/* The seq and hash of fd's last line: 0 and zeros for an empty file. */
static int chain_tip(int fd, uint64_t *seq, uint8_t hash[32])
{
    struct stat st;
    char *line = NULL;
    size_t len = 0;
    int ok;
    if (fstat(fd, &st) != 0)
        return mav2_error_set("ledger: %s", strerror(errno));
    *seq = 0;
    memset(hash, 0, 32);
    if (st.st_size == 0)
        return 1;
    if (!last_line(fd, st.st_size, &line, &len))
        return 0;
    ok = mav2_ledger_link_parse(line, len, NULL, seq, NULL);
    if (ok)
        mav2_ledger_link_hash(line, len, hash);
    else
        mav2_error_prefix("ledger: its last line");
    free(line);
    return ok;
}

int mav2_ledger_record(json_object *entry, time_t now, char **record)
{
    json_object *o = json_object_new_object();
    struct tm tm;
    char ts[32];
    *record = NULL;
    if (o == NULL || gmtime_r(&now, &tm) == NULL)
        return json_object_put(o), mav2_error_set("ledger: out of memory");
    strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
    json_object_object_add(o, "time", json_object_new_string(ts));
    json_object_object_foreach(entry, k, v)
    {
        if (strcmp(k, "seq") != 0 && strcmp(k, "prev") != 0 && strcmp(k, "time") != 0)
            json_object_object_add(o, k, json_object_get(v));
    }
    *record = strdup(
        json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
    return *record != NULL ? 1 : mav2_error_set("ledger: out of memory");
}

/* The line of entry after seq, prev: the link of its record, and a newline. */
static char *make_line(json_object *entry, uint64_t seq, const uint8_t prev[32], time_t now)
{
    char *record, *line = NULL, *text;
    size_t n;
    if (!mav2_ledger_record(entry, now, &record))
        return NULL;
    if (!mav2_ledger_record_check(record, RECORD_MAX) ||
        !mav2_ledger_link_make(record, seq, prev, &line))
        return free(record), NULL;
    free(record);
    n = strlen(line);
    if ((text = realloc(line, n + 2)) == NULL)
        return free(line), NULL;
    memcpy(text + n, "\n", 2);
    return text;
}

/* Whether the ledger fd (size bytes) already has what entry would add: an op's outcome
 * (mav2_ledger_outcome_find); *there = 1 then, and 0 returned for a different final
 * outcome (mav2_ledger_outcome_again). */
static int already_there(int fd, off_t size, json_object *entry, time_t now, int *there)
{
    char *record, key[MAV2_LEDGER_OUTCOME_KEY_MAX];
    size_t at, n;
    void *text;
    int ok = 1;
    *there = 0;
    if (size == 0 || !mav2_ledger_record(entry, now, &record))
        return size == 0;
    if (mav2_ledger_outcome_key(record, strlen(record), key)) {
        text = mmap(NULL, (size_t)size, PROT_READ, MAP_SHARED, fd, 0);
        if (text == MAP_FAILED)
            ok = mav2_error_set("ledger: cannot read it: %s", strerror(errno));
        else {
            *there = mav2_ledger_outcome_find(text, (size_t)size, key, &at, &n);
            ok = !*there || mav2_ledger_outcome_again((const char *)text + at, n, record) ||
                 mav2_error_prefix("ledger");
            munmap(text, (size_t)size);
        }
    }
    free(record);
    return ok;
}

static int append_locked(int fd, const char *path, json_object *entry, time_t now)
{
    uint64_t seq;
    uint8_t prev[32];
    char *line;
    struct stat st;
    size_t n, done = 0;
    int ok = 1, there;
    if (!chain_tip(fd, &seq, prev) || fstat(fd, &st) != 0 ||
        !already_there(fd, st.st_size, entry, now, &there))
        return 0;
    if (there)
        return 1;
    if ((line = make_line(entry, seq + 1, prev, now)) == NULL)
        return mav2_error_prefix("ledger");
    n = strlen(line);
    while (ok && done < n) {
        ssize_t w = write(fd, line + done, n - done);
        if (w > 0)
            done += (size_t)w;
        else if (w < 0 && errno != EINTR)
            ok = 0;
    }
    free(line);
    if (ok && fsync(fd) == 0)
        return 1;
    ok = errno;
    if (ftruncate(fd, st.st_size) != 0 || fsync(fd) != 0)
        return mav2_error_set("ledger: cannot write %s (%s), and the partial line stays", path,
                              strerror(ok));
    return mav2_error_set("ledger: cannot write %s: %s", path, strerror(ok));
}

int mav2_ledger_append(const char *path, json_object *entry, time_t now)
{
    int fd, ok;
    if (path == NULL || !json_object_is_type(entry, json_type_object))
        return mav2_error_set("ledger: missing argument");
    fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return mav2_error_set("ledger: cannot open %s: %s", path, strerror(errno));
    while ((ok = flock(fd, LOCK_EX)) != 0 && errno == EINTR)
        ;
    if (ok != 0) {
        ok = errno;
        close(fd);
        return mav2_error_set("ledger: cannot lock %s: %s", path, strerror(ok));
    }
    ok = append_locked(fd, path, entry, now);
    flock(fd, LOCK_UN);
    close(fd);
    return ok;
}

int mav2_ledger_put(const char *path, struct mav2_state *st, const uint8_t account[20],
                    json_object *entry, time_t now)
{
    char *record;
    uint64_t seq;
    uint8_t hash[32];
    int ok;
    if (st == NULL)
        return mav2_ledger_append(path, entry, now);
    if (!mav2_ledger_record(entry, now, &record))
        return 0;
    ok = mav2_state_ledger_append(st, account, record, &seq, hash);
    free(record);
    return ok ? 1 : mav2_error_prefix("ledger");
}

int mav2_ledger_verify(const char *path, unsigned long long *lines, unsigned long long *bad_line,
                       char tip[67])
{
    uint8_t prev[32] = {0};
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    unsigned long long no = 0, dummy;
    int ok = 1;
    FILE *f = fopen(path, "re");
    if (bad_line == NULL)
        bad_line = &dummy;
    *bad_line = 0;
    if (f == NULL)
        return mav2_error_set("cannot read %s: %s", path, strerror(errno));
    while (ok && (n = getline(&line, &cap, f)) > 0) {
        no++;
        if (line[n - 1] != '\n')
            ok = mav2_error_set("line %llu: no newline at its end (a torn write)", no);
        else if (mav2_ledger_link_check(line, (size_t)n - 1, no, prev, "line", NULL))
            mav2_ledger_link_hash(line, (size_t)n - 1, prev);
        else
            ok = 0;
    }
    if (ok && ferror(f))
        ok = mav2_error_set("cannot read %s", path);
    free(line);
    fclose(f);
    if (!ok) {
        *bad_line = no;
        return 0;
    }
    if (lines != NULL)
        *lines = no;
    if (tip != NULL)
        mh_hex_encode(prev, 32, tip, 67, 1);
    return 1;
}
