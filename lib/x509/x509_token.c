/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * x509_token.c - the certificate of a token of type x509, the CMS envelope
 * that carries a 20-byte challenge to it, and the check of the answer (see
 * x509_token.h).
 *
 * The certificate file is parsed strictly: one PEM block, which must be a
 * CERTIFICATE whose DER fills the block, and nothing but blanks after it,
 * so a second certificate or a pasted private key is refused rather than
 * silently ignored.  The key must be one a CMS envelope can be made for and
 * the holder's device can open: RSA (key transport) or EC on a named curve
 * (key agreement).  OpenSSL's CMS code does the enveloping; nothing here
 * touches the ASN.1 by hand.
 */
#include "lib/x509/x509_token.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/pem.h> /* before cms.h, which declares the PEM CMS functions only after it */
#include <openssl/cms.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "lib/common/hex.h"
#include "lib/common/log.h"
#include "lib/common/reason.h"
#include "lib/common/secmem.h"
#include "lib/core/fileio.h"

/* RSA below 2048 bits is below every current recommendation; above 8192
 * the envelope approaches what one prompt can carry. */
#define RSA_MIN_BITS 2048
#define RSA_MAX_BITS 8192
#define EC_MIN_BITS 256
#define CA_MAX_FILE (1024 * 1024)

struct x509_token {
    X509 *cert;
    bool is_ec; /* else RSA */
    int key_bits;
    char *what; /* the file name, for messages */
    char summary[512];
};

const char *
x509_openssl_reason(void)
{
    unsigned long e = ERR_peek_last_error();
    const char *r = e ? ERR_reason_error_string(e) : NULL;

    ERR_clear_error();
    return r ? r : "no detail from OpenSSL";
}

