/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ntlm_crypto.c - MS-NLMP NTLMv2 cryptography over OpenSSL 3, plus the strict
 * UTF-8 -> UTF-16LE conversion the protocol's UNICODE() needs and the base64
 * of the HTTP headers (the only OpenSSL user besides the crypto).
 *
 * Why a private OSSL_LIB_CTX with the legacy provider rather than in-tree
 * MD4/RC4: NTOWFv1 needs MD4 and key exchange needs RC4, which OpenSSL 3 only
 * offers in the `legacy` provider.  Loading that provider globally (or via
 * OPENSSL_CONF) would re-enable weak algorithms for libcurl and everything
 * else in the process; loading it into a context of our own keeps them
 * reachable from this file only, and uses OpenSSL's reviewed, constant-time
 * code instead of hand-written primitives (the approach of gss-ntlmssp's
 * crypto.c).  The cost: legacy.so must be loadable, hence ntlm_crypto_init()
 * for sandboxed callers.  Everything, HMAC-MD5 and MD5 included, is fetched
 * from that one context, so no global OpenSSL configuration (a FIPS-only
 * default, say) can change what this file computes.
 */
#include "lib/ntlm/ntlm_crypto.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/params.h>
#include <openssl/provider.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "lib/common/secmem.h"
#include "lib/common/utf8.h"

struct chunk {
    const uint8_t *p;
    size_t len;
};

static struct {
    OSSL_LIB_CTX *libctx;
    OSSL_PROVIDER *legacy;
    OSSL_PROVIDER *deflt;
    EVP_MD *md4;
    EVP_MD *md5;
    EVP_MAC *hmac;
    EVP_CIPHER *rc4;
    int status;
} g = { .status = NTLM_ERR_CRYPTO };

static CRYPTO_ONCE g_once = CRYPTO_ONCE_STATIC_INIT;

/* Runs once per process; the context lives until exit because fetched
 * algorithms are shared by every caller and freeing at exit buys nothing. */
static void crypto_setup(void)
{
    g.libctx = OSSL_LIB_CTX_new();
    if (g.libctx != NULL) {
        g.deflt = OSSL_PROVIDER_load(g.libctx, "default");
        g.legacy = OSSL_PROVIDER_load(g.libctx, "legacy");
    }
    if (g.deflt != NULL && g.legacy != NULL) {
        g.md4 = EVP_MD_fetch(g.libctx, "MD4", NULL);
        g.md5 = EVP_MD_fetch(g.libctx, "MD5", NULL);
        g.hmac = EVP_MAC_fetch(g.libctx, "HMAC", NULL);
        g.rc4 = EVP_CIPHER_fetch(g.libctx, "RC4", NULL);
    }
    if (g.md4 != NULL && g.md5 != NULL && g.hmac != NULL && g.rc4 != NULL)
        g.status = NTLM_OK;
}

int ntlm_crypto_init(void)
{
    if (!CRYPTO_THREAD_run_once(&g_once, crypto_setup))
        return NTLM_ERR_CRYPTO;
    return g.status;
}

/* @md points at g.md4 or g.md5, which exist only after ntlm_crypto_init(). */
static int digest(EVP_MD *const *md, const struct chunk *in, size_t n, uint8_t out[NTLM_KEY_LEN])
{
    EVP_MD_CTX *ctx = NULL;
    unsigned int outl = 0;
    int ret = ntlm_crypto_init();

    if (ret != NTLM_OK)
        goto out;
    ret = NTLM_ERR_CRYPTO;
    ctx = EVP_MD_CTX_new();
    if (ctx == NULL || !EVP_DigestInit_ex2(ctx, *md, NULL))
        goto out;
    for (size_t i = 0; i < n; i++) {
        if (!EVP_DigestUpdate(ctx, in[i].p, in[i].len))
            goto out;
    }
    if (!EVP_DigestFinal_ex(ctx, out, &outl) || outl != NTLM_KEY_LEN)
        goto out;
    ret = NTLM_OK;
out:
    EVP_MD_CTX_free(ctx); /* resets the context, wiping the hash state */
    return ret;
}

