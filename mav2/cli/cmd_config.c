/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_config.c: `mav2 config show` (the settings an online command would use, and
 * where each comes from) and `mav2 chains` (the chain presets). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "mav2/send/bounds.h"
#include "mav2/cli/settings.h"
#include "mav2/core/settings.h"

#define SETTINGS_HELP                                                                              \
    "SETTINGS\n"                                                                                   \
    "    Each online command takes a setting from, in this order: its option; the\n"               \
    "    environment (MAV2_RPC_URL or ETH_RPC_URL, MAV2_BUNDLER_URL, MAV2_CHAIN,\n"                \
    "    MAV2_PROFILE, MAV2_ACCOUNT, MAV2_KEY; ALCHEMY_API_KEY for the presets'\n"                 \
    "    URLs); the profile (--profile NAME, else $MAV2_PROFILE) of the settings\n"                \
    "    file $XDG_CONFIG_HOME/mav2/config (else ~/.config/mav2/config); the chain\n"              \
    "    preset (--chain NAME, MAV2_CHAIN or the profile's chain =).\n"                            \
    "    The file is INI: [profile NAME] sections with chain, rpc-url, bundler-url,\n"             \
    "    account, key, entity-id, global (true|false), pin-source, max-cost,\n"                    \
    "    paymaster-url, gas-policy-id, alchemy-api-key-file (a file holding the key:\n"            \
    "    never put a key in argv); [chain NAME] sections with chain-id, rpc-url,\n"                \
    "    bundler-url, max-cost for chains without a preset. Unknown keys and bad\n"                \
    "    values are errors naming FILE:LINE; a file writable by group or others\n"                 \
    "    is refused. A preset chain or chain-id is checked against the node.\n"

const char mav2_help_config[] =
    "NAME\n"
    "    mav2 config - the settings online commands use, and where they come from\n"
    "\n"
    "SYNOPSIS\n"
    "    mav2 config show [--profile NAME] [--chain NAME] [--json]\n"
    "\n"
    "DESCRIPTION\n"
    "    Prints each setting the profile, the environment and the chain give:\n"
    "    \"NAME VALUE SOURCE\" (\"-\" when unset), URLs shown as scheme://host/...\n"
    "    so API keys stay hidden. No network.\n"
    "\n" SETTINGS_HELP "\n"
    "EXIT STATUS\n"
    "    0 ok, 1 bad settings file, profile or chain\n"
    "\n"
    "EXAMPLES\n"
    "    # ~/.config/mav2/config\n"
    "    [profile prod]\n"
    "    chain = base\n"
    "    alchemy-api-key-file = /run/secrets/alchemy\n"
    "    account = 0xAcc...\n"
    "    key = pkcs11:token=hsm;object=sk1\n"
    "    entity-id = 1\n"
    "    global = true\n"
    "\n"
    "    mav2 config show --profile prod\n"
    "    mav2 send --profile prod --call 0xd8dA...,0.01ether\n";

const char mav2_help_chains[] =
    "NAME\n"
    "    mav2 chains - the chain presets\n"
    "\n"
    "SYNOPSIS\n"
    "    mav2 chains [--json]\n"
    "\n"
    "DESCRIPTION\n"
    "    Lists the chains --chain NAME (or chain = NAME in a profile) knows: chain\n"
    "    id, Alchemy's host for node and bundler (the key comes from\n"
    "    ALCHEMY_API_KEY or alchemy-api-key-file), and the default --max-cost.\n"
    "    Other chains: a [chain NAME] section in the settings file (mav2 config\n"
    "    --help).\n"
    "\n"
    "EXIT STATUS\n"
    "    0 ok\n";

static const char *const shown_keys[] = {"chain",
                                         "chain-id",
                                         "rpc-url",
                                         "bundler-url",
                                         "account",
                                         "key",
                                         "entity-id",
                                         "global",
                                         "pin-source",
                                         "max-cost",
                                         "paymaster-url",
                                         "gas-policy-id",
                                         "alchemy-api-key-file",
                                         NULL};

