/* SPDX-License-Identifier: Apache-2.0 */
/* error.c: thread-local last-error message (see error.h). */
#include "mav2/core/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MAV2_ERR_MAX 512

static _Thread_local char mav2_err[MAV2_ERR_MAX];

const char *mav2_last_error(void)
{
    return mav2_err;
}

/* Keeps the message on one line whatever was formatted into it. */
static void one_line(char *s)
{
    for (; *s; s++)
        if (*s == '\n' || *s == '\r')
            *s = ' ';
}

int mav2_error_set(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(mav2_err, sizeof(mav2_err), fmt, ap);
    va_end(ap);
    one_line(mav2_err);
    return 0;
}

int mav2_error_prefix(const char *fmt, ...)
{
    char pre[MAV2_ERR_MAX], old[MAV2_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(pre, sizeof(pre), fmt, ap);
    va_end(ap);
    memcpy(old, mav2_err, sizeof(old));
    /* "<pre>: <old>", truncated to the buffer (composed by hand: truncation is intended) */
    size_t n = strlen(pre), m = strlen(old);
    if (n > MAV2_ERR_MAX - 3)
        n = MAV2_ERR_MAX - 3;
    memcpy(mav2_err, pre, n);
    memcpy(mav2_err + n, ": ", 2);
    if (m > MAV2_ERR_MAX - 1 - n - 2)
        m = MAV2_ERR_MAX - 1 - n - 2;
    memcpy(mav2_err + n + 2, old, m);
    mav2_err[n + 2 + m] = '\0';
    one_line(mav2_err);
    return 0;
}

void mav2_error_clear(void)
{
    mav2_err[0] = '\0';
}
