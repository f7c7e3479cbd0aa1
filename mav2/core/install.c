/* SPDX-License-Identifier: Apache-2.0 */
/* install.c: installValidation / uninstallValidation call data, permission hooks and the
 * reference client's permission compiler (see account.h). */
#include <stdlib.h>
#include <string.h>

#include "mav2/core/abi.h"
#include "mav2/core/account.h"
#include "mav2/core/address.h"
#include "mav2/core/error.h"

void mav2_module_config(const uint8_t module[MAV2_ADDRESS_LEN], uint32_t entity_id, uint8_t flags,
                        uint8_t out[25])
{
    memcpy(out, module, 20);
    out[20] = (uint8_t)(entity_id >> 24);
    out[21] = (uint8_t)(entity_id >> 16);
    out[22] = (uint8_t)(entity_id >> 8);
    out[23] = (uint8_t)entity_id;
    out[24] = flags;
}

void mav2_module_entity(const uint8_t module[MAV2_ADDRESS_LEN], uint32_t entity_id, uint8_t out[24])
{
    uint8_t c[25];
    mav2_module_config(module, entity_id, 0, c);
    memcpy(out, c, 24);
}

void mav2_hook_clear(mav2_hook *h)
{
    if (h == NULL)
        return;
    mav2_buf_free(&h->install_data);
    memset(h, 0, sizeof(*h));
}

static int hook_finish(mav2_hook *h, const uint8_t module[MAV2_ADDRESS_LEN], uint32_t entity_id,
                       uint8_t flags, mav2_abi *e)
{
    memset(h, 0, sizeof(*h));
    mav2_module_config(module, entity_id, flags, h->config);
    return mav2_abi_finish(e, &h->install_data);
}

int mav2_hook_time_range(mav2_hook *h, uint32_t entity_id, uint64_t valid_until,
                         uint64_t valid_after)
{
    if (valid_until >> 48 || valid_after >> 48)
        return mav2_error_set("time range: times must fit uint48");
    if (valid_until <= valid_after)
        return mav2_error_set("time range: validUntil must be after validAfter");
    mav2_abi *e = mav2_abi_new();
    mav2_abi_u64(e, entity_id);
    mav2_abi_u64(e, valid_until);
    mav2_abi_u64(e, valid_after);
    return hook_finish(h, mav2_addr_time_range, entity_id, MAV2_HOOK_VALIDATION, e);
}

int mav2_hook_native_token_limit(mav2_hook *h, uint32_t entity_id, const mav2_u256 *limit,
                                 uint8_t flags)
{
    mav2_abi *e = mav2_abi_new();
    mav2_abi_u64(e, entity_id);
    mav2_abi_uint(e, limit);
    return hook_finish(h, mav2_addr_native_token_limit, entity_id, flags, e);
}

int mav2_hook_allowlist(mav2_hook *h, uint32_t entity_id, const mav2_allowlist_entry *entries,
                        size_t n, uint8_t flags)
{
    if (entries == NULL && n)
        return mav2_error_set("allowlist: entries missing");
    mav2_abi *e = mav2_abi_new(), *arr = mav2_abi_new();
    mav2_abi_u64(e, entity_id);
    for (size_t i = 0; i < n; i++) {
        const mav2_allowlist_entry *x = &entries[i];
        mav2_abi *t = mav2_abi_new(), *sels = mav2_abi_new();
        mav2_abi_address(t, x->target);
        mav2_abi_bool(t, x->has_selector_allowlist);
        mav2_abi_bool(t, x->has_erc20_spend_limit);
        mav2_abi_uint(t, &x->erc20_spend_limit);
        for (size_t k = 0; k < x->n_selectors; k++)
            mav2_abi_bytesn(sels, x->selectors[k], 4);
        mav2_abi_array(t, sels);
        mav2_abi_tuple(arr, t);
    }
    mav2_abi_array(e, arr);
    return hook_finish(h, mav2_addr_allowlist, entity_id, flags, e);
}