static bool
is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void
format_time(const ASN1_TIME *a, char *buf, size_t size)
{
    struct tm tm;

    if (a == NULL || !ASN1_TIME_to_tm(a, &tm) ||
        strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
        snprintf(buf, size, "(unreadable date)");
}

static void
format_subject(X509 *cert, char *buf, size_t size)
{
    BIO *b = BIO_new(BIO_s_mem());
    char raw[201];
    char *data;
    long n;

    snprintf(raw, sizeof(raw), "(no subject)");
    if (b != NULL && X509_NAME_print_ex(b, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253) >= 0 &&
        (n = BIO_get_mem_data(b, &data)) > 0)
        snprintf(raw, sizeof(raw), "%.*s", (int)(n > 200 ? 200 : n), data);
    BIO_free(b);
    /* it goes into one-line messages: no control characters */
    log_sanitize(raw, buf, size);
}

/* The key must be usable for an envelope and not too weak; sets is_ec and
 * key_bits. */
static int
check_key(struct x509_token *t, char *err, size_t errlen)
{
    EVP_PKEY *pk = X509_get0_pubkey(t->cert);
    uint32_t usage, need;
    char group[64];

    if (pk == NULL) {
        snprintf(err, errlen, "certificate %s: its public key cannot be decoded: %s", t->what,
                 x509_openssl_reason());
        return REASON_CERT_INVALID;
    }
    t->key_bits = EVP_PKEY_get_bits(pk);
    if (EVP_PKEY_is_a(pk, "RSA")) {
        if (t->key_bits < RSA_MIN_BITS || t->key_bits > RSA_MAX_BITS) {
            snprintf(err, errlen, "certificate %s: an RSA key of %d bits; give one of %d to %d",
                     t->what, t->key_bits, RSA_MIN_BITS, RSA_MAX_BITS);
            return REASON_CERT_INVALID;
        }
        need = KU_KEY_ENCIPHERMENT;
    } else if (EVP_PKEY_is_a(pk, "EC")) {
        /* explicit curve parameters are a classic source of trouble
         * (CVE-2022-0778's family); named curves only */
        if (!EVP_PKEY_get_group_name(pk, group, sizeof(group), NULL)) {
            snprintf(err, errlen, "certificate %s: an EC key without a named curve", t->what);
            ERR_clear_error();
            return REASON_CERT_INVALID;
        }
        if (t->key_bits < EC_MIN_BITS) {
            snprintf(err, errlen,
                     "certificate %s: an EC key on %s (%d bits); give one of %d "
                     "bits or more (P-256, P-384, P-521)",
                     t->what, group, t->key_bits, EC_MIN_BITS);
            return REASON_CERT_INVALID;
        }
        t->is_ec = true;
        need = KU_KEY_AGREEMENT;
    } else {
        snprintf(err, errlen,
                 "certificate %s: its key type %s cannot receive a CMS envelope; "
                 "give RSA (key transport) or EC (key agreement)",
                 t->what, EVP_PKEY_get0_type_name(pk));
        return REASON_CERT_INVALID;
    }
    if (X509_get_extension_flags(t->cert) & EXFLAG_INVALID) {
        snprintf(err, errlen, "certificate %s: an extension cannot be decoded", t->what);
        return REASON_CERT_INVALID;
    }
    /* RFC 5280 4.2.1.3: when present, keyUsage limits what the key is for */
    usage = X509_get_key_usage(t->cert);
    if (usage != UINT32_MAX && !(usage & need)) {
        snprintf(err, errlen, "certificate %s: its key usage does not allow %s", t->what,
                 t->is_ec ? "keyAgreement" : "keyEncipherment");
        return REASON_CERT_INVALID;
    }
    return REASON_OK;
}

int
x509_token_parse(const char *text, size_t len, const char *what, struct x509_token **out, char *err,
                 size_t errlen)
{
    struct x509_token *t = NULL;
    BIO *bio = NULL;
    char *name = NULL, *header = NULL, *rest = NULL;
    unsigned char *der = NULL;
    const unsigned char *p;
    long derlen = 0, restlen, i;
    char subject[256], until[64];
    int reason = REASON_INTERNAL;

    *out = NULL;
    if (len > X509_CERT_MAX_FILE) {
        snprintf(err, errlen, "certificate %s is larger than %d bytes", what, X509_CERT_MAX_FILE);
        return REASON_CERT_INVALID;
    }
    if ((t = calloc(1, sizeof(*t))) == NULL || (t->what = strdup(what)) == NULL ||
        (bio = BIO_new_mem_buf(text, (int)len)) == NULL) {
        snprintf(err, errlen, "certificate %s: out of memory", what);
        goto out;
    }
    reason = REASON_CERT_INVALID;
    if (!PEM_read_bio(bio, &name, &header, &der, &derlen)) {
        snprintf(err, errlen,
                 "certificate %s holds no PEM block (-----BEGIN CERTIFICATE-----): "
                 "%s",
                 what, x509_openssl_reason());
        goto out;
    }
    if (strcmp(name, PEM_STRING_X509) != 0) {
        char label[41];

        log_sanitize(name, label, sizeof(label));
        snprintf(err, errlen,
                 "certificate %s holds a PEM \"%s\" block where a CERTIFICATE "
                 "should be",
                 what, label);
        goto out;
    }
    if (header[0] != '\0') {
        snprintf(err, errlen,
                 "certificate %s: its PEM block has headers (Proc-Type, ...); "
                 "give a plain certificate",
                 what);
        goto out;
    }
    p = der;
    if ((t->cert = d2i_X509(NULL, &p, derlen)) == NULL) {
        snprintf(err, errlen, "certificate %s is not a valid X.509 certificate: %s", what,
                 x509_openssl_reason());
        goto out;
    }
    if (p != der + derlen) {
        snprintf(err, errlen,
                 "certificate %s: its PEM block has %ld bytes after the "
                 "certificate",
                 what, (long)(der + derlen - p));
        goto out;
    }
    /* a read-only memory BIO hands out what it has not read yet */
    restlen = BIO_get_mem_data(bio, &rest);
    for (i = 0; i < restlen; i++)
        if (!is_blank(rest[i]))
            break;
    if (i < restlen) {
        if (restlen - i >= 11 && memcmp(rest + i, "-----BEGIN ", 11) == 0)
            snprintf(err, errlen,
                     "certificate %s holds more than one PEM block; keep the user's "
                     "certificate only (CA certificates go into x509_ca)",
                     what);
        else
            snprintf(err, errlen, "certificate %s has text after the certificate", what);
        goto out;
    }
    if ((reason = check_key(t, err, errlen)) != REASON_OK)
        goto out;
    format_subject(t->cert, subject, sizeof(subject));
    format_time(X509_get0_notAfter(t->cert), until, sizeof(until));
    snprintf(t->summary, sizeof(t->summary), "subject=%s, %s-%d, not after %s", subject,
             t->is_ec ? "EC" : "RSA", t->key_bits, until);
    *out = t;
    t = NULL;
    reason = REASON_OK;
out:
    ERR_clear_error();
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(der);
    BIO_free(bio);
    x509_token_free(t);
    return reason;
}

int
x509_token_check_time(const struct x509_token *t, time_t now, char *err, size_t errlen)
{
    const ASN1_TIME *not_before = X509_get0_notBefore(t->cert);
    const ASN1_TIME *not_after = X509_get0_notAfter(t->cert);
    char when[64];
    int before, after;

    /* X509_cmp_time: -1 when the certificate's time is at or before @now,
     * 1 after it, 0 when it cannot be read */
    before = X509_cmp_time(not_before, &now);
    after = X509_cmp_time(not_after, &now);
    if (before == 0 || after == 0) {
        snprintf(err, errlen, "certificate %s: its validity dates cannot be read", t->what);
        ERR_clear_error();
        return REASON_CERT_INVALID;
    }
    if (before > 0) {
        format_time(not_before, when, sizeof(when));
        snprintf(err, errlen, "certificate %s is not yet valid: not before %s", t->what, when);
        return REASON_CERT_EXPIRED;
    }
    if (after < 0) {
        format_time(not_after, when, sizeof(when));
        snprintf(err, errlen, "certificate %s has expired: not after %s", t->what, when);
        return REASON_CERT_EXPIRED;
    }
    return REASON_OK;
}

/* The x509_ca file's PEM blocks, certificates and CRLs (counted into
 * *certs and *crls), read through the trust rules.  REASON_OK with *items
 * to free with sk_X509_INFO_pop_free, or REASON_CONFIG with @err: the file
 * is refused or missing, a block does not parse, no certificate. */
static int
read_ca_file(const char *ca_file, STACK_OF(X509_INFO) * *items, int *certs, int *crls, char *err,
             size_t errlen)
{
    static const struct fileio_rules rules = {.what = "x509_ca file", .max_size = CA_MAX_FILE};
    struct fileio_buf buf = {0};
    BIO *bio;

    *items = NULL;
    *certs = *crls = 0;
    if (fileio_read(ca_file, &rules, &buf, err, errlen) != FILEIO_OK)
        return REASON_CONFIG;
    ERR_clear_error();
    if ((bio = BIO_new_mem_buf(buf.text, (int)buf.len)) != NULL)
        *items = PEM_X509_INFO_read_bio(bio, NULL, NULL, NULL);
    BIO_free(bio);
    fileio_free(&buf);
    if (*items == NULL) {
        snprintf(err, errlen, "x509_ca file %s holds a block that cannot be read: %s", ca_file,
                 x509_openssl_reason());
        return REASON_CONFIG;
    }
    for (int i = 0; i < sk_X509_INFO_num(*items); i++) {
        *certs += sk_X509_INFO_value(*items, i)->x509 != NULL;
        *crls += sk_X509_INFO_value(*items, i)->crl != NULL;
    }
    if (*certs == 0) {
        snprintf(err, errlen,
                 "x509_ca file %s holds no PEM certificate: give the CA certificates in PEM",
                 ca_file);
        sk_X509_INFO_pop_free(*items, X509_INFO_free);
        *items = NULL;
        return REASON_CONFIG;
    }
    return REASON_OK;
}

int
x509_ca_describe(const char *ca_file, time_t now, char *out, size_t outlen)
{
    STACK_OF(X509_INFO) *items = NULL;
    const X509_CRL *first = NULL;
    int certs, crls, reason;

    if ((reason = read_ca_file(ca_file, &items, &certs, &crls, out, outlen)) != REASON_OK)
        return reason;
    /* the CRL that lapses first (one without a next update never does) */
    for (int i = 0; i < sk_X509_INFO_num(items); i++) {
        const X509_CRL *crl = sk_X509_INFO_value(items, i)->crl;
        const ASN1_TIME *next = crl ? X509_CRL_get0_nextUpdate(crl) : NULL;

        if (next != NULL &&
            (first == NULL || ASN1_TIME_compare(next, X509_CRL_get0_nextUpdate(first)) < 0))
            first = crl;
    }
    if (first == NULL) {
        snprintf(out, outlen, "%s: %d CA certificate(s), %s", ca_file, certs,
                 crls ? "CRLs without a next update" : "no CRL: no revocation check");
    } else {
        char when[40], issuer[256];

        format_time(X509_CRL_get0_nextUpdate(first), when, sizeof(when));
        X509_NAME_oneline(X509_CRL_get_issuer(first), issuer, sizeof(issuer));
        if (X509_cmp_time(X509_CRL_get0_nextUpdate(first), &now) <= 0) {
            snprintf(out, outlen,
                     "%s: the CRL of %s lapsed at %s: every x509 login fails until it is "
                     "renewed",
                     ca_file, issuer, when);
            reason = REASON_CERT_UNTRUSTED;
        } else {
            snprintf(out, outlen,
                     "%s: %d CA certificate(s), %d CRL(s); the first to lapse, %s's, is current "
                     "until %s",
                     ca_file, certs, crls, issuer, when);
        }
    }
    sk_X509_INFO_pop_free(items, X509_INFO_free);
    return reason;
}

int
x509_token_verify_chain(const struct x509_token *t, const char *ca_file, char *err, size_t errlen)
{
    STACK_OF(X509_INFO) *items = NULL;
    X509_STORE *store = NULL;
    X509_STORE_CTX *ctx = NULL;
    int reason, certs, crls;

    if ((reason = read_ca_file(ca_file, &items, &certs, &crls, err, errlen)) != REASON_OK)
        goto out;
    reason = REASON_INTERNAL;
    if ((store = X509_STORE_new()) == NULL || (ctx = X509_STORE_CTX_new()) == NULL) {
        snprintf(err, errlen, "x509_ca file %s: out of memory", ca_file);
        goto out;
    }
    for (int i = 0; i < sk_X509_INFO_num(items); i++) {
        const X509_INFO *item = sk_X509_INFO_value(items, i);

        if ((item->x509 != NULL && X509_STORE_add_cert(store, item->x509) != 1) ||
            (item->crl != NULL && X509_STORE_add_crl(store, item->crl) != 1)) {
            snprintf(err, errlen, "x509_ca file %s holds a block that cannot be read: %s", ca_file,
                     x509_openssl_reason());
            reason = REASON_CONFIG;
            goto out;
        }
    }
    /* CRLs next to the CAs: then every certificate of the chain needs a
     * current one from its issuer (OpenSSL's -crl_check_all), so a CRL
     * that lapses refuses logins rather than letting revoked keys in */
    if (crls > 0)
        X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
    if (!X509_STORE_CTX_init(ctx, store, t->cert, NULL) ||
        !X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_ANY)) {
        snprintf(err, errlen, "x509_ca file %s: cannot set up verification: %s", ca_file,
                 x509_openssl_reason());
        reason = REASON_INTERNAL;
        goto out;
    }
    if (X509_verify_cert(ctx) != 1) {
        int e = X509_STORE_CTX_get_error(ctx);

        snprintf(err, errlen, "certificate %s does not verify against x509_ca %s: %s (depth %d)",
                 t->what, ca_file, X509_verify_cert_error_string(e),
                 X509_STORE_CTX_get_error_depth(ctx));
        ERR_clear_error();
        reason = REASON_CERT_UNTRUSTED;
        goto out;
    }
    reason = REASON_OK;
out:
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
    sk_X509_INFO_pop_free(items, X509_INFO_free);
    return reason;
}

