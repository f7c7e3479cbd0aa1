/* SPDX-License-Identifier: Apache-2.0 */
/* settings.c (cli): the settings of the online commands and where they come from
 * (settings.h), plus `mav2 config show` and `mav2 chains`. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

#include "mav2/send/bounds.h"
#include "mav2/cli/settings.h"
#include "mav2/core/error.h"
#include "mav2/net/rpc.h"
#include "mav2/core/settings.h"

static struct {
    int loaded;
    const char *want_profile, *want_chain; /* from the command line */
    mav2_config *cfg;
    const char *profile;      /* NULL: none */
    const char *chain;        /* preset or [chain] name, NULL: none */
    const mav2_chain *preset; /* NULL: a custom chain or none */
    char chain_source[160];
    char alchemy_url[320]; /* holds the API key */
    char chain_id[24];
} st;

static void settings_free(void)
{
    OPENSSL_cleanse(st.alchemy_url, sizeof(st.alchemy_url));
    mav2_config_free(st.cfg);
    st.cfg = NULL;
}

void mav2_cli_settings_request(const char *profile, const char *chain)
{
    if (profile != NULL)
        st.want_profile = profile;
    if (chain != NULL)
        st.want_chain = chain;
}

/* Environment variables for a setting, in order. */
static const char *env_of(const char *name, int i)
{
    static const struct {
        const char *name, *env[3];
    } map[] = {{"rpc-url", {"MAV2_RPC_URL", "ETH_RPC_URL", NULL}},
               {"bundler-url", {"MAV2_BUNDLER_URL", NULL, NULL}},
               {"account", {"MAV2_ACCOUNT", NULL, NULL}},
               {"key", {"MAV2_KEY", NULL, NULL}},
               {"chain", {"MAV2_CHAIN", NULL, NULL}}};
    for (size_t k = 0; k < sizeof(map) / sizeof(map[0]); k++)
        if (strcmp(map[k].name, name) == 0)
            return i < 3 ? map[k].env[i] : NULL;
    return NULL;
}

/* The first line of a key file (0600 or stricter) into out. */
static int read_key_file(const char *path, char *out, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;
    if (fd < 0)
        return mav2_error_set("alchemy-api-key-file %s: %s", path,
                              errno == ENOENT ? "no such file" : strerror(errno));
    n = read(fd, out, cap - 1);
    close(fd);
    if (n < 0)
        return mav2_error_set("alchemy-api-key-file %s: %s", path, strerror(errno));
    out[n] = '\0';
    out[strcspn(out, "\r\n")] = '\0';
    if (*out == '\0')
        return mav2_error_set("alchemy-api-key-file %s: empty", path);
    return 1;
}

/* Node and bundler URL of a preset chain: Alchemy's, with the key from the
 * environment or the profile's key file. */
static int preset_url(void)
{
    const char *key = getenv("ALCHEMY_API_KEY"),
               *file = mav2_config_profile_get(st.cfg, st.profile, "alchemy-api-key-file");
    char buf[256];
    int ok;
    if (key != NULL && *key != '\0')
        return mav2_chain_alchemy_url(st.preset, key, st.alchemy_url, sizeof(st.alchemy_url));
    if (file == NULL)
        return 1; /* no URL from the preset: the command asks for --rpc-url */
    ok = read_key_file(file, buf, sizeof(buf)) &&
         mav2_chain_alchemy_url(st.preset, buf, st.alchemy_url, sizeof(st.alchemy_url));
    OPENSSL_cleanse(buf, sizeof(buf));
    return ok;
}