int mav2_hook_paymaster_guard(mav2_hook *h, uint32_t entity_id,
                              const uint8_t paymaster[MAV2_ADDRESS_LEN])
{
    mav2_abi *e = mav2_abi_new();
    mav2_abi_u64(e, entity_id);
    mav2_abi_address(e, paymaster);
    return hook_finish(h, mav2_addr_paymaster_guard, entity_id, MAV2_HOOK_VALIDATION, e);
}

int mav2_single_signer_install_data(uint32_t entity_id, const uint8_t signer[MAV2_ADDRESS_LEN],
                                    mav2_buf *out)
{
    mav2_abi *e = mav2_abi_new();
    mav2_abi_u64(e, entity_id);
    mav2_abi_address(e, signer);
    return mav2_abi_finish(e, out);
}

int mav2_calldata_install_validation(const uint8_t validation_config[25],
                                     const uint8_t (*selectors)[4], size_t n_selectors,
                                     const uint8_t *install_data, size_t install_len,
                                     const mav2_hook *hooks, size_t n_hooks, mav2_buf *out)
{
    if (validation_config == NULL || (selectors == NULL && n_selectors) ||
        (hooks == NULL && n_hooks))
        return mav2_error_set("installValidation: argument missing");
    mav2_abi *e = mav2_abi_new(), *sels = mav2_abi_new(), *hs = mav2_abi_new();
    mav2_buf hb = MAV2_BUF_INIT;
    int ok = 1;
    mav2_abi_bytesn(e, validation_config, 25);
    for (size_t i = 0; i < n_selectors; i++)
        mav2_abi_bytesn(sels, selectors[i], 4);
    mav2_abi_array(e, sels);
    mav2_abi_bytes(e, install_data, install_len);
    for (size_t i = 0; ok && i < n_hooks; i++) {
        hb.len = 0;
        ok = mav2_buf_append(&hb, hooks[i].config, 25) &&
             mav2_buf_append(&hb, hooks[i].install_data.data, hooks[i].install_data.len);
        mav2_abi_bytes(hs, hb.data, hb.len);
    }
    mav2_buf_free(&hb);
    mav2_abi_array(e, hs);
    if (!ok) {
        mav2_abi_free(e);
        return 0;
    }
    return mav2_abi_finish_call(e, (const uint8_t *)MAV2_SEL_INSTALL_VALIDATION, out);
}

int mav2_calldata_uninstall_validation(const uint8_t module[MAV2_ADDRESS_LEN], uint32_t entity_id,
                                       const uint8_t *uninstall_data, size_t uninstall_len,
                                       const mav2_buf *hook_uninstall_data, size_t n_hooks,
                                       mav2_buf *out)
{
    uint8_t me[24];
    if (module == NULL || (hook_uninstall_data == NULL && n_hooks))
        return mav2_error_set("uninstallValidation: argument missing");
    mav2_module_entity(module, entity_id, me);
    mav2_abi *e = mav2_abi_new(), *hs = mav2_abi_new();
    mav2_abi_bytesn(e, me, 24);
    mav2_abi_bytes(e, uninstall_data, uninstall_len);
    for (size_t i = 0; i < n_hooks; i++)
        mav2_abi_bytes(hs, hook_uninstall_data[i].data, hook_uninstall_data[i].len);
    mav2_abi_array(e, hs);
    return mav2_abi_finish_call(e, (const uint8_t *)MAV2_SEL_UNINSTALL_VALIDATION, out);
}

int mav2_calldata_uninstall_session_key(uint32_t entity_id, mav2_buf *out)
{
    uint8_t d[32] = {0};
    d[28] = (uint8_t)(entity_id >> 24);
    d[29] = (uint8_t)(entity_id >> 16);
    d[30] = (uint8_t)(entity_id >> 8);
    d[31] = (uint8_t)entity_id;
    return mav2_calldata_uninstall_validation(mav2_addr_single_signer, entity_id, d, 32, NULL, 0,
                                              out);
}

/* ---- permission compiler --------------------------------------------------------- */

typedef struct {
    mav2_allowlist_entry *e;
    size_t n;
} entry_list;

static mav2_allowlist_entry *entry_add(entry_list *l)
{
    mav2_allowlist_entry *p = realloc(l->e, (l->n + 1) * sizeof(*p));
    if (p == NULL)
        return NULL;
    l->e = p;
    memset(&p[l->n], 0, sizeof(*p));
    return &p[l->n++];
}

