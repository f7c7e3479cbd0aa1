/* SPDX-License-Identifier: Apache-2.0 */
/* tap.h: minimal TAP producer for the C tests (automake's tap-driver reads it).
 *
 *   tap_ok(cond, "what was checked %d", n);   one test point
 *   tap_skip("what", "why %s", x);            one check that cannot run here
 *   tap_skip_all("why");                      whole program skipped
 *   return tap_done();                        prints the plan, exit status
 */
#ifndef MH_TAP_H
#define MH_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_count_;
static int tap_failed_;

__attribute__((format(printf, 2, 3), unused)) static int tap_ok(int cond, const char *fmt, ...)
{
    va_list ap;
    printf("%sok %d - ", cond ? "" : "not ", ++tap_count_);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
    if (!cond)
        tap_failed_++;
    return cond;
}

__attribute__((format(printf, 1, 2), unused)) static void tap_diag(const char *fmt, ...)
{
    va_list ap;
    printf("# ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
}

__attribute__((noreturn, unused)) static void tap_skip_all(const char *why)
{
    printf("1..0 # SKIP %s\n", why);
    exit(0);
}

/* One check that cannot run here: a visible skip, never a pass. */
__attribute__((format(printf, 2, 3), unused)) static void tap_skip(const char *what,
                                                                   const char *why_fmt, ...)
{
    va_list ap;
    printf("ok %d - %s # SKIP ", ++tap_count_, what);
    va_start(ap, why_fmt);
    vprintf(why_fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
}

__attribute__((noreturn, unused)) static void tap_bail(const char *why)
{
    printf("Bail out! %s\n", why);
    exit(1);
}

/* Compares two byte strings and reports the first difference. */
__attribute__((unused)) static int tap_mem_eq(const void *got, const void *want, size_t n,
                                              const char *what)
{
    const unsigned char *a = got, *b = want;
    for (size_t i = 0; i < n; i++) {
        if (a[i] != b[i]) {
            return tap_ok(0, "%s (byte %zu: got %02x, want %02x)", what, i, a[i], b[i]);
        }
    }
    return tap_ok(1, "%s", what);
}

__attribute__((unused)) static int tap_done(void)
{
    printf("1..%d\n", tap_count_);
    return tap_failed_ ? 1 : 0;
}

#endif
