/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ntlm_crypto.c - the NTLMv2 functions of MS-NLMP, each as the spec writes
 * it (3.3.2, 3.4.5, 3.1.5.1.2, 2.2.2.1), over the primitives of crypto.h
 * and the UNICODE() of unicode.h.  No OpenSSL here: gss-ntlmssp draws the
 * same line between its src/ntlm_crypto.c and src/crypto.c.
 */
#include "lib/ntlm/ntlm_crypto.h"

#include <stdint.h>
#include <string.h>

#include "lib/common/secmem.h"
#include "lib/ntlm/crypto.h"
#include "lib/ntlm/ntlm_testing.h"
#include "lib/ntlm/unicode.h"

int
NTOWFv1(const char *password_utf8, uint8_t out[NTLM_KEY_LEN])
{
    uint8_t *pw = NULL;
    size_t pwlen = 0;
    struct ntlm_chunk in[1];
    int ret = ntlm_utf8_to_utf16le(password_utf8, 0, &pw, &pwlen);

    if (ret != NTLM_OK)
        goto out;
    in[0] = (struct ntlm_chunk){pw, pwlen};
    ret = ntlm_md4(in, 1, out);
out:
    secmem_free(pw, pwlen);
    return ret;
}

int
NTOWFv2(const uint8_t nt_hash[NTLM_KEY_LEN], const char *user_utf8, const char *domain_utf8,
        uint8_t out[NTLM_KEY_LEN])
{
    uint8_t *user = NULL, *dom = NULL;
    size_t ulen = 0, dlen = 0;
    struct ntlm_chunk in[2];
    int ret = NTLM_ERR_ARG;

    if (nt_hash == NULL || out == NULL)
        goto out;
    ret = ntlm_utf8_to_utf16le(user_utf8, 1, &user, &ulen);
    if (ret != NTLM_OK)
        goto out;
    /* UserDom is not uppercased: the acceptor hashes the domain string it received */
    ret = ntlm_utf8_to_utf16le(domain_utf8, 0, &dom, &dlen);
    if (ret != NTLM_OK)
        goto out;
    in[0] = (struct ntlm_chunk){user, ulen};
    in[1] = (struct ntlm_chunk){dom, dlen};
    ret = ntlm_hmac_md5(nt_hash, in, 2, out);
out:
    secmem_free(user, ulen);
    secmem_free(dom, dlen);
    return ret;
}

int
ntlmv2_temp(const uint8_t time_le[8], const uint8_t client_challenge[NTLM_CHALLENGE_LEN],
            const uint8_t *av_pairs, size_t avlen, uint8_t *out, size_t outlen)
{
    int ret = NTLM_ERR_ARG;

    if (time_le == NULL || client_challenge == NULL || out == NULL ||
        (av_pairs == NULL && avlen != 0) || avlen > SIZE_MAX - NTLM_TEMP_FIXED_LEN ||
        outlen != NTLM_TEMP_FIXED_LEN + avlen)
        goto out;
    memset(out, 0, outlen);
    out[0] = 1; /* Responserversion */
    out[1] = 1; /* HiResponserversion */
    memcpy(out + 8, time_le, 8);
    memcpy(out + 16, client_challenge, NTLM_CHALLENGE_LEN);
    if (avlen != 0)
        memcpy(out + 28, av_pairs, avlen);
    ret = NTLM_OK;
out:
    return ret;
}

int
NTProofStr(const uint8_t response_key_nt[NTLM_KEY_LEN],
           const uint8_t server_challenge[NTLM_CHALLENGE_LEN], const uint8_t *temp, size_t templen,
           uint8_t out[NTLM_KEY_LEN])
{
    struct ntlm_chunk in[2] = {{server_challenge, NTLM_CHALLENGE_LEN}, {temp, templen}};
    int ret = NTLM_ERR_ARG;

    if (response_key_nt != NULL && server_challenge != NULL && temp != NULL && out != NULL)
        ret = ntlm_hmac_md5(response_key_nt, in, 2, out);
    return ret;
}

