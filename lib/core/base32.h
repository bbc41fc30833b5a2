/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * base32.h - RFC 4648 section 6 base32: the form authenticator apps take a
 * secret in (otpauth:// URIs, typed-in keys).
 *
 * Decoding is strict: the RFC 4648 alphabet in either case, '=' padding
 * either absent or complete and correct (section 3.2), no other character,
 * no length a whole number of bytes cannot have, and the unused bits of the
 * last character zero (section 3.5, so each key has one spelling).
 */
#ifndef CRAUTH_BASE32_H
#define CRAUTH_BASE32_H

#include "lib/tier_helper_side.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Characters base32_encode writes for @len bytes, without the NUL. */
size_t base32_encoded_len(size_t len, bool pad);

/* @len bytes of @in into @out (upper case, '=' padded when @pad), NUL
 * terminated.  false when @outsize is too small. */
bool base32_encode(const uint8_t *in, size_t len, bool pad, char *out, size_t outsize);

/* @in into at most @outsize bytes of @out.  false when @in is not base32 as
 * above, or decodes to more than @outsize bytes. */
bool base32_decode(const char *in, uint8_t *out, size_t outsize, size_t *outlen);

#endif
