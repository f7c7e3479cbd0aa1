/* SPDX-License-Identifier: Apache-2.0 */
/* mav2: the command-line front end. Finds the subcommand in the table below and
 * runs it; each command lives in a file of its own, named after it. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mav2/cli/cli.h"
#include "mav2/cli/guard_cli.h"
#include "mav2/cli/online.h"
#include "mav2/cli/replace.h"
#include "mav2/cli/session_keys.h"
#include "mav2/cli/settings.h"

/* Online subcommands (send, receipt, session-key ..., sign-message) are added here:
 * one entry each, their code in their own cmd_*.c file. */
static const mav2_cli_cmd commands[] = {
    {"address", mav2_cmd_address, "print the Ethereum address of a key (token or file)", NULL,
     &mav2_page_address},
    {"key", mav2_cmd_key, "where a key is held and its token attributes (key info)", NULL,
     &mav2_page_key},
    {"calldata", mav2_cmd_calldata, "build execute / executeBatch call data for the account", NULL,
     &mav2_page_calldata},
    {"decode", mav2_cmd_decode, "the arguments of a function call, from its call data", NULL,
     &mav2_page_decode},
    {"nonce-key", mav2_cmd_nonce_key, "the 192-bit nonce key selecting a validation", NULL,
     &mav2_page_nonce_key},
    {"hash", mav2_cmd_hash, "the v0.7 userOpHash of a user operation", NULL, &mav2_page_hash},
    {"sign", mav2_cmd_sign, "sign a user operation with a session key (offline)", NULL,
     &mav2_page_sign},
    {"send", mav2_cmd_send, "send a user op signed by a session key through a bundler", NULL,
     &mav2_page_send},
    {"receipt", mav2_cmd_receipt, "wait for a user op's receipt (or the journaled op's)", NULL,
     &mav2_page_receipt},
    {"submit", mav2_cmd_submit, "send a user op signed offline (mav2 sign) and wait for it", NULL,
     &mav2_page_submit},
    {"replace", mav2_cmd_replace, "replace a pending user op with higher fees (same nonce)", NULL,
     &mav2_page_replace},
    {"session-key", mav2_cmd_session_key, "create, install, list, update and revoke session keys",
     mav2_help_session_key, NULL},
    {"sign-message", mav2_cmd_sign_message, "sign a message as the account (ERC-1271)", NULL,
     &mav2_page_sign_message},
    {"account", mav2_cmd_account, "counterfactual account address and factory data", NULL,
     &mav2_page_account},
    {"config", mav2_cmd_config, "the settings online commands use, and where they come from", NULL,
     &mav2_page_config},
    {"chains", mav2_cmd_chains, "the chain presets (--chain NAME)", NULL, &mav2_page_chains},
    {"audit", mav2_cmd_audit, "verify and read the audit ledger (and the policy)", mav2_help_audit,
     NULL},
};

static const char usage[] =
    "NAME\n"
    "    mav2 - session keys for Alchemy Modular Account V2 (ERC-4337 v0.7), kept in\n"
    "    PKCS#11 tokens and used through OpenSSL\n"
    "\n"
    "SYNOPSIS\n"
    "    mav2 COMMAND [OPTIONS]\n"
    "    mav2 COMMAND --help\n"
    "    mav2 --help | --version\n"
    "\n"
    "COMMANDS\n";