static int pick_chain(void)
{
    const char *src = NULL, *id;
    if ((st.chain = st.want_chain) != NULL)
        src = "--chain";
    else if ((st.chain = getenv("MAV2_CHAIN")) != NULL && *st.chain != '\0')
        src = "environment MAV2_CHAIN";
    else if ((st.chain = mav2_config_profile_get(st.cfg, st.profile, "chain")) != NULL)
        src = NULL;
    else
        return 1;
    if (src != NULL)
        snprintf(st.chain_source, sizeof(st.chain_source), "%s", src);
    else
        mav2_config_where(st.cfg, st.profile, "chain", st.chain_source, sizeof(st.chain_source));
    src = st.chain_source;
    if ((st.preset = mav2_chain_find(st.chain)) != NULL) {
        snprintf(st.chain_id, sizeof(st.chain_id), "%llu", (unsigned long long)st.preset->chain_id);
        return preset_url();
    }
    if (!mav2_config_has_chain(st.cfg, st.chain))
        return mav2_error_set("chain \"%s\" (%s) is neither a preset (mav2 chains) nor a [chain "
                              "%s] section",
                              st.chain, src, st.chain);
    if ((id = mav2_config_chain_get(st.cfg, st.chain, "chain-id")) == NULL)
        return mav2_error_set("[chain %s] has no chain-id", st.chain);
    snprintf(st.chain_id, sizeof(st.chain_id), "%s", id);
    return 1;
}

int mav2_cli_settings_ready(const mav2_cli_cmd *cmd)
{
    char path[4096];
    const char *p;
    if (st.loaded)
        return st.loaded > 0 ? 1
                             : (mav2_cli_fail(cmd, MAV2_EXIT_USAGE, "%s", mav2_last_error()), 0);
    st.loaded = -1;
    atexit(settings_free);
    if (!mav2_config_default_path(path, sizeof(path)) || !mav2_config_load(path, 1, &st.cfg))
        return mav2_cli_fail_lib(cmd, MAV2_EXIT_USAGE, NULL), 0;
    p = st.want_profile != NULL ? st.want_profile : getenv("MAV2_PROFILE");
    if (p != NULL && *p != '\0') {
        if (!mav2_config_has_profile(st.cfg, p))
            return mav2_cli_fail(cmd, MAV2_EXIT_USAGE, "no [profile %s] in %s", p, path), 0;
        st.profile = p;
    }
    if (!pick_chain())
        return mav2_cli_fail_lib(cmd, MAV2_EXIT_USAGE, NULL), 0;
    st.loaded = 1;
    return 1;
}

static const char *from_chain(const char *name)
{
    if (st.chain == NULL)
        return NULL;
    if (strcmp(name, "chain-id") == 0)
        return st.chain_id[0] != '\0' ? st.chain_id : NULL;
    if (st.preset == NULL)
        return mav2_config_chain_get(st.cfg, st.chain, name);
    if (strcmp(name, "max-cost") == 0)
        return mav2_chain_bounds_for(st.preset->chain_id)->max_cost;
    if (strcmp(name, "rpc-url") == 0 || strcmp(name, "bundler-url") == 0)
        return st.alchemy_url[0] != '\0' ? st.alchemy_url : NULL;
    return NULL;
}

const char *mav2_cli_setting(const char *name, const char **source)
{
    static char where[4200];
    const char *v, *env;
    if (source != NULL)
        *source = NULL;
    if (st.loaded <= 0)
        return NULL;
    if (strcmp(name, "chain") == 0 && st.chain != NULL) {
        if (source != NULL)
            *source = st.chain_source;
        return st.chain;
    }
    for (int i = 0; (env = env_of(name, i)) != NULL; i++)
        if ((v = getenv(env)) != NULL && *v != '\0') {
            snprintf(where, sizeof(where), "environment %s", env);
            if (source != NULL)
                *source = where;
            return v;
        }
    if ((v = mav2_config_profile_get(st.cfg, st.profile, name)) != NULL) {
        mav2_config_where(st.cfg, st.profile, name, where, sizeof(where));
        if (source != NULL)
            *source = where;
        return v;
    }
    if ((v = from_chain(name)) != NULL && source != NULL) {
        snprintf(where, sizeof(where), "chain %s", st.chain);
        *source = where;
    }
    return v;
}

uint64_t mav2_cli_settings_chain_id(void)
{
    return st.loaded > 0 && st.chain_id[0] != '\0' ? strtoull(st.chain_id, NULL, 10) : 0;
}

const char *mav2_cli_setting_shown(const char *name, const char *value, char *buf, size_t cap)
{
    if (value == NULL)
        return "-";
    if (strstr(name, "url") != NULL) {
        mav2_rpc_redact_url(value, buf, cap);
        return buf;
    }
    return value;
}
