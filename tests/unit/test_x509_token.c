/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_x509_token.c - the x509 token: certificates made here with OpenSSL's
 * API (RSA, EC, a CA and a stranger CA), envelopes opened with the private
 * key through CMS_decrypt as a user's tool would, and every refusal: wrong
 * or replayed answer, tampered envelope, expired and not-yet-valid
 * certificates, chains that do and do not verify, files with two
 * certificates, garbage or loose modes, weak or unusable keys, and the
 * answer's hex syntax.  Revocation: test_x509_crl.c.
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

static char dir[] = "/tmp/crauth-x509-XXXXXX";

#include "x509_fixture.h"

/* Open @pem with @key as the user's tool would: the content, or -1. */
static int
open_envelope_der(const unsigned char *der, long len, EVP_PKEY *key, X509 *cert, uint8_t out[64])
{
    CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &der, len);
    BIO *b = BIO_new(BIO_s_mem());
    char *data;
    int n = -1;

    if (cms != NULL && CMS_decrypt(cms, key, cert, NULL, b, CMS_BINARY) == 1) {
        n = (int)BIO_get_mem_data(b, &data);
        assert_true(n <= 64);
        memcpy(out, data, (size_t)n);
    }
    CMS_ContentInfo_free(cms);
    BIO_free(b);
    return n;
}

/* The DER of the PEM envelope @pem; free with OPENSSL_free. */
static long
envelope_der(const char *pem, unsigned char **der)
{
    BIO *b = BIO_new_mem_buf(pem, -1);
    CMS_ContentInfo *cms = PEM_read_bio_CMS(b, NULL, NULL, NULL);
    long len;

    assert_non_null(cms);
    *der = NULL;
    len = i2d_CMS_ContentInfo(cms, der);
    assert_true(len > 0);
    CMS_ContentInfo_free(cms);
    BIO_free(b);
    return len;
}

/* Load @cert's file, make a challenge, open it with @key, answer. */
static void
round_trip(X509 *cert, EVP_PKEY *key, const char *name)
{
    const char *path = write_cert(name, cert);
    struct x509_token *t = NULL;
    uint8_t secret[X509_CHALLENGE_LEN], copy[X509_CHALLENGE_LEN], opened[64];
    uint8_t zero[X509_CHALLENGE_LEN] = {0};
    char err[512], hex[2 * sizeof(opened) + 1], *pem = NULL;
    unsigned char *der;
    long derlen;

    assert_int_equal(x509_token_load(path, NULL, &t, err, sizeof(err)), REASON_OK);
    assert_non_null(strstr(x509_token_summary(t), name));
    assert_int_equal(x509_token_challenge(t, secret, &pem, err, sizeof(err)), REASON_OK);
    assert_int_equal(strncmp(pem, "-----BEGIN CMS-----\n", 20), 0);
    assert_non_null(strstr(pem, "\n-----END CMS-----\n"));
    assert_int_equal(pem[strlen(pem) - 1], '\n');
    assert_true(strlen(pem) <= X509_ENVELOPE_MAX);

    derlen = envelope_der(pem, &der);
    assert_int_equal(open_envelope_der(der, derlen, key, cert, opened), X509_CHALLENGE_LEN);
    assert_memory_equal(opened, secret, X509_CHALLENGE_LEN);
    /* the user's tool needs no certificate to find its recipient info */
    assert_int_equal(open_envelope_der(der, derlen, key, NULL, opened), X509_CHALLENGE_LEN);
    hex_encode(opened, X509_CHALLENGE_LEN, hex, sizeof(hex));
    memcpy(copy, secret, sizeof(copy));
    assert_true(x509_token_response_ok(secret, hex));
    /* single use: the secret is gone after the check */
    assert_memory_equal(secret, zero, sizeof(zero));
    assert_false(x509_token_response_ok(secret, hex));

    /* two challenges are never the same */
    free(pem);
    assert_int_equal(x509_token_challenge(t, secret, &pem, err, sizeof(err)), REASON_OK);
    assert_memory_not_equal(secret, copy, sizeof(copy));
    OPENSSL_free(der);
    free(pem);
    x509_token_free(t);
}

