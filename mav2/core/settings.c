/* SPDX-License-Identifier: Apache-2.0 */
/* settings.c: the settings file and the chain presets (settings.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mav2/core/address.h"
#include "mav2/core/error.h"
#include "mav2/core/settings.h"
#include "mav2/core/u256.h"

/* ---- chain presets ---------------------------------------------------------------- */

static const mav2_chain chains[] = {
    {"mainnet", 1, "eth-mainnet.g.alchemy.com", 0, 12000},
    {"sepolia", 11155111, "eth-sepolia.g.alchemy.com", 1, 12000},
    {"base", 8453, "base-mainnet.g.alchemy.com", 0, 2000},
    {"base-sepolia", 84532, "base-sepolia.g.alchemy.com", 1, 2000},
    {"arbitrum", 42161, "arb-mainnet.g.alchemy.com", 0, 250},
    {"arbitrum-sepolia", 421614, "arb-sepolia.g.alchemy.com", 1, 250},
    {"optimism", 10, "opt-mainnet.g.alchemy.com", 0, 2000},
    {"optimism-sepolia", 11155420, "opt-sepolia.g.alchemy.com", 1, 2000},
    {"polygon", 137, "polygon-mainnet.g.alchemy.com", 0, 2000},
    {"polygon-amoy", 80002, "polygon-amoy.g.alchemy.com", 1, 2000},
};

const mav2_chain *mav2_chain_at(size_t i)
{
    return i < sizeof(chains) / sizeof(chains[0]) ? &chains[i] : NULL;
}

const mav2_chain *mav2_chain_find(const char *name)
{
    for (size_t i = 0; name != NULL && i < sizeof(chains) / sizeof(chains[0]); i++)
        if (strcmp(chains[i].name, name) == 0)
            return &chains[i];
    return NULL;
}

const mav2_chain *mav2_chain_by_id(uint64_t chain_id)
{
    for (size_t i = 0; i < sizeof(chains) / sizeof(chains[0]); i++)
        if (chains[i].chain_id == chain_id)
            return &chains[i];
    return NULL;
}

int mav2_chain_alchemy_url(const mav2_chain *c, const char *api_key, char *out, size_t cap)
{
    int n;
    if (c == NULL || api_key == NULL || *api_key == '\0')
        return mav2_error_set("no Alchemy API key");
    if (api_key[strspn(api_key,
                       "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")] != '\0')
        return mav2_error_set("the Alchemy API key holds characters other than letters, digits, "
                              "'_' and '-'");
    n = snprintf(out, cap, "https://%s/v2/%s", c->alchemy_host, api_key);
    if (n < 0 || (size_t)n >= cap)
        return mav2_error_set("the Alchemy URL is too long");
    return 1;
}

/* ---- the settings file ------------------------------------------------------------ */

const char *const mav2_config_keys[] = {
    "chain", "rpc-url", "bundler-url", "account", "key", "entity-id", "global", "pin-source",
    "max-cost", "paymaster-url", "gas-policy-id", "alchemy-api-key-file",
    /* the policy (mav2/send/policy.h checks the values) and the audit ledger */
    "policy-allow", "policy-max-value", "policy-value-cap", "policy-ops-per-minute",
    "policy-max-cost", "ledger", NULL};
static const char *const chain_keys[] = {"chain-id", "rpc-url", "bundler-url", "max-cost", NULL};
const char *const mav2_config_service_keys[] = {"profile",
                                                "listen",
                                                "tcp",
                                                "bearer-token-file",
                                                "lanes",
                                                "state-dir",
                                                "poll-interval",
                                                "state",
                                                "state-password-file",
                                                "lease",
                                                "state-wait",
                                                NULL};
#define SECTION_SERVICE 2

typedef struct {
    int is_chain; /* 1: [chain NAME], SECTION_SERVICE: [service], 0: [profile NAME] */
    char *section, *key, *value;
    unsigned line;
} entry;

struct mav2_config {
    char *path;
    entry *e;
    size_t n;
};

