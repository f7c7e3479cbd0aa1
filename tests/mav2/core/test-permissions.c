/* SPDX-License-Identifier: Apache-2.0 */
/* test-permissions.c: the session-key permission compiler (mav2_session_install_build)
 * against the reference SDK's rules, for every combination of the CLI's restrictions,
 * and each refusal on its own. */
#include <stdlib.h>
#include <string.h>

#include "mav2/core/account.h"
#include "mav2/core/error.h"
#include "tap.h"

enum {
    F_ROOT,
    F_SEL_EXEC,
    F_SEL_OTHER,
    F_ALLOW,
    F_ALLOW_SEL,
    F_ALLOW_ANY,
    F_ERC20,
    F_NATIVE,
    F_GAS,
    F_TIME,
    F_PMG,
    F_COUNT
};

static const uint8_t key[20] = {0x50, 0x50};
static const uint8_t account[20] = {0xac, 0xc0};
static const uint8_t sel_exec[1][4] = {{0xb6, 0x1d, 0x27, 0xf6}};
static const uint8_t sel_batch[4] = {0x34, 0xfc, 0xd5, 0xbe};
static const uint8_t sel_other[1][4] = {{0x11, 0x22, 0x33, 0x44}};
static const uint8_t sel_fn[1][4] = {{0x12, 0x34, 0x56, 0x78}};

static size_t build_perms(unsigned mask, mav2_permission *p)
{
    size_t n = 0;
    memset(p, 0, F_COUNT * sizeof(*p));
    for (int f = 0; f < F_COUNT; f++) {
        if (!(mask & (1u << f)))
            continue;
        mav2_permission *x = &p[n++];
        switch (f) {
        case F_ROOT:
            x->type = MAV2_PERM_ROOT;
            break;
        case F_SEL_EXEC:
        case F_SEL_OTHER:
            x->type = MAV2_PERM_ACCOUNT_FUNCTIONS;
            x->functions = f == F_SEL_EXEC ? sel_exec : sel_other;
            x->n_functions = 1;
            break;
        case F_ALLOW:
            x->type = MAV2_PERM_CONTRACT_ACCESS;
            memset(x->address, 0x33, 20);
            break;
        case F_ALLOW_SEL:
            x->type = MAV2_PERM_FUNCTIONS_ON_CONTRACT;
            memset(x->address, 0x44, 20);
            x->functions = sel_fn;
            x->n_functions = 1;
            break;
        case F_ALLOW_ANY:
            x->type = MAV2_PERM_FUNCTIONS_ON_ALL_CONTRACTS;
            x->functions = sel_fn;
            x->n_functions = 1;
            break;
        case F_ERC20:
            x->type = MAV2_PERM_ERC20_TOKEN_TRANSFER;
            memset(x->address, 0x55, 20);
            mav2_u256_from_u64(&x->amount, 1000);
            break;
        case F_NATIVE:
        case F_GAS:
            x->type = f == F_NATIVE ? MAV2_PERM_NATIVE_TOKEN_TRANSFER : MAV2_PERM_GAS_LIMIT;
            mav2_u256_from_u64(&x->amount, 1000000);
            break;
        case F_TIME:
            x->type = MAV2_PERM_TIME_RANGE;
            x->valid_after = 100;
            x->valid_until = 200;
            break;
        case F_PMG:
            x->type = MAV2_PERM_PAYMASTER_GUARD;
            memset(x->address, 0x66, 20);
            break;
        }
    }
    return n;
}

static int has_sel(const mav2_session_install *si, const uint8_t s[4])
{
    int n = 0;
    for (size_t i = 0; i < si->n_selectors; i++)
        n += memcmp(si->selectors[i], s, 4) == 0;
    return n;
}

