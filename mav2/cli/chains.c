/* SPDX-License-Identifier: Apache-2.0 */
/* chains.c: `mav2 chains`: the chain presets (--chain NAME). */
#include "config.h"

#include <string.h>

#include <json-c/json.h>

#include "mav2/cli/output.h"
#include "mav2/cli/settings.h"
#include "mav2/core/settings.h"
#include "mav2/send/bounds.h"

/* What the command line says. */
typedef struct {
    int json;
} chains_opts;

static const mav2_cli_opt chains_table[] = {
    MAV2_OPT_FLAG_("json", chains_opts, json,
                   "[{\"name\", \"chainId\", \"alchemyHost\", \"maxCost\",\n"
                   "\"testnet\"}, ...]"),
    MAV2_OPT_END_};

const mav2_cli_page mav2_page_chains = {
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
    "OPTIONS\n",
    chains_table,
    "\n"
    "EXIT STATUS\n"
    "    0 ok\n"};

/* Preset ch as a JSON object. */
static json_object *chain_json(const mav2_chain *ch, const char *cost)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "name", json_object_new_string(ch->name));
    json_object_object_add(o, "chainId", json_object_new_int64((int64_t)ch->chain_id));
    json_object_object_add(o, "alchemyHost", json_object_new_string(ch->alchemy_host));
    json_object_object_add(o, "maxCost", json_object_new_string(cost));
    json_object_object_add(o, "testnet", json_object_new_boolean(ch->testnet));
    return o;
}

int mav2_cmd_chains(const mav2_cli_cmd *self, int argc, char **argv)
{
    chains_opts o;
    const mav2_chain *ch;
    json_object *a = NULL;
    mav2_cli_result r;
    int rc;

    memset(&o, 0, sizeof(o));
    if ((rc = mav2_cli_opts_parse(self, &o, argc, argv)) != MAV2_CLI_PARSED)
        return rc;
    mav2_cli_result_init(&r, o.json);
    if (o.json)
        a = json_object_new_array();
    for (size_t i = 0; (ch = mav2_chain_at(i)) != NULL; i++) {
        const char *cost = mav2_chain_bounds_for(ch->chain_id)->max_cost;
        mav2_cli_result_line(&r, "%-17s %-9llu %-30s max-cost %s%s", ch->name,
                             (unsigned long long)ch->chain_id, ch->alchemy_host, cost,
                             ch->testnet ? "  (testnet)" : "");
        if (a != NULL)
            json_object_array_add(a, chain_json(ch, cost));
    }
    mav2_cli_result_json(&r, NULL, a);
    return mav2_cli_result_print(self, &r);
}
