/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * x509_challenge.c - the helper's side of the key-possession challenge as a
 * test program: load a certificate (lib/core/x509_token), print the CMS
 * envelope on stdout, read one answer line on stdin and check it, as the
 * helper will inside one attempt.
 *
 *   x509_challenge CERT [CA_FILE]
 *
 * Exit 0 "ok", 1 "invalid-challenge-response", 2 with "REASON: detail" on
 * stderr when the certificate is refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/common/reason.h"
#include "lib/x509/x509_token.h"

int
main(int argc, char **argv)
{
    struct x509_token *t = NULL;
    uint8_t secret[X509_CHALLENGE_LEN];
    char err[512], answer[512 + 2], *pem = NULL;
    int reason, rc = 2;

    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: x509_challenge CERT [CA_FILE]\n");
        return 2;
    }
    reason = x509_token_load(argv[1], argc == 3 ? argv[2] : NULL, &t, err, sizeof(err));
    if (reason == REASON_OK)
        reason = x509_token_challenge(t, secret, &pem, err, sizeof(err));
    if (reason != REASON_OK) {
        fprintf(stderr, "%s: %s\n", crauth_reason_name(reason), err);
        goto out;
    }
    fputs(pem, stdout);
    fflush(stdout);
    if (fgets(answer, sizeof(answer), stdin) == NULL)
        answer[0] = '\0';
    if (x509_token_response_ok(secret, answer)) {
        printf("ok\n");
        rc = 0;
    } else {
        printf("%s\n", crauth_reason_name(REASON_INVALID_CHALLENGE_RESPONSE));
        rc = 1;
    }
out:
    free(pem);
    x509_token_free(t);
    return rc;
}
