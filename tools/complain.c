/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * complain.c - one sanitised line on stderr (complain.h).
 */
#include "tools/complain.h"

#include <stdio.h>

#include "lib/common/log.h"

void
complain_v(const char *prefix, const char *format, va_list ap)
{
    char message[768], clean[768];

    if (vsnprintf(message, sizeof(message), format, ap) < 0)
        message[0] = '\0';
    log_sanitize(message, clean, sizeof(clean));
    fprintf(stderr, "%s%s\n", prefix, clean);
}
