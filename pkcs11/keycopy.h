/* SPDX-License-Identifier: Apache-2.0 */
/* keycopy.h: session copies of private keys for signing (keycopy.c). */
#ifndef P11K1_KEYCOPY_H
#define P11K1_KEYCOPY_H

#include "internal.h"

/* The object to sign with in session s of the given slot epoch for the key
 * object obj: its session copy, made on first use in the epoch, or obj itself
 * (caching off, the token refused the copy, or an epoch gone by). */
CK_OBJECT_HANDLE p11k1_copy_for(p11k1_slot *slot, CK_SESSION_HANDLE s, unsigned epoch,
                                CK_OBJECT_HANDLE obj);
/* Forgets obj's copy (it was refused, or the login that could see it is gone):
 * the next p11k1_copy_for makes a new one. */
void p11k1_copy_drop(p11k1_slot *slot, unsigned epoch, CK_OBJECT_HANDLE obj);

#endif
