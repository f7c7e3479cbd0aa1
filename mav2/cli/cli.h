/* SPDX-License-Identifier: Apache-2.0 */
/* cli.h: what the `mav2` subcommands share: the command table entry, exit codes,
 * option parsing, reading inputs, printing one-line errors.
 *
 * A subcommand is a function `int run(const mav2_cli_cmd *self, int argc, char **argv)`
 * (argv[0] is the subcommand name) returning an exit code; it is listed in the
 * table in main.c with its help text. Output discipline: a subcommand computes
 * everything first and prints to stdout only once it has succeeded; on failure it
 * prints one line "mav2 CMD: what was wrong" to stderr and returns non-zero.
 *
 * Failure convention of the CLI helpers (cli/): a helper that can fail prints the
 * one-line error itself and returns an exit code (MAV2_EXIT_OK on success, one of
 * the codes below otherwise), and the caller passes that code on:
 *     if ((rc = mav2_cli_net_open(self, &net, &node, &bundler)) != MAV2_EXIT_OK)
 *         return rc;
 * Option parsing returns MAV2_CLI_PARSED (opt.h) when the command goes on. Older
 * checks of a single value still return 1/0 (1: good; 0: error printed, exit 1):
 * mav2_cli_address, mav2_cli_u32, mav2_cli_chain_id, mav2_cli_require, ... Library
 * calls (mav2_*) keep the library's 1/0 + mav2_last_error(). */
#ifndef MAV2_CLI_H
#define MAV2_CLI_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "mav2/core/account.h"
#include "mav2/core/address.h"
#include "mav2/core/userop.h"
#include "mav2/cli/opt.h"
#include "mav2/cli/output.h"
#include "mav2/keys/signer.h"

struct json_object;

/* Exit codes (documented in `mav2 --help`). */
enum {
    MAV2_EXIT_OK = 0,
    MAV2_EXIT_USAGE = 1,    /* bad option, bad input (hex, lengths, fields, values) */
    MAV2_EXIT_KEY = 2,      /* key or token: not found, wrong curve, PIN, signing failed */
    MAV2_EXIT_REJECTED = 3, /* the bundler or node rejected the request (JSON-RPC error) */
    MAV2_EXIT_TIMEOUT = 4,  /* gave up waiting (receipt not found in time) */
    MAV2_EXIT_NETWORK = 5,  /* cannot reach the node or bundler, HTTP or protocol error */
    MAV2_EXIT_INTERNAL = 6  /* out of memory, cannot write output, a bug */
};

typedef struct mav2_cli_cmd mav2_cli_cmd;
struct mav2_cli_cmd {
    const char *name;
    int (*run)(const mav2_cli_cmd *self, int argc, char **argv);
    const char *summary;       /* one line for `mav2 --help` */
    const char *help;          /* the full man-page-like text for `mav2 NAME --help`, or */
    const mav2_cli_page *page; /* its page with the option table (opt.h) */
};

/* Subcommands (one file per group). */
int mav2_cmd_address(const mav2_cli_cmd *self, int argc, char **argv);
int mav2_cmd_calldata(const mav2_cli_cmd *self, int argc, char **argv);
int mav2_cmd_nonce_key(const mav2_cli_cmd *self, int argc, char **argv);
int mav2_cmd_hash(const mav2_cli_cmd *self, int argc, char **argv);
int mav2_cmd_sign(const mav2_cli_cmd *self, int argc, char **argv);
int mav2_cmd_decode(const mav2_cli_cmd *self, int argc, char **argv);
/* `mav2 key info` (key.c). */
int mav2_cmd_key(const mav2_cli_cmd *self, int argc, char **argv);
/* Their --help pages with option tables (opt.h), in the command's file. */
extern const mav2_cli_page mav2_page_address, mav2_page_calldata, mav2_page_decode,
    mav2_page_nonce_key, mav2_page_hash, mav2_page_sign, mav2_page_key;

/* Prints "mav2 CMD: message" (printf format) to stderr (with --json, also the failure
 * object on stdout, once); returns code. */
__attribute__((format(printf, 3, 4))) int mav2_cli_fail(const mav2_cli_cmd *cmd, int code,
                                                        const char *fmt, ...);
/* Options that must be given: pairs of (name, value) ended by a NULL name. If some
 * values are NULL, prints "NAME[, NAME] and NAME are required" naming just those and
 * returns 0; else 1. */
