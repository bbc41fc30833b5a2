/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * unicode.c - UTF-8 to UTF-16LE for MS-NLMP, and NTOWFv2's Uppercase()
 * (unicode.h).  Decoding is lib/common/utf8's, so a name the rest of the
 * helper accepts is the name that is hashed.
 */
#include "lib/ntlm/unicode.h"

#include <stdlib.h>
#include <string.h>

#include "lib/common/secmem.h"
#include "lib/common/utf8.h"

/*
 * Uppercase(User) for NTOWFv2 (MS-NLMP 3.3.2).  The acceptor (a DC, or Samba
 * with strupper_m) uppercases with its own per-UTF-16-unit table, not with
 * full Unicode case mapping, so we apply simple one-to-one mappings only, to
 * BMP characters only, and only where the mapping is unambiguous: ASCII,
 * Latin-1 (y-diaeresis becomes U+0178), Latin Extended-A, basic Greek and
 * Cyrillic.  Everything else (sharp s, micro sign, dotless i, long s, final
 * sigma, scripts not listed, non-BMP) is sent unchanged; a user whose name
 * uses such letters can type it in upper case, which Windows treats alike.
 */
static uint32_t
nt_upcase(uint32_t c)
{
    uint32_t u = c;

    /* ASCII, Latin-1, basic Greek (not final sigma) and basic Cyrillic:
     * upper case sits 0x20 below */
    if ((c >= 'a' && c <= 'z') || (c >= 0xe0 && c <= 0xfe && c != 0xf7) ||
        (c >= 0x3b1 && c <= 0x3c1) || (c >= 0x3c3 && c <= 0x3cb) || (c >= 0x430 && c <= 0x44f))
        u = c - 0x20;
    else if (c == 0xff)
        u = 0x178;
    else if ((c >= 0x100 && c <= 0x12f) || (c >= 0x132 && c <= 0x137) || (c >= 0x14a && c <= 0x177))
        u = (c & 1) ? c - 1 : c; /* pairs: even upper, odd lower */
    else if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17e))
        u = (c & 1) ? c : c - 1; /* pairs: odd upper, even lower */
    else if (c >= 0x450 && c <= 0x45f)
        u = c - 0x50;
    return u;
}

int
ntlm_utf8_to_utf16le(const char *in, int upper, uint8_t **out, size_t *outlen)
{
    size_t len, units = 0, pos = 0;
    uint8_t *buf = NULL;
    uint32_t c = 0;
    int ret = NTLM_ERR_ARG;

    if (in == NULL || out == NULL || outlen == NULL)
        goto out;
    *out = NULL;
    *outlen = 0;
    len = strnlen(in, NTLM_MAX_STRING + 1);
    if (len > NTLM_MAX_STRING)
        goto out;
    ret = NTLM_ERR_UTF8;
    for (size_t i = 0, n; i < len; i += n) { /* validate and count first */
        n = utf8_next(in + i, len - i, &c);
        if (n == 0)
            goto out;
        units += c >= 0x10000 ? 2 : 1;
    }
    ret = NTLM_OK;
    if (units == 0)
        goto out;
    ret = NTLM_ERR_NOMEM;
    buf = malloc(units * 2); /* units <= NTLM_MAX_STRING: no overflow */
    if (buf == NULL)
        goto out;
    for (size_t i = 0, n; i < len; i += n) {
        uint32_t u[2];
        size_t nu = 1;

        n = utf8_next(in + i, len - i, &c); /* validated above: n > 0 */
        if (c >= 0x10000) {                 /* UTF-16 surrogate pair */
            u[0] = 0xd800 | ((c - 0x10000) >> 10);
            u[1] = 0xdc00 | ((c - 0x10000) & 0x3ff);
            nu = 2;
        } else {
            u[0] = upper ? nt_upcase(c) : c;
        }
        for (size_t k = 0; k < nu; k++) {
            buf[pos++] = (uint8_t)(u[k] & 0xff);
            buf[pos++] = (uint8_t)(u[k] >> 8);
        }
    }
    *out = buf;
    *outlen = pos;
    buf = NULL;
    ret = NTLM_OK;
out:
    secmem_free(buf, units * 2);
    return ret;
}
