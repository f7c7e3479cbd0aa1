/* cmd_session_keys.c: `mav2 session-key create` (a key pair generated on the token
 * through the p11k1 provider) and `mav2 session-key list` (the account's session
 * keys as the chain tells them: events, getValidationData, signers). */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "common/hex.h"
#include "mav2/account.h"
#include "mav2/address.h"
#include "mav2/cli/online.h"
#include "mav2/cli/session_keys.h"
#include "mav2/error.h"
#include "mav2/key.h"
#include "mav2/session.h"
#include "mav2/signer.h"

const char mav2_help_session_create[] =
    "NAME\n"
    "    mav2 session-key create - generate a session key on a PKCS#11 token\n"
    "\n"
    "SYNOPSIS\n"
    "    mav2 session-key create --token 'pkcs11:token=LABEL' --label L [--id HEX]\n"
    "        [--pin-source FILE] [--json]\n"
    "\n"
    "DESCRIPTION\n"
    "    Generates a secp256k1 key pair on the token through the p11k1 OpenSSL\n"
    "    provider (the private key is made on the token, sensitive and not\n"
    "    extractable) and prints the URI naming it and its Ethereum address: the\n"
    "    address to install with mav2 session-key install --session-key URI.\n"
    "    A label or id already used on the token is refused.\n"
    "\n"
    "OPTIONS\n"
    "    --token URI          the token (pkcs11: URI; a pin-source in it is used)\n"
    "    --label L            the key's label (CKA_LABEL)\n"
    "    --id HEX             the key's id (CKA_ID, 1..64 bytes); default random\n"
    "    --pin-source FILE    token PIN, first line of FILE (when the URI and the\n"
    "                         provider configuration give none)\n"
    "    --json               {\"uri\": ..., \"address\": ..., \"publicKey\": ...}\n"
    "\n"
    "OUTPUT\n"
    "    \"uri pkcs11:...\" then \"address 0x...\".\n"
    "\n"
    "EXIT STATUS\n"
    "    0 ok, 1 usage error, 2 key or token error (label in use, PIN, no token)\n"
    "\n"
    "EXAMPLES\n"
    "    mav2 session-key create --token 'pkcs11:token=hsm' --label sk2 --id 02 \\\n"
    "      --pin-source /run/secrets/pin\n";

const char mav2_help_session_list[] =
    "NAME\n"
    "    mav2 session-key list - the session keys installed on an account\n"
    "\n"
    "SYNOPSIS\n"
    "    mav2 session-key list --rpc-url URL --account ADDR [--from-block N] [--json]\n"
    "\n"
    "DESCRIPTION\n"
    "    Reads the account's ValidationInstalled / ValidationUninstalled events\n"
    "    (eth_getLogs from block N, default 0: some providers limit the range),\n"
    "    then, for every validation still installed, getValidationData (flags,\n"
    "    hooks, selectors) and SingleSignerValidationModule.signers(entity,\n"
    "    account). The owner (entity 0) is not a session key and is not listed.\n"
    "\n"
    "OUTPUT\n"
    "    Per key: \"entity N\", then indented lines \"module ADDR [NAME]\",\n"
    "    \"signer ADDR\", \"global yes|no\", \"user-op yes|no\", \"erc-1271 yes|no\",\n"
    "    \"selectors SEL,...\", \"validation-hooks MODULE:ENTITY,...\",\n"
    "    \"execution-hooks MODULE:ENTITY:pre|post|pre+post,...\" (\"-\" when empty;\n"
    "    known modules by name). \"none\" when the account has no session key.\n"
    "    --json: {\"account\": ..., \"sessionKeys\": [{\"entityId\", \"module\",\n"
    "    \"moduleName\", \"signer\", \"flags\", \"global\", \"userOp\", \"signature\",\n"
    "    \"selectors\", \"validationHooks\", \"executionHooks\"}]}; hooks as\n"
    "    {\"module\", \"moduleName\", \"entityId\", \"flags\"}.\n"
    "\n"
    "EXIT STATUS\n"
    "    0 ok, 1 usage error, 3 the node refused a call, 5 network error\n";

/* session-key create --help / list --help show their own text. */
static mav2_cli_cmd with_help(const mav2_cli_cmd *self, const char *help)
{
    mav2_cli_cmd c = *self;
    c.help = help;
    return c;
}