__attribute__((sentinel)) int mav2_cli_require(const mav2_cli_cmd *cmd, ...);
/* Prints "NAME[, NAME] and NAME are required" for the n names of missing. */
void mav2_cli_fail_missing(const mav2_cli_cmd *cmd, const char *const *missing, size_t n);
/* Same with mav2_last_error() as the message, after an optional prefix (NULL: none). */
int mav2_cli_fail_lib(const mav2_cli_cmd *cmd, int code, const char *prefix);

/* Reads a whole file, or stdin for "-" (at most max bytes), NUL-terminated;
 * free() it. NULL after printing a one-line error naming what. */
char *mav2_cli_read_input(const mav2_cli_cmd *cmd, const char *what, const char *path, size_t max,
                          size_t *len);

/* The --userop, --chain-id and --entry-point options of mav2 hash and mav2 sign. */
typedef struct {
    const char *userop, *chain, *entry_point;
} mav2_cli_userop_in;
/* What they give: the op, its chain id, entry point and userOpHash. */
typedef struct {
    mav2_userop op;
    uint64_t chain_id;
    uint8_t entry_point[MAV2_ADDRESS_LEN], hash[32];
} mav2_cli_userop;
/* Reads the op that in names, parses and hashes it into u (clear u->op with
 * mav2_userop_clear whatever the result; hash.c). Exit code. */
int mav2_cli_userop_load(const mav2_cli_cmd *cmd, const mav2_cli_userop_in *in, mav2_cli_userop *u);

/* A decimal chain id (1 .. 2^63 - 1); prints the error and returns 0 if bad. */
int mav2_cli_chain_id(const mav2_cli_cmd *cmd, const char *s, uint64_t *out);
/* A 20-byte address for option name; prints the error and returns 0 if bad. */
int mav2_cli_address(const mav2_cli_cmd *cmd, const char *name, const char *s,
                     uint8_t out[MAV2_ADDRESS_LEN]);

/* A uint32 option (decimal or 0x-hex); prints the error and returns 0 if bad. */
int mav2_cli_u32(const mav2_cli_cmd *cmd, const char *name, const char *s, uint32_t *out);

/* The --call options of a command (send, calldata), as given. */
#define MAV2_CLI_MAX_CALLS 256
typedef struct {
    const char *v[MAV2_CLI_MAX_CALLS];
    size_t n;
} mav2_cli_calls;
/* Setter (opt.h) of --call: one more into the mav2_cli_calls at field (each checked
 * with mav2_cli_parse_call once all are read); at most MAV2_CLI_MAX_CALLS. */
int mav2_cli_set_call(const mav2_cli_cmd *cmd, const mav2_cli_opt *opt, void *field,
                      const char *arg);

/* One --call "TO[,VALUE[,DATA]]" (the idx-th, for the error) into c; VALUE empty or
 * missing is 0, DATA 0x-hex. c->data is malloc'ed into *data (NULL on failure). Prints
 * the error and returns 0 if bad. */
int mav2_cli_parse_call(const mav2_cli_cmd *cmd, const char *spec, size_t idx, mav2_call *c,
                        uint8_t **data);

/* Loads a key for the command (pin_file may be NULL); need_private 1 to sign.
 * Prints the error and returns NULL on failure. */
EVP_PKEY *mav2_cli_load_key(const mav2_cli_cmd *cmd, const char *uri, const char *pin_file,
                            int need_private);

/* mav2_cli_load_key, then a signer of it (the key freed). Prints the error ("--key: ...")
 * and returns NULL on failure (exit MAV2_EXIT_KEY). */
mav2_signer *mav2_cli_load_signer(const mav2_cli_cmd *cmd, const char *uri, const char *pin_file,
                                  int need_private);
/* session-key install's check of --session-key (key.c): a token key must hold
 * its private key in hardware (mav2_key_is_hardware), else one line naming the
 * first failing attribute and MAV2_EXIT_USAGE, or, with allow_exportable, that line
 * as a warning. A software or public-only key passes with one line on stderr
 * saying so. MAV2_EXIT_KEY if the token cannot be read. Returns an exit code. */
int mav2_cli_check_session_key(const mav2_cli_cmd *cmd, EVP_PKEY *pkey, int allow_exportable);
/* Adds "address" (EIP-55) and "publicKey" (0x04...) of s to the JSON object o. */
void mav2_cli_signer_json(struct json_object *o, const mav2_signer *s);
/* Adds "address" of s (EIP-55; text: the line "TEXT ADDRESS", "" the address alone)
 * and, JSON only, "publicKey" (0x04...) to r. */
void mav2_cli_result_signer(mav2_cli_result *r, const char *text, const mav2_signer *s);

#endif
