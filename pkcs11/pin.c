/* SPDX-License-Identifier: Apache-2.0 */
/* pin.c: PIN sources (see pin.h). */
#include "config.h"

#include "pin.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "p11k1.h"

void p11k1_pin_wipe(p11k1_pin *pin)
{
    explicit_bzero(pin->buf, sizeof(pin->buf));
    pin->len = 0;
}

void p11k1_pin_free_str(char *s)
{
    if (s != NULL) {
        explicit_bzero(s, strlen(s));
        free(s);
    }
}

static CK_RV pin_set(p11k1_pin *pin, const char *src, size_t len, const char *what)
{
    if (len >= sizeof(pin->buf))
        return p11k1_fail(P11K1_R_PIN_SOURCE, "PIN from %s is longer than %d bytes", what,
                          P11K1_PIN_MAX - 1);
    memcpy(pin->buf, src, len);
    pin->buf[len] = '\0';
    pin->len = len;
    return CKR_OK;
}

CK_RV p11k1_pin_from_source(const char *source, p11k1_pin *pin)
{
    char buf[P11K1_PIN_MAX + 2];
    size_t got = 0, len;
    ssize_t n;
    int fd;
    CK_RV rv;

    p11k1_pin_wipe(pin);
    if (source == NULL || *source == '\0')
        return p11k1_fail(P11K1_R_PIN_SOURCE, "empty pin-source");
    if (strncmp(source, "file:", 5) == 0) {
        source += 5;
        if (strncmp(source, "//", 2) == 0)
            source += 2;
    }
    fd = open(source, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return p11k1_fail(P11K1_R_PIN_SOURCE, "cannot read pin-source '%s': %s", source,
                          strerror(errno));
    while (got < sizeof(buf)) {
        n = read(fd, buf + got, sizeof(buf) - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            close(fd);
            explicit_bzero(buf, sizeof(buf));
            return p11k1_fail(P11K1_R_PIN_SOURCE, "cannot read pin-source '%s': %s", source,
                              strerror(e));
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    for (len = 0; len < got && buf[len] != '\n' && buf[len] != '\0'; len++)
        ;
    if (len > 0 && buf[len - 1] == '\r')
        len--;
    if (len == 0) {
        explicit_bzero(buf, sizeof(buf));
        return p11k1_fail(P11K1_R_PIN_SOURCE, "pin-source '%s' is empty", source);
    }
    rv = pin_set(pin, buf, len, "pin-source");
    explicit_bzero(buf, sizeof(buf));
    return rv;
}

CK_RV p11k1_pin_from_value(const char *value, p11k1_pin *pin)
{
    p11k1_pin_wipe(pin);
    if (value == NULL)
        return p11k1_fail(P11K1_R_NO_PIN, "no pin-value");
    return pin_set(pin, value, strlen(value), "pin-value");
}

CK_RV p11k1_pin_from_env(const char *var, p11k1_pin *pin)
{
    const char *v;
    p11k1_pin_wipe(pin);
    if (var == NULL || (v = getenv(var)) == NULL)
        return p11k1_fail(P11K1_R_NO_PIN, "environment variable %s is not set",
                          var ? var : "(none)");
    return pin_set(pin, v, strlen(v), var);
}