static int show(const mav2_cli_cmd *self, int json)
{
    json_object *o = json ? json_object_new_object() : NULL;
    char buf[512];
    int rc = MAV2_EXIT_OK;
    for (size_t i = 0; shown_keys[i] != NULL; i++) {
        const char *src, *v = mav2_cli_setting(shown_keys[i], &src);
        const char *s = mav2_cli_setting_shown(shown_keys[i], v, buf, sizeof(buf));
        if (o != NULL && v != NULL) {
            json_object *e = json_object_new_object();
            json_object_object_add(e, "value", json_object_new_string(s));
            json_object_object_add(e, "source", json_object_new_string(src ? src : ""));
            json_object_object_add(o, shown_keys[i], e);
        } else if (o == NULL && printf("%-21s %s%s%s\n", shown_keys[i], s, src ? "  " : "",
                                       src ? src : "") < 0) {
            rc = mav2_cli_fail(self, MAV2_EXIT_INTERNAL, "cannot write the output");
        }
    }
    if (o != NULL) {
        rc = mav2_cli_print(self, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
        json_object_put(o);
    } else if (fflush(stdout) != 0) {
        rc = mav2_cli_fail(self, MAV2_EXIT_INTERNAL, "cannot write the output");
    }
    return rc;
}

int mav2_cmd_config(const mav2_cli_cmd *self, int argc, char **argv)
{
    static const struct option opts[] = {{"profile", required_argument, NULL, MAV2_OPT_PROFILE},
                                         {"chain", required_argument, NULL, MAV2_OPT_CHAIN},
                                         {"json", no_argument, NULL, 'j'},
                                         {NULL, 0, NULL, 0}};
    mav2_cli_parser ps;
    const char *arg;
    int c, json = 0;
    if (argc < 2 || strcmp(argv[1], "show") != 0) {
        if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
            fputs(self->help, stdout);
            return MAV2_EXIT_OK;
        }
        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "which one? (mav2 config show)");
    }
    mav2_cli_parser_init(&ps, self, opts, argc - 1, argv + 1);
    while ((c = mav2_cli_next(&ps, &arg)) != -1) {
        if (c == MAV2_OPT_PROFILE)
            mav2_cli_settings_request(arg, NULL);
        else if (c == MAV2_OPT_CHAIN)
            mav2_cli_settings_request(NULL, arg);
        else if (c == 'j')
            json = 1;
        else
            return c == 'h' ? MAV2_EXIT_OK : MAV2_EXIT_USAGE;
    }
    if (!mav2_cli_settings_ready(self))
        return MAV2_EXIT_USAGE;
    return show(self, json);
}

int mav2_cmd_chains(const mav2_cli_cmd *self, int argc, char **argv)
{
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'}, {NULL, 0, NULL, 0}};
    mav2_cli_parser ps;
    const char *arg;
    const mav2_chain *ch;
    json_object *a = NULL;
    int c, rc = MAV2_EXIT_OK;
    mav2_cli_parser_init(&ps, self, opts, argc, argv);
    while ((c = mav2_cli_next(&ps, &arg)) != -1) {
        if (c != 'j')
            return c == 'h' ? MAV2_EXIT_OK : MAV2_EXIT_USAGE;
        a = a != NULL ? a : json_object_new_array();
    }
    for (size_t i = 0; (ch = mav2_chain_at(i)) != NULL; i++) {
        const char *cost = mav2_chain_bounds_for(ch->chain_id)->max_cost;
        if (a != NULL) {
            json_object *o = json_object_new_object();
            json_object_object_add(o, "name", json_object_new_string(ch->name));
            json_object_object_add(o, "chainId", json_object_new_int64((int64_t)ch->chain_id));
            json_object_object_add(o, "alchemyHost", json_object_new_string(ch->alchemy_host));
            json_object_object_add(o, "maxCost", json_object_new_string(cost));
            json_object_object_add(o, "testnet", json_object_new_boolean(ch->testnet));
            json_object_array_add(a, o);
        } else if (printf("%-17s %-9llu %-30s max-cost %s%s\n", ch->name,
                          (unsigned long long)ch->chain_id, ch->alchemy_host, cost,
                          ch->testnet ? "  (testnet)" : "") < 0) {
            rc = mav2_cli_fail(self, MAV2_EXIT_INTERNAL, "cannot write the output");
        }
    }
    if (a != NULL) {
        rc = mav2_cli_print(self, json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN));
        json_object_put(a);
    } else if (fflush(stdout) != 0) {
        rc = mav2_cli_fail(self, MAV2_EXIT_INTERNAL, "cannot write the output");
    }
    return rc;
}
