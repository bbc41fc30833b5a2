/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ntlm_base.h - what every file of lib/ntlm shares: the result codes and
 * the sizes of MS-NLMP's fixed fields.
 */
#ifndef CRAUTH_NTLM_BASE_H
#define CRAUTH_NTLM_BASE_H

#include "lib/tier_helper_side.h"

/* What every int-returning function of lib/ntlm returns. */
enum ntlm_result {
    NTLM_OK = 0,     /* done; outputs are valid */
    NTLM_ERR_DECODE, /* a server message is malformed (bounds, lengths, AV pairs, encoding) */
    NTLM_ERR_FLAGS,  /* the server did not agree to UNICODE, NTLM and extended session security */
    NTLM_ERR_CRYPTO, /* OpenSSL failed, or MD4/RC4 are unavailable (legacy provider missing) */
    NTLM_ERR_ARG,    /* a parameter is NULL, too long, or a call came out of order */
    NTLM_ERR_NOMEM,  /* out of memory */
    NTLM_ERR_UTF8,   /* a credential or name is not strict UTF-8 (overlong, surrogate, truncated) */
};

#define NTLM_KEY_LEN 16        /* NT hash, NTOWFv2, session keys, MIC, NTProofStr, CB hash */
#define NTLM_CHALLENGE_LEN 8   /* server and client challenges */
#define NTLM_LMV2_LEN 24       /* LMv2 response: HMAC ‖ ClientChallenge */
#define NTLM_TEMP_FIXED_LEN 32 /* temp blob without the AV pairs: 28-byte header + Z(4) */
#define NTLM_MAX_STRING 1024   /* bytes of UTF-8 accepted for any credential or name */
#define NTLM_MAX_MESSAGE 16384 /* bytes of a decoded NTLM token, either direction */

#endif
