/* SPDX-License-Identifier: Apache-2.0 */
/* module.c: loading and initializing PKCS#11 modules through p11-kit, the
 * context object, and re-initialization in a forked child.
 *
 * Modules are loaded "managed" by p11-kit: it reference-counts C_Initialize /
 * C_Finalize per process, so several users of one module (another p11k1_ctx,
 * another p11-kit user) never finalize it under each other or twice; a module
 * initialized already by a non-p11-kit user is accepted and not finalized. */
#include "config.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "internal.h"

#ifndef P11K1_PROXY_MODULE
#define P11K1_PROXY_MODULE "p11-kit-proxy.so"
#endif

static int is_path(const char *spec)
{
    size_t n = strlen(spec);
    return strchr(spec, '/') != NULL || (n > 3 && strcmp(spec + n - 3, ".so") == 0);
}

static CK_RV load_registered(const char *name, CK_FUNCTION_LIST **out)
{
    CK_FUNCTION_LIST **all = p11_kit_modules_load(NULL, 0);
    CK_FUNCTION_LIST *found = NULL;
    if (all == NULL)
        return p11k1_fail(P11K1_R_MODULE_LOAD, "cannot load the p11-kit registered modules: %s",
                          p11_kit_message() ? p11_kit_message() : "unknown error");
    for (size_t i = 0; all[i] != NULL; i++) {
        char *n = p11_kit_module_get_name(all[i]);
        if (found == NULL && n != NULL && strcmp(n, name) == 0)
            found = all[i];
        else
            p11_kit_module_release(all[i]);
        free(n);
    }
    free(all);
    if (found == NULL)
        return p11k1_fail(P11K1_R_MODULE_LOAD,
                          "no PKCS#11 module named '%s' is registered with "
                          "p11-kit",
                          name);
    *out = found;
    return CKR_OK;
}

/* p11-kit refuses to load its own proxy as a module: open it ourselves. */
static CK_RV load_proxy(p11k1_module *m)
{
    CK_C_GetFunctionList get;
    CK_RV rv;
    m->dl = dlopen(P11K1_PROXY_MODULE, RTLD_NOW | RTLD_LOCAL);
    if (m->dl == NULL)
        return p11k1_fail(P11K1_R_MODULE_LOAD, "cannot load the p11-kit proxy: %s", dlerror());
    *(void **)&get = dlsym(m->dl, "C_GetFunctionList");
    if (get == NULL || (rv = get(&m->funcs)) != CKR_OK || m->funcs == NULL) {
        dlclose(m->dl);
        m->dl = NULL;
        return p11k1_fail(P11K1_R_MODULE_LOAD, "%s has no usable C_GetFunctionList",
                          P11K1_PROXY_MODULE);
    }
    return CKR_OK;
}

static CK_RV module_init(p11k1_module *m, int after_fork)
{
    CK_C_INITIALIZE_ARGS args = {NULL, NULL, NULL, NULL, CKF_OS_LOCKING_OK, NULL};
    CK_RV rv = m->dl ? m->funcs->C_Initialize(&args) : p11_kit_module_initialize(m->funcs);
    if (rv == CKR_OK)
        m->inits = after_fork ? 1 : m->inits + 1;
    else if (rv != CKR_CRYPTOKI_ALREADY_INITIALIZED)
        return rv;
    return CKR_OK;
}

static CK_RV module_open(const char *spec, p11k1_module **out)
{
    p11k1_module *m = calloc(1, sizeof(*m));
    const char *shown = spec ? spec : P11K1_PROXY_MODULE;
    CK_RV rv;
    if (m == NULL)
        return p11k1_fail(CKR_HOST_MEMORY, "out of memory");
    if (spec != NULL && (m->spec = strdup(spec)) == NULL) {
        free(m);
        return p11k1_fail(CKR_HOST_MEMORY, "out of memory");
    }
    if (spec != NULL && !is_path(spec)) {
        rv = load_registered(spec, &m->funcs);
        if (rv != CKR_OK) {
            free(m->spec);
            free(m);
            return rv;
        }
    } else if (spec == NULL || strstr(spec, "p11-kit-proxy") != NULL) {
        rv = load_proxy(m);
        if (rv != CKR_OK) {
            free(m->spec);
            free(m);
            return rv;
        }
    } else {
        m->funcs = p11_kit_module_load(shown, 0);
        if (m->funcs == NULL) {
            const char *why = p11_kit_message();
            free(m->spec);
            free(m);
            return p11k1_fail(P11K1_R_MODULE_LOAD, "cannot load PKCS#11 module '%s': %s", shown,
                              why ? why : "unknown error");
        }
    }
    rv = module_init(m, 0);
    if (rv != CKR_OK) {
        if (m->dl)
            dlclose(m->dl);
        else
            p11_kit_module_release(m->funcs);
        free(m->spec);
        free(m);
        return p11k1_fail(rv, "cannot initialize PKCS#11 module '%s' (%s)", shown,
                          p11k1_rv_str(rv));
    }
    *out = m;
    return CKR_OK;
}

/* Sessions are not closed one by one: finalizing the managed module closes
 * them (closing sessions of a module finalized by someone else can crash it).
 * abandon: free only our memory; the module stays loaded and initialized. */