static int session_add_hook(mav2_session_install *si, mav2_hook *h)
{
    mav2_hook *p = realloc(si->hooks, (si->n_hooks + 1) * sizeof(*p));
    if (p == NULL) {
        mav2_hook_clear(h);
        return mav2_error_set("out of memory");
    }
    si->hooks = p;
    p[si->n_hooks++] = *h;
    return 1;
}

/* Account functions no session key may hold: each lets its holder change the account's
 * validations, code or owner, i.e. make itself root. */
static const struct {
    const char *name;
    uint8_t sel[4];
} privileged[] = {
    {"installValidation", {0x1b, 0xbf, 0x56, 0x4c}},
    {"uninstallValidation", {0xb6, 0xb1, 0xcc, 0xfe}},
    {"installExecution", {0x1d, 0x37, 0xe7, 0xd6}},
    {"uninstallExecution", {0x0b, 0x7c, 0xad, 0x71}},
    {"upgradeToAndCall", {0x4f, 0x1e, 0xf2, 0x86}},
    {"performCreate", {0x59, 0x98, 0xdb, 0x5c}},
    {"executeWithRuntimeValidation", {0xf2, 0x68, 0x0c, 0x0f}},
    {"updateFallbackSignerData", {0x30, 0x00, 0x9d, 0x52}},
};

const char *mav2_privileged_selector_name(const uint8_t sel[4])
{
    for (size_t i = 0; i < sizeof(privileged) / sizeof(privileged[0]); i++)
        if (memcmp(privileged[i].sel, sel, 4) == 0)
            return privileged[i].name;
    return NULL;
}

static int check_selectors(const uint8_t (*sels)[4], size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *name = mav2_privileged_selector_name(sels[i]);
        if (name != NULL)
            return mav2_error_set("permissions: %s (0x%02x%02x%02x%02x) may not be given to a "
                                  "session key: its holder could make itself root",
                                  name, sels[i][0], sels[i][1], sels[i][2], sels[i][3]);
    }
    return 1;
}

static int session_add_selector(mav2_session_install *si, const uint8_t sel[4])
{
    for (size_t i = 0; i < si->n_selectors; i++)
        if (memcmp(si->selectors[i], sel, 4) == 0)
            return 1; /* the account reverts ValidationAlreadySet on a duplicate */
    uint8_t(*p)[4] = realloc(si->selectors, (si->n_selectors + 1) * sizeof(*p));
    if (p == NULL)
        return mav2_error_set("out of memory");
    si->selectors = p;
    memcpy(p[si->n_selectors++], sel, 4);
    return 1;
}

void mav2_session_install_clear(mav2_session_install *si)
{
    if (si == NULL)
        return;
    for (size_t i = 0; i < si->n_hooks; i++)
        mav2_hook_clear(&si->hooks[i]);
    free(si->hooks);
    free(si->selectors);
    mav2_buf_free(&si->install_data);
    memset(si, 0, sizeof(*si));
}

static const uint8_t erc20_sels[2][4] = {{0x09, 0x5e, 0xa7, 0xb3}, {0xa9, 0x05, 0x9c, 0xbb}};

/* What the permissions name, sorted by the hook each one becomes. */
typedef struct {
    const mav2_permission *native, *gas, *time, *pmg;
    entry_list erc20, preval;
    int root;
} perm_set;

/* A target appears once in the allowlist (a second entry would overwrite the first's
 * flags); the account itself is reached through account functions, never as a target. */
static int target_check(const perm_set *ps, const uint8_t target[MAV2_ADDRESS_LEN],
                        const uint8_t *account)
{
    char a[MAV2_ADDRESS_STR_MAX];
    if (account != NULL && memcmp(target, account, 20) == 0)
        return mav2_error_set("permissions: the account itself is not a target (name its "
                              "functions as account functions instead)");
    for (size_t i = 0; i < ps->preval.n; i++)
        if (memcmp(ps->preval.e[i].target, target, 20) == 0) {
            if (mav2_address_is_zero(target))
                return mav2_error_set("permissions: functions on all contracts given twice");
            mav2_address_format(target, a);
            return mav2_error_set("permissions: two permissions name the target %s", a);
        }
    return 1;
}