static int hmac_md5(const uint8_t key[NTLM_KEY_LEN], const struct chunk *in, size_t n,
                    uint8_t out[NTLM_KEY_LEN])
{
    EVP_MAC_CTX *ctx = NULL;
    char md_name[] = "MD5";
    OSSL_PARAM params[2];
    size_t outl = 0;
    int ret = ntlm_crypto_init();

    if (ret != NTLM_OK)
        goto out;
    ret = NTLM_ERR_CRYPTO;
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, md_name, 0);
    params[1] = OSSL_PARAM_construct_end();
    ctx = EVP_MAC_CTX_new(g.hmac);
    if (ctx == NULL || !EVP_MAC_init(ctx, key, NTLM_KEY_LEN, params))
        goto out;
    for (size_t i = 0; i < n; i++) {
        if (!EVP_MAC_update(ctx, in[i].p, in[i].len))
            goto out;
    }
    if (!EVP_MAC_final(ctx, out, &outl, NTLM_KEY_LEN) || outl != NTLM_KEY_LEN)
        goto out;
    ret = NTLM_OK;
out:
    EVP_MAC_CTX_free(ctx); /* the provider clears its key copy and pads */
    return ret;
}

/*
 * Uppercase(User) for NTOWFv2 (MS-NLMP 3.3.2).  The acceptor (a DC, or Samba
 * with strupper_m) uppercases with its own per-UTF-16-unit table, not with
 * full Unicode case mapping, so we apply simple one-to-one mappings only, to
 * BMP characters only, and only where the mapping is unambiguous: ASCII,
 * Latin-1 (y-diaeresis becomes U+0178), Latin Extended-A, basic Greek and
 * Cyrillic.  Everything else (sharp s, micro sign, dotless i, long s, final
 * sigma, scripts not listed, non-BMP) is sent unchanged; a user whose name
 * uses such letters can type it in upper case, which Windows treats alike.
 */
static uint32_t nt_upcase(uint32_t c)
{
    uint32_t u = c;

    /* ASCII, Latin-1, basic Greek (not final sigma) and basic Cyrillic:
     * upper case sits 0x20 below */
    if ((c >= 'a' && c <= 'z') || (c >= 0xe0 && c <= 0xfe && c != 0xf7) ||
        (c >= 0x3b1 && c <= 0x3c1) || (c >= 0x3c3 && c <= 0x3cb) || (c >= 0x430 && c <= 0x44f))
        u = c - 0x20;
    else if (c == 0xff)
        u = 0x178;
    else if ((c >= 0x100 && c <= 0x12f) || (c >= 0x132 && c <= 0x137) ||
             (c >= 0x14a && c <= 0x177))
        u = (c & 1) ? c - 1 : c; /* pairs: even upper, odd lower */
    else if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17e))
        u = (c & 1) ? c : c - 1; /* pairs: odd upper, even lower */
    else if (c >= 0x450 && c <= 0x45f)
        u = c - 0x50;
    return u;
}

int ntlm_utf8_to_utf16le(const char *in, int upper, uint8_t **out, size_t *outlen)
{
    size_t len, units = 0, pos = 0;
    uint8_t *buf = NULL;
    uint32_t c = 0;
    int ret = NTLM_ERR_ARG;

    if (in == NULL || out == NULL || outlen == NULL)
        goto out;
    *out = NULL;
    *outlen = 0;
    len = strnlen(in, NTLM_MAX_STRING + 1);
    if (len > NTLM_MAX_STRING)
        goto out;
    ret = NTLM_ERR_UTF8;
    for (size_t i = 0, n; i < len; i += n) { /* validate and count first */
        n = utf8_next(in + i, len - i, &c);
        if (n == 0)
            goto out;
        units += c >= 0x10000 ? 2 : 1;
    }
    ret = NTLM_OK;
    if (units == 0)
        goto out;
    ret = NTLM_ERR_NOMEM;
    buf = malloc(units * 2); /* units <= NTLM_MAX_STRING: no overflow */
    if (buf == NULL)
        goto out;
    for (size_t i = 0, n; i < len; i += n) {
        uint32_t u[2];
        size_t nu = 1;

        n = utf8_next(in + i, len - i, &c); /* validated above: n > 0 */
        if (c >= 0x10000) { /* UTF-16 surrogate pair */
            u[0] = 0xd800 | ((c - 0x10000) >> 10);
            u[1] = 0xdc00 | ((c - 0x10000) & 0x3ff);
            nu = 2;
        } else {
            u[0] = upper ? nt_upcase(c) : c;
        }
        for (size_t k = 0; k < nu; k++) {
            buf[pos++] = (uint8_t)(u[k] & 0xff);
            buf[pos++] = (uint8_t)(u[k] >> 8);
        }
    }
    *out = buf;
    *outlen = pos;
    buf = NULL;
    ret = NTLM_OK;
out:
    secmem_free(buf, units * 2);
    return ret;
}