int
x509_token_load(const char *cert_path, const char *ca_file, struct x509_token **out, char *err,
                size_t errlen)
{
    static const struct fileio_rules rules = {.what = "certificate",
                                              .max_size = X509_CERT_MAX_FILE};
    struct fileio_buf buf;
    struct x509_token *t = NULL;
    int reason;

    *out = NULL;
    if (cert_path == NULL || cert_path[0] != '/') {
        snprintf(err, errlen, "certificate \"%s\": give an absolute path",
                 cert_path ? cert_path : "");
        return REASON_CERT_INVALID;
    }
    if (fileio_read(cert_path, &rules, &buf, err, errlen) != FILEIO_OK)
        return REASON_CERT_INVALID;
    reason = x509_token_parse(buf.text, buf.len, cert_path, &t, err, errlen);
    fileio_free(&buf);
    if (reason == REASON_OK)
        reason = x509_token_check_time(t, time(NULL), err, errlen);
    if (reason == REASON_OK && ca_file != NULL)
        reason = x509_token_verify_chain(t, ca_file, err, errlen);
    if (reason != REASON_OK) {
        x509_token_free(t);
        return reason;
    }
    *out = t;
    return REASON_OK;
}

const char *
x509_token_summary(const struct x509_token *t)
{
    return t->summary;
}

