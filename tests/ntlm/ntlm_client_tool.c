/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ntlm_client_tool.c - drives lib/ntlm/ntlm.c from the interop tests: prints the
 * base64 NEGOTIATE, reads one base64 CHALLENGE line from stdin, prints the
 * base64 AUTHENTICATE.  The password comes from a file or an inherited file
 * descriptor, never from argv (visible to every user via /proc).
 *
 *   ntlm_client_tool (-p PASSWORD_FILE | -P FD) [-c SERVER_CERT] USER DOMAIN WORKSTATION SPN
 *
 * SERVER_CERT (PEM or DER) turns on tls-server-end-point channel binding.
 * Exit status 0 on success, 1 on an NTLM error (reason on stderr), 2 on usage.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "lib/common/secmem.h"
#include "lib/ntlm/ntlm.h"

#define LINE_MAX_B64 (NTLM_MAX_MESSAGE / 3 * 4 + 8)

/* Up to NTLM_MAX_STRING bytes from @fd, without one trailing newline. */
static int
read_password(int fd, char *buf, size_t size)
{
    size_t n = 0;
    ssize_t r = 1;
    int ret = -1;

    while (n < size - 1 && r > 0) {
        r = read(fd, buf + n, size - 1 - n);
        if (r > 0)
            n += (size_t)r;
    }
    if (r < 0 || n == size - 1)
        goto out; /* error, or too long to be a password we accept */
    if (n > 0 && buf[n - 1] == '\n')
        n--;
    if (n > 0 && buf[n - 1] == '\r')
        n--;
    buf[n] = '\0';
    ret = 0;
out:
    return ret;
}

/* The server certificate as DER, from a PEM or DER file. */
static int
read_cert(const char *path, uint8_t **der, size_t *len)
{
    FILE *f = fopen(path, "rb");
    X509 *x = NULL;
    uint8_t *p = NULL;
    int n = -1, ret = -1;

    if (f == NULL)
        goto out;
    x = PEM_read_X509(f, NULL, NULL, NULL);
    if (x == NULL) {
        rewind(f);
        x = d2i_X509_fp(f, NULL);
    }
    if (x != NULL)
        n = i2d_X509(x, &p);
    if (n <= 0)
        goto out;
    *der = p;
    *len = (size_t)n;
    ret = 0;
out:
    X509_free(x);
    if (f != NULL)
        fclose(f);
    return ret;
}

static int
emit(const uint8_t *msg, size_t len)
{
    char *b64 = NULL;
    int ret = ntlm_b64_encode(msg, len, &b64);

    if (ret == NTLM_OK) {
        printf("%s\n", b64);
        fflush(stdout);
    }
    free(b64);
    return ret;
}

int
main(int argc, char **argv)
{
    static char password[NTLM_MAX_STRING + 2], line[LINE_MAX_B64];
    const char *pwfile = NULL, *certfile = NULL;
    struct ntlm_client *c = NULL;
    uint8_t *neg = NULL, *auth = NULL, *chal = NULL, *der = NULL;
    size_t neg_len = 0, auth_len = 0, chal_len = 0, der_len = 0;
    int pwfd = -1, opt, rc = 2, ret = NTLM_OK;

    while ((opt = getopt(argc, argv, "p:P:c:")) != -1) {
        if (opt == 'p')
            pwfile = optarg;
        else if (opt == 'P')
            pwfd = atoi(optarg);
        else if (opt == 'c')
            certfile = optarg;
        else
            goto out;
    }
    if (argc - optind != 4 || (pwfile == NULL) == (pwfd < 0)) {
        fprintf(stderr, "usage: %s (-p PWFILE | -P FD) [-c CERT] USER DOMAIN WORKSTATION SPN\n",
                argv[0]);
        goto out;
    }
    rc = 1;
    if (pwfile != NULL)
        pwfd = open(pwfile, O_RDONLY | O_CLOEXEC);
    if (pwfd < 0 || read_password(pwfd, password, sizeof(password)) != 0) {
        fprintf(stderr, "cannot read the password\n");
        goto out;
    }
    if (certfile != NULL && read_cert(certfile, &der, &der_len) != 0) {
        fprintf(stderr, "cannot read certificate %s\n", certfile);
        goto out;
    }
    ret = ntlm_client_new(&c, argv[optind], argv[optind + 1], password, argv[optind + 2],
                          argv[optind + 3]);
    secmem_wipe(password, sizeof(password));
    if (ret == NTLM_OK && der != NULL)
        ret = ntlm_client_set_channel_binding(c, der, der_len);
    if (ret == NTLM_OK)
        ret = ntlm_client_negotiate(c, &neg, &neg_len);
    if (ret == NTLM_OK)
        ret = emit(neg, neg_len);
    if (ret != NTLM_OK)
        goto out;
    if (fgets(line, sizeof(line), stdin) == NULL) {
        fprintf(stderr, "no CHALLENGE on stdin\n");
        goto out;
    }
    line[strcspn(line, "\r\n")] = '\0';
    ret = ntlm_b64_decode(line, strlen(line), &chal, &chal_len);
    if (ret == NTLM_OK)
        ret = ntlm_client_authenticate(c, chal, chal_len, &auth, &auth_len);
    if (ret == NTLM_OK)
        ret = emit(auth, auth_len);
    if (ret == NTLM_OK)
        rc = 0;
out:
    if (ret != NTLM_OK)
        fprintf(stderr, "ntlm error %d: %s\n", ret, c != NULL ? ntlm_client_error(c) : "");
    if (pwfd > 2)
        close(pwfd);
    OPENSSL_free(der);
    free(neg);
    free(auth);
    free(chal);
    ntlm_client_free(c);
    return rc;
}