static void
test_rsa_round_trip(void **state)
{
    X509 *cert = self_signed(rsa_key, "rsa user");

    (void)state;
    round_trip(cert, rsa_key, "rsa user");
    X509_free(cert);
}

static void
test_ec_round_trip(void **state)
{
    X509 *p256 = self_signed(ec_key, "p256 user"), *p384 = self_signed(p384_key, "p384 user");

    (void)state;
    round_trip(p256, ec_key, "p256 user");
    round_trip(p384, p384_key, "p384 user");
    X509_free(p256);
    X509_free(p384);
}

/* The content is bytes: a 0x0a among them must not become 0x0d 0x0a (what
 * CMS does to text).  Over 400 challenges, each byte value shows up in
 * one with a probability of 1 - (1 - 20/256)^400, above 0.99999999. */
static void
test_content_is_binary(void **state)
{
    X509 *cert = self_signed(ec_key, "binary");
    const char *path = write_cert("binary.pem", cert);
    struct x509_token *t = NULL;
    uint8_t secret[X509_CHALLENGE_LEN], opened[64];
    char err[512], *pem;
    unsigned char *der;
    long derlen;
    bool seen_lf = false;

    (void)state;
    assert_int_equal(x509_token_load(path, NULL, &t, err, sizeof(err)), REASON_OK);
    for (int i = 0; i < 400; i++) {
        assert_int_equal(x509_token_challenge(t, secret, &pem, err, sizeof(err)), REASON_OK);
        derlen = envelope_der(pem, &der);
        assert_int_equal(open_envelope_der(der, derlen, ec_key, cert, opened), X509_CHALLENGE_LEN);
        assert_memory_equal(opened, secret, X509_CHALLENGE_LEN);
        seen_lf = seen_lf || memchr(secret, '\n', X509_CHALLENGE_LEN) != NULL;
        OPENSSL_free(der);
        free(pem);
    }
    assert_true(seen_lf);
    x509_token_free(t);
    X509_free(cert);
}

static void
test_wrong_key_and_wrong_response(void **state)
{
    X509 *cert = self_signed(ec_key, "ec user");
    const char *path = write_cert("ec.pem", cert);
    struct x509_token *t = NULL;
    uint8_t secret[X509_CHALLENGE_LEN], opened[64];
    char err[512], hex[X509_RESPONSE_HEX + 1], *pem = NULL;
    unsigned char *der;
    long derlen;

    (void)state;
    assert_int_equal(x509_token_load(path, NULL, &t, err, sizeof(err)), REASON_OK);
    assert_int_equal(x509_token_challenge(t, secret, &pem, err, sizeof(err)), REASON_OK);
    derlen = envelope_der(pem, &der);
    /* another key on the same curve cannot open it */
    assert_int_equal(open_envelope_der(der, derlen, ca_key, NULL, opened), -1);
    /* one digit off */
    hex_encode(secret, X509_CHALLENGE_LEN, hex, sizeof(hex));
    hex[7] = hex[7] == '0' ? '1' : '0';
    assert_false(x509_token_response_ok(secret, hex));
    OPENSSL_free(der);
    free(pem);
    x509_token_free(t);
    X509_free(cert);
}

/* Flip one bit of the last padding byte through CBC: the first ciphertext
 * block's last byte changes the second plaintext block's last byte, so the
 * 12 bytes of padding (0x0c) end in 0x0d and the padding check fails,
 * every time.  The ciphertext is the last 32 bytes of the DER. */
