/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * otpauth.h - the otpauth:// URI an authenticator app enrols a token from,
 * per Google Authenticator's "Key Uri Format" (the de facto standard):
 *
 *   otpauth://totp/ISSUER:ACCOUNT?secret=BASE32&issuer=ISSUER
 *       &algorithm=SHA1&digits=6&period=30
 *   otpauth://hotp/ISSUER:ACCOUNT?secret=BASE32&issuer=ISSUER
 *       &algorithm=SHA1&digits=6&counter=0
 *
 * The label and the issuer parameter are UTF-8, percent-encoded (RFC 3986
 * section 2.1: every byte outside the unreserved set of section 2.3); the
 * secret is base32 without padding, as the format asks.
 */
#ifndef CRAUTH_OTPAUTH_H
#define CRAUTH_OTPAUTH_H

#include "lib/tier_helper_side.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/core/otp.h"

#define OTPAUTH_URI_SIZE 1024

struct otpauth {
    bool totp; /* totp (period) or hotp (counter) */
    const uint8_t *key;
    size_t keylen;
    const char *issuer;  /* non-empty, no ':' (the format forbids it) */
    const char *account; /* non-empty, no ':' */
    enum otp_hash hash;
    unsigned digits;
    unsigned period;  /* totp, seconds */
    uint64_t counter; /* hotp */
};

/* The URI into @out.  REASON_OK, or REASON_CONFIG with @err for an issuer
 * or account the format cannot carry, or a URI longer than @outsize. */
int otpauth_uri(const struct otpauth *p, char *out, size_t outsize, char *err, size_t errlen);

#endif