static void module_close(p11k1_module *m, int abandon)
{
    p11k1_slot *s, *next;
    for (s = m->slots; s != NULL; s = next) {
        next = s->next;
        p11k1_slot_free(s);
    }
    if (abandon) {
        /* p11-kit (never unloaded) or the dynamic loader keeps what it
         * allocated for the module reachable until the process ends. */
    } else if (m->dl != NULL) {
        if (m->inits > 0)
            m->funcs->C_Finalize(NULL);
        dlclose(m->dl);
    } else {
        for (; m->inits > 0; m->inits--)
            p11_kit_module_finalize(m->funcs);
        p11_kit_module_release(m->funcs);
    }
    free(m->spec);
    free(m);
}

static int same_spec(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

CK_RV p11k1_module_get(p11k1_ctx *ctx, const char *mod_name, const char *mod_path,
                       p11k1_module **out)
{
    const char *spec = mod_path ? mod_path : mod_name;
    p11k1_module *m, *last = NULL;
    CK_RV rv = CKR_OK;

    pthread_mutex_lock(&ctx->lock);
    m = ctx->modules;
    if (spec != NULL) {
        for (; m != NULL; last = m, m = m->next) {
            if (same_spec(m->spec, spec))
                break;
        }
        if (m == NULL) {
            rv = module_open(spec, &m);
            if (rv == CKR_OK)
                last->next = m;
        }
    }
    pthread_mutex_unlock(&ctx->lock);
    *out = m;
    return rv;
}

/* Bumped in every forked child, so that a context learns of a fork without a
 * getpid() system call per use. (glibc drops the handler when the library is
 * unloaded.) */
static unsigned long fork_gen;
static pthread_once_t fork_once = PTHREAD_ONCE_INIT;

static void fork_child(void)
{
    __atomic_add_fetch(&fork_gen, 1, __ATOMIC_RELEASE);
}

static void fork_hook(void)
{
    pthread_atfork(NULL, NULL, fork_child);
}

void p11k1_ctx_check_fork(p11k1_ctx *ctx)
{
    unsigned long gen = __atomic_load_n(&fork_gen, __ATOMIC_ACQUIRE);
    pid_t pid;

    if (__atomic_load_n(&ctx->fork_gen, __ATOMIC_ACQUIRE) == gen)
        return;
    pid = getpid();
    pthread_mutex_lock(&ctx->lock);
    if (ctx->pid != pid) {
        /* PKCS#11: a child must call C_Initialize and may not use the parent's
         * sessions or object handles. */
        for (p11k1_module *m = ctx->modules; m != NULL; m = m->next) {
            module_init(m, 1);
            for (p11k1_slot *s = m->slots; s != NULL; s = s->next)
                p11k1_slot_forget_sessions(s);
        }
        ctx->pid = pid;
    }
    __atomic_store_n(&ctx->fork_gen, gen, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&ctx->lock);
}

P11K1_EXPORT void p11k1_config_init(p11k1_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->struct_size = sizeof(*cfg);
}

P11K1_EXPORT CK_RV p11k1_ctx_new(const p11k1_config *cfg, p11k1_ctx **out)
{
    p11k1_ctx *ctx;
    CK_RV rv;

    p11k1_error_clear();
    if (out == NULL)
        return p11k1_fail(P11K1_R_INVALID_ARGUMENT, "p11k1_ctx_new: out is NULL");
    *out = NULL;
    if (cfg != NULL && cfg->struct_size != sizeof(*cfg))
        return p11k1_fail(P11K1_R_INVALID_ARGUMENT,
                          "p11k1_config: struct_size %zu is not this library's (%zu): fill it "
                          "with p11k1_config_init",
                          cfg->struct_size, sizeof(*cfg));
    ctx = calloc(1, sizeof(*ctx));
    if (ctx == NULL)
        return p11k1_fail(CKR_HOST_MEMORY, "out of memory");
    pthread_mutex_init(&ctx->lock, NULL);
    pthread_once(&fork_once, fork_hook);
    ctx->fork_gen = __atomic_load_n(&fork_gen, __ATOMIC_ACQUIRE);
    ctx->pid = getpid();
    if (cfg != NULL) {
        ctx->pin_cb = cfg->pin_cb;
        ctx->pin_cb_arg = cfg->pin_cb_arg;
        if (cfg->pin_env != NULL && (ctx->pin_env = strdup(cfg->pin_env)) == NULL) {
            p11k1_ctx_free(ctx);
            return p11k1_fail(CKR_HOST_MEMORY, "out of memory");
        }
    }
    rv = module_open(cfg ? cfg->module : NULL, &ctx->modules);
    if (rv != CKR_OK) {
        p11k1_ctx_free(ctx);
        return rv;
    }
    *out = ctx;
    return CKR_OK;
}

static void ctx_release(p11k1_ctx *ctx, int abandon)
{
    p11k1_module *m, *next;
    for (m = ctx->modules; m != NULL; m = next) {
        next = m->next;
        module_close(m, abandon);
    }
    free(ctx->pin_env);
    pthread_mutex_destroy(&ctx->lock);
    free(ctx);
}

P11K1_EXPORT void p11k1_ctx_free(p11k1_ctx *ctx)
{
    if (ctx == NULL)
        return;
    p11k1_ctx_check_fork(ctx);
    ctx_release(ctx, 0);
}

/* No fork check either: re-initializing in a child is a call into the module. */
P11K1_EXPORT void p11k1_ctx_abandon(p11k1_ctx *ctx)
{
    if (ctx == NULL)
        return;
    ctx_release(ctx, 1);
}

P11K1_EXPORT CK_FUNCTION_LIST *p11k1_ctx_module(p11k1_ctx *ctx)
{
    return ctx && ctx->modules ? ctx->modules->funcs : NULL;
}
