/* SPDX-License-Identifier: Apache-2.0 */
/* key.h: what the key operations (sign.c) need from the key search (key.c). */
#ifndef P11K1_KEY_H
#define P11K1_KEY_H

#include "internal.h"

/* A key for a freshly generated pair (copies label and id). */
p11k1_key *p11k1_key_new(p11k1_slot *slot, unsigned epoch, CK_OBJECT_HANDLE priv,
                         CK_OBJECT_HANDLE pub, const unsigned char point[65], const char *label,
                         const unsigned char *id, size_t id_len);
/* The private key handle valid in session s of the given slot epoch
 * (re-found by label and id if the epoch changed or stale is set). */
CK_RV p11k1_key_handle(p11k1_key *key, CK_SESSION_HANDLE s, unsigned epoch, int stale,
                       CK_OBJECT_HANDLE *priv);

#endif
