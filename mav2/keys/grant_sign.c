/* SPDX-License-Identifier: Apache-2.0 */
/* grant_sign.c: signing a deferred grant as the owner and recovering who signed one
 * (see grant.h). */
#include "mav2/core/grant.h"

#include <string.h>

#include "mav2/core/error.h"
#include "mav2/keys/signer.h"

int mav2_grant_sign(mav2_signer *owner, uint64_t chain_id, const uint8_t account[MAV2_ADDRESS_LEN],
                    mav2_grant *g)
{
    uint8_t digest[32], sig[MAV2_SIG65_LEN];
    int ok;
    if (owner == NULL || g == NULL)
        return mav2_error_set("grant: no owner signer or grant");
    if (!mav2_grant_digest(chain_id, account, &g->nonce, g->deadline, g->call.data, g->call.len,
                           digest))
        return 0;
    ok = mav2_signer_sign_digest(owner, digest, sig) &&
         mav2_grant_owner_signature(sig, g->owner_sig);
    if (!ok)
        mav2_error_prefix("signing the grant");
    return ok;
}

int mav2_grant_recover_owner(const mav2_grant *g, uint64_t chain_id,
                             const uint8_t account[MAV2_ADDRESS_LEN],
                             uint8_t owner[MAV2_ADDRESS_LEN])
{
    uint8_t digest[32];
    if (g == NULL || owner == NULL)
        return mav2_error_set("grant: nothing to recover");
    if (g->owner_sig[0] != 0x00)
        return mav2_error_set("grant: the owner signature is not an EOA signature");
    if (!mav2_grant_digest(chain_id, account, &g->nonce, g->deadline, g->call.data, g->call.len,
                           digest))
        return 0;
    if (!mav2_sig65_check(g->owner_sig + 1) ||
        !mav2_sig_recover(digest, g->owner_sig + 1, NULL, owner))
        return mav2_error_prefix("grant: the owner signature does not recover");
    return 1;
}