int mav2_config_default_path(char *out, size_t cap)
{
    const char *x = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    int n;
    if (x != NULL && *x == '/')
        n = snprintf(out, cap, "%s/mav2/config", x);
    else if (home != NULL && *home == '/')
        n = snprintf(out, cap, "%s/.config/mav2/config", home);
    else
        return mav2_error_set("no settings file: neither XDG_CONFIG_HOME nor HOME is set");
    if (n < 0 || (size_t)n >= cap)
        return mav2_error_set("the settings file path is too long");
    return 1;
}

void mav2_config_free(mav2_config *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->e[i].section);
        free(c->e[i].key);
        free(c->e[i].value);
    }
    free(c->e);
    free(c->path);
    free(c);
}

static char *trim(char *s)
{
    char *end;
    while (*s == ' ' || *s == '\t')
        s++;
    end = s + strlen(s);
    while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'))
        *--end = '\0';
    return s;
}

static int known(const char *const *keys, const char *k)
{
    for (size_t i = 0; keys[i] != NULL; i++)
        if (strcmp(keys[i], k) == 0)
            return 1;
    return 0;
}

/* A value that is wrong whatever else the file says. */
static const char *bad_value(const char *k, const char *v)
{
    uint8_t a[MAV2_ADDRESS_LEN];
    mav2_u256 u;
    if (*v == '\0')
        return "empty value";
    if (strcmp(k, "account") == 0 && !mav2_address_parse(v, a))
        return "not an address";
    if ((strcmp(k, "rpc-url") == 0 || strcmp(k, "bundler-url") == 0 ||
         strcmp(k, "paymaster-url") == 0) &&
        strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0)
        return "not an http(s) URL";
    if (strcmp(k, "global") == 0 && strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
        return "want true or false";
    if ((strcmp(k, "entity-id") == 0 || strcmp(k, "chain-id") == 0) && !mav2_u256_parse(&u, v))
        return "not a number";
    if (strcmp(k, "max-cost") == 0 && !mav2_u256_parse_amount(&u, v))
        return "not an amount (wei, or with a unit: 0.01ether)";
    if ((strcmp(k, "pin-source") == 0 || strcmp(k, "alchemy-api-key-file") == 0 ||
         strcmp(k, "listen") == 0 || strcmp(k, "bearer-token-file") == 0 ||
         strcmp(k, "state-dir") == 0 || strcmp(k, "state-password-file") == 0) &&
        *v != '/')
        return "want an absolute path";
    if (strcmp(k, "state") == 0 && strncmp(v, "postgresql://", 13) != 0 &&
        strncmp(v, "postgres://", 11) != 0 && strcmp(v, "files") != 0)
        return "want files or a postgresql:// URL";
    if (strcmp(k, "ledger") == 0 && *v != '/' && strcmp(v, "off") != 0)
        return "want an absolute path or off";
    if ((strcmp(k, "lanes") == 0 || strcmp(k, "poll-interval") == 0 || strcmp(k, "lease") == 0) &&
        (strspn(v, "0123456789") != strlen(v) || strlen(v) > 6 || atoi(v) < 1))
        return "want a positive number";
    if (strcmp(k, "state-wait") == 0 &&
        (*v == '\0' || strspn(v, "0123456789") != strlen(v) || strlen(v) > 7))
        return "want milliseconds (0 to 9999999)";
    return NULL;
}

/* "[profile NAME]", "[chain NAME]" or "[service]" into buf. */
static const char *section_label(int is_chain, const char *section, char *buf, size_t cap)
{
    if (is_chain == SECTION_SERVICE)
        snprintf(buf, cap, "[service]");
    else
        snprintf(buf, cap, "[%s %s]", is_chain ? "chain" : "profile", section);
    return buf;
}

static int add_entry(mav2_config *c, int is_chain, const char *section, const char *k,
                     const char *v, unsigned line)
{
    entry *p;
    const char *why;
    char label[160];
    for (size_t i = 0; i < c->n; i++)
        if (c->e[i].is_chain == is_chain && strcmp(c->e[i].section, section) == 0 &&
            strcmp(c->e[i].key, k) == 0)
            return mav2_error_set("%s:%u: \"%s\" given twice in %s (line %u)", c->path, line, k,
                                  section_label(is_chain, section, label, sizeof(label)),
                                  c->e[i].line);
    if (!known(is_chain == SECTION_SERVICE ? mav2_config_service_keys
               : is_chain                  ? chain_keys
                                           : mav2_config_keys,
               k))
        return mav2_error_set("%s:%u: unknown setting \"%s\" in a [%s] section", c->path, line, k,
                              is_chain == SECTION_SERVICE ? "service"
                              : is_chain                  ? "chain"
                                                          : "profile");
    if ((why = bad_value(k, v)) != NULL)
        return mav2_error_set("%s:%u: %s: %s", c->path, line, k, why);
    if ((p = realloc(c->e, (c->n + 1) * sizeof(*p))) == NULL)
        return mav2_error_set("out of memory");
    c->e = p;
    p = &c->e[c->n];
    p->is_chain = is_chain;
    p->line = line;
    p->section = strdup(section);
    p->key = strdup(k);
    p->value = strdup(v);
    c->n++;
    if (p->section == NULL || p->key == NULL || p->value == NULL)
        return mav2_error_set("out of memory");
    return 1;
}

/* "[profile NAME]" / "[chain NAME]" into *is_chain and name. */
static int section_of(const mav2_config *c, char *s, unsigned line, int *is_chain, char *name,
                      size_t cap)
{
    size_t n = strlen(s);
    char *body, *sp;
    if (strcmp(s, "[service]") == 0) {
        *is_chain = SECTION_SERVICE;
        snprintf(name, cap, "service");
        return 1;
    }
    if (n < 3 || s[n - 1] != ']')
        return mav2_error_set("%s:%u: a section is [profile NAME] or [chain NAME]", c->path, line);
    s[n - 1] = '\0';
    body = trim(s + 1);
    sp = strchr(body, ' ');
    if (sp == NULL)
        return mav2_error_set("%s:%u: a section is [profile NAME] or [chain NAME]", c->path, line);
    *sp = '\0';
    if (strcmp(body, "profile") != 0 && strcmp(body, "chain") != 0)
        return mav2_error_set("%s:%u: unknown section [%s ...]", c->path, line, body);
    *is_chain = strcmp(body, "chain") == 0;
    body = trim(sp + 1);
    if (*body == '\0' || strlen(body) >= cap ||
        body[strspn(body, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")])
        return mav2_error_set("%s:%u: a section name is letters, digits, '_', '.', '-'", c->path,
                              line);
    if (*is_chain && mav2_chain_find(body) != NULL)
        return mav2_error_set("%s:%u: [chain %s] would hide the preset of that name", c->path, line,
                              body);
    snprintf(name, cap, "%s", body);
    return 1;
}

static int parse_lines(mav2_config *c, FILE *f)
{
    char buf[4096], name[128] = "";
    unsigned line = 0;
    int is_chain = 0, ok = 1;
    while (ok && fgets(buf, sizeof(buf), f) != NULL) {
        char *s = trim(buf), *eq;
        line++;
        if (strlen(buf) == sizeof(buf) - 1 && buf[sizeof(buf) - 2] != '\n')
            return mav2_error_set("%s:%u: line too long", c->path, line);
        if (*s == '\0' || *s == '#' || *s == ';')
            continue;
        if (*s == '[') {
            ok = section_of(c, s, line, &is_chain, name, sizeof(name));
            continue;
        }
        if ((eq = strchr(s, '=')) == NULL)
            return mav2_error_set("%s:%u: want KEY = VALUE", c->path, line);
        if (name[0] == '\0')
            return mav2_error_set("%s:%u: a setting before any [profile NAME] section", c->path,
                                  line);
        *eq = '\0';
        ok = add_entry(c, is_chain, name, trim(s), trim(eq + 1), line);
    }
    if (ok && ferror(f))
        return mav2_error_set("%s: read error", c->path);
    return ok;
}

static int has_section(const mav2_config *c, int is_chain, const char *section);

/* Every profile's chain is a preset or a [chain NAME] of the file. */
static int check_chains(const mav2_config *c)
{
    for (size_t i = 0; i < c->n; i++)
        if (!c->e[i].is_chain && strcmp(c->e[i].key, "chain") == 0 &&
            mav2_chain_find(c->e[i].value) == NULL && !has_section(c, 1, c->e[i].value))
            return mav2_error_set("%s:%u: chain \"%s\" is neither a preset (mav2 chains) nor a "
                                  "[chain %s] section",
                                  c->path, c->e[i].line, c->e[i].value, c->e[i].value);
    return 1;
}

/* Like ssh with its config: owned by the user (or root), not writable by others. */
static int check_owner(const char *path, const struct stat *st)
{
    if (st->st_uid != getuid() && st->st_uid != 0)
        return mav2_error_set("%s: owned by another user: refused", path);
    if (st->st_mode & (S_IWGRP | S_IWOTH))
        return mav2_error_set("%s: writable by group or others: refused (chmod go-w)", path);
    return 1;
}

int mav2_config_load(const char *path, int missing_ok, mav2_config **out)
{
    mav2_config *c;
    struct stat st;
    FILE *f;
    int ok;
    if (out == NULL || path == NULL)
        return mav2_error_set("settings: argument missing");
    *out = NULL;
    if ((c = calloc(1, sizeof(*c))) == NULL || (c->path = strdup(path)) == NULL) {
        mav2_config_free(c);
        return mav2_error_set("out of memory");
    }
    f = fopen(path, "r");
    if (f == NULL) {
        int e = errno;
        if (e == ENOENT && missing_ok) {
            *out = c;
            return 1;
        }
        mav2_config_free(c);
        return mav2_error_set("%s: %s", path,
                              e == ENOENT   ? "no such file"
                              : e == EACCES ? "permission denied"
                                            : strerror(e));
    }
    ok = fstat(fileno(f), &st) == 0 ? check_owner(path, &st)
                                    : mav2_error_set("%s: %s", path, strerror(errno));
    ok = ok && parse_lines(c, f) && check_chains(c);
    fclose(f);
    if (!ok) {
        mav2_config_free(c);
        return 0;
    }
    *out = c;
    return 1;
}

static const entry *find(const mav2_config *c, int is_chain, const char *section, const char *k)
{
    for (size_t i = 0; c != NULL && section != NULL && i < c->n; i++)
        if (c->e[i].is_chain == is_chain && strcmp(c->e[i].section, section) == 0 &&
            strcmp(c->e[i].key, k) == 0)
            return &c->e[i];
    return NULL;
}

static int has_section(const mav2_config *c, int is_chain, const char *section)
{
    for (size_t i = 0; c != NULL && section != NULL && i < c->n; i++)
        if (c->e[i].is_chain == is_chain && strcmp(c->e[i].section, section) == 0)
            return 1;
    return 0;
}

int mav2_config_has_profile(const mav2_config *c, const char *profile)
{
    return has_section(c, 0, profile);
}

int mav2_config_has_chain(const mav2_config *c, const char *chain)
{
    return has_section(c, 1, chain);
}

const char *mav2_config_profile_get(const mav2_config *c, const char *profile, const char *key)
{
    const entry *e = find(c, 0, profile, key);
    return e != NULL ? e->value : NULL;
}

const char *mav2_config_chain_get(const mav2_config *c, const char *chain, const char *key)
{
    const entry *e = find(c, 1, chain, key);
    return e != NULL ? e->value : NULL;
}

const char *mav2_config_service_get(const mav2_config *c, const char *key, unsigned *line)
{
    const entry *e = find(c, SECTION_SERVICE, "service", key);
    if (line != NULL)
        *line = e != NULL ? e->line : 0;
    return e != NULL ? e->value : NULL;
}

const char *mav2_config_path(const mav2_config *c)
{
    return c != NULL ? c->path : NULL;
}

void mav2_config_where(const mav2_config *c, const char *profile, const char *key, char *out,
                       size_t cap)
{
    const entry *e = find(c, 0, profile, key);
    if (cap == 0)
        return;
    if (e == NULL)
        *out = '\0';
    else
        snprintf(out, cap, "%s:%u", c->path, e->line);
}