/* The SDK's rules restated independently of the compiler. */
static int check_combination(unsigned mask)
{
    mav2_permission p[F_COUNT];
    mav2_session_install si;
    size_t n = build_perms(mask, p);
    int on = 0;
#define HAS(f) ((mask >> (f)) & 1u)
    int allowlist = HAS(F_ALLOW) || HAS(F_ALLOW_SEL) || HAS(F_ALLOW_ANY) || HAS(F_ERC20);
    int acct = HAS(F_SEL_EXEC) || HAS(F_SEL_OTHER);
    int accept = n > 0 && (HAS(F_ROOT) || allowlist || acct);
    int ok = mav2_session_install_build(&si, account, key, 7, p, n);
    if (ok != accept) {
        tap_diag("mask 0x%03x: %s", mask, ok ? "accepted" : mav2_last_error());
        return 0;
    }
    if (!ok)
        return 1;
    int want_exec = HAS(F_SEL_EXEC) || (!HAS(F_ROOT) && allowlist);
    int want_batch = !HAS(F_ROOT) && allowlist;
    size_t want_nsel = (size_t)want_exec + (size_t)want_batch + HAS(F_SEL_OTHER);
    size_t want_hooks =
        HAS(F_NATIVE) + HAS(F_ERC20) + HAS(F_GAS) + (size_t)allowlist + HAS(F_TIME) + HAS(F_PMG);
    uint8_t flags = si.validation_config[24];
    on = flags == (HAS(F_ROOT) ? 0x05 : 0x01) && si.n_selectors == want_nsel &&
         has_sel(&si, sel_exec[0]) == want_exec && has_sel(&si, sel_batch) == want_batch &&
         has_sel(&si, sel_other[0]) == (int)HAS(F_SEL_OTHER) && si.n_hooks == want_hooks &&
         si.has_exec_hooks == (HAS(F_NATIVE) || HAS(F_ERC20)) && si.has_allowlist == allowlist;
    if (!on)
        tap_diag("mask 0x%03x: flags %02x, %zu selectors, %zu hooks", mask, flags, si.n_selectors,
                 si.n_hooks);
    mav2_session_install_clear(&si);
    return on;
#undef HAS
}

static void test_all_combinations(void)
{
    unsigned bad = 0;
    for (unsigned mask = 0; mask < (1u << F_COUNT); mask++)
        bad += !check_combination(mask);
    tap_ok(bad == 0, "all %u combinations of the restrictions follow the SDK's rules (%u off)",
           1u << F_COUNT, bad);
}

static int refused(const mav2_permission *p, size_t n, uint32_t entity, const char *want)
{
    mav2_session_install si;
    if (mav2_session_install_build(&si, account, key, entity, p, n)) {
        mav2_session_install_clear(&si);
        return 0;
    }
    if (strstr(mav2_last_error(), want) == NULL) {
        tap_diag("error \"%s\" does not name \"%s\"", mav2_last_error(), want);
        return 0;
    }
    return 1;
}

static void test_privileged(void)
{
    static const struct {
        const char *name;
        uint8_t sel[1][4];
    } priv[] = {{"installValidation", {{0x1b, 0xbf, 0x56, 0x4c}}},
                {"uninstallValidation", {{0xb6, 0xb1, 0xcc, 0xfe}}},
                {"installExecution", {{0x1d, 0x37, 0xe7, 0xd6}}},
                {"uninstallExecution", {{0x0b, 0x7c, 0xad, 0x71}}},
                {"upgradeToAndCall", {{0x4f, 0x1e, 0xf2, 0x86}}},
                {"performCreate", {{0x59, 0x98, 0xdb, 0x5c}}},
                {"executeWithRuntimeValidation", {{0xf2, 0x68, 0x0c, 0x0f}}},
                {"updateFallbackSignerData", {{0x30, 0x00, 0x9d, 0x52}}}};
    for (size_t i = 0; i < sizeof(priv) / sizeof(priv[0]); i++) {
        mav2_permission p[2];
        memset(p, 0, sizeof(p));
        p[0].type = MAV2_PERM_ACCOUNT_FUNCTIONS;
        p[0].functions = priv[i].sel;
        p[0].n_functions = 1;
        tap_ok(refused(p, 1, 1, priv[i].name), "account function %s refused, named", priv[i].name);
        p[0].type = MAV2_PERM_FUNCTIONS_ON_ALL_CONTRACTS;
        tap_ok(refused(p, 1, 1, priv[i].name), "%s refused in functions on all contracts",
               priv[i].name);
        p[1].type = MAV2_PERM_ROOT;
        p[0].type = MAV2_PERM_ACCOUNT_FUNCTIONS;
        tap_ok(refused(p, 2, 1, priv[i].name), "%s refused on a root key too", priv[i].name);
    }
}

