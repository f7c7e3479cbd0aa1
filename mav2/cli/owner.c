/* SPDX-License-Identifier: Apache-2.0 */
/* owner.c: what the owner-side session-key commands share (owner.h): the owner
 * option groups, their checks, the session key's entity as the chain has it, and
 * the uninstallValidation of an entity. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mav2/core/abi.h"
#include "mav2/core/account.h"
#include "mav2/core/address.h"
#include "mav2/cli/online.h"
#include "mav2/cli/online_opts.h"
#include "mav2/cli/owner.h"
#include "mav2/core/error.h"
#include "mav2/core/u256.h"

const mav2_cli_opt mav2_cli_owner_group[] = {
    MAV2_OPT_GROUP_AS(mav2_cli_net_group, owner_args, net, "--rpc-url URL",
                      "the node (JSON-RPC); also the bundler unless --bundler-url"),
    MAV2_OPT_TEXT_("--bundler-url URL", "the ERC-4337 bundler"),
    MAV2_OPT_TEXT_("--timeout S, --poll MS, --json, --profile NAME, --chain NAME",
                   "\nas in mav2 send"),
    MAV2_OPT_STR("account", "ADDR", owner_args, account_s, "the modular account"),
    MAV2_OPT_STR_REQ("owner-key", "URI|FILE", owner_args, owner_key,
                     "the owner's key: pkcs11: URI, file: URI or PEM path"),
    MAV2_OPT_STR("pin-source", "FILE", owner_args, pin,
                 "its PIN or passphrase (first line) when the URI has none"),
    MAV2_OPT_STR_REQ("entity-id", "N", owner_args, entity_s,
                     "the session key's validation entity id"),
    MAV2_OPT_STR("owner-entity-id", "N", owner_args, owner_entity_s,
                 "the owner's validation (default 0: the semi-modular\n"
                 "account's owner)"),
    MAV2_OPT_END_};

const mav2_cli_opt mav2_cli_deploy_group[] = {
    MAV2_OPT_STR("factory-owner", "ADDR", owner_args, factory_owner_s,
                 "deploy the account in the same op if it has no code: the\n"
                 "semi-modular account of this owner"),
    MAV2_OPT_STR("salt", "S", owner_args, salt_s, "its salt (default 0)"), MAV2_OPT_END_};

/* Validation data of (SingleSignerValidationModule, entity) and its signer; *in_use
 * when either is set. deployed = 0: nothing installed. Returns an exit code. */
static int entity_state(const mav2_cli_cmd *self, mav2_rpc *node, const owner_args *a,
                        mav2_validation_data *vd, uint8_t signer[MAV2_ADDRESS_LEN], int *in_use)
{
    mav2_buf q = MAV2_BUF_INIT, res = MAV2_BUF_INIT;
    mav2_abi *e;
    uint8_t me[24];
    int rc;

    memset(vd, 0, sizeof(*vd));
    memset(signer, 0, 20);
    *in_use = 0;
    /* SingleSignerValidationModule.signers(entity, account) */
    e = mav2_abi_new();
    if (e == NULL)
        return mav2_cli_fail(self, MAV2_EXIT_INTERNAL, "out of memory");
    mav2_abi_u64(e, a->entity);
    mav2_abi_address(e, a->account);
    if (!mav2_abi_finish_call(e, (const uint8_t *)MAV2_SEL_SIGNERS, &q))
        return mav2_cli_fail_lib(self, MAV2_EXIT_INTERNAL, NULL);
    rc = mav2_cli_eth_call(self, node, mav2_addr_single_signer, q.data, q.len, &res);
    mav2_buf_free(&q);
    if (rc != MAV2_EXIT_OK)
        goto out;
    if (res.len >= 32 && !mav2_abi_decode_address(res.data, res.len, signer)) {
        rc = mav2_cli_fail_lib(self, MAV2_EXIT_NETWORK, "signers()");
        goto out;
    }
    mav2_buf_free(&res);
    /* account.getValidationData(module || entity) */
    e = mav2_abi_new();
    if (e == NULL) {
        rc = mav2_cli_fail(self, MAV2_EXIT_INTERNAL, "out of memory");
        goto out;
    }
    mav2_module_entity(mav2_addr_single_signer, a->entity, me);
    mav2_abi_bytesn(e, me, 24);
    if (!mav2_abi_finish_call(e, (const uint8_t *)MAV2_SEL_GET_VALIDATION_DATA, &q)) {
        rc = mav2_cli_fail_lib(self, MAV2_EXIT_INTERNAL, NULL);
        goto out;
    }
    rc = mav2_cli_eth_call(self, node, a->account, q.data, q.len, &res);
    if (rc != MAV2_EXIT_OK)
        goto out;
    if (!mav2_abi_decode_validation_data(res.data, res.len, vd)) {
        rc = mav2_cli_fail_lib(self, MAV2_EXIT_NETWORK, "getValidationData()");
        goto out;
    }
    *in_use = !mav2_address_is_zero(signer) || vd->flags != 0 || vd->n_selectors != 0 ||
              vd->n_validation_hooks != 0 || vd->n_execution_hooks != 0;
out:
    mav2_buf_free(&q);
    mav2_buf_free(&res);
    return rc;
}

