/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hex.c - the hex codec (hex.h).
 */
#include "lib/common/hex.h"

#include "lib/common/secmem.h"

int
hex_digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int
hex_encode(const uint8_t *in, size_t len, char *out, size_t outsize)
{
    static const char digits[] = "0123456789abcdef";

    if (outsize < 2 * len + 1)
        return -1;
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * len] = '\0';
    return 0;
}

int
hex_decode(const char *hex, size_t hexlen, uint8_t *out, size_t outsize, size_t *outlen)
{
    *outlen = 0;
    if (hexlen % 2 != 0 || hexlen / 2 > outsize)
        return -1;
    for (size_t i = 0; i < hexlen; i += 2) {
        int hi = hex_digit_value(hex[i]), lo = hex_digit_value(hex[i + 1]);

        if (hi < 0 || lo < 0) {
            secmem_wipe(out, i / 2);
            return -1;
        }
        out[i / 2] = (uint8_t)(hi << 4 | lo);
    }
    *outlen = hexlen / 2;
    return 0;
}