int
LMv2Response(const uint8_t response_key_lm[NTLM_KEY_LEN],
             const uint8_t server_challenge[NTLM_CHALLENGE_LEN],
             const uint8_t client_challenge[NTLM_CHALLENGE_LEN], uint8_t out[NTLM_LMV2_LEN])
{
    struct ntlm_chunk in[2] = {{server_challenge, NTLM_CHALLENGE_LEN},
                               {client_challenge, NTLM_CHALLENGE_LEN}};
    int ret = NTLM_ERR_ARG;

    if (response_key_lm == NULL || server_challenge == NULL || client_challenge == NULL ||
        out == NULL)
        goto out;
    ret = ntlm_hmac_md5(response_key_lm, in, 2, out);
    if (ret == NTLM_OK)
        memcpy(out + NTLM_KEY_LEN, client_challenge, NTLM_CHALLENGE_LEN);
out:
    return ret;
}

int
SessionBaseKey(const uint8_t response_key_nt[NTLM_KEY_LEN],
               const uint8_t nt_proof_str[NTLM_KEY_LEN], uint8_t out[NTLM_KEY_LEN])
{
    struct ntlm_chunk in[1] = {{nt_proof_str, NTLM_KEY_LEN}};
    int ret = NTLM_ERR_ARG;

    if (response_key_nt != NULL && nt_proof_str != NULL && out != NULL)
        ret = ntlm_hmac_md5(response_key_nt, in, 1, out);
    return ret;
}

int
ComputeResponse(const uint8_t response_key[NTLM_KEY_LEN],
                const uint8_t server_challenge[NTLM_CHALLENGE_LEN],
                const uint8_t client_challenge[NTLM_CHALLENGE_LEN], const uint8_t time_le[8],
                const uint8_t *server_name, size_t server_name_len, uint8_t *nt_response,
                size_t nt_len, uint8_t lm_response[NTLM_LMV2_LEN],
                uint8_t session_base_key[NTLM_KEY_LEN])
{
    int ret = NTLM_ERR_ARG;

    if (nt_response == NULL || server_name_len > NTLM_MAX_MESSAGE ||
        nt_len != NTLM_KEY_LEN + NTLM_TEMP_FIXED_LEN + server_name_len)
        goto out;
    ret = ntlmv2_temp(time_le, client_challenge, server_name, server_name_len,
                      nt_response + NTLM_KEY_LEN, nt_len - NTLM_KEY_LEN);
    if (ret == NTLM_OK)
        ret = NTProofStr(response_key, server_challenge, nt_response + NTLM_KEY_LEN,
                         nt_len - NTLM_KEY_LEN, nt_response);
    if (ret == NTLM_OK)
        ret = SessionBaseKey(response_key, nt_response, session_base_key);
    if (ret == NTLM_OK && lm_response != NULL)
        ret = LMv2Response(response_key, server_challenge, client_challenge, lm_response);
out:
    return ret;
}

int
KXKEY(const uint8_t session_base_key[NTLM_KEY_LEN], uint8_t out[NTLM_KEY_LEN])
{
    int ret = NTLM_ERR_ARG;

    /* 3.4.5.1: the LM_KEY/NON_NT_SESSION_KEY variants exist only for NTLMv1 */
    if (session_base_key != NULL && out != NULL) {
        memmove(out, session_base_key, NTLM_KEY_LEN);
        ret = NTLM_OK;
    }
    return ret;
}

int
EncryptedRandomSessionKey(const uint8_t kxkey[NTLM_KEY_LEN],
                          const uint8_t exported_session_key[NTLM_KEY_LEN],
                          uint8_t out[NTLM_KEY_LEN])
{
    /* 3.4.5.1 RC4K(KeyExchangeKey, ExportedSessionKey) */
    return ntlm_rc4(kxkey, exported_session_key, NTLM_KEY_LEN, out);
}

static const char sign_c2s[] = "session key to client-to-server signing key magic constant";
static const char sign_s2c[] = "session key to server-to-client signing key magic constant";
static const char seal_c2s[] = "session key to client-to-server sealing key magic constant";
static const char seal_s2c[] = "session key to server-to-client sealing key magic constant";