int NTOWFv1(const char *password_utf8, uint8_t out[NTLM_KEY_LEN])
{
    uint8_t *pw = NULL;
    size_t pwlen = 0;
    struct chunk in[1];
    int ret = ntlm_utf8_to_utf16le(password_utf8, 0, &pw, &pwlen);

    if (ret != NTLM_OK)
        goto out;
    in[0] = (struct chunk){ pw, pwlen };
    ret = digest(&g.md4, in, 1, out);
out:
    secmem_free(pw, pwlen);
    return ret;
}

int NTOWFv2(const uint8_t nt_hash[NTLM_KEY_LEN], const char *user_utf8, const char *domain_utf8,
            uint8_t out[NTLM_KEY_LEN])
{
    uint8_t *user = NULL, *dom = NULL;
    size_t ulen = 0, dlen = 0;
    struct chunk in[2];
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
    in[0] = (struct chunk){ user, ulen };
    in[1] = (struct chunk){ dom, dlen };
    ret = hmac_md5(nt_hash, in, 2, out);
out:
    secmem_free(user, ulen);
    secmem_free(dom, dlen);
    return ret;
}

int ntlmv2_temp(const uint8_t time_le[8], const uint8_t client_challenge[NTLM_CHALLENGE_LEN],
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

int NTProofStr(const uint8_t response_key_nt[NTLM_KEY_LEN],
               const uint8_t server_challenge[NTLM_CHALLENGE_LEN], const uint8_t *temp,
               size_t templen, uint8_t out[NTLM_KEY_LEN])
{
    struct chunk in[2] = { { server_challenge, NTLM_CHALLENGE_LEN }, { temp, templen } };
    int ret = NTLM_ERR_ARG;

    if (response_key_nt != NULL && server_challenge != NULL && temp != NULL && out != NULL)
        ret = hmac_md5(response_key_nt, in, 2, out);
    return ret;
}

int LMv2Response(const uint8_t response_key_lm[NTLM_KEY_LEN],
                 const uint8_t server_challenge[NTLM_CHALLENGE_LEN],
                 const uint8_t client_challenge[NTLM_CHALLENGE_LEN], uint8_t out[NTLM_LMV2_LEN])
{
    struct chunk in[2] = { { server_challenge, NTLM_CHALLENGE_LEN },
                           { client_challenge, NTLM_CHALLENGE_LEN } };
    int ret = NTLM_ERR_ARG;

    if (response_key_lm == NULL || server_challenge == NULL || client_challenge == NULL ||
        out == NULL)
        goto out;
    ret = hmac_md5(response_key_lm, in, 2, out);
    if (ret == NTLM_OK)
        memcpy(out + NTLM_KEY_LEN, client_challenge, NTLM_CHALLENGE_LEN);
out:
    return ret;
}

int SessionBaseKey(const uint8_t response_key_nt[NTLM_KEY_LEN],
                   const uint8_t nt_proof_str[NTLM_KEY_LEN], uint8_t out[NTLM_KEY_LEN])
{
    struct chunk in[1] = { { nt_proof_str, NTLM_KEY_LEN } };
    int ret = NTLM_ERR_ARG;

    if (response_key_nt != NULL && nt_proof_str != NULL && out != NULL)
        ret = hmac_md5(response_key_nt, in, 1, out);
    return ret;
}

int ComputeResponse(const uint8_t response_key[NTLM_KEY_LEN],
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

int KXKEY(const uint8_t session_base_key[NTLM_KEY_LEN], uint8_t out[NTLM_KEY_LEN])
{
    int ret = NTLM_ERR_ARG;

    /* 3.4.5.1: the LM_KEY/NON_NT_SESSION_KEY variants exist only for NTLMv1 */
    if (session_base_key != NULL && out != NULL) {
        memmove(out, session_base_key, NTLM_KEY_LEN);
        ret = NTLM_OK;
    }
    return ret;
}

int EncryptedRandomSessionKey(const uint8_t kxkey[NTLM_KEY_LEN],
                              const uint8_t exported_session_key[NTLM_KEY_LEN],
                              uint8_t out[NTLM_KEY_LEN])
{
    EVP_CIPHER_CTX *ctx = NULL;
    int outl = 0, finl = 0;
    int ret = NTLM_ERR_ARG;

    if (kxkey == NULL || exported_session_key == NULL || out == NULL)
        goto out;
    ret = ntlm_crypto_init();
    if (ret != NTLM_OK)
        goto out;
    ret = NTLM_ERR_CRYPTO;
    ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL || !EVP_EncryptInit_ex2(ctx, g.rc4, kxkey, NULL, NULL) ||
        EVP_CIPHER_CTX_get_key_length(ctx) != NTLM_KEY_LEN ||
        !EVP_EncryptUpdate(ctx, out, &outl, exported_session_key, NTLM_KEY_LEN) ||
        !EVP_EncryptFinal_ex(ctx, out + outl, &finl) || outl + finl != NTLM_KEY_LEN)
        goto out;
    ret = NTLM_OK;
out:
    EVP_CIPHER_CTX_free(ctx); /* cleanses the RC4 key schedule */
    return ret;
}

static const char sign_c2s[] = "session key to client-to-server signing key magic constant";
static const char sign_s2c[] = "session key to server-to-client signing key magic constant";
static const char seal_c2s[] = "session key to client-to-server sealing key magic constant";
static const char seal_s2c[] = "session key to server-to-client sealing key magic constant";

/* MD5(key[0..keylen) ‖ magic), the magic's terminating NUL included as in the spec;
 * only defined here with extended session security (without it: LM key material). */
static int magic_md5(uint32_t flags, const uint8_t *key, size_t keylen, const char *magic,
                     uint8_t out[NTLM_KEY_LEN])
{
    struct chunk in[2] = { { key, keylen }, { (const uint8_t *)magic, sizeof(sign_c2s) } };
    int ret = NTLM_ERR_ARG;

    if ((flags & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY) && key != NULL && out != NULL)
        ret = digest(&g.md5, in, 2, out);
    return ret;
}

int SIGNKEY(uint32_t flags, const uint8_t exported_session_key[NTLM_KEY_LEN],
            enum ntlm_mode mode, uint8_t out[NTLM_KEY_LEN])
{
    return magic_md5(flags, exported_session_key, NTLM_KEY_LEN,
                     mode == NTLM_MODE_CLIENT ? sign_c2s : sign_s2c, out);
}

int SEALKEY(uint32_t flags, const uint8_t exported_session_key[NTLM_KEY_LEN],
            enum ntlm_mode mode, uint8_t out[NTLM_KEY_LEN])
{
    size_t keylen = 5; /* 40-bit: neither NEGOTIATE_128 nor NEGOTIATE_56 */

    if (flags & NTLMSSP_NEGOTIATE_128)
        keylen = NTLM_KEY_LEN;
    else if (flags & NTLMSSP_NEGOTIATE_56)
        keylen = 7;
    return magic_md5(flags, exported_session_key, keylen,
                     mode == NTLM_MODE_CLIENT ? seal_c2s : seal_s2c, out);
}

int MIC(const uint8_t exported_session_key[NTLM_KEY_LEN], const uint8_t *negotiate,
        size_t neglen, const uint8_t *challenge, size_t challen, const uint8_t *authenticate,
        size_t authlen, uint8_t out[NTLM_KEY_LEN])
{
    struct chunk in[3] = { { negotiate, neglen }, { challenge, challen },
                           { authenticate, authlen } };
    int ret = NTLM_ERR_ARG;

    if (exported_session_key != NULL && negotiate != NULL && challenge != NULL &&
        authenticate != NULL && out != NULL)
        ret = hmac_md5(exported_session_key, in, 3, out);
    return ret;
}

int ntlm_channel_bindings_hash(const uint8_t *app_data, size_t len, uint8_t out[NTLM_KEY_LEN])
{
    /* initiator_addrtype, initiator_address.length, acceptor_addrtype,
     * acceptor_address.length (all zero), application_data.length: LE32 each */
    uint8_t hdr[20] = { 0 };
    struct chunk in[2] = { { hdr, sizeof(hdr) }, { app_data, len } };
    int ret = NTLM_ERR_ARG;

    if (app_data == NULL || out == NULL || len > UINT32_MAX)
        goto out;
    for (int i = 0; i < 4; i++)
        hdr[16 + i] = (uint8_t)(len >> (8 * i));
    ret = digest(&g.md5, in, 2, out);
out:
    return ret;
}

int ntlm_cert_channel_bindings_hash(const uint8_t *cert_der, size_t len,
                                    uint8_t out[NTLM_KEY_LEN])
{
    static const char prefix[] = "tls-server-end-point:";
    uint8_t app[sizeof(prefix) - 1 + EVP_MAX_MD_SIZE];
    const unsigned char *p = cert_der;
    X509 *x = NULL;
    EVP_MD *md = NULL;
    unsigned int hlen = 0;
    int mdnid = NID_undef;
    int ret = NTLM_ERR_ARG;

    if (cert_der == NULL || len == 0 || len > LONG_MAX || out == NULL)
        goto out;
    ret = ntlm_crypto_init();
    if (ret != NTLM_OK)
        goto out;
    ret = NTLM_ERR_DECODE;
    x = d2i_X509(NULL, &p, (long)len);
    if (x == NULL || p != cert_der + len || !X509_get_signature_info(x, &mdnid, NULL, NULL, NULL))
        goto out;
    /* RFC 5929 4.1: MD5 and SHA-1 are replaced by SHA-256; no single hash is undefined */
    if (mdnid == NID_md5 || mdnid == NID_sha1)
        mdnid = NID_sha256;
    ret = NTLM_ERR_ARG;
    if (mdnid == NID_undef)
        goto out;
    md = EVP_MD_fetch(g.libctx, OBJ_nid2sn(mdnid), NULL);
    if (md == NULL || EVP_MD_get_size(md) <= 0 || EVP_MD_get_size(md) > EVP_MAX_MD_SIZE)
        goto out;
    memcpy(app, prefix, sizeof(prefix) - 1);
    ret = NTLM_ERR_CRYPTO;
    if (!EVP_Digest(cert_der, len, app + sizeof(prefix) - 1, &hlen, md, NULL))
        goto out;
    ret = ntlm_channel_bindings_hash(app, sizeof(prefix) - 1 + hlen, out);
out:
    EVP_MD_free(md);
    X509_free(x);
    return ret;
}

int ntlm_random_bytes(uint8_t *out, size_t len)
{
    int ret = NTLM_ERR_ARG;

    if (out == NULL || len > INT_MAX)
        goto out;
    ret = ntlm_crypto_init();
    if (ret != NTLM_OK)
        goto out;
    ret = RAND_bytes_ex(g.libctx, out, len, 0) == 1 ? NTLM_OK : NTLM_ERR_CRYPTO;
out:
    return ret;
}

int ntlm_b64_encode(const uint8_t *in, size_t len, char **out)
{
    size_t olen = 4 * ((len + 2) / 3) + 1;
    int ret = NTLM_ERR_ARG;

    if (in == NULL || out == NULL || len > NTLM_MAX_MESSAGE)
        goto out;
    ret = NTLM_ERR_NOMEM;
    *out = malloc(olen);
    if (*out == NULL)
        goto out;
    ret = EVP_EncodeBlock((unsigned char *)*out, in, (int)len) == (int)olen - 1 ? NTLM_OK
                                                                               : NTLM_ERR_CRYPTO;
    if (ret != NTLM_OK) {
        free(*out);
        *out = NULL;
    }
out:
    return ret;
}

/* EVP_DecodeBlock skips surrounding whitespace, accepts '=' anywhere in the
 * last quantum and counts padding as zero bytes; validate first, then trim. */
int ntlm_b64_decode(const char *in, size_t len, uint8_t **out, size_t *outlen)
{
    size_t pad = 0, olen;
    int ret = NTLM_ERR_ARG;

    if (in == NULL || out == NULL || outlen == NULL)
        goto out;
    *out = NULL;
    *outlen = 0;
    ret = NTLM_ERR_DECODE;
    if (len == 0 || len % 4 != 0 || len / 4 * 3 > NTLM_MAX_MESSAGE + 2)
        goto out;
    if (in[len - 1] == '=')
        pad = in[len - 2] == '=' ? 2 : 1;
    for (size_t i = 0; i < len - pad; i++) {
        char ch = in[i];

        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              ch == '+' || ch == '/'))
            goto out;
    }
    olen = len / 4 * 3;
    ret = NTLM_ERR_NOMEM;
    *out = malloc(olen);
    if (*out == NULL)
        goto out;
    ret = NTLM_ERR_DECODE;
    if (EVP_DecodeBlock(*out, (const unsigned char *)in, (int)len) != (int)olen ||
        olen - pad > NTLM_MAX_MESSAGE) {
        free(*out);
        *out = NULL;
        goto out;
    }
    *outlen = olen - pad;
    ret = NTLM_OK;
out:
    return ret;
}
