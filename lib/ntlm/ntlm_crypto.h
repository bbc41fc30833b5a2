/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ntlm_crypto.h - the NTLMv2 functions of MS-NLMP, named as in the spec
 * (3.3.2 NTLM v2 Authentication, 3.4.5.1 KXKEY, 3.1.5.1.2 MIC, 2.2.2.1
 * MsvAvChannelBindings) so the code can be read beside it.
 *
 * No NTLM message encoding lives here (see ntlm.h), and no OpenSSL (the
 * primitives are crypto.h's).  Fixed-size outputs are caller buffers of the
 * size given in the prototype; every secret temporary is wiped before
 * returning.  SIGNKEY and SEALKEY (3.4.5.2, 3.4.5.3) are in ntlm_testing.h:
 * HTTP negotiates neither signing nor sealing, only the tests call them.
 *
 * Every int-returning function returns one of enum ntlm_result.
 */
#ifndef CRAUTH_NTLM_CRYPTO_H
#define CRAUTH_NTLM_CRYPTO_H

#include "lib/tier_helper_side.h"

#include <stddef.h>
#include <stdint.h>

#include "lib/ntlm/ntlm_base.h"

/* NegotiateFlags (MS-NLMP 2.2.2.5). */
#define NTLMSSP_NEGOTIATE_UNICODE 0x00000001u
#define NTLMSSP_NEGOTIATE_OEM 0x00000002u
#define NTLMSSP_REQUEST_TARGET 0x00000004u
#define NTLMSSP_NEGOTIATE_SIGN 0x00000010u
#define NTLMSSP_NEGOTIATE_SEAL 0x00000020u
#define NTLMSSP_NEGOTIATE_LM_KEY 0x00000080u
#define NTLMSSP_NEGOTIATE_NTLM 0x00000200u
#define NTLMSSP_NEGOTIATE_ANONYMOUS 0x00000800u
#define NTLMSSP_NEGOTIATE_ALWAYS_SIGN 0x00008000u
#define NTLMSSP_TARGET_TYPE_DOMAIN 0x00010000u
#define NTLMSSP_TARGET_TYPE_SERVER 0x00020000u
#define NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY 0x00080000u
#define NTLMSSP_NEGOTIATE_TARGET_INFO 0x00800000u
#define NTLMSSP_NEGOTIATE_VERSION 0x02000000u
#define NTLMSSP_NEGOTIATE_128 0x20000000u
#define NTLMSSP_NEGOTIATE_KEY_EXCH 0x40000000u
#define NTLMSSP_NEGOTIATE_56 0x80000000u

/* MS-NLMP 3.3.1: MD4(UNICODE(Passwd)), the "NT hash". */
int NTOWFv1(const char *password_utf8, uint8_t out[NTLM_KEY_LEN]);

/* MS-NLMP 3.3.2: HMAC_MD5(NTOWFv1, UNICODE(Uppercase(User) ‖ UserDom)); takes the
 * NT hash so the password need not be kept.  LMOWFv2 is the same function. */
int NTOWFv2(const uint8_t nt_hash[NTLM_KEY_LEN], const char *user_utf8, const char *domain_utf8,
            uint8_t out[NTLM_KEY_LEN]);

/* MS-NLMP 3.3.2 "temp": Responserversion 1, HiResponserversion 1, Z(6), Time,
 * ClientChallenge, Z(4), AV pairs, Z(4).  @outlen must be
 * NTLM_TEMP_FIXED_LEN + avlen. */
int ntlmv2_temp(const uint8_t time_le[8], const uint8_t client_challenge[NTLM_CHALLENGE_LEN],
                const uint8_t *av_pairs, size_t avlen, uint8_t *out, size_t outlen);

/* MS-NLMP 3.3.2: HMAC_MD5(ResponseKeyNT, ServerChallenge ‖ temp). */
int NTProofStr(const uint8_t response_key_nt[NTLM_KEY_LEN],
               const uint8_t server_challenge[NTLM_CHALLENGE_LEN], const uint8_t *temp,
               size_t templen, uint8_t out[NTLM_KEY_LEN]);

/* MS-NLMP 3.3.2: HMAC_MD5(ResponseKeyLM, ServerChallenge ‖ ClientChallenge) ‖ ClientChallenge. */
int LMv2Response(const uint8_t response_key_lm[NTLM_KEY_LEN],
                 const uint8_t server_challenge[NTLM_CHALLENGE_LEN],
                 const uint8_t client_challenge[NTLM_CHALLENGE_LEN], uint8_t out[NTLM_LMV2_LEN]);

/* MS-NLMP 3.3.2 ComputeResponse for NTLMv2 (ResponseKeyLM = ResponseKeyNT): the
 * NtChallengeResponse NTProofStr ‖ temp into @nt_response, @nt_len being
 * NTLM_KEY_LEN + NTLM_TEMP_FIXED_LEN + @server_name_len (the AV pairs); the LMv2
 * response unless @lm_response is NULL (a client sending a MIC sends Z(24)); the
 * SessionBaseKey. */
int ComputeResponse(const uint8_t response_key[NTLM_KEY_LEN],
                    const uint8_t server_challenge[NTLM_CHALLENGE_LEN],
                    const uint8_t client_challenge[NTLM_CHALLENGE_LEN], const uint8_t time_le[8],
                    const uint8_t *server_name, size_t server_name_len, uint8_t *nt_response,
                    size_t nt_len, uint8_t lm_response[NTLM_LMV2_LEN],
                    uint8_t session_base_key[NTLM_KEY_LEN]);

/* MS-NLMP 3.3.2: HMAC_MD5(ResponseKeyNT, NTProofStr). */
int SessionBaseKey(const uint8_t response_key_nt[NTLM_KEY_LEN],
                   const uint8_t nt_proof_str[NTLM_KEY_LEN], uint8_t out[NTLM_KEY_LEN]);

/* MS-NLMP 3.4.5.1 for NTLMv2: the KeyExchangeKey is the SessionBaseKey. */
int KXKEY(const uint8_t session_base_key[NTLM_KEY_LEN], uint8_t out[NTLM_KEY_LEN]);

/* MS-NLMP 3.1.5.1.2: RC4(KeyExchangeKey, ExportedSessionKey), only for KEY_EXCH. */
int EncryptedRandomSessionKey(const uint8_t kxkey[NTLM_KEY_LEN],
                              const uint8_t exported_session_key[NTLM_KEY_LEN],
                              uint8_t out[NTLM_KEY_LEN]);

/* MS-NLMP 3.1.5.1.2: HMAC_MD5(ExportedSessionKey, NEGOTIATE ‖ CHALLENGE ‖ AUTHENTICATE),
 * the last with its MIC field zeroed by the caller. */
int MIC(const uint8_t exported_session_key[NTLM_KEY_LEN], const uint8_t *negotiate, size_t neglen,
        const uint8_t *challenge, size_t challen, const uint8_t *authenticate, size_t authlen,
        uint8_t out[NTLM_KEY_LEN]);

/* MS-NLMP 2.2.2.1 MsvAvChannelBindings: MD5 of a gss_channel_bindings_struct whose
 * address fields are zero and whose application data is @app_data. */
int ntlm_channel_bindings_hash(const uint8_t *app_data, size_t len, uint8_t out[NTLM_KEY_LEN]);

/* The same for TLS: application data "tls-server-end-point:" ‖ H(@cert_der) (RFC 5929
 * 4.1).  NTLM_ERR_DECODE if the certificate does not parse, NTLM_ERR_ARG if its
 * signature algorithm names no single hash (e.g. Ed25519: undefined by RFC 5929). */
int ntlm_cert_channel_bindings_hash(const uint8_t *cert_der, size_t len, uint8_t out[NTLM_KEY_LEN]);

#endif
