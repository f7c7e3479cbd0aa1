/* SPDX-License-Identifier: Apache-2.0 */
/* test-uri: a pkcs11: URI's path attribute (common/uri.h): found, percent-decoded,
 * the query ignored, and every refusal. */
#include <string.h>

#include "common/uri.h"
#include "tap.h"

static void found(const char *uri, const char *attr, const char *want, size_t want_len)
{
    uint8_t out[16];
    size_t n = 99;
    const char *why = NULL;
    int ok = mh_uri_attr(uri, attr, out, sizeof(out), &n, &why);
    tap_ok(ok && n == want_len && memcmp(out, want, want_len) == 0, "%s in %s (%s)", attr, uri,
           ok ? "found" : why);
}

static void refused(const char *uri, const char *attr, size_t max, const char *want_why)
{
    uint8_t out[16];
    size_t n = 99;
    const char *why = NULL;
    int ok = mh_uri_attr(uri, attr, out, max, &n, &why);
    tap_ok(!ok && why != NULL && strcmp(why, want_why) == 0 && n == 99,
           "%s in %s refused: %s (got %s)", attr, uri ? uri : "(null)", want_why, why ? why : "-");
}

int main(void)
{
    found("pkcs11:token=t;id=%01%AB;object=sk1", "id", "\x01\xab", 2);
    found("pkcs11:token=t;id=%01%ab;object=sk1", "object", "sk1", 3);
    found("pkcs11:object=a%20b", "object", "a b", 3);
    found("pkcs11:serial=0123abcd?pin-source=file:/x", "serial", "0123abcd", 8);
    found("pkcs11:id=", "id", "", 0);
    found("pkcs11:objectx=1;object=2", "object", "2", 1);
    refused("pkcs11:token=t?id=%01", "id", 16, "absent");
    refused("pkcs11:token=t;ids=%01", "id", 16, "absent");
    refused("pkcs11:", "id", 16, "absent");
    refused("file:/x", "id", 16, "not a pkcs11: URI");
    refused(NULL, "id", 16, "not a pkcs11: URI");
    refused("pkcs11:id=%0", "id", 16, "bad percent escape");
    refused("pkcs11:id=%zz", "id", 16, "bad percent escape");
    refused("pkcs11:object=abcd", "object", 3, "too long");
    return tap_done();
}