/* MD5(key[0..keylen) ‖ magic), the magic's terminating NUL included as in the spec;
 * only defined here with extended session security (without it: LM key material). */
static int
magic_md5(uint32_t flags, const uint8_t *key, size_t keylen, const char *magic,
          uint8_t out[NTLM_KEY_LEN])
{
    struct ntlm_chunk in[2] = {{key, keylen}, {(const uint8_t *)magic, sizeof(sign_c2s)}};
    int ret = NTLM_ERR_ARG;

    if ((flags & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY) && key != NULL && out != NULL)
        ret = ntlm_md5(in, 2, out);
    return ret;
}

int
SIGNKEY(uint32_t flags, const uint8_t exported_session_key[NTLM_KEY_LEN], enum ntlm_mode mode,
        uint8_t out[NTLM_KEY_LEN])
{
    return magic_md5(flags, exported_session_key, NTLM_KEY_LEN,
                     mode == NTLM_MODE_CLIENT ? sign_c2s : sign_s2c, out);
}

int
SEALKEY(uint32_t flags, const uint8_t exported_session_key[NTLM_KEY_LEN], enum ntlm_mode mode,
        uint8_t out[NTLM_KEY_LEN])
{
    size_t keylen = 5; /* 40-bit: neither NEGOTIATE_128 nor NEGOTIATE_56 */

    if (flags & NTLMSSP_NEGOTIATE_128)
        keylen = NTLM_KEY_LEN;
    else if (flags & NTLMSSP_NEGOTIATE_56)
        keylen = 7;
    return magic_md5(flags, exported_session_key, keylen,
                     mode == NTLM_MODE_CLIENT ? seal_c2s : seal_s2c, out);
}

int
MIC(const uint8_t exported_session_key[NTLM_KEY_LEN], const uint8_t *negotiate, size_t neglen,
    const uint8_t *challenge, size_t challen, const uint8_t *authenticate, size_t authlen,
    uint8_t out[NTLM_KEY_LEN])
{
    struct ntlm_chunk in[3] = {{negotiate, neglen}, {challenge, challen}, {authenticate, authlen}};
    int ret = NTLM_ERR_ARG;

    if (exported_session_key != NULL && negotiate != NULL && challenge != NULL &&
        authenticate != NULL && out != NULL)
        ret = ntlm_hmac_md5(exported_session_key, in, 3, out);
    return ret;
}

int
ntlm_channel_bindings_hash(const uint8_t *app_data, size_t len, uint8_t out[NTLM_KEY_LEN])
{
    /* initiator_addrtype, initiator_address.length, acceptor_addrtype,
     * acceptor_address.length (all zero), application_data.length: LE32 each */
    uint8_t hdr[20] = {0};
    struct ntlm_chunk in[2] = {{hdr, sizeof(hdr)}, {app_data, len}};
    int ret = NTLM_ERR_ARG;

    if (app_data == NULL || out == NULL || len > UINT32_MAX)
        goto out;
    for (int i = 0; i < 4; i++)
        hdr[16 + i] = (uint8_t)(len >> (8 * i));
    ret = ntlm_md5(in, 2, out);
out:
    return ret;
}

int
ntlm_cert_channel_bindings_hash(const uint8_t *cert_der, size_t len, uint8_t out[NTLM_KEY_LEN])
{
    static const char prefix[] = "tls-server-end-point:";
    uint8_t app[sizeof(prefix) - 1 + NTLM_MAX_HASH];
    size_t hlen = 0;
    int ret = NTLM_ERR_ARG;

    if (out == NULL)
        goto out;
    /* RFC 5929 4.1: the application data is the prefix and the certificate's hash */
    memcpy(app, prefix, sizeof(prefix) - 1);
    ret = ntlm_cert_hash(cert_der, len, app + sizeof(prefix) - 1, &hlen);
    if (ret == NTLM_OK)
        ret = ntlm_channel_bindings_hash(app, sizeof(prefix) - 1 + hlen, out);
out:
    return ret;
}