static void
test_tampered_envelope(void **state)
{
    EVP_PKEY *keys[] = {rsa_key, ec_key};

    (void)state;
    for (size_t k = 0; k < 2; k++) {
        X509 *cert = self_signed(keys[k], "tamper");
        const char *path = write_cert("tamper.pem", cert);
        struct x509_token *t = NULL;
        uint8_t secret[X509_CHALLENGE_LEN], opened[64];
        char err[512], *pem = NULL;
        unsigned char *der;
        long derlen;

        assert_int_equal(x509_token_load(path, NULL, &t, err, sizeof(err)), REASON_OK);
        assert_int_equal(x509_token_challenge(t, secret, &pem, err, sizeof(err)), REASON_OK);
        derlen = envelope_der(pem, &der);
        assert_int_equal(open_envelope_der(der, derlen, keys[k], cert, opened), X509_CHALLENGE_LEN);
        der[derlen - 17] ^= 0x01;
        assert_int_equal(open_envelope_der(der, derlen, keys[k], cert, opened), -1);
        /* cut short: not an envelope at all */
        assert_int_equal(open_envelope_der(der, derlen - 40, keys[k], cert, opened), -1);
        OPENSSL_free(der);
        free(pem);
        x509_token_free(t);
        X509_free(cert);
    }
}

static void
test_validity_period(void **state)
{
    struct cert_spec expired = {.cn = "old", .not_before = -30 * DAY, .not_after = -DAY};
    struct cert_spec early = {.cn = "new", .not_before = DAY, .not_after = 30 * DAY};
    X509 *a = make_cert(ec_key, &expired, NULL, NULL), *b = make_cert(ec_key, &early, NULL, NULL);
    struct x509_token *t = (struct x509_token *)1;
    char err[512];

    (void)state;
    assert_int_equal(x509_token_load(write_cert("expired.pem", a), NULL, &t, err, sizeof(err)),
                     REASON_CERT_EXPIRED);
    assert_null(t);
    assert_non_null(strstr(err, "has expired: not after 20"));
    assert_int_equal(x509_token_load(write_cert("early.pem", b), NULL, &t, err, sizeof(err)),
                     REASON_CERT_EXPIRED);
    assert_non_null(strstr(err, "is not yet valid: not before 20"));
    /* the same certificate at a time inside its period */
    {
        char *text = pem_of(&b, 1);

        assert_int_equal(x509_token_parse(text, strlen(text), "early", &t, err, sizeof(err)),
                         REASON_OK);
        assert_int_equal(x509_token_check_time(t, time(NULL) + 2 * DAY, err, sizeof(err)),
                         REASON_OK);
        assert_int_equal(x509_token_check_time(t, time(NULL) + 31 * DAY, err, sizeof(err)),
                         REASON_CERT_EXPIRED);
        x509_token_free(t);
        free(text);
    }
    X509_free(a);
    X509_free(b);
}

static void
test_chain(void **state)
{
    struct cert_spec leaf = {.cn = "issued user",
                             .not_before = -DAY,
                             .not_after = 30 * DAY,
                             .key_usage = "critical,keyEncipherment"};
    X509 *issued = make_cert(rsa_key, &leaf, ca_cert, ca_key);
    X509 *self = self_signed(rsa_key, "self-made");
    const char *ca = write_cert("ca.pem", ca_cert);
    const char *stranger = write_cert("stranger.pem", stranger_cert);
    struct x509_token *t = NULL;
    X509 *both[2] = {stranger_cert, ca_cert};
    char err[512], *text;

    (void)state;
    assert_int_equal(x509_token_load(write_cert("issued.pem", issued), ca, &t, err, sizeof(err)),
                     REASON_OK);
    x509_token_free(t);
    /* a CA file with several CAs: the right one among them */
    text = pem_of(both, 2);
    assert_int_equal(x509_token_load(write_cert("issued.pem", issued),
                                     write_file("two-cas.pem", text, strlen(text), 0644), &t, err,
                                     sizeof(err)),
                     REASON_OK);
    x509_token_free(t);
    free(text);

    assert_int_equal(x509_token_load(write_cert("issued.pem", issued), stranger, &t, err,
                                     sizeof(err)),
                     REASON_CERT_UNTRUSTED);
    assert_non_null(strstr(err, "unable to get local issuer certificate (depth 0)"));
    assert_int_equal(x509_token_load(write_cert("self.pem", self), ca, &t, err, sizeof(err)),
                     REASON_CERT_UNTRUSTED);
    assert_non_null(strstr(err, "self-signed certificate (depth 0)"));
    /* without x509_ca, no chain is asked for */
    assert_int_equal(x509_token_load(write_cert("self.pem", self), NULL, &t, err, sizeof(err)),
                     REASON_OK);
    x509_token_free(t);
    /* a CA file that is missing, or holds no certificate: configuration */
    assert_int_equal(x509_token_load(write_cert("issued.pem", issued), "/nonexistent/ca.pem", &t,
                                     err, sizeof(err)),
                     REASON_CONFIG);
    assert_int_equal(x509_token_load(write_cert("issued.pem", issued),
                                     write_file("empty-ca.pem", "nothing\n", 8, 0644), &t, err,
                                     sizeof(err)),
                     REASON_CONFIG);
    assert_non_null(strstr(err, "holds no PEM certificate"));
    X509_free(issued);
    X509_free(self);
}