int mav2_cmd_session_create(const mav2_cli_cmd *self0, int argc, char **argv)
{
    static const struct option opts[] = {
        {"token", required_argument, NULL, 't'}, {"label", required_argument, NULL, 'l'},
        {"id", required_argument, NULL, 'i'},    {"pin-source", required_argument, NULL, 'p'},
        {"json", no_argument, NULL, 'j'},        {NULL, 0, NULL, 0}};
    mav2_cli_cmd cmd = with_help(self0, mav2_help_session_create);
    const mav2_cli_cmd *self = &cmd;
    const char *token = NULL, *label = NULL, *id_s = NULL, *pin = NULL, *arg, *why = NULL;
    uint8_t id[64];
    size_t id_len = 0;
    int json = 0, c, rc;
    mav2_cli_parser p;
    EVP_PKEY *pkey = NULL;
    mav2_signer *signer;
    char *uri = NULL;

    mav2_cli_parser_init(&p, self, opts, argc, argv);
    while ((c = mav2_cli_next(&p, &arg)) != -1) {
        switch (c) {
        case 't':
            token = arg;
            break;
        case 'l':
            label = arg;
            break;
        case 'i':
            id_s = arg;
            break;
        case 'p':
            pin = arg;
            break;
        case 'j':
            json = 1;
            break;
        case 'h':
            return MAV2_EXIT_OK;
        default:
            return MAV2_EXIT_USAGE;
        }
    }
    if (!mav2_cli_require(self, "--token", token, "--label", label, (const char *)NULL))
        return MAV2_EXIT_USAGE;
    if (strncmp(token, "pkcs11:", 7) != 0)
        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "--token: not a pkcs11: URI");
    if (*label == '\0')
        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "--label: empty");
    if (id_s != NULL && (!mh_hex_decode(id_s, id, sizeof(id), &id_len, &why) || id_len == 0))
        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "--id: not 1 to 64 bytes of hex%s%s",
                             why != NULL ? ": " : "", why != NULL ? why : "");
    if (!mav2_key_generate(token, label, id_s != NULL ? id : NULL, id_len, pin, &pkey, &uri))
        return mav2_cli_fail_lib(self, MAV2_EXIT_KEY, NULL);
    signer = mav2_signer_new(pkey);
    EVP_PKEY_free(pkey);
    if (signer == NULL) {
        free(uri);
        return mav2_cli_fail_lib(self, MAV2_EXIT_KEY, "the new key");
    }
    if (json) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "uri", json_object_new_string(uri));
        mav2_cli_signer_json(o, signer);
        rc = mav2_cli_print(self, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
        json_object_put(o);
    } else {
        size_t n = strlen(uri) + 64;
        char *s = malloc(n);
        if (s == NULL)
            rc = mav2_cli_fail(self, MAV2_EXIT_INTERNAL, "out of memory");
        else {
            snprintf(s, n, "uri %s\naddress %s", uri, mav2_signer_address_str(signer));
            rc = mav2_cli_print(self, s);
            free(s);
        }
    }
    free(uri);
    mav2_signer_free(signer);
    return rc;
}

/* ---- list -------------------------------------------------------------------------- */

static uint32_t cfg_entity(const uint8_t cfg[25])
{
    return (uint32_t)cfg[20] << 24 | (uint32_t)cfg[21] << 16 | (uint32_t)cfg[22] << 8 | cfg[23];
}

static const char *exec_kind(uint8_t flags)
{
    int pre = (flags & MAV2_HOOK_PRE) != 0, post = (flags & MAV2_HOOK_POST) != 0;
    return pre && post ? "pre+post" : pre ? "pre" : post ? "post" : "none";
}

static json_object *hooks_json(const uint8_t (*h)[25], size_t n)
{
    json_object *a = json_object_new_array();

    for (size_t i = 0; a != NULL && i < n; i++) {
        json_object *o = json_object_new_object();
        char addr[MAV2_ADDRESS_STR_MAX];
        const char *name = mav2_module_name(h[i]);
        mav2_address_format(h[i], addr);
        json_object_object_add(o, "module", json_object_new_string(addr));
        json_object_object_add(o, "moduleName", name ? json_object_new_string(name) : NULL);
        json_object_object_add(o, "entityId", json_object_new_int64(cfg_entity(h[i])));
        json_object_object_add(o, "flags", json_object_new_int(h[i][24]));
        json_object_array_add(a, o);
    }
    return a;
}