int
x509_token_challenge(const struct x509_token *t, uint8_t secret[X509_CHALLENGE_LEN], char **pem,
                     char *err, size_t errlen)
{
    CMS_ContentInfo *cms = NULL;
    CMS_RecipientInfo *ri;
    BIO *in = NULL, *out = NULL;
    char *data;
    long n;
    int reason = REASON_INTERNAL;

    *pem = NULL;
    if (RAND_bytes(secret, X509_CHALLENGE_LEN) != 1) {
        snprintf(err, errlen, "the random generator failed: %s", x509_openssl_reason());
        goto out;
    }
    /* CMS_BINARY: the content is bytes, never text to canonicalise (a 0x0a
     * would otherwise become 0x0d 0x0a).  CMS_PARTIAL: recipients are
     * added below, then CMS_final encrypts. */
    cms = CMS_encrypt(NULL, NULL, EVP_aes_256_cbc(), CMS_BINARY | CMS_PARTIAL);
    if (cms == NULL)
        goto fail;
    /* CMS_KEY_PARAM keeps the key agreement's context open so its KDF can
     * be chosen: SHA-256 for curves up to 256 bits, SHA-384 above (RFC
     * 5753 7.1.4, dhSinglePass-stdDH-sha256kdf-scheme and -sha384kdf-),
     * instead of OpenSSL's SHA-1 default. */
    ri = CMS_add1_recipient_cert(cms, t->cert, t->is_ec ? CMS_KEY_PARAM : 0);
    if (ri == NULL)
        goto fail;
    if (t->is_ec) {
        EVP_PKEY_CTX *pctx = CMS_RecipientInfo_get0_pkey_ctx(ri);

        if (pctx == NULL ||
            EVP_PKEY_CTX_set_ecdh_kdf_md(pctx, t->key_bits > 256 ? EVP_sha384() : EVP_sha256()) <=
                0)
            goto fail;
    }
    if ((in = BIO_new_mem_buf(secret, X509_CHALLENGE_LEN)) == NULL ||
        !CMS_final(cms, in, NULL, CMS_BINARY))
        goto fail;
    if ((out = BIO_new(BIO_s_mem())) == NULL || !PEM_write_bio_CMS(out, cms))
        goto fail;
    n = BIO_get_mem_data(out, &data);
    if (n <= 0)
        goto fail;
    if (n > X509_ENVELOPE_MAX) {
        snprintf(err, errlen,
                 "certificate %s: the envelope would be %ld bytes, more than a "
                 "prompt carries (%d); the certificate's issuer name is very long",
                 t->what, n, X509_ENVELOPE_MAX);
        reason = REASON_CERT_INVALID;
        goto out;
    }
    if ((*pem = strndup(data, (size_t)n)) == NULL) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    reason = REASON_OK;
    goto out;
fail:
    snprintf(err, errlen, "certificate %s: making the CMS envelope failed: %s", t->what,
             x509_openssl_reason());
out:
    if (reason != REASON_OK)
        secmem_wipe(secret, X509_CHALLENGE_LEN);
    BIO_free(in);
    BIO_free(out);
    CMS_ContentInfo_free(cms);
    ERR_clear_error();
    return reason;
}

bool
x509_token_response_ok(uint8_t secret[X509_CHALLENGE_LEN], const char *response)
{
    uint8_t got[X509_CHALLENGE_LEN];
    const char *p = response, *end;
    size_t n = 0;
    bool ok = false;

    if (response == NULL)
        goto out;
    while (is_blank(*p))
        p++;
    end = p + strlen(p);
    while (end > p && is_blank(end[-1]))
        end--;
    if (end - p != X509_RESPONSE_HEX ||
        hex_decode(p, X509_RESPONSE_HEX, got, sizeof(got), &n) != 0 || n != sizeof(got))
        goto out;
    ok = CRYPTO_memcmp(got, secret, X509_CHALLENGE_LEN) == 0;
out:
    secmem_wipe(got, sizeof(got));
    secmem_wipe(secret, X509_CHALLENGE_LEN);
    return ok;
}

void
x509_token_free(struct x509_token *t)
{
    if (t == NULL)
        return;
    X509_free(t->cert);
    free(t->what);
    free(t);
}
