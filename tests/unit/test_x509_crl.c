/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_x509_crl.c - revocation for x509 tokens: CRLs in the x509_ca file
 * (made here with OpenSSL's API) refuse a revoked certificate, a lapsed
 * CRL, a CRL signed by another key and a CA without a CRL; and crauth
 * check's line on the file (x509_ca_describe).
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

static char dir[] = "/tmp/crauth-x509crl-XXXXXX";

#include "x509_fixture.h"

/* A CRL in @issuer's name, signed with @key, valid from @last to @next
 * (seconds from now), revoking @revoked (NULL: nothing), as PEM text. */
static char *
crl_pem(X509 *issuer, EVP_PKEY *key, long last, long next, X509 *revoked)
{
    X509_CRL *crl = X509_CRL_new();
    ASN1_TIME *t = ASN1_TIME_new();
    BIO *b = BIO_new(BIO_s_mem());
    char *data, *text;
    long len;

    assert_non_null(crl);
    assert_int_equal(X509_CRL_set_version(crl, X509_CRL_VERSION_2), 1);
    assert_int_equal(X509_CRL_set_issuer_name(crl, X509_get_subject_name(issuer)), 1);
    assert_non_null(X509_gmtime_adj(t, last));
    assert_int_equal(X509_CRL_set1_lastUpdate(crl, t), 1);
    assert_non_null(X509_gmtime_adj(t, next));
    assert_int_equal(X509_CRL_set1_nextUpdate(crl, t), 1);
    if (revoked != NULL) {
        X509_REVOKED *r = X509_REVOKED_new();

        assert_int_equal(X509_REVOKED_set_serialNumber(r, X509_get_serialNumber(revoked)), 1);
        assert_non_null(X509_gmtime_adj(t, -3600));
        assert_int_equal(X509_REVOKED_set_revocationDate(r, t), 1);
        assert_int_equal(X509_CRL_add0_revoked(crl, r), 1);
    }
    assert_true(X509_CRL_sort(crl) == 1 && X509_CRL_sign(crl, key, EVP_sha256()) > 0);
    assert_int_equal(PEM_write_bio_X509_CRL(b, crl), 1);
    len = BIO_get_mem_data(b, &data);
    text = strndup(data, (size_t)len);
    BIO_free(b);
    ASN1_TIME_free(t);
    X509_CRL_free(crl);
    return text;
}

/* The CA file's text with @crl after the CA certificate. */
static const char *
ca_with(const char *name, const char *crl)
{
    char *ca = pem_of(&ca_cert, 1), *text;
    const char *path;

    assert_true(asprintf(&text, "%s%s", ca, crl) > 0);
    path = write_file(name, text, strlen(text), 0644);
    free(ca);
    free(text);
    return path;
}

/* CRLs in the x509_ca file: a revoked certificate, a lapsed CRL, a CRL
 * signed by someone else and a CA without a CRL are refused; a current CRL
 * that does not list the certificate lets it through. */
static void
test_revocation(void **state)
{
    struct cert_spec leaf = {.cn = "crl user",
                             .not_before = -DAY,
                             .not_after = 30 * DAY,
                             .key_usage = "critical,keyEncipherment"};
    X509 *issued = make_cert(rsa_key, &leaf, ca_cert, ca_key), *other;
    struct x509_token *t = NULL;
    char err[512], *crl, cert[256];

    (void)state;
    /* a copy: write_file's paths are reused after four */
    snprintf(cert, sizeof(cert), "%s", write_cert("crl-user.pem", issued));
    other = make_cert(rsa_key, &leaf, ca_cert, ca_key); /* another serial */
    crl = crl_pem(ca_cert, ca_key, -3600, DAY, other);
    assert_int_equal(x509_token_load(cert, ca_with("ca-crl.pem", crl), &t, err, sizeof(err)),
                     REASON_OK);
    x509_token_free(t);
    free(crl);

    crl = crl_pem(ca_cert, ca_key, -3600, DAY, issued);
    assert_int_equal(x509_token_load(cert, ca_with("ca-revoked.pem", crl), &t, err, sizeof(err)),
                     REASON_CERT_UNTRUSTED);
    assert_non_null(strstr(err, "certificate revoked"));
    free(crl);

    crl = crl_pem(ca_cert, ca_key, -2 * DAY, -DAY, NULL);
    assert_int_equal(x509_token_load(cert, ca_with("ca-lapsed.pem", crl), &t, err, sizeof(err)),
                     REASON_CERT_UNTRUSTED);
    assert_non_null(strstr(err, "CRL has expired"));
    free(crl);

    crl = crl_pem(ca_cert, stranger_key, -3600, DAY, NULL); /* the CA's name, not its key */
    assert_int_equal(x509_token_load(cert, ca_with("ca-forged.pem", crl), &t, err, sizeof(err)),
                     REASON_CERT_UNTRUSTED);
    assert_non_null(strstr(err, "CRL signature failure"));
    free(crl);

    crl = crl_pem(stranger_cert, stranger_key, -3600, DAY, NULL); /* not the issuer's CRL */
    assert_int_equal(x509_token_load(cert, ca_with("ca-other-crl.pem", crl), &t, err, sizeof(err)),
                     REASON_CERT_UNTRUSTED);
    assert_non_null(strstr(err, "unable to get certificate CRL"));
    free(crl);

    assert_int_equal(x509_token_load(cert,
                                     ca_with("ca-bad-crl.pem", "-----BEGIN X509 CRL-----\n"
                                                               "AAAA\n-----END X509 CRL-----\n"),
                                     &t, err, sizeof(err)),
                     REASON_CONFIG);
    assert_non_null(strstr(err, "cannot be read"));
    X509_free(issued);
    X509_free(other);
}

/* crauth check's line on the x509_ca file: CRLs counted, the first to
 * lapse named, a lapsed one refused. */
static void
test_ca_describe(void **state)
{
    char out[512], *crl, *lapsed, *both;

    (void)state;
    assert_int_equal(x509_ca_describe(write_cert("ca-only.pem", ca_cert), time(NULL), out,
                                      sizeof(out)),
                     REASON_OK);
    assert_non_null(strstr(out, "1 CA certificate(s), no CRL"));
    crl = crl_pem(ca_cert, ca_key, -3600, DAY, NULL);
    assert_int_equal(x509_ca_describe(ca_with("ca-crl.pem", crl), time(NULL), out, sizeof(out)),
                     REASON_OK);
    assert_non_null(strstr(out, "1 CA certificate(s), 1 CRL(s); the first to lapse"));
    /* the same file a day and a half later */
    assert_int_equal(x509_ca_describe(ca_with("ca-crl.pem", crl), time(NULL) + DAY + DAY / 2, out,
                                      sizeof(out)),
                     REASON_CERT_UNTRUSTED);
    assert_non_null(strstr(out, "lapsed at"));
    /* of two CRLs, the one that lapses first */
    lapsed = crl_pem(stranger_cert, stranger_key, -2 * DAY, -DAY, NULL);
    assert_true(asprintf(&both, "%s%s", crl, lapsed) > 0);
    assert_int_equal(x509_ca_describe(ca_with("ca-two.pem", both), time(NULL), out, sizeof(out)),
                     REASON_CERT_UNTRUSTED);
    assert_non_null(strstr(out, "some other CA"));
    assert_int_equal(x509_ca_describe(write_file("none.pem", "x\n", 2, 0644), time(NULL), out,
                                      sizeof(out)),
                     REASON_CONFIG);
    free(crl);
    free(lapsed);
    free(both);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_revocation),
        cmocka_unit_test(test_ca_describe),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
