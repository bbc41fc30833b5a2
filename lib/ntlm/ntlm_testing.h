/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ntlm_testing.h - TEST ONLY: what tests/unit/test_ntlm.c needs beyond
 * ntlm.h: a run-time hook that makes AUTHENTICATE reproduce MS-NLMP 4.2.4
 * byte for byte, and SIGNKEY and SEALKEY, MS-NLMP functions the HTTP client
 * never calls (it negotiates neither signing nor sealing) that the tests
 * hold to the 4.2.4 vectors.
 *
 * Only lib/ntlm and tests/ include this header (tests/unit/tiers.sh checks
 * that no product source does), so nothing the helper reads, its
 * configuration least of all, can reach these functions: a client that is
 * never handed a struct ntlm_testing draws its randomness from the CSPRNG,
 * takes the time from the server or the clock, and builds the normal form.
 */
#ifndef CRAUTH_NTLM_TESTING_H
#define CRAUTH_NTLM_TESTING_H

#include "lib/tier_helper_side.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/ntlm/ntlm.h"

struct ntlm_testing {
    /* Instead of the CSPRNG: asked for the ClientChallenge (8 bytes), then,
     * with KEY_EXCH, the ExportedSessionKey (16 bytes; MS-NLMP 3.1.5.1.2).
     * Returns an enum ntlm_result. */
    int (*random_bytes)(void *arg, uint8_t *out, size_t len);
    /* Instead of the clock when the server sent no MsvAvTimestamp: a
     * FILETIME (100 ns since 1601). */
    uint64_t (*filetime)(void *arg);
    void *arg;
    /* The 4.2.4 client: AUTHENTICATE confirms @flags (KEY_EXCH among them
     * sends an EncryptedRandomSessionKey) and carries @version, instead of
     * our own choice; the rest is built as usual. */
    bool spec_form;
    uint32_t flags;
    uint8_t version[8];
};

/* Use @t (copied) for @c's AUTHENTICATE; NULL members keep the real source. */
int ntlm_client_set_testing(struct ntlm_client *c, const struct ntlm_testing *t);

/* Which side a SIGNKEY/SEALKEY is for (MS-NLMP 3.4.5.2/3.4.5.3 "Mode"). */
enum ntlm_mode { NTLM_MODE_CLIENT, NTLM_MODE_SERVER };

/* MS-NLMP 3.4.5.2; NTLM_ERR_ARG without extended session security (no key).
 * Checked against the 4.2.4 vectors; HTTP negotiates no signing. */
int SIGNKEY(uint32_t flags, const uint8_t exported_session_key[NTLM_KEY_LEN], enum ntlm_mode mode,
            uint8_t out[NTLM_KEY_LEN]);

/* MS-NLMP 3.4.5.3 with extended session security (the key is cut to 7 or 5 bytes
 * before hashing without NEGOTIATE_128); NTLM_ERR_ARG without ESS. */
int SEALKEY(uint32_t flags, const uint8_t exported_session_key[NTLM_KEY_LEN], enum ntlm_mode mode,
            uint8_t out[NTLM_KEY_LEN]);

#endif