static void
expect_invalid(const char *name, const char *text, size_t len, mode_t mode, const char *why)
{
    struct x509_token *t = (struct x509_token *)1;
    char err[512];

    assert_int_equal(x509_token_load(write_file(name, text, len, mode), NULL, &t, err, sizeof(err)),
                     REASON_CERT_INVALID);
    assert_null(t);
    if (strstr(err, why) == NULL)
        fail_msg("%s: expected \"%s\" in \"%s\"", name, why, err);
}

static void
test_not_one_certificate(void **state)
{
    X509 *cert = self_signed(ec_key, "user");
    X509 *two[2] = {cert, ca_cert};
    char *one = pem_of(&cert, 1), *both = pem_of(two, 2), buf[8192];
    const char *key_block = "-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n";

    (void)state;
    expect_invalid("two.pem", both, strlen(both), 0644, "more than one PEM block");
    expect_invalid("garbage.pem", "hello world\n", 12, 0644, "holds no PEM block");
    expect_invalid("empty.pem", "", 0, 0644, "holds no PEM block");
    expect_invalid("key.pem", key_block, strlen(key_block), 0644,
                   "PEM \"PRIVATE KEY\" block where a CERTIFICATE should be");
    snprintf(buf, sizeof(buf), "%strailing words\n", one);
    expect_invalid("trailing.pem", buf, strlen(buf), 0644, "text after the certificate");
    /* a broken base64 body */
    snprintf(buf, sizeof(buf),
             "-----BEGIN CERTIFICATE-----\nMIIB!!!!\n"
             "-----END CERTIFICATE-----\n");
    expect_invalid("broken.pem", buf, strlen(buf), 0644, "holds no PEM block");
    /* valid base64, not a certificate */
    snprintf(buf, sizeof(buf), "-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n");
    expect_invalid("notcert.pem", buf, strlen(buf), 0644, "not a valid X.509 certificate");
    /* text before the block (as `openssl x509 -text` writes) and blank lines after are fine */
    {
        struct x509_token *t = NULL;
        char err[512];

        snprintf(buf, sizeof(buf), "Certificate:\n    Data: ...\n%s\n\n  \n", one);
        assert_int_equal(x509_token_load(write_file("text.pem", buf, strlen(buf), 0644), NULL, &t,
                                         err, sizeof(err)),
                         REASON_OK);
        x509_token_free(t);
        assert_int_equal(x509_token_load("relative/cert.pem", NULL, &t, err, sizeof(err)),
                         REASON_CERT_INVALID);
        assert_non_null(strstr(err, "absolute path"));
        assert_int_equal(x509_token_load("/nonexistent/cert.pem", NULL, &t, err, sizeof(err)),
                         REASON_CERT_INVALID);
    }
    free(one);
    free(both);
    X509_free(cert);
}

