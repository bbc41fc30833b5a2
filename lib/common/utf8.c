/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * utf8.c - strict UTF-8 decoding and the control-character rule (utf8.h).
 */
#include "lib/common/utf8.h"

#include <string.h>

size_t
utf8_next(const char *s, size_t avail, uint32_t *cp)
{
    const unsigned char *p = (const unsigned char *)s;
    uint32_t c, min;
    size_t more;

    if (avail == 0)
        return 0;
    c = p[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    /* RFC 3629 3: the lead byte says how many continuation bytes follow */
    if ((c & 0xe0) == 0xc0) {
        more = 1, c &= 0x1f, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
        more = 2, c &= 0x0f, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
        more = 3, c &= 0x07, min = 0x10000;
    } else {
        return 0; /* a continuation byte, or 0xf8..0xff */
    }
    if (avail - 1 < more)
        return 0;
    for (size_t i = 1; i <= more; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (p[i] & 0x3f);
    }
    /* RFC 3629 3: shortest form only, no surrogates, at most U+10FFFF */
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return more + 1;
}

bool
utf8_valid(const char *s, size_t len)
{
    size_t i = 0;

    while (i < len) {
        uint32_t cp;
        size_t n = utf8_next(s + i, len - i, &cp);

        if (n == 0)
            return false;
        i += n;
    }
    return true;
}

size_t
utf8_fit(const char *s, size_t len, size_t room)
{
    if (len <= room)
        return len;
    /* s[room] is the first byte left out: while it continues a sequence,
     * that sequence's earlier bytes go too */
    while (room > 0 && ((unsigned char)s[room] & 0xc0) == 0x80)
        room--;
    return room;
}

bool
utf8_is_control(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

bool
text_is_printable(const char *s)
{
    size_t len = strlen(s), i = 0;

    while (i < len) {
        uint32_t cp;
        size_t n = utf8_next(s + i, len - i, &cp);

        if (n == 0) {
            i++; /* not UTF-8: not this function's question */
            continue;
        }
        if (utf8_is_control(cp))
            return false;
        i += n;
    }
    return true;
}
