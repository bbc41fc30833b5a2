/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * digest.h - the hashes and HMACs of OATH (RFC 4226, 6238, 6287) and of the
 * cache's record names, and the constant-time comparison of codes.
 *
 * They are nettle's, not OpenSSL's: OpenSSL 3 builds its algorithm name
 * map on the first EVP fetch of a process, about 5 M instructions, which a
 * helper that lives for one login pays every time (doc/design.md, "Why
 * OATH hashes come from nettle").  nettle keys an HMAC with no set-up at
 * all.  OpenSSL stays for TLS, NTLM and the x509 token's CMS envelopes.
 */
#ifndef CRAUTH_DIGEST_H
#define CRAUTH_DIGEST_H

#include "lib/tier_helper_side.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define DIGEST_MAX 64 /* SHA-512's output, the largest */

enum digest_alg { DIGEST_SHA1, DIGEST_SHA256, DIGEST_SHA512 };

/* The output size of @alg in bytes; 0 when @alg is none of the above. */
size_t digest_size(enum digest_alg alg);

/* HMAC-@alg (RFC 2104) of @msg under @key into @out (digest_size bytes).
 * false only when @alg is unknown. */
bool digest_hmac(enum digest_alg alg, const uint8_t *key, size_t keylen, const uint8_t *msg,
                 size_t msglen, uint8_t out[DIGEST_MAX]);

/* @alg of the @n pieces of @iov taken one after another, into @out.
 * false only when @alg is unknown. */
bool digest_hash(enum digest_alg alg, const struct iovec *iov, size_t n, uint8_t out[DIGEST_MAX]);

/* @len bytes at @a and @b equal, in a time that does not depend on where
 * they differ. */
bool digest_equal(const void *a, const void *b, size_t len);

#endif
