/* SPDX-License-Identifier: Apache-2.0 */
/* grant.h: deferred grants of MAv2 v2.0.0 (MAV2.md "Deferred grants"): the owner signs
 * an installValidation once, offline, and the session key's first user op carries it;
 * the account installs the key and validates the op with it in one go.
 *
 * A grant is what account kit's compileDeferred + buildDeferredActionDigest produce and
 * parseDeferredAction reads, as one byte string (hex when passed around):
 *   flag(1: 0x01 the new validation has execution hooks, else 0x00) || nonce(32)
 *   || uint32 len || encoded || uint32 sigLen || ownerSig
 * with encoded = uint168 ownerLocator || uint48 deadline || call (the whole
 * installValidation call data), ownerLocator = ownerEntity << 8 | global?1, and
 * ownerSig = 0x00 (EOA) || r || s || v over the EIP-712 digest of
 * DeferredAction(uint256 nonce,uint48 deadline,bytes call) with domain
 * EIP712Domain(uint256 chainId,address verifyingContract = account).
 * The first op's signature is everything after the nonce, then 0xFF 0x00 r s v.
 *
 * grant.c holds the byte formats (no keys, no network); grant_sign.c signs and
 * recovers with the signer. Functions returning int return 1, or 0 with
 * mav2_last_error() set. */
#ifndef MAV2_GRANT_H
#define MAV2_GRANT_H

#include <stddef.h>
#include <stdint.h>

#include "mav2/core/account.h"
#include "mav2/core/buf.h"
#include "mav2/core/u256.h"
#include "mav2/core/address.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MAV2_GRANT_OWNER_SIG_LEN 66                /* 0x00 || r || s || v */
#define MAV2_GRANT_LOCATOR_LEN   21                /* uint168 */
#define MAV2_GRANT_DEADLINE_MAX  0xffffffffffffULL /* uint48 */

typedef struct {
    int exec_hooks;  /* the installed validation has execution hooks: wrap ops */
    mav2_u256 nonce; /* the full nonce of the first op (key192 << 64 | seq) */
    uint32_t owner_entity;
    int owner_global;  /* the owner's validation is global (ownerLocator bit 0x01) */
    uint64_t deadline; /* last valid second; 0 = none */
    mav2_buf call;     /* installValidation(...) call data */
    uint8_t owner_sig[MAV2_GRANT_OWNER_SIG_LEN];
} mav2_grant;

void mav2_grant_init(mav2_grant *g);
void mav2_grant_clear(mav2_grant *g);

/* The nonce a grant is made for: key = lane << 40 | entity << 8 | 0x02 | global?0x01,
 * sequence seq (0 for an entity that never used its deferred lane). */
int mav2_grant_nonce(mav2_u256 *nonce, const mav2_u256 *lane, uint32_t entity_id, int global,
                     uint64_t seq);

/* The session key's entity, lane, options and sequence from g->nonce (any may be NULL). */
void mav2_grant_nonce_parts(const mav2_grant *g, mav2_u256 *lane, uint32_t *entity_id,
                            uint8_t *options, uint64_t *seq);

/* EIP-712 digest the owner signs directly (not ReplaySafeHash, not EIP-191). */
int mav2_grant_digest(uint64_t chain_id, const uint8_t account[MAV2_ADDRESS_LEN],
                      const mav2_u256 *nonce, uint64_t deadline, const uint8_t *call,
                      size_t call_len, uint8_t out[32]);

/* 0x00 || r || s || v from r || s || v (v 27/28, low s). */
int mav2_grant_owner_signature(const uint8_t sig65[MAV2_SIG65_LEN],
                               uint8_t out[MAV2_GRANT_OWNER_SIG_LEN]);

/* encoded = uint168 ownerLocator || uint48 deadline || call. */
int mav2_grant_encoded(const mav2_grant *g, mav2_buf *out);

/* What goes in front of the session key's 0xFF 0x00 r s v in the first op:
 * uint32 len || encoded || uint32 66 || ownerSig. */
int mav2_grant_sig_prefix(const mav2_grant *g, mav2_buf *out);

/* The grant as account kit's byte string, and as "0x" + lower-case hex (free() it). */
int mav2_grant_serialize(const mav2_grant *g, mav2_buf *out);
int mav2_grant_to_hex(const mav2_grant *g, char **out);

/* Reads a grant string exactly: flag 0x00 or 0x01, a nonce whose options have the
 * deferred bit 0x02, an ownerLocator naming a non-direct-call validation, an encoded
 * part holding at least a selector of call data, an EOA owner signature of 66 bytes
 * (0x00 type byte), nothing after. The message names what was wrong. g is cleared
 * first; mav2_grant_clear it afterwards either way. */
int mav2_grant_parse(const uint8_t *data, size_t len, mav2_grant *g);
/* The same from hex ("0x" optional, either case, surrounding white space allowed). */
int mav2_grant_parse_hex(const char *hex, mav2_grant *g);

/* grant_sign.c (signer part of libmav2) ----------------------------------------- */
struct mav2_signer; /* signer.h */

/* Signs g (nonce, deadline, call, owner locator set) for chain_id and account with
 * the owner's signer: fills g->owner_sig. */
int mav2_grant_sign(struct mav2_signer *owner, uint64_t chain_id,
                    const uint8_t account[MAV2_ADDRESS_LEN], mav2_grant *g);

/* The address whose key made g->owner_sig over g's digest for chain_id and account.
 * A grant for another chain or account recovers to some other address (or fails). */
int mav2_grant_recover_owner(const mav2_grant *g, uint64_t chain_id,
                             const uint8_t account[MAV2_ADDRESS_LEN],
                             uint8_t owner[MAV2_ADDRESS_LEN]);

#ifdef __cplusplus
}
#endif
#endif
