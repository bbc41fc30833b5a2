/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * crypto.c - lib/ntlm's primitives over OpenSSL 3 (crypto.h); the only
 * file of lib/ntlm that calls OpenSSL.
 *
 * Why a private OSSL_LIB_CTX with the legacy provider rather than in-tree
 * MD4/RC4: NTOWFv1 needs MD4 and key exchange needs RC4, which OpenSSL 3
 * only offers in the `legacy` provider.  Loading that provider globally (or
 * via OPENSSL_CONF) would re-enable weak algorithms for libcurl and
 * everything else in the process; loading it into a context of our own
 * keeps them reachable from this file only, and uses OpenSSL's reviewed,
 * constant-time code instead of hand-written primitives (gss-ntlmssp's
 * src/crypto.c takes the same approach).  The cost: legacy.so must be
 * loadable, hence ntlm_crypto_init() for sandboxed callers.  Everything,
 * HMAC-MD5 and MD5 included, is fetched from that one context, so no
 * global OpenSSL configuration (a FIPS-only default, say) can change what
 * this file computes.
 */
#include "lib/ntlm/crypto.h"

#include <limits.h>
#include <stdlib.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/params.h>
#include <openssl/provider.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

static struct {
    OSSL_LIB_CTX *libctx;
    OSSL_PROVIDER *legacy;
    OSSL_PROVIDER *deflt;
    EVP_MD *md4;
    EVP_MD *md5;
    EVP_MAC *hmac;
    EVP_CIPHER *rc4;
    int status;
} g = {.status = NTLM_ERR_CRYPTO};

static CRYPTO_ONCE g_once = CRYPTO_ONCE_STATIC_INIT;

/* Runs once per process; the context lives until exit because fetched
 * algorithms are shared by every caller and freeing at exit buys nothing. */
static void
crypto_setup(void)
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

int
ntlm_crypto_init(void)
{
    if (!CRYPTO_THREAD_run_once(&g_once, crypto_setup))
        return NTLM_ERR_CRYPTO;
    return g.status;
}

/* @md points at g.md4 or g.md5, which exist only after ntlm_crypto_init(). */
static int
digest(EVP_MD *const *md, const struct ntlm_chunk *in, size_t n, uint8_t out[NTLM_KEY_LEN])
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

int
ntlm_md4(const struct ntlm_chunk *in, size_t n, uint8_t out[NTLM_KEY_LEN])
{
    return in != NULL && out != NULL ? digest(&g.md4, in, n, out) : NTLM_ERR_ARG;
}

int
ntlm_md5(const struct ntlm_chunk *in, size_t n, uint8_t out[NTLM_KEY_LEN])
{
    return in != NULL && out != NULL ? digest(&g.md5, in, n, out) : NTLM_ERR_ARG;
}

int
ntlm_hmac_md5(const uint8_t key[NTLM_KEY_LEN], const struct ntlm_chunk *in, size_t n,
              uint8_t out[NTLM_KEY_LEN])
{
    EVP_MAC_CTX *ctx = NULL;
    char md_name[] = "MD5";
    OSSL_PARAM params[2];
    size_t outl = 0;
    int ret = NTLM_ERR_ARG;

    if (key == NULL || in == NULL || out == NULL)
        goto out;
    ret = ntlm_crypto_init();
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

int
ntlm_rc4(const uint8_t key[NTLM_KEY_LEN], const uint8_t *in, size_t len, uint8_t *out)
{
    EVP_CIPHER_CTX *ctx = NULL;
    int outl = 0, finl = 0;
    int ret = NTLM_ERR_ARG;

    if (key == NULL || in == NULL || out == NULL || len > INT_MAX)
        goto out;
    ret = ntlm_crypto_init();
    if (ret != NTLM_OK)
        goto out;
    ret = NTLM_ERR_CRYPTO;
    ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL || !EVP_EncryptInit_ex2(ctx, g.rc4, key, NULL, NULL) ||
        EVP_CIPHER_CTX_get_key_length(ctx) != NTLM_KEY_LEN ||
        !EVP_EncryptUpdate(ctx, out, &outl, in, (int)len) ||
        !EVP_EncryptFinal_ex(ctx, out + outl, &finl) || (size_t)outl + (size_t)finl != len)
        goto out;
    ret = NTLM_OK;
out:
    EVP_CIPHER_CTX_free(ctx); /* cleanses the RC4 key schedule */
    return ret;
}

int
ntlm_cert_hash(const uint8_t *cert_der, size_t len, uint8_t out[NTLM_MAX_HASH], size_t *outlen)
{
    const unsigned char *p = cert_der;
    X509 *x = NULL;
    EVP_MD *md = NULL;
    unsigned int hlen = 0;
    int mdnid = NID_undef;
    int ret = NTLM_ERR_ARG;

    if (cert_der == NULL || len == 0 || len > LONG_MAX || out == NULL || outlen == NULL)
        goto out;
    *outlen = 0;
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
    if (md == NULL || EVP_MD_get_size(md) <= 0 || EVP_MD_get_size(md) > NTLM_MAX_HASH)
        goto out;
    ret = NTLM_ERR_CRYPTO;
    if (!EVP_Digest(cert_der, len, out, &hlen, md, NULL))
        goto out;
    *outlen = hlen;
    ret = NTLM_OK;
out:
    EVP_MD_free(md);
    X509_free(x);
    return ret;
}

int
ntlm_random_bytes(uint8_t *out, size_t len)
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

int
ntlm_b64_encode(const uint8_t *in, size_t len, char **out)
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
int
ntlm_b64_decode(const char *in, size_t len, uint8_t **out, size_t *outlen)
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
