/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * otpkey.h - OATH keys for enrolment: random ones of the size RFC 4226 and
 * RFC 6238 recommend, and keys an admin hands in as hex or base32.
 */
#ifndef CRAUTH_OTPKEY_H
#define CRAUTH_OTPKEY_H

#include "lib/tier_helper_side.h"

#include <stddef.h>
#include <stdint.h>

#include "lib/core/otp.h"

/* RFC 4226 section 4 asks for at least 128 bits; keys shorter than this
 * are refused unless forced. */
#define OTPKEY_MIN 16

enum otpkey_encoding { OTPKEY_HEX, OTPKEY_BASE32 };

/* The HMAC's output size: 20 bytes for SHA1, 32 for SHA256, 64 for SHA512
 * (RFC 6238 section 5.1: the key length of the HMAC it keys). */
size_t otpkey_size(enum otp_hash hash);

/* @len random bytes (random.h) into @key.  REASON_OK or
 * REASON_INTERNAL with @err. */
int otpkey_generate(uint8_t *key, size_t len, char *err, size_t errlen);

/* A key written as hex (even length, 0-9a-fA-F only: tried first) or as
 * base32 (RFC 4648; blanks inside, as apps show it in groups, are
 * ignored), with blanks around it.  REASON_OK with *@encoding set, or
 * REASON_CONFIG with @err (never quoting the key). */
int otpkey_decode_text(const char *text, uint8_t key[OTP_MAX_KEY], size_t *keylen,
                       enum otpkey_encoding *encoding, char *err, size_t errlen);

#endif