/* uninstallValidation of the entity with one uninstall datum per hook, in the reverse
 * order of getValidationData (validation hooks, then execution hooks). */
int owner_revoke_calldata(const mav2_validation_data *vd, uint32_t entity, mav2_buf *out)
{
    size_t nv = vd->n_validation_hooks, total = nv + vd->n_execution_hooks;
    mav2_buf *hd = calloc(total > 0 ? total : 1, sizeof(*hd));
    uint8_t ud[32] = {0};
    int ok = hd != NULL;

    for (size_t k = 0; ok && k < total; k++) {
        size_t idx = total - 1 - k;
        const uint8_t *cfg = idx < nv ? vd->validation_hooks[idx] : vd->execution_hooks[idx - nv];
        mav2_abi *e = mav2_abi_new();
        uint32_t hid =
            (uint32_t)cfg[20] << 24 | (uint32_t)cfg[21] << 16 | (uint32_t)cfg[22] << 8 | cfg[23];
        if (e == NULL) {
            ok = 0;
            break;
        }
        mav2_abi_u64(e, hid);
        if (memcmp(cfg, mav2_addr_allowlist, 20) == 0) /* (uint32, AllowlistInput[]) */
            mav2_abi_array(e, mav2_abi_new());
        ok = mav2_abi_finish(e, &hd[k]);
    }
    ud[28] = (uint8_t)(entity >> 24);
    ud[29] = (uint8_t)(entity >> 16);
    ud[30] = (uint8_t)(entity >> 8);
    ud[31] = (uint8_t)entity;
    ok = ok && mav2_calldata_uninstall_validation(mav2_addr_single_signer, entity, ud, 32, hd,
                                                  total, out);
    for (size_t k = 0; hd != NULL && k < total; k++)
        mav2_buf_free(&hd[k]);
    free(hd);
    return ok ? 1 : mav2_error_set("cannot build uninstallValidation");
}

