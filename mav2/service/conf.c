/* SPDX-License-Identifier: Apache-2.0 */
/* conf.c: mav2d's configuration (conf.h). */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "mav2/core/address.h"
#include "mav2/core/error.h"
#include "mav2/core/settings.h"
#include "mav2/core/u256.h"
#include "mav2/service/conf.h"
#include "mav2/send/policy.h"

static int dup_opt(char **out, const char *v)
{
    *out = NULL;
    if (v != NULL && (*out = strdup(v)) == NULL)
        return mav2_error_set("out of memory");
    return 1;
}

/* A profile setting, else its chain's ([chain NAME]) for the URL keys. */
static const char *setting(const mav2_config *cf, const char *profile, const char *key)
{
    const char *v = mav2_config_profile_get(cf, profile, key), *chain;
    if (v != NULL || (strcmp(key, "rpc-url") != 0 && strcmp(key, "bundler-url") != 0))
        return v;
    chain = mav2_config_profile_get(cf, profile, "chain");
    return chain != NULL ? mav2_config_chain_get(cf, chain, key) : NULL;
}

static int chain_id_of(const mav2_config *cf, const char *profile, uint64_t *id)
{
    const char *chain = mav2_config_profile_get(cf, profile, "chain"), *v;
    const mav2_chain *preset;
    mav2_u256 u;
    *id = 0;
    if (chain == NULL)
        return 1;
    if ((preset = mav2_chain_find(chain)) != NULL) {
        *id = preset->chain_id;
        return 1;
    }
    v = mav2_config_chain_get(cf, chain, "chain-id");
    if (v != NULL && (!mav2_u256_parse(&u, v) || !mav2_u256_to_u64(&u, id)))
        return mav2_error_set("%s: chain %s: chain-id is not a 64-bit number", mav2_config_path(cf),
                              chain);
    return 1;
}

/* "127.0.0.1:8545", "[::1]:8545" or "localhost:8545": loopback only. */
static int parse_tcp(const char *path, unsigned line, const char *v, mavd_conf *c)
{
    const char *colon = strrchr(v, ':');
    char host[64];
    struct in_addr a4;
    struct in6_addr a6;
    size_t n = colon != NULL ? (size_t)(colon - v) : 0;
    char *end;
    unsigned long port = colon != NULL ? strtoul(colon + 1, &end, 10) : 0;
    if (colon == NULL || n == 0 || n >= sizeof(host) || *end != '\0' || port == 0 || port > 65535)
        return mav2_error_set("%s:%u: tcp: want HOST:PORT", path, line);
    memcpy(host, v, n);
    host[n] = '\0';
    if (host[0] == '[' && host[n - 1] == ']') {
        memmove(host, host + 1, n - 2);
        host[n - 2] = '\0';
    }
    if (strcmp(host, "localhost") == 0)
        snprintf(host, sizeof(host), "127.0.0.1");
    if (!(inet_pton(AF_INET, host, &a4) == 1 && (ntohl(a4.s_addr) >> 24) == 127) &&
        !(inet_pton(AF_INET6, host, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6)))
        return mav2_error_set("%s:%u: tcp: %s is not a loopback address (mav2d has no TLS: put "
                              "a TLS reverse proxy in front of a loopback port)",
                              path, line, host);
    snprintf(c->tcp_host, sizeof(c->tcp_host), "%s", host);
    c->tcp_port = (unsigned)port;
    return 1;
}

/* The first line of a file only its owner may read. */
static int read_token(const char *path, unsigned line, const char *file, mavd_conf *c)
{
    char buf[512];
    struct stat st;
    ssize_t n;
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return mav2_error_set("%s:%u: bearer-token-file %s: %s", path, line, file, strerror(errno));
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (st.st_mode & 077) != 0) {
        close(fd);
        return mav2_error_set("%s:%u: bearer-token-file %s: not a regular file readable by "
                              "its owner only (chmod 600)",
                              path, line, file);
    }
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n < 0)
        n = 0;
    buf[n] = '\0';
    buf[strcspn(buf, "\r\n")] = '\0';
    c->token_len = strlen(buf);
    if (c->token_len < 16) {
        OPENSSL_cleanse(buf, sizeof(buf));
        return mav2_error_set("%s:%u: bearer-token-file %s: the token is shorter than 16 "
                              "characters",
                              path, line, file);
    }
    c->token = OPENSSL_memdup(buf, c->token_len + 1);
    OPENSSL_cleanse(buf, sizeof(buf));
    return c->token != NULL ? 1 : mav2_error_set("out of memory");
}

/* state = files (the default) or postgresql://...; lease = MS; state-wait = MS. */
static int state_part(const mav2_config *cf, mavd_conf *c)
{
    const char *v = mav2_config_service_get(cf, "state", NULL);
    if (v != NULL && strcmp(v, "files") != 0 && !dup_opt(&c->state_url, v))
        return 0;
    if (!dup_opt(&c->state_password_file, mav2_config_service_get(cf, "state-password-file", NULL)))
        return 0;
    v = mav2_config_service_get(cf, "lease", NULL);
    c->lease_ms = v != NULL ? atoi(v) : 30000;
    v = mav2_config_service_get(cf, "state-wait", NULL);
    c->state_wait_ms = v != NULL ? atoi(v) : 60000;
    return 1;
}

