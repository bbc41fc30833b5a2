/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * x509_token.h - the key-possession challenge of token type x509, after
 * OFTP2's secure authentication (RFC 5024 5.3.17 AUCH, 5.3.18 AURP).
 *
 * The tokens file names the user's certificate (a PEM file); the helper
 * draws 20 random bytes, wraps them in CMS EnvelopedData (RFC 5652 6) to
 * that certificate with AES-256-CBC, and shows the envelope as PEM.  The
 * user decrypts it with the private key (a file, a smartcard) and answers
 * with the 20 bytes as 40 hex digits.  Only the holder of the key can.
 *
 *   x509_token_load       read, parse and check the certificate
 *   x509_token_challenge  fill secret[20], return the envelope as PEM text
 *   x509_token_response_ok  compare the answer in constant time, wipe secret
 *
 * Every function that can fail returns a reason code (lib/common/reason.h)
 * and writes one line into @err.
 */
#ifndef CRAUTH_X509_TOKEN_H
#define CRAUTH_X509_TOKEN_H

#include "lib/tier_helper_side.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* RFC 5024 5.3.17: "A [CMS] encrypted 20-byte random number". */
#define X509_CHALLENGE_LEN 20
/* The answer: the 20 bytes as hex, nothing else but surrounding blanks. */
#define X509_RESPONSE_HEX (2 * X509_CHALLENGE_LEN)
/* A certificate file larger than this is refused (one certificate, with
 * the text `openssl x509 -text` may put before it, is well below). */
#define X509_CERT_MAX_FILE (64 * 1024)
/* The envelope must fit in one helper->module frame with the prompt's own
 * words around it (WIRE_MAX_PAYLOAD is 4096). */
#define X509_ENVELOPE_MAX 3584

struct x509_token;

/* Read @cert_path through the trust rules of lib/core/fileio (owned by root
 * or the helper's user, writable by no one else), parse it, check its
 * validity period against the current time and, when @ca_file is not NULL,
 * its chain against the CAs in @ca_file.
 * REASON_OK, or REASON_CERT_INVALID, REASON_CERT_EXPIRED,
 * REASON_CERT_UNTRUSTED, REASON_CONFIG (the CA file), REASON_INTERNAL. */
int x509_token_load(const char *cert_path, const char *ca_file, struct x509_token **out, char *err,
                    size_t errlen);

/* The steps of x509_token_load, for tests and the fuzzer.
 * Parse @len bytes of @text: exactly one PEM certificate (text before it is
 * allowed, anything but blanks after it is not), with an RSA key of 2048 to
 * 8192 bits or an EC key on a named curve of 256 bits or more, and a key
 * usage (if present) that allows key encipherment (RSA) or key agreement
 * (EC).  @what names the input in messages.  REASON_OK or
 * REASON_CERT_INVALID (REASON_INTERNAL when out of memory). */
int x509_token_parse(const char *text, size_t len, const char *what, struct x509_token **out,
                     char *err, size_t errlen);
/* REASON_OK if @now lies in the validity period, else REASON_CERT_EXPIRED
 * with "not valid before ..." or "expired ...". */
int x509_token_check_time(const struct x509_token *t, time_t now, char *err, size_t errlen);
/* Verify the chain to a CA in @ca_file (PEM, read through the trust rules),
 * any purpose, at the current time.  CRLs in @ca_file ("X509 CRL" blocks)
 * switch on revocation checks for the whole chain: every certificate then
 * needs a current CRL of its issuer (RFC 5280 6.3).  REASON_OK,
 * REASON_CERT_UNTRUSTED with OpenSSL's verification error and depth
 * ("certificate revoked", "CRL has expired", "unable to get certificate
 * CRL"), or REASON_CONFIG when the CA file is missing, refused, holds no
 * certificate or a block that does not parse. */
int x509_token_verify_chain(const struct x509_token *t, const char *ca_file, char *err,
                            size_t errlen);

/* For `crauth check`: one line on the x509_ca file at @now: how many CA
 * certificates and CRLs, and when the first CRL lapses.  REASON_OK;
 * REASON_CERT_UNTRUSTED when a CRL has lapsed (every x509 login fails);
 * REASON_CONFIG when the file is refused, unreadable or has no certificate. */
int x509_ca_describe(const char *ca_file, time_t now, char *out, size_t outlen);

/* One line for logs: "subject=..., RSA-2048, not after 2027-01-01 00:00:00 UTC". */
const char *x509_token_summary(const struct x509_token *t);

/* Draw X509_CHALLENGE_LEN random bytes into @secret and wrap them in CMS
 * EnvelopedData to the certificate: AES-256-CBC content encryption; RSA
 * key transport with PKCS #1 v1.5 (RFC 5024 10.2, cipher suite 02); EC
 * key agreement (ephemeral-static ECDH, RFC 5753 3.1).  *@pem gets the
 * envelope as NUL-terminated PEM text, "-----BEGIN CMS-----" ... with a
 * final newline; free it with free().  The caller keeps @secret in memory
 * that is wiped (x509_token_response_ok does), and uses it once.
 * REASON_OK, REASON_CERT_INVALID (envelope over X509_ENVELOPE_MAX) or
 * REASON_INTERNAL; on failure @secret is wiped and *@pem is NULL. */
int x509_token_challenge(const struct x509_token *t, uint8_t secret[X509_CHALLENGE_LEN], char **pem,
                         char *err, size_t errlen);

/* True if @response is the hex form of @secret: exactly X509_RESPONSE_HEX
 * hex digits (either case) after trimming blanks and line ends around it,
 * compared in constant time.  @secret is wiped in every case, so a
 * challenge can be answered once. */
bool x509_token_response_ok(uint8_t secret[X509_CHALLENGE_LEN], const char *response);

void x509_token_free(struct x509_token *t);

/* OpenSSL's most specific message for the failure just seen, for @err
 * lines, leaving a clean error queue for whoever calls next. */
const char *x509_openssl_reason(void);

#endif
