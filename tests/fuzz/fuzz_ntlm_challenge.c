/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_ntlm_challenge.c - libFuzzer harness for the part of the NTLM client
 * an attacker controls: the CHALLENGE_MESSAGE from the server or a proxy.
 * Each input goes through ntlm_challenge_decode() and then through a whole
 * NEGOTIATE/AUTHENTICATE with channel bindings and an SPN, so the AV pair
 * rewriting and the size arithmetic of the encoder are covered too.
 * Invariants (pointers inside the input, decode and client agree, output
 * shaped like an AUTHENTICATE) trap when violated.
 * Built by tests/fuzz/fuzz.sh against libcrauth_ntlm (tests/fuzz/local.mk).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "lib/ntlm/ntlm.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t *cert_der;
static size_t cert_len;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            __builtin_trap();                                                                      \
    } while (0)

/* A small self-signed certificate to bind to, made once. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    X509 *x = X509_new();
    int n = -1;

    (void)argc;
    (void)argv;
    if (k != NULL && x != NULL && X509_set_pubkey(x, k) &&
        X509_gmtime_adj(X509_getm_notBefore(x), 0) && X509_gmtime_adj(X509_getm_notAfter(x), 60) &&
        X509_sign(x, k, EVP_sha256()) > 0)
        n = i2d_X509(x, &cert_der);
    CHECK(n > 0);
    cert_len = (size_t)n;
    X509_free(x);
    EVP_PKEY_free(k);
    CHECK(ntlm_crypto_init() == NTLM_OK);
    return 0;
}

static int
inside(const uint8_t *p, size_t len, const uint8_t *base, size_t size)
{
    return p == NULL ? len == 0 : (p >= base && len <= size && (size_t)(p - base) <= size - len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ntlm_challenge ch;
    struct ntlm_client *c = NULL;
    char err[NTLM_ERROR_SIZE];
    uint8_t *neg = NULL, *auth = NULL;
    size_t neg_len = 0, auth_len = 0;
    int dec, ret;

    dec = ntlm_challenge_decode(data, size, &ch, err, sizeof(err));
    CHECK(strlen(err) < sizeof(err));
    if (dec == NTLM_OK) {
        CHECK(err[0] == '\0');
        CHECK(inside(ch.target_name, ch.target_name_len, data, size));
        CHECK(inside(ch.target_info, ch.target_info_len, data, size));
        CHECK(ch.target_info_len <= NTLM_MAX_TARGET_INFO);
    } else {
        CHECK(err[0] != '\0');
    }
    ret = ntlm_client_new(&c, "user", "DOMAIN", "password", "WS", "HTTP/host.example");
    CHECK(ret == NTLM_OK);
    if (size > 0 && (data[size - 1] & 1)) /* with and without channel bindings */
        CHECK(ntlm_client_set_channel_binding(c, cert_der, cert_len) == NTLM_OK);
    CHECK(ntlm_client_negotiate(c, &neg, &neg_len) == NTLM_OK);
    ret = ntlm_client_authenticate(c, data, size, &auth, &auth_len);
    CHECK(ret == dec);
    if (ret == NTLM_OK) {
        CHECK(auth != NULL && auth_len > 72 && auth_len <= NTLM_MAX_MESSAGE);
        CHECK(memcmp(auth, "NTLMSSP\0\3\0\0\0", 12) == 0);
        /* payload starts after the MIC exactly when the server sent a timestamp */
        CHECK(auth[32] == (ch.has_timestamp ? 88 : 72) && auth[33] == 0);
        /* never sign, seal or key exchange (flags byte 0 and 3) */
        CHECK((auth[60] & 0x30) == 0 && (auth[63] & 0x40) == 0);
    } else {
        CHECK(auth == NULL && strcmp(ntlm_client_error(c), err) == 0);
    }
    free(neg);
    free(auth);
    ntlm_client_free(c);
    return 0;
}