static int service_part(const mav2_config *cf, mavd_conf *c)
{
    const char *path = mav2_config_path(cf), *v;
    unsigned line = 0;
    if (!dup_opt(&c->listen, mav2_config_service_get(cf, "listen", NULL)) ||
        !dup_opt(&c->state_dir, mav2_config_service_get(cf, "state-dir", NULL)) ||
        !dup_opt(&c->tcp, mav2_config_service_get(cf, "tcp", &line)) || !state_part(cf, c))
        return 0;
    if (c->listen == NULL && c->tcp == NULL)
        return mav2_error_set("%s: [service] needs listen (a Unix socket path) or tcp", path);
    if (c->state_dir == NULL)
        return mav2_error_set("%s: [service] needs state-dir", path);
    if (c->tcp != NULL) {
        if (!parse_tcp(path, line, c->tcp, c))
            return 0;
        if ((v = mav2_config_service_get(cf, "bearer-token-file", &line)) == NULL)
            return mav2_error_set("%s: [service] tcp needs bearer-token-file", path);
        if (!read_token(path, line, v, c))
            return 0;
    }
    v = mav2_config_service_get(cf, "lanes", &line);
    c->lanes = v != NULL ? (unsigned)atoi(v) : 1;
    if (c->lanes > MAVD_MAX_LANES)
        return mav2_error_set("%s:%u: lanes: at most %d", path, line, MAVD_MAX_LANES);
    v = mav2_config_service_get(cf, "poll-interval", NULL);
    c->poll_ms = v != NULL ? atol(v) : 1000;
    return 1;
}

static int profile_part(const mav2_config *cf, const char *profile, mavd_conf *c)
{
    const char *path = mav2_config_path(cf), *acc, *ent, *glob;
    mav2_u256 u;
    uint64_t e;
    if (!mav2_config_has_profile(cf, profile))
        return mav2_error_set("%s: no [profile %s]", path, profile);
    acc = mav2_config_profile_get(cf, profile, "account");
    ent = mav2_config_profile_get(cf, profile, "entity-id");
    if (setting(cf, profile, "rpc-url") == NULL || acc == NULL ||
        mav2_config_profile_get(cf, profile, "key") == NULL || ent == NULL)
        return mav2_error_set("%s: [profile %s] needs rpc-url, account, key and entity-id", path,
                              profile);
    if (!mav2_address_parse(acc, c->account) || !mav2_u256_parse(&u, ent) ||
        !mav2_u256_to_u64(&u, &e) || e > UINT32_MAX)
        return mav2_error_set("%s: [profile %s]: bad account or entity-id", path, profile);
    c->entity_id = (uint32_t)e;
    glob = mav2_config_profile_get(cf, profile, "global");
    c->global = glob == NULL || strcmp(glob, "true") == 0;
    return dup_opt(&c->rpc_url, setting(cf, profile, "rpc-url")) &&
           dup_opt(&c->bundler_url, setting(cf, profile, "bundler-url")) &&
           dup_opt(&c->key_uri, mav2_config_profile_get(cf, profile, "key")) &&
           dup_opt(&c->pin_source, mav2_config_profile_get(cf, profile, "pin-source")) &&
           dup_opt(&c->paymaster_url, mav2_config_profile_get(cf, profile, "paymaster-url")) &&
           chain_id_of(cf, profile, &c->chain_id);
}

/* The policy-* settings of profile, and where its ledger goes (after service_part). */
static int guard_part(const mav2_config *cf, const char *profile, mavd_conf *c)
{
    const char *v;
    size_t n;
    for (size_t i = 0; mav2_policy_keys[i] != NULL; i++) {
        if ((v = mav2_config_profile_get(cf, profile, mav2_policy_keys[i])) == NULL)
            continue;
        if (c->policy == NULL && (c->policy = mav2_policy_new()) == NULL)
            return mav2_error_set("out of memory");
        if (!mav2_policy_set(c->policy, mav2_policy_keys[i], v))
            return mav2_error_set("%s: [profile %s]: %s", mav2_config_path(cf), profile,
                                  mav2_last_error());
    }
    v = mav2_config_profile_get(cf, profile, "ledger");
    if (v != NULL && strcmp(v, "off") == 0)
        return 1;
    if (v != NULL)
        return dup_opt(&c->ledger, v);
    n = strlen(c->state_dir) + sizeof("/ledger.jsonl");
    if ((c->ledger = malloc(n)) == NULL)
        return mav2_error_set("out of memory");
    snprintf(c->ledger, n, "%s/ledger.jsonl", c->state_dir);
    return 1;
}

int mavd_conf_load(const char *path, const char *profile, mavd_conf *c)
{
    mav2_config *cf = NULL;
    int ok;
    memset(c, 0, sizeof(*c));
    if (!mav2_config_load(path, 0, &cf))
        return 0;
    if (profile == NULL)
        profile = mav2_config_service_get(cf, "profile", NULL);
    if (profile == NULL)
        profile = "default";
    ok = dup_opt(&c->path, path) && service_part(cf, c) && profile_part(cf, profile, c) &&
         guard_part(cf, profile, c);
    mav2_config_free(cf);
    if (!ok)
        mavd_conf_free(c);
    return ok;
}

void mavd_conf_free(mavd_conf *c)
{
    free(c->path);
    free(c->rpc_url);
    free(c->bundler_url);
    free(c->key_uri);
    free(c->pin_source);
    free(c->paymaster_url);
    free(c->listen);
    free(c->tcp);
    free(c->state_dir);
    free(c->ledger);
    mav2_policy_free(c->policy);
    free(c->state_url);
    free(c->state_password_file);
    if (c->token != NULL)
        OPENSSL_clear_free(c->token, c->token_len + 1);
    memset(c, 0, sizeof(*c));
}