static void test_entities_and_targets(void)
{
    mav2_permission p[3];
    mav2_session_install si;
    memset(p, 0, sizeof(p));
    p[0].type = MAV2_PERM_ROOT;
    tap_ok(refused(p, 1, 0, "owner"), "entity 0 refused");
    tap_ok(refused(p, 1, 0x7fffffff, "0x7fffffff"), "entity 0x7fffffff refused");
    tap_ok(refused(p, 1, 0xffffffff, "0x7fffffff"), "entity 0xffffffff refused");
    tap_ok(mav2_session_install_build(&si, account, key, 0x7ffffffe, p, 1),
           "entity 0x7ffffffe accepted");
    mav2_session_install_clear(&si);

    p[0].type = MAV2_PERM_CONTRACT_ACCESS;
    memcpy(p[0].address, account, 20);
    tap_ok(refused(p, 1, 1, "account itself"), "the account as a target refused");
    memset(p[0].address, 0x33, 20);
    p[1] = p[0];
    p[1].type = MAV2_PERM_FUNCTIONS_ON_CONTRACT;
    p[1].functions = sel_fn;
    p[1].n_functions = 1;
    tap_ok(refused(p, 2, 1, "two permissions name the target"), "one target twice refused");
    p[1].type = MAV2_PERM_ERC20_TOKEN_TRANSFER;
    tap_ok(refused(p, 2, 1, "two permissions name the target"),
           "contract access and an ERC-20 limit on one target refused");
    p[0].type = MAV2_PERM_NATIVE_TOKEN_TRANSFER;
    p[1] = p[0];
    tap_ok(refused(p, 2, 1, "given twice"), "two native limits refused");
    tap_ok(refused(p, 1, 1, "could call nothing"),
           "a native limit alone refused (it would allow execute anywhere)");
    p[0].type = MAV2_PERM_TIME_RANGE;
    p[0].valid_until = 10;
    tap_ok(refused(p, 1, 1, "could call nothing"), "a time range alone refused");
}

static void test_exact_selectors(void)
{
    static const uint8_t twice[2][4] = {{0xb6, 0x1d, 0x27, 0xf6}, {0xb6, 0x1d, 0x27, 0xf6}};
    mav2_permission p[2];
    mav2_session_install si;
    memset(p, 0, sizeof(p));
    p[0].type = MAV2_PERM_ACCOUNT_FUNCTIONS;
    p[0].functions = twice;
    p[0].n_functions = 2;
    tap_ok(mav2_session_install_build(&si, account, key, 1, p, 1) && si.n_selectors == 1 &&
               memcmp(si.selectors[0], twice[0], 4) == 0 && si.n_hooks == 0 &&
               si.validation_config[24] == 0x01,
           "--selector execute (twice): exactly execute, once, not global");
    mav2_session_install_clear(&si);
    p[1].type = MAV2_PERM_CONTRACT_ACCESS;
    memset(p[1].address, 0x33, 20);
    tap_ok(mav2_session_install_build(&si, account, key, 1, p, 2) && si.n_selectors == 2 &&
               has_sel(&si, sel_exec[0]) == 1 && has_sel(&si, sel_batch) == 1,
           "execute named and implied by an allowlist: installed once");
    mav2_session_install_clear(&si);
}

int main(void)
{
    test_all_combinations();
    test_privileged();
    test_entities_and_targets();
    test_exact_selectors();
    return tap_done();
}