static void
test_loose_modes_refused(void **state)
{
    X509 *cert = self_signed(ec_key, "user");
    char *text = pem_of(&cert, 1);
    char path[256];

    (void)state;
    expect_invalid("world.pem", text, strlen(text), 0646, "chmod go-w");
    /* group write is refused unless the group is root (the sudoers rule) */
    snprintf(path, sizeof(path), "%s/group.pem", dir);
    write_file("group.pem", text, strlen(text), 0664);
    if (getuid() == 0)
        assert_int_equal(chown(path, (uid_t)-1, 65534), 0);
    if (getuid() == 0 || getgid() != 0) {
        struct x509_token *t = NULL;
        char err[512];

        assert_int_equal(x509_token_load(path, NULL, &t, err, sizeof(err)), REASON_CERT_INVALID);
        assert_non_null(strstr(err, "writable by group"));
    }
    free(text);
    X509_free(cert);
}

static void
test_unusable_keys(void **state)
{
    EVP_PKEY *small = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
    EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    EVP_PKEY *p224 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-224");
    struct cert_spec signing = {.cn = "signer",
                                .not_before = -DAY,
                                .not_after = DAY,
                                .key_usage = "critical,digitalSignature"};
    X509 *certs[5];
    const char *why[5] = {"an RSA key of 1024 bits", "its key type ED25519 cannot",
                          "an EC key on secp224r1 (224 bits)",
                          "its key usage does not allow keyEncipherment",
                          "its key usage does not allow keyAgreement"};

    (void)state;
    assert_non_null(small);
    assert_non_null(ed);
    assert_non_null(p224);
    certs[0] = self_signed(small, "small");
    certs[1] = self_signed(ed, "ed");
    certs[2] = self_signed(p224, "p224");
    certs[3] = make_cert(rsa_key, &signing, NULL, NULL);
    certs[4] = make_cert(ec_key, &signing, NULL, NULL);
    for (int i = 0; i < 5; i++) {
        char *text = pem_of(&certs[i], 1);

        expect_invalid("key.pem", text, strlen(text), 0644, why[i]);
        free(text);
        X509_free(certs[i]);
    }
    EVP_PKEY_free(small);
    EVP_PKEY_free(ed);
    EVP_PKEY_free(p224);
}

static bool
answer(const char *response)
{
    uint8_t secret[X509_CHALLENGE_LEN];

    for (int i = 0; i < X509_CHALLENGE_LEN; i++)
        secret[i] = (uint8_t)(0xa0 + i);
    return x509_token_response_ok(secret, response);
}

#define HEX40 "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3"

static void
test_response_syntax(void **state)
{
    (void)state;
    assert_true(answer(HEX40));
    assert_true(answer("A0A1A2A3A4A5A6A7A8A9AAABACADAEAFB0B1B2B3"));
    assert_true(answer("A0a1A2a3a4a5a6a7a8a9aaabacadaeafb0b1b2B3"));
    assert_true(answer("  \t" HEX40 "\r\n"));
    assert_true(answer("\n" HEX40 "\n\n"));
    assert_false(answer("a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b"));   /* 39 */
    assert_false(answer(HEX40 "0"));                                   /* 41 */
    assert_false(answer(HEX40 "00"));                                  /* 42: 21 bytes */
    assert_false(answer("a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2"));    /* 38: 19 bytes */
    assert_false(answer("g0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3"));  /* not hex */
    assert_false(answer("a0a1a2a3a4a5a6a7a8a9 aaabacadaeafb0b1b2b3")); /* a blank inside */
    assert_false(answer("a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b4"));  /* last bit */
    assert_false(answer("0xa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3"));
    assert_false(answer(""));
    assert_false(answer("   "));
    assert_false(answer(NULL));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rsa_round_trip),
        cmocka_unit_test(test_ec_round_trip),
        cmocka_unit_test(test_content_is_binary),
        cmocka_unit_test(test_wrong_key_and_wrong_response),
        cmocka_unit_test(test_tampered_envelope),
        cmocka_unit_test(test_validity_period),
        cmocka_unit_test(test_chain),
        cmocka_unit_test(test_not_one_certificate),
        cmocka_unit_test(test_loose_modes_refused),
        cmocka_unit_test(test_unusable_keys),
        cmocka_unit_test(test_response_syntax),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