static int perm_allowlist(perm_set *ps, const mav2_permission *p, const uint8_t *account)
{
    mav2_allowlist_entry *x;
    if (p->type != MAV2_PERM_CONTRACT_ACCESS && p->n_functions == 0)
        return mav2_error_set("permissions: functions permission without functions");
    static const uint8_t any[MAV2_ADDRESS_LEN];
    if (!target_check(ps, p->type == MAV2_PERM_FUNCTIONS_ON_ALL_CONTRACTS ? any : p->address,
                      account))
        return 0;
    if (p->type != MAV2_PERM_CONTRACT_ACCESS && !check_selectors(p->functions, p->n_functions))
        return 0;
    if ((x = entry_add(&ps->preval)) == NULL)
        return mav2_error_set("out of memory");
    if (p->type != MAV2_PERM_FUNCTIONS_ON_ALL_CONTRACTS)
        memcpy(x->target, p->address, 20);
    x->has_selector_allowlist = p->type == MAV2_PERM_FUNCTIONS_ON_CONTRACT;
    if (p->type != MAV2_PERM_CONTRACT_ACCESS) {
        x->selectors = p->functions;
        x->n_selectors = p->n_functions;
    }
    return 1;
}

static int perm_erc20(perm_set *ps, const mav2_permission *p, const uint8_t *account)
{
    mav2_allowlist_entry *x;
    if (!target_check(ps, p->address, account))
        return 0;
    if ((x = entry_add(&ps->erc20)) == NULL)
        return mav2_error_set("out of memory");
    memcpy(x->target, p->address, 20);
    x->has_erc20_spend_limit = 1;
    x->erc20_spend_limit = p->amount;
    if ((x = entry_add(&ps->preval)) == NULL)
        return mav2_error_set("out of memory");
    memcpy(x->target, p->address, 20);
    x->has_selector_allowlist = 1;
    x->selectors = erc20_sels;
    x->n_selectors = 2;
    return 1;
}

static int perm_one(const mav2_permission **slot, const mav2_permission *p)
{
    if (*slot != NULL)
        return mav2_error_set("permissions: type %d given twice", (int)p->type);
    *slot = p;
    return 1;
}

static int perm_sort(perm_set *ps, mav2_session_install *si, const mav2_permission *p,
                     const uint8_t *account)
{
    switch (p->type) {
    case MAV2_PERM_ROOT:
        if (ps->root)
            return mav2_error_set("permissions: root given twice");
        ps->root = 1;
        return 1;
    case MAV2_PERM_NATIVE_TOKEN_TRANSFER:
        return perm_one(&ps->native, p);
    case MAV2_PERM_GAS_LIMIT:
        return perm_one(&ps->gas, p);
    case MAV2_PERM_TIME_RANGE:
        return perm_one(&ps->time, p);
    case MAV2_PERM_PAYMASTER_GUARD:
        return perm_one(&ps->pmg, p);
    case MAV2_PERM_ERC20_TOKEN_TRANSFER:
        return perm_erc20(ps, p, account);
    case MAV2_PERM_CONTRACT_ACCESS:
    case MAV2_PERM_FUNCTIONS_ON_CONTRACT:
    case MAV2_PERM_FUNCTIONS_ON_ALL_CONTRACTS:
        return perm_allowlist(ps, p, account);
    case MAV2_PERM_ACCOUNT_FUNCTIONS:
        if (p->n_functions == 0)
            return mav2_error_set("permissions: account-functions without functions");
        if (!check_selectors(p->functions, p->n_functions))
            return 0;
        for (size_t k = 0; k < p->n_functions; k++)
            if (!session_add_selector(si, p->functions[k]))
                return 0;
        return 1;
    default:
        return mav2_error_set("permissions: unknown type %d", (int)p->type);
    }
}

/* Hook order as the reference client: native-token exec hook, ERC-20 exec hook, gas
 * limit, pre-validation allowlist; then ours (time range, paymaster guard). */