int owner_prepare(const mav2_cli_cmd *self, owner_args *a, owner_op *op)
{
    mav2_send_params *p = &op->p;
    mav2_buf *fd = &op->fd;
    uint8_t owner[MAV2_ADDRESS_LEN], predicted[MAV2_ADDRESS_LEN];
    mav2_u256 salt;

    if (!mav2_cli_apply_settings(self, &a->net, NULL, NULL, NULL))
        return MAV2_EXIT_USAGE;
    if (a->account_s == NULL)
        a->account_s = mav2_cli_setting("account", NULL);
    if (!mav2_cli_require(self, "--rpc-url", a->net.rpc_url, "--account", a->account_s,
                          (const char *)NULL))
        return MAV2_EXIT_USAGE;
    if (!mav2_cli_address(self, "--account", a->account_s, a->account) ||
        !mav2_cli_u32(self, "--entity-id", a->entity_s, &a->entity))
        return MAV2_EXIT_USAGE;
    a->owner_entity = 0;
    if (a->owner_entity_s != NULL &&
        !mav2_cli_u32(self, "--owner-entity-id", a->owner_entity_s, &a->owner_entity))
        return MAV2_EXIT_USAGE;
    if (a->entity == 0)
        return mav2_cli_fail(self, MAV2_EXIT_USAGE,
                             "--entity-id 0 is the owner's validation, not a session key");
    if (a->entity == a->owner_entity)
        return mav2_cli_fail(self, MAV2_EXIT_USAGE,
                             "--entity-id is the owner's own entity (--owner-entity-id)");
    if (a->salt_s != NULL && a->factory_owner_s == NULL)
        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "--salt needs --factory-owner");
    mav2_send_params_init(p);
    memcpy(p->account, a->account, 20);
    p->entity_id = a->owner_entity;
    p->nonce_options = MAV2_NONCE_GLOBAL;
    if (a->factory_owner_s != NULL) {
        mav2_u256_from_u64(&salt, 0);
        if (!mav2_cli_address(self, "--factory-owner", a->factory_owner_s, owner))
            return MAV2_EXIT_USAGE;
        if (a->salt_s != NULL && !mav2_u256_parse(&salt, a->salt_s))
            return mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, "--salt");
        if (!mav2_sma_address(NULL, NULL, owner, &salt, predicted) ||
            !mav2_factory_data_sma(owner, &salt, fd))
            return mav2_cli_fail_lib(self, MAV2_EXIT_INTERNAL, NULL);
        if (memcmp(predicted, a->account, 20) != 0)
            return mav2_cli_fail(self, MAV2_EXIT_USAGE,
                                 "--account is not the account of --factory-owner with this salt");
        p->factory = mav2_addr_factory;
        p->factory_data = fd->data;
        p->factory_data_len = fd->len;
    }
    return MAV2_EXIT_OK;
}

void owner_op_init(owner_op *op)
{
    memset(op, 0, sizeof(*op));
    mav2_send_params_init(&op->p);
}

void owner_op_clear(owner_op *op)
{
    mav2_validation_data_free(&op->vd);
    mav2_cli_net_close(op->node, op->bundler);
    EVP_PKEY_free(op->key);
    mav2_buf_free(&op->fd);
    memset(op, 0, sizeof(*op));
}

int owner_connect(const mav2_cli_cmd *self, owner_args *a, owner_op *op)
{
    uint8_t signer[MAV2_ADDRESS_LEN];
    int rc;

    if ((op->key = mav2_cli_load_key(self, a->owner_key, a->pin, 1)) == NULL)
        return MAV2_EXIT_KEY;
    if ((rc = mav2_cli_net_open(self, &a->net, &op->node, &op->bundler)) != MAV2_EXIT_OK)
        return rc;
    if ((rc = mav2_cli_has_code(self, op->node, a->account, &op->deployed)) != MAV2_EXIT_OK)
        return rc;
    if (!op->deployed)
        return MAV2_EXIT_OK;
    return entity_state(self, op->node, a, &op->vd, signer, &op->in_use);
}

int owner_open_installed(const mav2_cli_cmd *self, owner_args *a, owner_op *op)
{
    int rc;

    if ((rc = owner_prepare(self, a, op)) != MAV2_EXIT_OK ||
        (rc = owner_connect(self, a, op)) != MAV2_EXIT_OK)
        return rc;
    if (!op->in_use)
        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "entity %u is not installed on the account",
                             a->entity);
    return MAV2_EXIT_OK;
}

int owner_op_send(const mav2_cli_cmd *self, owner_args *a, owner_op *op, const mav2_buf *cd)
{
    op->p.call_data = cd->data;
    op->p.call_data_len = cd->len;
    return mav2_cli_send_op(self, &a->net, op->node, op->bundler, &op->p, op->key);
}
