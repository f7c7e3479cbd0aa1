/* SPDX-License-Identifier: Apache-2.0 */
/* settings.h: mav2's settings file and chain presets.
 *
 * The file ($XDG_CONFIG_HOME/mav2/config, else ~/.config/mav2/config) is a small INI:
 *
 *   [profile NAME]               settings of one profile (see mav2_config_keys)
 *   chain = sepolia              a preset (mav2_chain_find) or a [chain NAME] below
 *   rpc-url = https://...
 *   [chain NAME]                 a custom chain: chain-id, rpc-url, bundler-url, max-cost
 *   [service]                    mav2d's own settings (mav2_config_service_keys)
 *
 * '#' or ';' start a comment line; keys and values are trimmed. Unknown sections or
 * keys, a key given twice in a section, and bad values are errors naming FILE:LINE.
 * A file writable by group or others, or owned by another user, is refused (it can
 * name the key that signs and where the money goes).
 * Functions returning int return 1, or 0 with mav2_last_error() set. Not thread-safe
 * for one mav2_config; separate objects are independent. */
#ifndef MAV2_SETTINGS_H
#define MAV2_SETTINGS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- chain presets ---------------------------------------------------------------- */
typedef struct {
    const char *name;         /* "sepolia" */
    uint64_t chain_id;        /* 11155111 */
    const char *alchemy_host; /* "eth-sepolia.g.alchemy.com": node and bundler */
    int testnet;              /* its default bounds: mav2_chain_bounds_for (bounds.h) */
    long block_ms;            /* block time: when an op is expected in a block (send.h) */
} mav2_chain;

/* The preset called name, or NULL. */
const mav2_chain *mav2_chain_find(const char *name);
/* The preset of chain id, or NULL. */
const mav2_chain *mav2_chain_by_id(uint64_t chain_id);
/* Preset i (0-based), NULL past the last. */
const mav2_chain *mav2_chain_at(size_t i);
/* "https://HOST/v2/API_KEY" into out (cap bytes). Fails if it does not fit or the
 * key is empty or holds characters other than [A-Za-z0-9_-]. */
int mav2_chain_alchemy_url(const mav2_chain *c, const char *api_key, char *out, size_t cap);

/* ---- the settings file ------------------------------------------------------------ */
typedef struct mav2_config mav2_config;

/* The settings a profile may hold: chain, rpc-url, bundler-url, account, key,
 * entity-id, global, pin-source, max-cost, paymaster-url, gas-policy-id,
 * alchemy-api-key-file, the policy's (policy-allow, policy-max-value, policy-value-cap,
 * policy-ops-per-minute, policy-max-cost: mav2/send/policy.h, which checks their
 * values) and ledger (an absolute path, or off). NULL-terminated. */
extern const char *const mav2_config_keys[];

/* Default path into out: $XDG_CONFIG_HOME/mav2/config, else $HOME/.config/mav2/config. */
int mav2_config_default_path(char *out, size_t cap);
/* Reads and checks path. A missing file is not an error when missing_ok (an empty
 * config). Release with mav2_config_free. */
int mav2_config_load(const char *path, int missing_ok, mav2_config **out);
void mav2_config_free(mav2_config *c);
/* Whether profile / custom chain name exists. */
int mav2_config_has_profile(const mav2_config *c, const char *profile);
int mav2_config_has_chain(const mav2_config *c, const char *chain);
/* The value of key in [profile NAME] / [chain NAME], or NULL (borrowed). */
const char *mav2_config_profile_get(const mav2_config *c, const char *profile, const char *key);
const char *mav2_config_chain_get(const mav2_config *c, const char *chain, const char *key);
/* The settings of the [service] section (mav2d): profile (whose settings it signs
 * with), listen (Unix socket path), tcp (loopback HOST:PORT), bearer-token-file, lanes,
 * state-dir, poll-interval (ms). NULL-terminated. Paths must be absolute, lanes and
 * poll-interval positive numbers. */
extern const char *const mav2_config_service_keys[];
/* The value of key in [service], or NULL (borrowed); *line (may be NULL) its line. */
const char *mav2_config_service_get(const mav2_config *c, const char *key, unsigned *line);
/* The path the config was loaded from (borrowed). */
const char *mav2_config_path(const mav2_config *c);
/* Where key of profile was set: "FILE:LINE" into out (empty if not set). */
void mav2_config_where(const mav2_config *c, const char *profile, const char *key, char *out,
                       size_t cap);

#ifdef __cplusplus
}
#endif
#endif
