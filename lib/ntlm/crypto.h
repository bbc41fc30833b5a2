/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * crypto.h - the primitives MS-NLMP is built from, and the only door to
 * OpenSSL in lib/ntlm: MD4, MD5, HMAC-MD5 and RC4 from a private library
 * context, random bytes, the TLS certificate hash of RFC 5929, and the
 * base64 of the HTTP headers.  ntlm_crypto.h composes these into the
 * spec's functions; nothing else in lib/ntlm includes an OpenSSL header.
 *
 * Every int-returning function returns one of enum ntlm_result.
 */
#ifndef CRAUTH_NTLM_PRIMITIVES_H
#define CRAUTH_NTLM_PRIMITIVES_H

#include "lib/tier_helper_side.h"

#include <stddef.h>
#include <stdint.h>

#include "lib/ntlm/ntlm_base.h"

#define NTLM_MAX_HASH 64 /* bytes of the longest certificate hash (SHA-512) */

/* One piece of a message that is hashed or MACed in parts. */
struct ntlm_chunk {
    const uint8_t *p;
    size_t len;
};

/* Load the legacy and default providers into the private library context
 * now.  Optional: every function does it on first use; a sandboxed process
 * calls this before it loses access to the OpenSSL modules directory. */
int ntlm_crypto_init(void);

/* MD4 and MD5 of the @n chunks in order. */
int ntlm_md4(const struct ntlm_chunk *in, size_t n, uint8_t out[NTLM_KEY_LEN]);
int ntlm_md5(const struct ntlm_chunk *in, size_t n, uint8_t out[NTLM_KEY_LEN]);

/* HMAC-MD5 (RFC 2104) of the @n chunks in order under a 16-byte @key. */
int ntlm_hmac_md5(const uint8_t key[NTLM_KEY_LEN], const struct ntlm_chunk *in, size_t n,
                  uint8_t out[NTLM_KEY_LEN]);

/* RC4 under a 16-byte @key over @len bytes of @in into @out (MS-NLMP
 * 3.4.5.1 RC4K, its only use here). */
int ntlm_rc4(const uint8_t key[NTLM_KEY_LEN], const uint8_t *in, size_t len, uint8_t *out);

/* The hash RFC 5929 4.1 names for a certificate: its signature's hash,
 * SHA-256 where that is MD5 or SHA-1, of the whole DER.  @out holds
 * NTLM_MAX_HASH bytes; *outlen set.  NTLM_ERR_DECODE if @cert_der is not
 * exactly one certificate, NTLM_ERR_ARG if its signature names no single
 * hash (Ed25519: RFC 5929 leaves it undefined). */
int ntlm_cert_hash(const uint8_t *cert_der, size_t len, uint8_t out[NTLM_MAX_HASH], size_t *outlen);

/* CSPRNG bytes from the private context. */
int ntlm_random_bytes(uint8_t *out, size_t len);

/* Base64 for "Authorization: NTLM <token>".  Encode: NUL-terminated text in
 * *out.  Decode: strict alphabet, padding required, no whitespace, at most
 * NTLM_MAX_MESSAGE decoded bytes (NTLM_ERR_DECODE otherwise).  free() both. */
int ntlm_b64_encode(const uint8_t *in, size_t len, char **out);
int ntlm_b64_decode(const char *in, size_t len, uint8_t **out, size_t *outlen);

#endif