static int session_hooks(mav2_session_install *si, uint32_t id, perm_set *ps)
{
    uint32_t xid = id + MAV2_EXEC_HOOK_ENTITY_OFFSET;
    mav2_hook h;
    if (ps->native) {
        if (!mav2_hook_native_token_limit(&h, id, &ps->native->amount, MAV2_HOOK_PRE) ||
            !session_add_hook(si, &h))
            return 0;
        si->has_exec_hooks = 1;
    }
    if (ps->erc20.n) {
        if (!mav2_hook_allowlist(&h, xid, ps->erc20.e, ps->erc20.n, MAV2_HOOK_PRE) ||
            !session_add_hook(si, &h))
            return 0;
        si->has_exec_hooks = 1;
    }
    if (ps->gas && (!mav2_hook_native_token_limit(&h, xid, &ps->gas->amount,
                                                  MAV2_HOOK_VALIDATION | MAV2_HOOK_PRE) ||
                    !session_add_hook(si, &h)))
        return 0;
    if (ps->preval.n && (!mav2_hook_allowlist(&h, id, ps->preval.e, ps->preval.n,
                                              MAV2_HOOK_VALIDATION | MAV2_HOOK_PRE) ||
                         !session_add_hook(si, &h)))
        return 0;
    if (ps->time && (!mav2_hook_time_range(&h, id, ps->time->valid_until, ps->time->valid_after) ||
                     !session_add_hook(si, &h)))
        return 0;
    if (ps->pmg &&
        (!mav2_hook_paymaster_guard(&h, id, ps->pmg->address) || !session_add_hook(si, &h)))
        return 0;
    return 1;
}

/* A non-root key gets execute / executeBatch only when an allowlist says where they may
 * go (the reference SDK's rule); with neither those nor account functions it could call
 * nothing, and the SDK refuses it ("validation config unset"). */
static int session_selectors(mav2_session_install *si, const perm_set *ps)
{
    if (ps->root)
        return 1;
    if (ps->preval.n && (!session_add_selector(si, (const uint8_t *)MAV2_SEL_EXECUTE) ||
                         !session_add_selector(si, (const uint8_t *)MAV2_SEL_EXECUTE_BATCH)))
        return 0;
    if (si->n_selectors == 0)
        return mav2_error_set("permissions: the key could call nothing: name targets "
                              "(--allow, --erc20-limit), account functions (--selector) or "
                              "--global");
    return 1;
}

int mav2_session_install_build(mav2_session_install *si, const uint8_t *account,
                               const uint8_t session_key[MAV2_ADDRESS_LEN], uint32_t entity_id,
                               const mav2_permission *perms, size_t n)
{
    perm_set ps;
    int ok = 1;
    memset(si, 0, sizeof(*si));
    memset(&ps, 0, sizeof(ps));
    if (session_key == NULL || (perms == NULL && n) || n == 0)
        return mav2_error_set("session key install: no permissions given (use root for all)");
    if (entity_id == 0)
        return mav2_error_set("session key install: entity 0 is the owner's");
    if (entity_id >= MAV2_EXEC_HOOK_ENTITY_OFFSET)
        return mav2_error_set("session key install: entity ids from 0x7fffffff up are not "
                              "allowed (the gas-limit hook sits at entity + 0x7fffffff)");
    for (size_t i = 0; ok && i < n; i++)
        ok = perm_sort(&ps, si, &perms[i], account);
    if (ok) {
        mav2_module_config(mav2_addr_single_signer, entity_id,
                           MAV2_VAL_USEROP | (ps.root ? MAV2_VAL_GLOBAL : 0),
                           si->validation_config);
        si->has_allowlist = ps.preval.n > 0;
        ok = mav2_single_signer_install_data(entity_id, session_key, &si->install_data) &&
             session_hooks(si, entity_id, &ps) && session_selectors(si, &ps);
    }
    free(ps.erc20.e);
    free(ps.preval.e);
    if (!ok)
        mav2_session_install_clear(si);
    return ok;
}

int mav2_session_install_calldata(const mav2_session_install *si, mav2_buf *out)
{
    return mav2_calldata_install_validation(
        si->validation_config, (const uint8_t(*)[4])si->selectors, si->n_selectors,
        si->install_data.data, si->install_data.len, si->hooks, si->n_hooks, out);
}
