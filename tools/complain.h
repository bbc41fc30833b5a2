/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * complain.h - the CLI's one way to say what went wrong: one line on
 * stderr, whatever the text it echoes holds.
 */
#ifndef CRAUTH_TOOLS_COMPLAIN_H
#define CRAUTH_TOOLS_COMPLAIN_H

#include <stdarg.h>

/* @prefix (e.g. "crauth token: "), then the formatted text with control
 * characters and broken UTF-8 made '?' (log_sanitize), so echoed input
 * keeps the message on one line and cannot drive the terminal. */
void complain_v(const char *prefix, const char *format, va_list ap)
    __attribute__((format(printf, 2, 0)));

#endif
