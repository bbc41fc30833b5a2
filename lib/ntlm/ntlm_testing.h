/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ntlm_testing.h - TEST ONLY: what tests/unit/test_ntlm.c checks beyond
 * ntlm.h.  SIGNKEY and SEALKEY are MS-NLMP functions the HTTP client never
 * calls (it negotiates neither signing nor sealing); the tests hold them to
 * the 4.2.4 vectors, so they are ready the day something does.
 */
#ifndef CRAUTH_NTLM_TESTING_H
#define CRAUTH_NTLM_TESTING_H

#include "lib/tier_helper_side.h"

#include <stddef.h>
#include <stdint.h>

#include "lib/ntlm/ntlm_base.h"

/* Which side a SIGNKEY/SEALKEY is for (MS-NLMP 3.4.5.2/3.4.5.3 "Mode"). */
enum ntlm_mode { NTLM_MODE_CLIENT, NTLM_MODE_SERVER };

/* MS-NLMP 3.4.5.2; NTLM_ERR_ARG without extended session security (no key).
 * Checked against the 4.2.4 vectors; HTTP negotiates no signing. */
int SIGNKEY(uint32_t flags, const uint8_t exported_session_key[NTLM_KEY_LEN],
            enum ntlm_mode mode, uint8_t out[NTLM_KEY_LEN]);

/* MS-NLMP 3.4.5.3 with extended session security (the key is cut to 7 or 5 bytes
 * before hashing without NEGOTIATE_128); NTLM_ERR_ARG without ESS. */
int SEALKEY(uint32_t flags, const uint8_t exported_session_key[NTLM_KEY_LEN],
            enum ntlm_mode mode, uint8_t out[NTLM_KEY_LEN]);

#endif
