/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * base32.c - RFC 4648 section 6 base32 encoding and strict decoding.
 *
 * OpenSSL has base64 but no base32, and the few lines below are simpler
 * than a dependency for them.  Five bytes make eight characters; a final
 * group of 1, 2, 3 or 4 bytes makes 2, 4, 5 or 7 characters and 6, 4, 3 or
 * 1 '=' (section 6).
 */
#include "lib/core/base32.h"

#include <string.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

size_t
base32_encoded_len(size_t len, bool pad)
{
    static const size_t tail[5] = {0, 2, 4, 5, 7};

    return pad ? (len + 4) / 5 * 8 : len / 5 * 8 + tail[len % 5];
}

bool
base32_encode(const uint8_t *in, size_t len, bool pad, char *out, size_t outsize)
{
    size_t want = base32_encoded_len(len, pad), o = 0;
    unsigned bits = 0, nbits = 0;

    if (outsize <= want)
        return false;
    for (size_t i = 0; i < len; i++) {
        bits = (bits << 8) | in[i];
        nbits += 8;
        while (nbits >= 5) {
            nbits -= 5;
            out[o++] = alphabet[(bits >> nbits) & 31];
        }
    }
    if (nbits > 0)
        out[o++] = alphabet[(bits << (5 - nbits)) & 31];
    while (o < want)
        out[o++] = '=';
    out[o] = '\0';
    return true;
}

static int
value_of(char c)
{
    const char *p;

    if (c >= 'a' && c <= 'z')
        c = (char)(c - 'a' + 'A');
    p = c != '\0' ? strchr(alphabet, c) : NULL;
    return p != NULL ? (int)(p - alphabet) : -1;
}

bool
base32_decode(const char *in, uint8_t *out, size_t outsize, size_t *outlen)
{
    size_t len = strlen(in), chars = len, n = 0;
    unsigned bits = 0, nbits = 0;

    while (chars > 0 && in[chars - 1] == '=')
        chars--;
    /* padding: none, or up to the next multiple of 8 */
    if (chars != len && len % 8 != 0)
        return false;
    if (chars != len && len - chars >= 8)
        return false;
    /* 1, 3 or 6 characters left over cannot end a whole byte */
    if (chars % 8 == 1 || chars % 8 == 3 || chars % 8 == 6)
        return false;
    if (chars != len && (len - chars) != (8 - chars % 8) % 8)
        return false;
    for (size_t i = 0; i < chars; i++) {
        int v = value_of(in[i]);

        if (v < 0)
            return false;
        bits = ((bits << 5) | (unsigned)v) & 0xfff;
        nbits += 5;
        if (nbits >= 8) {
            nbits -= 8;
            if (n == outsize)
                return false;
            out[n++] = (uint8_t)(bits >> nbits);
        }
    }
    /* the bits past the last byte must be zero (RFC 4648 3.5) */
    if ((bits & ((1u << nbits) - 1)) != 0)
        return false;
    *outlen = n;
    return true;
}
