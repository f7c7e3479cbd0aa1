/* SPDX-License-Identifier: Apache-2.0 */
/* test-pin: PIN sources (pkcs11/pin.c) and error text (pkcs11/error.c). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pkcs11/error.h"
#include "pkcs11/p11k1.h"
#include "pkcs11/pin.h"
#include "tap.h"

static char dir[64];

static const char *write_file(const char *name, const char *content)
{
    static char path[128];
    FILE *f;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "w");
    if (f == NULL)
        tap_bail("cannot write a temp file");
    fputs(content, f);
    fclose(f);
    return path;
}

int main(void)
{
    p11k1_pin pin;
    char src[200];
    const char *path;
    CK_RV rv;

    snprintf(dir, sizeof(dir), "/tmp/p11k1-pin.XXXXXX");
    if (mkdtemp(dir) == NULL)
        tap_bail("mkdtemp failed");

    path = write_file("a", "4321\n");
    tap_ok(p11k1_pin_from_source(path, &pin) == CKR_OK && strcmp(pin.buf, "4321") == 0 &&
               pin.len == 4,
           "pin-source file, newline dropped");
    snprintf(src, sizeof(src), "file:%s", path);
    tap_ok(p11k1_pin_from_source(src, &pin) == CKR_OK && strcmp(pin.buf, "4321") == 0,
           "pin-source with file: prefix");
    snprintf(src, sizeof(src), "file://%s", path);
    tap_ok(p11k1_pin_from_source(src, &pin) == CKR_OK && strcmp(pin.buf, "4321") == 0,
           "pin-source with file:// prefix");
    path = write_file("b", "pa ss\r\nsecond line\n");
    tap_ok(p11k1_pin_from_source(path, &pin) == CKR_OK && strcmp(pin.buf, "pa ss") == 0,
           "first line only, CRLF dropped, spaces kept");
    path = write_file("c", "nonl");
    tap_ok(p11k1_pin_from_source(path, &pin) == CKR_OK && strcmp(pin.buf, "nonl") == 0,
           "file without newline");
    path = write_file("d", "\n");
    rv = p11k1_pin_from_source(path, &pin);
    tap_ok(rv == P11K1_R_PIN_SOURCE && strstr(p11k1_last_error(), "empty") != NULL,
           "empty PIN file refused: %s", p11k1_last_error());
    snprintf(src, sizeof(src), "%s/missing", dir);
    rv = p11k1_pin_from_source(src, &pin);
    tap_ok(rv == P11K1_R_PIN_SOURCE && strstr(p11k1_last_error(), src) != NULL,
           "missing file named in the error: %s", p11k1_last_error());
    {
        char big[400];
        memset(big, 'x', sizeof(big) - 2);
        big[sizeof(big) - 2] = '\n';
        big[sizeof(big) - 1] = '\0';
        path = write_file("e", big);
        rv = p11k1_pin_from_source(path, &pin);
        tap_ok(rv == P11K1_R_PIN_SOURCE && strstr(p11k1_last_error(), "xxxx") == NULL,
               "over-long PIN refused without echoing it: %s", p11k1_last_error());
    }

    tap_ok(p11k1_pin_from_value("9876", &pin) == CKR_OK && strcmp(pin.buf, "9876") == 0,
           "pin-value");
    setenv("P11K1_TEST_PIN", "5555", 1);
    tap_ok(p11k1_pin_from_env("P11K1_TEST_PIN", &pin) == CKR_OK && strcmp(pin.buf, "5555") == 0,
           "PIN from the environment");
    unsetenv("P11K1_TEST_PIN");
    rv = p11k1_pin_from_env("P11K1_TEST_PIN", &pin);
    tap_ok(rv == P11K1_R_NO_PIN && strstr(p11k1_last_error(), "P11K1_TEST_PIN") != NULL,
           "unset variable named: %s", p11k1_last_error());

    p11k1_pin_from_value("9876", &pin);
    p11k1_pin_wipe(&pin);
    {
        int zero = pin.len == 0;
        for (size_t i = 0; i < sizeof(pin.buf); i++)
            zero &= pin.buf[i] == 0;
        tap_ok(zero, "wipe clears the whole buffer");
    }

    tap_ok(strcmp(p11k1_rv_name(CKR_PIN_INCORRECT), "CKR_PIN_INCORRECT") == 0, "rv name (PKCS#11)");
    tap_ok(strcmp(p11k1_rv_name(P11K1_R_WRONG_CURVE), "P11K1_R_WRONG_CURVE") == 0,
           "rv name (p11k1)");
    tap_ok(strncmp(p11k1_rv_name(0x7777), "CKR_0x", 6) == 0, "unknown rv in hex");
    p11k1_fail(CKR_OK, "two\nlines");
    tap_ok(strchr(p11k1_last_error(), '\n') == NULL, "error text is one line");
    p11k1_error_clear();
    tap_ok(strcmp(p11k1_last_error(), "") == 0, "cleared error is empty");

    snprintf(src, sizeof(src), "rm -rf '%s'", dir);
    if (system(src) != 0)
        tap_diag("cannot remove %s", dir);
    return tap_done();
}
