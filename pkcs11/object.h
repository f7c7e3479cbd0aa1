/* SPDX-License-Identifier: Apache-2.0 */
/* object.h: reading PKCS#11 objects: attribute values, object searches, and
 * what kind of key an object is. */
#ifndef P11K1_OBJECT_H
#define P11K1_OBJECT_H

#include <stddef.h>
#include <p11-kit/pkcs11.h>

/* Kind of a key object, for choosing and for messages. */
enum p11k1_kind { P11K1_KIND_K1, P11K1_KIND_OTHER_CURVE, P11K1_KIND_NOT_EC };

/* Reads one attribute into a malloc'd buffer (NUL-terminated, so text can be
 * used as a C string); CKR_OK with *val NULL if the object lacks it. */
CK_RV p11k1_attr_get(CK_FUNCTION_LIST *f, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o,
                     CK_ATTRIBUTE_TYPE type, unsigned char **val, size_t *len);
/* All objects matching tmpl (malloc'd array, may be NULL when *n is 0). */
CK_RV p11k1_find(CK_FUNCTION_LIST *f, CK_SESSION_HANDLE s, CK_ATTRIBUTE *tmpl, CK_ULONG n_tmpl,
                 CK_OBJECT_HANDLE **out, size_t *n);
/* Kind of a key object; *what gets a description for a message. */
enum p11k1_kind p11k1_key_kind(CK_FUNCTION_LIST *f, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o,
                               char *what, size_t what_len);
/* Template for token objects (not session copies) of class, label (if
 * non-empty) and id (if any); returns its length. */
CK_ULONG p11k1_key_template(CK_ATTRIBUTE tmpl[4], CK_OBJECT_CLASS *klass, const char *label,
                            size_t label_len, const unsigned char *id, size_t id_len);

#endif