static const char usage_tail[] =
    "\n"
    "KEYS\n"
    "    --key takes a pkcs11: URI (RFC 7512) served by the p11k1 OpenSSL provider, a\n"
    "    file: URI, or the path of a PEM/DER key file. The provider is loaded from\n"
    "    the OpenSSL configuration (OPENSSL_CONF) or, for pkcs11: URIs, by name\n"
    "    \"p11k1\" from OPENSSL_MODULES (or OpenSSL's module directory).\n"
    "      pkcs11:token=mytoken;object=sk1?pin-source=file:/run/secrets/pin\n"
    "\n"
    "PIN\n"
    "    Prefer a pin-source in the URI (as above) or in the provider's\n"
    "    configuration. --pin-source FILE gives the token PIN or PEM passphrase\n"
    "    (first line of FILE, at most 255 bytes; a file that is missing,\n"
    "    unreadable, empty or longer is refused, saying which) when the URI has\n"
    "    none. pin-value=... in a URI works but shows in ps: use it for tests\n"
    "    only. On a terminal, mav2 asks for a PIN that no source provides. A PIN\n"
    "    is never printed nor logged (a pin-value is cut out of a URI in errors).\n"
    "\n"
    "URLS\n"
    "    --rpc-url, --bundler-url and --paymaster-url take http(s)://HOST[:PORT]/...\n"
    "    with a host name, IPv4 or [IPv6] address; one with a malformed host or\n"
    "    port, a backslash or a space is refused (exit 1). Messages show only the\n"
    "    scheme and host: an API key in the path or query is never printed. A\n"
    "    URL that looks like it carries a key (e.g. /v2/KEY) over plain http to\n"
    "    a host that is not loopback gets a warning on stderr: use https.\n"
    "\n"
    "OUTPUT\n"
    "    Results go to stdout, one per line (--json: a JSON object). Errors go to\n"
    "    stderr as one line \"mav2 COMMAND: what was wrong\"; stdout is then empty,\n"
    "    except with --json: one object {\"ok\": false, \"exit\": N, \"error\": ...,\n"
    "    \"userOpHash\": ... (once known)}. Options of every command: --quiet (no\n"
    "    progress lines on stderr, only the result), --trace (every JSON-RPC request\n"
    "    and answer on stderr with its time, URLs redacted; also MAV2_TRACE=1).\n"
    "\n"
    "EXIT STATUS\n"
    "    0  success\n"
    "    1  usage error or bad input (malformed hex, wrong length, unknown field,\n"
    "       value out of range)\n"
    "    2  key or token error (not found, not secp256k1, PIN, signing failed)\n"
    "    3  rejected by the bundler or node (JSON-RPC error, AAxx reason)\n"
    "    4  timed out (e.g. no receipt in time)\n"
    "    5  network error (cannot reach the node or bundler, HTTP, bad answer)\n"
    "    6  internal error (out of memory, cannot write output)\n"
    "\n"
    "ENVIRONMENT\n"
    "    OPENSSL_CONF     OpenSSL configuration (may load and configure p11k1)\n"
    "    OPENSSL_MODULES  directory holding p11k1.so\n"
    "    MAV2_RPC_URL (or ETH_RPC_URL), MAV2_BUNDLER_URL, MAV2_CHAIN, MAV2_PROFILE,\n"
    "    MAV2_ACCOUNT, MAV2_KEY, ALCHEMY_API_KEY\n"
    "                     settings of the online commands (mav2 config --help)\n"
    "    MAV2_STATE_DIR   the journal of pending user ops\n"
    "\n"
    "SETTINGS\n"
    "    Online commands take --profile NAME and --chain NAME; a setting comes from\n"
    "    the option, else the environment, else the profile of the settings file\n"
    "    ($XDG_CONFIG_HOME/mav2/config), else the chain preset (mav2 chains).\n"
    "    mav2 config show prints what a command would use and where it comes from.\n";

static void print_usage(FILE *f)
{
    fputs(usage, f);
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "    %-12s %s\n", commands[i].name, commands[i].summary);
    fputs(usage_tail, f);
}

/* --json, --quiet and --trace, wherever they stand after the command: the last two are
 * taken out of argv (no command parses them), --json stays for the command. */
static int global_options(int argc, char **argv)
{
    int k = 2;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            while (i < argc)
                argv[k++] = argv[i++];
            break;
        }
        if (strcmp(argv[i], "--json") == 0)
            mav2_cli_out.json = 1;
        if (strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "-q") == 0) {
            mav2_cli_out.quiet = 1;
            continue;
        }
        if (strcmp(argv[i], "--trace") == 0) {
            setenv("MAV2_TRACE", "1", 1);
            continue;
        }
        argv[k++] = argv[i];
    }
    argv[k] = NULL;
    return k;
}

int main(int argc, char **argv)
{
    const char *name;

    if (argc < 2) {
        fputs("mav2: no command given (see mav2 --help)\n", stderr);
        return MAV2_EXIT_USAGE;
    }
    name = argv[1];
    argc = global_options(argc, argv);
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        if (strcmp(name, "help") == 0 && argc > 2) {
            for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
                if (strcmp(argv[2], commands[i].name) == 0) {
                    mav2_cli_help_print(&commands[i]);
                    return MAV2_EXIT_OK;
                }
            fprintf(stderr, "mav2: unknown command \"%s\" (see mav2 --help)\n", argv[2]);
            return MAV2_EXIT_USAGE;
        }
        print_usage(stdout);
        return MAV2_EXIT_OK;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) {
        printf("mav2 %s\n", PACKAGE_VERSION);
        return MAV2_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(name, commands[i].name) == 0)
            return commands[i].run(&commands[i], argc - 1, argv + 1);
    fprintf(stderr, "mav2: unknown command \"%s\" (see mav2 --help)\n", name);
    return MAV2_EXIT_USAGE;
}
