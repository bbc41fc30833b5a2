/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * x509_fixture.h - what the x509 unit tests share: keys made once (RSA,
 * EC, a CA and a stranger CA), certificates made with OpenSSL's API, files
 * in the test's private directory, and the cmocka group setup/teardown.
 *
 * The including file defines `static char dir[] = "/tmp/crauth-NAME-XXXXXX";`
 * first.
 */
#ifndef CRAUTH_TEST_X509_FIXTURE_H
#define CRAUTH_TEST_X509_FIXTURE_H

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <openssl/pem.h>
#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "lib/common/hex.h"
#include "lib/common/reason.h"
#include "lib/x509/x509_token.h"

#include "tmpdir.h"

#define DAY (24L * 3600)

/* made once: generating RSA keys is the slow part */
static EVP_PKEY *rsa_key, *ec_key, *p384_key, *ca_key, *stranger_key;
static X509 *ca_cert, *stranger_cert;

struct cert_spec {
    const char *cn;
    long not_before, not_after; /* seconds from now */
    const char *key_usage;      /* NULL: no extension */
    bool ca;
};

static inline void
add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509_EXTENSION *ext;

    X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
    ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    assert_non_null(ext);
    assert_int_equal(X509_add_ext(x, ext, -1), 1);
    X509_EXTENSION_free(ext);
}

/* A certificate for @key, signed by @issuer_key (@issuer NULL: by itself). */
static inline X509 *
make_cert(EVP_PKEY *key, const struct cert_spec *s, X509 *issuer, EVP_PKEY *issuer_key)
{
    static long serial = 1;
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();

    assert_non_null(x);
    assert_int_equal(X509_set_version(x, X509_VERSION_3), 1);
    assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), serial++), 1);
    assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), s->not_before));
    assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), s->not_after));
    assert_int_equal(X509_set_pubkey(x, key), 1);
    assert_int_equal(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                                (const unsigned char *)s->cn, -1, -1, 0),
                     1);
    assert_int_equal(X509_set_subject_name(x, name), 1);
    assert_int_equal(X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name), 1);
    X509_NAME_free(name);
    if (s->ca) {
        add_ext(x, issuer ? issuer : x, NID_basic_constraints, "critical,CA:TRUE");
        add_ext(x, issuer ? issuer : x, NID_key_usage, "critical,keyCertSign,cRLSign");
        add_ext(x, issuer ? issuer : x, NID_subject_key_identifier, "hash");
    } else if (s->key_usage != NULL) {
        add_ext(x, issuer ? issuer : x, NID_key_usage, s->key_usage);
    }
    if (issuer != NULL)
        add_ext(x, issuer, NID_authority_key_identifier, "keyid");
    assert_true(
        X509_sign(x, issuer_key ? issuer_key : key,
                  EVP_PKEY_is_a(issuer_key ? issuer_key : key, "ED25519") ? NULL : EVP_sha256()) >
        0);
    return x;
}

static inline X509 *
self_signed(EVP_PKEY *key, const char *cn)
{
    struct cert_spec s = {.cn = cn, .not_before = -DAY, .not_after = 30 * DAY};

    return make_cert(key, &s, NULL, NULL);
}

/* Write @text to @name in the test directory with @mode; returns the path. */
static inline const char *
write_file(const char *name, const char *text, size_t len, mode_t mode)
{
    static char path[4][256];
    static int next;
    char *p = path[next++ % 4];
    int fd;

    snprintf(p, sizeof(path[0]), "%s/%s", dir, name);
    unlink(p);
    fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
    assert_int_equal(chmod(p, mode), 0);
    return p;
}

/* The PEM text of @n certificates, as a string to free. */
static inline char *
pem_of(X509 *const *certs, int n)
{
    BIO *b = BIO_new(BIO_s_mem());
    char *data, *text;
    long len;

    for (int i = 0; i < n; i++)
        assert_int_equal(PEM_write_bio_X509(b, certs[i]), 1);
    len = BIO_get_mem_data(b, &data);
    text = strndup(data, (size_t)len);
    BIO_free(b);
    return text;
}

static inline const char *
write_cert(const char *name, X509 *cert)
{
    char *text = pem_of(&cert, 1);
    const char *path = write_file(name, text, strlen(text), 0644);

    free(text);
    return path;
}

static inline int
setup(void **state)
{
    struct cert_spec ca = {.cn = "crauth test CA",
                           .not_before = -DAY,
                           .not_after = 365 * DAY,
                           .ca = true};
    struct cert_spec stranger = ca;

    stranger.cn = "some other CA";
    if (tmpdir_setup(state) != 0)
        return -1;
    rsa_key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    ec_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    p384_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
    ca_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    stranger_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    if (!rsa_key || !ec_key || !p384_key || !ca_key || !stranger_key)
        return -1;
    ca_cert = make_cert(ca_key, &ca, NULL, NULL);
    stranger_cert = make_cert(stranger_key, &stranger, NULL, NULL);
    return 0;
}

static inline int
teardown(void **state)
{
    EVP_PKEY_free(rsa_key);
    EVP_PKEY_free(ec_key);
    EVP_PKEY_free(p384_key);
    EVP_PKEY_free(ca_key);
    EVP_PKEY_free(stranger_key);
    X509_free(ca_cert);
    X509_free(stranger_cert);
    return tmpdir_teardown(state);
}

#endif
