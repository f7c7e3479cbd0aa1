/* SPDX-License-Identifier: Apache-2.0 */
/* store.c: call records (store.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/hex.h"
#include "mav2/core/error.h"
#include "mav2/service/store.h"

static pthread_mutex_t shared_mu = PTHREAD_MUTEX_INITIALIZER;
static mav2_state *shared;

void mavd_store_share(mav2_state *st)
{
    pthread_mutex_lock(&shared_mu);
    shared = st;
    pthread_mutex_unlock(&shared_mu);
}

static int shared_put(const uint8_t hash[32], json_object *rec)
{
    int ok;
    pthread_mutex_lock(&shared_mu);
    ok = mav2_state_call_put(shared, hash,
                             json_object_to_json_string_ext(rec, JSON_C_TO_STRING_PLAIN));
    pthread_mutex_unlock(&shared_mu);
    return ok;
}

static int shared_get(const char *id, json_object **rec)
{
    uint8_t hash[32];
    char *text = NULL;
    int ok;
    if (!mh_hex_decode_exact(id, hash, 32, NULL))
        return mav2_error_set("not a call id");
    pthread_mutex_lock(&shared_mu);
    ok = mav2_state_call_get(shared, hash, &text);
    pthread_mutex_unlock(&shared_mu);
    if (ok && text != NULL && (*rec = json_tokener_parse(text)) == NULL)
        ok = mav2_error_set("call record %s: unreadable", id);
    free(text);
    return ok;
}

static int mkdir_private(const char *dir)
{
    struct stat st;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return mav2_error_set("state directory %s: %s", dir, strerror(errno));
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return mav2_error_set("state directory %s: not a directory", dir);
    if (st.st_uid != getuid() || (st.st_mode & 077) != 0)
        return mav2_error_set("state directory %s: not owned by this user or open to others "
                              "(chmod 700)",
                              dir);
    return 1;
}

static int sub(const char *state_dir, const char *name, char *out, size_t cap)
{
    int n = snprintf(out, cap, "%s/%s", state_dir, name);
    return n > 0 && (size_t)n < cap ? 1 : mav2_error_set("state directory path too long");
}

int mavd_store_init(const char *state_dir)
{
    char p[4096];
    return mkdir_private(state_dir) && sub(state_dir, "calls", p, sizeof(p)) && mkdir_private(p) &&
           sub(state_dir, "journal", p, sizeof(p)) && mkdir_private(p);
}

int mavd_store_journal_dir(const char *state_dir, char *out, size_t cap)
{
    return sub(state_dir, "journal", out, cap);
}

void mavd_hash_hex(const uint8_t hash[32], char out[67])
{
    mh_hex_encode(hash, 32, out, 67, 1);
}

static int write_all(int fd, const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return 0;
        s += w;
        n -= (size_t)w;
    }
    return 1;
}

int mavd_store_put(const char *state_dir, const uint8_t hash[32], json_object *rec)
{
    char id[67], path[4096], tmp[4200];
    const char *text = json_object_to_json_string_ext(rec, JSON_C_TO_STRING_PLAIN);
    int fd, ok;
    if (shared != NULL)
        return shared_put(hash, rec);
    mavd_hash_hex(hash, id);
    if (snprintf(path, sizeof(path), "%s/calls/%s.json", state_dir, id) >= (int)sizeof(path))
        return mav2_error_set("state directory path too long");
    snprintf(tmp, sizeof(tmp), "%s.tmp-%ld", path, (long)getpid());
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return mav2_error_set("%s: %s", tmp, strerror(errno));
    ok = write_all(fd, text, strlen(text)) && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return mav2_error_set("%s: %s", path, strerror(e));
    }
    return 1;
}

int mavd_store_id_valid(const char *id)
{
    return strlen(id) == 66 && strncmp(id, "0x", 2) == 0 &&
           strspn(id + 2, "0123456789abcdefABCDEF") == 64;
}

int mavd_store_get(const char *state_dir, const char *id, json_object **rec)
{
    char path[4096];
    *rec = NULL;
    if (!mavd_store_id_valid(id))
        return mav2_error_set("not a call id");
    if (shared != NULL)
        return shared_get(id, rec);
    snprintf(path, sizeof(path), "%s/calls/0x", state_dir);
    for (size_t i = 2; i < 66; i++) {
        char ch = id[i];
        size_t n = strlen(path);
        path[n] = (char)(ch >= 'A' && ch <= 'F' ? ch - 'A' + 'a' : ch);
        path[n + 1] = '\0';
    }
    strncat(path, ".json", sizeof(path) - strlen(path) - 1);
    if (access(path, F_OK) != 0)
        return 1;
    *rec = json_object_from_file(path);
    return *rec != NULL ? 1 : mav2_error_set("call record %s: unreadable", id);
}
