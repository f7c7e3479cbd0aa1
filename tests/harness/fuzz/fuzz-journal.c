/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the journal reader (journal.h). The input is the content of
 * a journal file: mav2_journal_get and mav2_journal_find read it as the sender
 * and `mav2 receipt` would; whatever it holds, they return (no crash, no leak),
 * and an entry they accept is the one asked for. */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mav2/net/journal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHAIN 11155111u

static char dir[256], file[600];
static uint8_t account[20] = {0x55, 0x55, 0x55};
static mav2_u256 key;

static void cleanup(void)
{
    unlink(file);
    rmdir(dir);
}

/* A temp state dir with one journal entry written by the library: its file is
 * the one each input replaces. */
static void setup(void)
{
    mav2_journal_entry e;
    struct dirent *d;
    DIR *dd;

    snprintf(dir, sizeof(dir), "%s/mav2-fuzz-journal.XXXXXX",
             getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
    if (mkdtemp(dir) == NULL)
        abort();
    memset(&e, 0, sizeof(e));
    e.chain_id = CHAIN;
    memcpy(e.account, account, 20);
    mav2_u256_from_u64(&key, 0x101);
    e.nonce_key = key;
    mav2_u256_from_u64(&e.nonce, 3);
    memset(e.user_op_hash, 0x42, 32);
    snprintf(e.bundler, sizeof(e.bundler), "http://127.0.0.1:1");
    e.user_op = json_tokener_parse("{\"sender\":\"0x5555550000000000000000000000000000000000\"}");
    if (!mav2_journal_put(dir, &e))
        abort();
    json_object_put(e.user_op);
    dd = opendir(dir);
    while (dd != NULL && (d = readdir(dd)) != NULL)
        if (strncmp(d->d_name, "pending-", 8) == 0)
            snprintf(file, sizeof(file), "%s/%s", dir, d->d_name);
    if (dd != NULL)
        closedir(dd);
    if (file[0] == '\0')
        abort();
    atexit(cleanup);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mav2_journal_entry e;
    uint8_t hash[32];
    int found = 0, fd;

    if (dir[0] == '\0')
        setup();
    memset(&e, 0, sizeof(e));
    fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || (size > 0 && write(fd, data, size) != (ssize_t)size))
        abort();
    close(fd);
    if (mav2_journal_get(dir, CHAIN, account, &key, &e, &found) && found &&
        (e.chain_id != CHAIN || memcmp(e.account, account, 20) != 0 ||
         mav2_u256_cmp(&e.nonce_key, &key) != 0))
        abort(); /* an entry for another lane must never be resumed */
    if (found)
        memcpy(hash, e.user_op_hash, 32);
    else
        memset(hash, 0x42, 32);
    mav2_journal_entry_clear(&e);
    memset(&e, 0, sizeof(e));
    found = 0;
    mav2_journal_find(dir, CHAIN, hash, &e, &found);
    mav2_journal_entry_clear(&e);
    return 0;
}
