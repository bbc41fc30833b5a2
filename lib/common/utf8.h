/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * utf8.h - the one UTF-8 decoder: strict RFC 3629 (section 3 and 4: no
 * overlong forms, no surrogates, nothing above U+10FFFF), and the one rule
 * for what counts as a control character.  Module-safe (libc only).
 *
 * Every place that reads text from outside (frames, server replies,
 * credentials for NTLM, configuration) judges it here, so a sequence one
 * part accepts is never one another part refuses or reads differently.
 */
#ifndef CRAUTH_UTF8_H
#define CRAUTH_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UTF8_MAX_SEQUENCE 4 /* bytes of the longest sequence (U+10000..U+10FFFF) */

/* The code point that starts @s, reading at most @avail bytes: its length
 * (1..4) with *cp set, or 0 when the bytes there are no well-formed
 * sequence (a stray continuation byte, a lead byte 0xf8..0xff, an overlong
 * form, a surrogate, a value above U+10FFFF, a sequence cut short, or
 * @avail 0).  A NUL byte is U+0000, length 1. */
size_t utf8_next(const char *s, size_t avail, uint32_t *cp);

/* True if the @len bytes of @s are well-formed UTF-8 throughout. */
bool utf8_valid(const char *s, size_t len);

/* How many of the first @len bytes of @s fit into @room bytes without
 * cutting a sequence in two: @len if it fits, else @room less the bytes
 * of the sequence that would be cut. */
size_t utf8_fit(const char *s, size_t len, size_t room);

/* True for a control character (Unicode general category Cc): C0
 * (U+0000..U+001F), DEL (U+007F) and C1 (U+0080..U+009F), which
 * terminals act on (C1 holds the one-byte CSI, U+009B). */
bool utf8_is_control(uint32_t cp);

/* True if the NUL-terminated @s holds no control character (utf8_is_control)
 * wherever it decodes as UTF-8.  Bytes that are not UTF-8 are not judged
 * here: a caller that needs UTF-8 asks utf8_valid as well. */
bool text_is_printable(const char *s);

#endif