static json_object *key_json(const mav2_session_key_info *k)
{
    json_object *o = json_object_new_object(), *sels = json_object_new_array();
    char addr[MAV2_ADDRESS_STR_MAX], sel[11];
    const char *name = mav2_module_name(k->module);

    mav2_address_format(k->module, addr);
    json_object_object_add(o, "entityId", json_object_new_int64(k->entity_id));
    json_object_object_add(o, "module", json_object_new_string(addr));
    json_object_object_add(o, "moduleName", name ? json_object_new_string(name) : NULL);
    if (k->single_signer) {
        mav2_address_format(k->signer, addr);
        json_object_object_add(o, "signer", json_object_new_string(addr));
    } else {
        json_object_object_add(o, "signer", NULL);
    }
    json_object_object_add(o, "flags", json_object_new_int(k->vd.flags));
    json_object_object_add(o, "global", json_object_new_boolean(k->vd.flags & MAV2_VAL_GLOBAL));
    json_object_object_add(o, "userOp", json_object_new_boolean(k->vd.flags & MAV2_VAL_USEROP));
    json_object_object_add(o, "signature",
                           json_object_new_boolean(k->vd.flags & MAV2_VAL_SIGNATURE));
    for (size_t i = 0; i < k->vd.n_selectors; i++) {
        mh_hex_encode(k->vd.selectors[i], 4, sel, sizeof(sel), 1);
        json_object_array_add(sels, json_object_new_string(sel));
    }
    json_object_object_add(o, "selectors", sels);
    json_object_object_add(
        o, "validationHooks",
        hooks_json((const uint8_t(*)[25])k->vd.validation_hooks, k->vd.n_validation_hooks));
    json_object_object_add(
        o, "executionHooks",
        hooks_json((const uint8_t(*)[25])k->vd.execution_hooks, k->vd.n_execution_hooks));
    return o;
}

/* Appends fmt to the text output (grown as needed). */
__attribute__((format(printf, 2, 3))) static int out_add(mav2_buf *b, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    return n >= 0 && mav2_buf_append(b, line, strlen(line));
}

static void module_text(const uint8_t m[20], char *out, size_t cap)
{
    const char *name = mav2_module_name(m);
    if (name != NULL) {
        snprintf(out, cap, "%s", name);
        return;
    }
    mav2_address_format(m, out);
}

static int hooks_text(mav2_buf *b, const char *what, const uint8_t (*h)[25], size_t n, int exec)
{
    char m[MAV2_ADDRESS_STR_MAX + 32];
    int ok = out_add(b, "  %s ", what);

    if (n == 0)
        ok = ok && out_add(b, "-");
    for (size_t i = 0; ok && i < n; i++) {
        module_text(h[i], m, sizeof(m));
        ok = out_add(b, "%s%s:%lu%s%s", i ? "," : "", m, (unsigned long)cfg_entity(h[i]),
                     exec ? ":" : "", exec ? exec_kind(h[i][24]) : "");
    }
    return ok && out_add(b, "\n");
}

static int key_text(mav2_buf *b, const mav2_session_key_info *k)
{
    char addr[MAV2_ADDRESS_STR_MAX], sel[11];
    const char *name = mav2_module_name(k->module);
    int ok;

    mav2_address_format(k->module, addr);
    ok = out_add(b, "entity %lu\n  module %s%s%s\n", (unsigned long)k->entity_id, addr,
                 name ? " " : "", name ? name : "");
    if (k->single_signer) {
        mav2_address_format(k->signer, addr);
        ok = ok && out_add(b, "  signer %s\n", addr);
    }
    ok = ok && out_add(b, "  global %s\n  user-op %s\n  erc-1271 %s\n  selectors ",
                       k->vd.flags & MAV2_VAL_GLOBAL ? "yes" : "no",
                       k->vd.flags & MAV2_VAL_USEROP ? "yes" : "no",
                       k->vd.flags & MAV2_VAL_SIGNATURE ? "yes" : "no");
    if (k->vd.n_selectors == 0)
        ok = ok && out_add(b, "-");
    for (size_t i = 0; ok && i < k->vd.n_selectors; i++) {
        mh_hex_encode(k->vd.selectors[i], 4, sel, sizeof(sel), 1);
        ok = out_add(b, "%s%s", i ? "," : "", sel);
    }
    ok = ok && out_add(b, "\n");
    ok = ok && hooks_text(b, "validation-hooks", (const uint8_t(*)[25])k->vd.validation_hooks,
                          k->vd.n_validation_hooks, 0);
    return ok && hooks_text(b, "execution-hooks", (const uint8_t(*)[25])k->vd.execution_hooks,
                            k->vd.n_execution_hooks, 1);
}

