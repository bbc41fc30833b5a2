/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * otpkey.c - random OATH keys and keys given as text (see otpkey.h).
 */
#include "lib/core/otpkey.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/common/hex.h"
#include "lib/core/base32.h"
#include "lib/common/reason.h"
#include "lib/common/secmem.h"
#include "lib/core/random.h"

size_t
otpkey_size(enum otp_hash hash)
{
    return hash == OTP_SHA512 ? 64 : hash == OTP_SHA256 ? 32 : 20;
}

int
otpkey_generate(uint8_t *key, size_t len, char *err, size_t errlen)
{
    if (len == 0 || len > OTP_MAX_KEY || !random_bytes(key, len)) {
        snprintf(err, errlen, "cannot make a random key of %zu bytes", len);
        return REASON_INTERNAL;
    }
    return REASON_OK;
}

static bool
is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int
otpkey_decode_text(const char *text, uint8_t key[OTP_MAX_KEY], size_t *keylen,
                   enum otpkey_encoding *encoding, char *err, size_t errlen)
{
    size_t len = strlen(text), n = 0;
    char *compact;
    int reason = REASON_CONFIG;

    if ((compact = malloc(len + 1)) == NULL) {
        snprintf(err, errlen, "out of memory");
        return REASON_INTERNAL;
    }
    secmem_lock(compact, len + 1);
    /* blanks around the key go; blanks inside are kept for the hex test */
    while (len > 0 && is_blank(text[len - 1]))
        len--;
    while (len > 0 && is_blank(*text))
        text++, len--;
    for (size_t i = 0; i < len; i++)
        if (!is_blank(text[i]))
            compact[n++] = text[i];
    compact[n] = '\0';
    if (n == 0) {
        snprintf(err, errlen, "the key is empty");
    } else if (n == len && strspn(compact, "0123456789abcdefABCDEF") == n && n % 2 == 0) {
        if (hex_decode(compact, n, key, OTP_MAX_KEY, keylen) == 0) {
            *encoding = OTPKEY_HEX;
            reason = REASON_OK;
        } else {
            snprintf(err, errlen, "the hex key is longer than %d bytes", OTP_MAX_KEY);
        }
    } else if (base32_decode(compact, key, OTP_MAX_KEY, keylen) && *keylen > 0) {
        *encoding = OTPKEY_BASE32;
        reason = REASON_OK;
    } else {
        snprintf(err, errlen,
                 "the key is neither hex (an even number of 0-9a-f digits) nor "
                 "RFC 4648 base32 (A-Z 2-7, optional '=' padding), or is longer than %d bytes",
                 OTP_MAX_KEY);
    }
    secmem_wipe(compact, len + 1);
    free(compact);
    return reason;
}
