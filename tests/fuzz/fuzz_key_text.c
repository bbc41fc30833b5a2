/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_key_text.c - libFuzzer harness for keys given as text (`crauth token
 * add --key-file`): hex or base32, and base32 on its own.
 *
 * What decodes fits the buffer, and base32 is canonical: what decodes
 * encodes back to the same text, upper-cased and unpadded, and that decodes
 * to the same bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/base32.h"
#include "lib/core/otpkey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char text[1024], again[1024], err[256];
    uint8_t key[OTP_MAX_KEY], back[OTP_MAX_KEY];
    size_t keylen = 0, backlen = 0;
    enum otpkey_encoding enc;

    if (size >= sizeof(text))
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    if (otpkey_decode_text(text, key, &keylen, &enc, err, sizeof(err)) == 0 &&
        (keylen == 0 || keylen > OTP_MAX_KEY))
        abort();
    if (!base32_decode(text, key, sizeof(key), &keylen))
        return 0;
    if (keylen > sizeof(key) || !base32_encode(key, keylen, false, again, sizeof(again)))
        abort();
    if (!base32_decode(again, back, sizeof(back), &backlen) || backlen != keylen ||
        memcmp(back, key, keylen) != 0)
        abort();
    for (size_t i = 0; i < strlen(again); i++)
        if (again[i] != (text[i] >= 'a' && text[i] <= 'z' ? text[i] - 'a' + 'A' : text[i]))
            abort();
    return 0;
}