int mav2_cmd_session_list(const mav2_cli_cmd *self0, int argc, char **argv)
{
    static const struct option opts[] = {{"rpc-url", required_argument, NULL, 'R'},
                                         {"account", required_argument, NULL, 'a'},
                                         {"from-block", required_argument, NULL, 'f'},
                                         {"json", no_argument, NULL, 'j'},
                                         {NULL, 0, NULL, 0}};
    mav2_cli_cmd cmd = with_help(self0, mav2_help_session_list);
    const mav2_cli_cmd *self = &cmd;
    const char *url = NULL, *account_s = NULL, *from_s = NULL, *arg;
    unsigned long long from = 0;
    uint8_t account[20];
    int json = 0, c, rc, ok;
    mav2_cli_parser p;
    mav2_session_list l;
    mav2_rpc *node;

    mav2_cli_parser_init(&p, self, opts, argc, argv);
    while ((c = mav2_cli_next(&p, &arg)) != -1) {
        switch (c) {
        case 'R':
            url = arg;
            break;
        case 'a':
            account_s = arg;
            break;
        case 'f':
            from_s = arg;
            break;
        case 'j':
            json = 1;
            break;
        case 'h':
            return MAV2_EXIT_OK;
        default:
            return MAV2_EXIT_USAGE;
        }
    }
    if (!mav2_cli_require(self, "--rpc-url", url, "--account", account_s, (const char *)NULL))
        return MAV2_EXIT_USAGE;
    if (!mav2_cli_address(self, "--account", account_s, account))
        return MAV2_EXIT_USAGE;
    if (from_s != NULL) {
        char *end;
        errno = 0;
        from = strtoull(from_s, &end, 0);
        if (*from_s < '0' || *from_s > '9' || *end != '\0' || errno != 0)
            return mav2_cli_fail(self, MAV2_EXIT_USAGE, "--from-block: \"%s\" is not a number",
                                 from_s);
    }
    node = mav2_cli_rpc_new(self, "--rpc-url", url);
    if (node == NULL)
        return MAV2_EXIT_USAGE;
    ok = mav2_session_list_keys(node, account, from, &l);
    if (!ok) {
        const mav2_rpc_error *e = mav2_rpc_last_error(node);
        rc = mav2_cli_fail_lib(
            self, e->status == MAV2_RPC_OK ? MAV2_EXIT_NETWORK : mav2_cli_rpc_exit(e), NULL);
        mav2_session_list_free(&l);
        mav2_rpc_free(node);
        return rc;
    }
    mav2_rpc_free(node);
    if (json) {
        json_object *o = json_object_new_object(), *a = json_object_new_array();
        char addr[MAV2_ADDRESS_STR_MAX];
        mav2_address_format(account, addr);
        json_object_object_add(o, "account", json_object_new_string(addr));
        for (size_t i = 0; i < l.n; i++)
            json_object_array_add(a, key_json(&l.keys[i]));
        json_object_object_add(o, "sessionKeys", a);
        rc = mav2_cli_print(self, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
        json_object_put(o);
    } else {
        mav2_buf b = MAV2_BUF_INIT;
        ok = l.n == 0 ? out_add(&b, "none\n") : 1;
        for (size_t i = 0; ok && i < l.n; i++)
            ok = key_text(&b, &l.keys[i]);
        ok = ok && b.len > 0 && mav2_buf_append(&b, "", 1);
        if (ok) {
            b.data[b.len - 2] = '\0'; /* mav2_cli_print adds the last newline */
            rc = mav2_cli_print(self, (const char *)b.data);
        } else {
            rc = mav2_cli_fail(self, MAV2_EXIT_INTERNAL, "out of memory");
        }
        mav2_buf_free(&b);
    }
    mav2_session_list_free(&l);
    return rc;
}
