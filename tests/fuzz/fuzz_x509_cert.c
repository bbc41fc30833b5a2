/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_x509_cert.c - libFuzzer harness for the certificate file of an x509
 * token: the bytes the helper reads from the path in the tokens file.
 *
 * Input that starts like DER (a SEQUENCE, 0x30) is wrapped in a PEM
 * CERTIFICATE block first, so mutations reach the certificate's structure
 * rather than breaking its base64; anything else is the file as it is.
 * What parses is checked at a fixed time and, since the key is then one
 * the helper would envelope to, a challenge is made for it: the envelope
 * must be PEM and within the size a prompt carries.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "lib/common/reason.h"
#include "lib/x509/x509_token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* @der as a PEM CERTIFICATE block, in a buffer to free; NULL if too big. */
static char *
pem_wrap(const uint8_t *der, size_t size, size_t *len)
{
    static const char head[] = "-----BEGIN CERTIFICATE-----\n";
    static const char tail[] = "-----END CERTIFICATE-----\n";
    size_t lines = (size + 47) / 48, cap = sizeof(head) + lines * 65 + sizeof(tail);
    char *pem, *p;

    if (size > X509_CERT_MAX_FILE / 2 || (pem = malloc(cap)) == NULL)
        return NULL;
    p = pem + sizeof(head) - 1;
    memcpy(pem, head, sizeof(head) - 1);
    for (size_t i = 0; i < size; i += 48) {
        p += EVP_EncodeBlock((unsigned char *)p, der + i, (int)(size - i < 48 ? size - i : 48));
        *p++ = '\n';
    }
    memcpy(p, tail, sizeof(tail) - 1);
    *len = (size_t)(p - pem) + sizeof(tail) - 1;
    return pem;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct x509_token *t = NULL;
    uint8_t secret[X509_CHALLENGE_LEN];
    char err[512], *pem = NULL, *wrapped = NULL;
    int reason;

    if (size > 0 && data[0] == 0x30) {
        if ((wrapped = pem_wrap(data, size, &size)) == NULL)
            return 0;
        data = (const uint8_t *)wrapped;
    }
    reason = x509_token_parse((const char *)data, size, "fuzz", &t, err, sizeof(err));
    free(wrapped);
    if (reason != REASON_OK) {
        if (t != NULL || err[0] == '\0' || memchr(err, '\n', strlen(err)) != NULL)
            abort();
        return 0;
    }
    if (x509_token_summary(t)[0] == '\0')
        abort();
    reason = x509_token_check_time(t, 1790000000, err, sizeof(err));
    if (reason != REASON_OK && reason != REASON_CERT_EXPIRED && reason != REASON_CERT_INVALID)
        abort();
    reason = x509_token_challenge(t, secret, &pem, err, sizeof(err));
    if (reason == REASON_OK) {
        if (strncmp(pem, "-----BEGIN CMS-----\n", 20) != 0 || strlen(pem) > X509_ENVELOPE_MAX)
            abort();
        if (x509_token_response_ok(secret, "00"))
            abort();
    } else if (pem != NULL) {
        abort();
    }
    free(pem);
    x509_token_free(t);
    return 0;
}
