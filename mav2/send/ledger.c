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
#include <sys/stat.h>
#include <unistd.h>

#include "common/hex.h"
#include "common/keccak.h"
#include "mav2/core/error.h"

#define ZERO_HASH "0x0000000000000000000000000000000000000000000000000000000000000000"

void mav2_ledger_line_hash(const char *line, size_t len, char out[67])
{
    uint8_t h[32];
    mh_keccak256(line, len, h);
    mh_hex_encode(h, 32, out, 67, 1);
}

static int is_hash(const char *s)
{
    if (strlen(s) != 66 || strncmp(s, "0x", 2) != 0)
        return 0;
    for (size_t i = 2; i < 66; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

int mav2_ledger_parse_line(const char *line, size_t len, json_object **out, unsigned long long *seq)
{
    json_tokener *t;
    json_object *o, *v;
    int64_t n;
    if (out != NULL)
        *out = NULL;
    if (len == 0 || memchr(line, '\n', len) != NULL || memchr(line, '\0', len) != NULL)
        return mav2_error_set("not a ledger line (empty, or a newline or NUL inside)");
    if ((t = json_tokener_new()) == NULL)
        return mav2_error_set("out of memory");
    o = json_tokener_parse_ex(t, line, (int)len);
    if (o != NULL && json_tokener_get_parse_end(t) != len) {
        json_object_put(o);
        o = NULL;
    }
    json_tokener_free(t);
    if (!json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        return mav2_error_set("not a JSON object");
    }
    if (!json_object_object_get_ex(o, "seq", &v) || !json_object_is_type(v, json_type_int) ||
        (n = json_object_get_int64(v)) < 1)
        return json_object_put(o), mav2_error_set("no seq (a number >= 1)");
    if (!json_object_object_get_ex(o, "prev", &v) || !json_object_is_type(v, json_type_string) ||
        !is_hash(json_object_get_string(v)))
        return json_object_put(o), mav2_error_set("no prev (0x and 64 lowercase hex digits)");
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
static int chain_tip(int fd, unsigned long long *seq, char hash[67])
{
    struct stat st;
    char *line = NULL;
    size_t len = 0;
    int ok;
    if (fstat(fd, &st) != 0)
        return mav2_error_set("ledger: %s", strerror(errno));
    *seq = 0;
    memcpy(hash, ZERO_HASH, 67);
    if (st.st_size == 0)
        return 1;
    if (!last_line(fd, st.st_size, &line, &len))
        return 0;
    ok = mav2_ledger_parse_line(line, len, NULL, seq);
    if (ok)
        mav2_ledger_line_hash(line, len, hash);
    else
        mav2_error_prefix("ledger: its last line");
    free(line);
    return ok;
}

/* The line: seq, prev, time, then the members of entry, and a newline. */
static char *make_line(json_object *entry, unsigned long long seq, const char *prev, time_t now)
{
    json_object *o = json_object_new_object();
    struct tm tm;
    char ts[32];
    char *text = NULL;
    if (o == NULL || gmtime_r(&now, &tm) == NULL)
        return json_object_put(o), NULL;
    strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
    json_object_object_add(o, "seq", json_object_new_int64((int64_t)seq));
    json_object_object_add(o, "prev", json_object_new_string(prev));
    json_object_object_add(o, "time", json_object_new_string(ts));
    json_object_object_foreach(entry, k, v)
    {
        if (strcmp(k, "seq") != 0 && strcmp(k, "prev") != 0 && strcmp(k, "time") != 0)
            json_object_object_add(o, k, json_object_get(v));
    }
    const char *s =
        json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    size_t n = strlen(s);
    if ((text = malloc(n + 2)) != NULL) {
        memcpy(text, s, n);
        memcpy(text + n, "\n", 2);
    }
    json_object_put(o);
    return text;
}

static int append_locked(int fd, const char *path, json_object *entry, time_t now)
{
    unsigned long long seq;
    char prev[67], *line;
    struct stat st;
    size_t n, done = 0;
    int ok = 1;
    if (!chain_tip(fd, &seq, prev) || fstat(fd, &st) != 0)
        return 0;
    if ((line = make_line(entry, seq + 1, prev, now)) == NULL)
        return mav2_error_set("ledger: out of memory");
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

/* Line no (len bytes) after the line whose hash is prev: 1 if it continues the chain. */
static int check_line(const char *line, size_t len, unsigned long long no, const char *prev)
{
    json_object *o, *v;
    unsigned long long seq;
    int ok;
    if (!mav2_ledger_parse_line(line, len, &o, &seq))
        return mav2_error_prefix("line %llu", no);
    json_object_object_get_ex(o, "prev", &v);
    ok = strcmp(json_object_get_string(v), prev) == 0;
    json_object_put(o);
    if (!ok)
        return no == 1 ? mav2_error_set("line 1: prev is not zero (lines before it removed?)")
                       : mav2_error_set("line %llu: prev is not the hash of line %llu (line "
                                        "%llu changed, or lines removed between them)",
                                        no, no - 1, no - 1);
    if (seq != no)
        return mav2_error_set("line %llu: seq %llu, expected %llu", no, seq, no);
    return 1;
}

int mav2_ledger_verify(const char *path, unsigned long long *lines, unsigned long long *bad_line,
                       char tip[67])
{
    char prev[67] = ZERO_HASH, *line = NULL;
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
        if (line[n - 1] != '\n') {
            ok = mav2_error_set("line %llu: no newline at its end (a torn write)", no);
        } else if (!check_line(line, (size_t)n - 1, no, prev)) {
            ok = 0;
        } else {
            mav2_ledger_line_hash(line, (size_t)n - 1, prev);
        }
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
        memcpy(tip, prev, 67);
    return 1;
}
