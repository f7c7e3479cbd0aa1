/* SPDX-License-Identifier: Apache-2.0 */
/* config.c: `mav2 config show`: the settings an online command would use, and where
 * each comes from. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "mav2/cli/online_opts.h"
#include "mav2/cli/output.h"
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

/* What the command line says (--profile and --chain go to the settings). */
typedef struct {
    const char *unused;
    int json;
} config_opts;

static const mav2_cli_opt config_table[] = {
    MAV2_OPT_SET("profile", "NAME", config_opts, unused, mav2_cli_set_profile,
                 "the profile shown (else $MAV2_PROFILE)"),
    MAV2_OPT_SET("chain", "NAME", config_opts, unused, mav2_cli_set_chain,
                 "the chain: a preset (mav2 chains) or [chain NAME]"),
    MAV2_OPT_FLAG_("json", config_opts, json,
                   "{NAME: {\"value\": ..., \"source\": ...}, ...}, the settings\n"
                   "that are set"),
    MAV2_OPT_END_};

const mav2_cli_page mav2_page_config = {
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
    "\n"
    "OPTIONS\n",
    config_table,
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
    "    mav2 send --profile prod --call 0xd8dA...,0.01ether\n"};

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

/* Each shown setting, its value and where it comes from. Exit code. */
static int config_print(const mav2_cli_cmd *self, int json)
{
    mav2_cli_result r;
    char buf[512];

    mav2_cli_result_init(&r, json);
    for (size_t i = 0; shown_keys[i] != NULL; i++) {
        const char *src, *v = mav2_cli_setting(shown_keys[i], &src);
        const char *s = mav2_cli_setting_shown(shown_keys[i], v, buf, sizeof(buf));
        mav2_cli_result_line(&r, "%-21s %s%s%s", shown_keys[i], s, src ? "  " : "", src ? src : "");
        if (json && v != NULL) {
            json_object *e = json_object_new_object();
            json_object_object_add(e, "value", json_object_new_string(s));
            json_object_object_add(e, "source", json_object_new_string(src ? src : ""));
            mav2_cli_result_json(&r, shown_keys[i], e);
        }
    }
    return mav2_cli_result_print(self, &r);
}

static int config_show(const mav2_cli_cmd *self, int argc, char **argv)
{
    mav2_cli_cmd me = *self;
    config_opts o;
    int rc;

    me.name = "config"; /* its errors name the group, as always */
    memset(&o, 0, sizeof(o));
    if ((rc = mav2_cli_opts_parse(&me, &o, argc, argv)) != MAV2_CLI_PARSED)
        return rc;
    if (!mav2_cli_settings_ready(&me))
        return MAV2_EXIT_USAGE;
    return config_print(&me, o.json);
}

static const mav2_cli_sub config_cmds[] = {
    {"show", config_show, "the settings and where they come from", NULL},
};

int mav2_cmd_config(const mav2_cli_cmd *self, int argc, char **argv)
{
    return mav2_cli_dispatch(self, config_cmds, sizeof(config_cmds) / sizeof(config_cmds[0]), argc,
                             argv);
}
