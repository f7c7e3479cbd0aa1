/* SPDX-License-Identifier: Apache-2.0 */
/* rpc_caps.c: servers' refusals remembered per URL (rpc_caps.h). */
#include "config.h"

#include "mav2/net/rpc_caps.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/hex.h"
#include "common/keccak.h"

#define CAPS_URLS    16
#define CAPS_METHODS 8
#define CAPS_NAME    64

typedef struct {
    uint8_t key[32]; /* keccak256(url) */
    int used;
    time_t no_batch; /* when a batch was refused, 0: never */
    char methods[CAPS_METHODS][CAPS_NAME];
    time_t lacks[CAPS_METHODS];
    char *file; /* dir/.rpc-caps-HASH, or NULL */
} caps_entry;

static pthread_mutex_t caps_lock = PTHREAD_MUTEX_INITIALIZER;
static caps_entry caps[CAPS_URLS];

/* learnt within the TTL (a time in the future is not believed) */
static int fresh(time_t t)
{
    time_t age = time(NULL) - t;
    return t != 0 && age >= 0 && age < MAV2_RPC_CAPS_TTL_S;
}

static int method_name_ok(const char *m)
{
    size_t n = strspn(m, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
    return n > 0 && n < CAPS_NAME && m[n] == '\0';
}

/* url's entry (made, evicting the first slot, when create); caller holds caps_lock */
static caps_entry *find(const char *url, int create)
{
    uint8_t k[32];
    mh_keccak256(url, strlen(url), k);
    for (int i = 0; i < CAPS_URLS; i++)
        if (caps[i].used && memcmp(caps[i].key, k, 32) == 0)
            return &caps[i];
    if (!create)
        return NULL;
    for (int i = 0; i < CAPS_URLS; i++)
        if (!caps[i].used || i == CAPS_URLS - 1) {
            free(caps[i].file);
            memset(&caps[i], 0, sizeof(caps[i]));
            memcpy(caps[i].key, k, 32);
            caps[i].used = 1;
            return &caps[i];
        }
    return NULL;
}

static void note_lacks(caps_entry *e, const char *method, time_t when)
{
    int slot = 0;
    for (int i = 0; i < CAPS_METHODS; i++) {
        if (strcmp(e->methods[i], method) == 0 || e->methods[i][0] == '\0') {
            slot = i;
            break;
        }
        if (e->lacks[i] < e->lacks[slot])
            slot = i;
    }
    snprintf(e->methods[slot], CAPS_NAME, "%s", method);
    e->lacks[slot] = when;
}

/* "no-batch T" and "no-method NAME T" lines, T in seconds since the epoch */
static void load(caps_entry *e)
{
    char line[128], name[CAPS_NAME];
    long long t;
    FILE *f = fopen(e->file, "r");
    if (f == NULL)
        return;
    while (fgets(line, sizeof(line), f) != NULL) {
        if (sscanf(line, "no-batch %lld", &t) == 1 && fresh((time_t)t))
            e->no_batch = (time_t)t;
        else if (sscanf(line, "no-method %63s %lld", name, &t) == 2 && method_name_ok(name) &&
                 fresh((time_t)t))
            note_lacks(e, name, (time_t)t);
    }
    fclose(f);
}

/* Written to a temporary file, then renamed: readers see the old or the new whole. */
static void save(const caps_entry *e)
{
    char tmp[4200];
    FILE *f;
    int fd;
    if (e->file == NULL ||
        snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", e->file, (long)getpid()) >= (int)sizeof(tmp))
        return;
    if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
        return;
    if ((f = fdopen(fd, "w")) == NULL) {
        close(fd);
        unlink(tmp);
        return;
    }
    if (fresh(e->no_batch))
        fprintf(f, "no-batch %lld\n", (long long)e->no_batch);
    for (int i = 0; i < CAPS_METHODS; i++)
        if (e->methods[i][0] != '\0' && fresh(e->lacks[i]))
            fprintf(f, "no-method %s %lld\n", e->methods[i], (long long)e->lacks[i]);
    if (fclose(f) != 0 || rename(tmp, e->file) != 0)
        unlink(tmp);
}

void mav2_rpc_caps_persist(const char *url, const char *dir)
{
    caps_entry *e;
    char hex[65], path[4200];
    if (url == NULL || dir == NULL || dir[0] == '\0')
        return;
    pthread_mutex_lock(&caps_lock);
    if ((e = find(url, 1)) != NULL && e->file == NULL) {
        mh_hex_encode(e->key, 16, hex, sizeof(hex), 0);
        if (snprintf(path, sizeof(path), "%s/.rpc-caps-%s", dir, hex) < (int)sizeof(path) &&
            (e->file = strdup(path)) != NULL)
            load(e);
    }
    pthread_mutex_unlock(&caps_lock);
}

int mav2_rpc_caps_no_batch(const char *url)
{
    caps_entry *e;
    int r;
    pthread_mutex_lock(&caps_lock);
    r = (e = find(url, 0)) != NULL && fresh(e->no_batch);
    pthread_mutex_unlock(&caps_lock);
    return r;
}

int mav2_rpc_caps_lacks(const char *url, const char *method)
{
    caps_entry *e;
    int r = 0;
    pthread_mutex_lock(&caps_lock);
    if ((e = find(url, 0)) != NULL)
        for (int i = 0; i < CAPS_METHODS && !r; i++)
            r = strcmp(e->methods[i], method) == 0 && fresh(e->lacks[i]);
    pthread_mutex_unlock(&caps_lock);
    return r;
}

void mav2_rpc_caps_learn_no_batch(const char *url)
{
    caps_entry *e;
    pthread_mutex_lock(&caps_lock);
    if ((e = find(url, 1)) != NULL) {
        e->no_batch = time(NULL);
        save(e);
    }
    pthread_mutex_unlock(&caps_lock);
}

void mav2_rpc_caps_learn_lacks(const char *url, const char *method)
{
    caps_entry *e;
    if (!method_name_ok(method))
        return;
    pthread_mutex_lock(&caps_lock);
    if ((e = find(url, 1)) != NULL) {
        note_lacks(e, method, time(NULL));
        save(e);
    }
    pthread_mutex_unlock(&caps_lock);
}
