/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cms_respond.c - `crauth cms-respond`: answer a key-possession challenge.
 *
 * Reads the CMS envelope the login showed (PEM, "-----BEGIN CMS-----") on
 * standard input, opens it with the user's private key, and prints the 20
 * bytes inside as 40 hex digits and a newline: the response to type (or a
 * script to send).  The same as
 *   openssl cms -decrypt -binary -inform PEM -inkey key.pem -recip cert.pem | xxd -p
 * with a key on a smartcard as well, and stricter: only EnvelopedData, and
 * only a 20-byte content is printed, so the key does not decrypt whatever
 * else someone pastes in (RFC 5024 5.3.17's challenge is 20 bytes).
 *
 * Exit 0 with the hex on stdout; 1 with "crauth cms-respond: REASON: ..."
 * on stderr (invalid-challenge-response when the envelope does not open,
 * certificate-invalid for the key or certificate); 2 for usage.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h> /* before cms.h, which declares the PEM CMS functions only after it */
#include <openssl/cms.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "tools/cli.h"
#include "lib/common/hex.h"
#include "lib/common/reason.h"
#include "lib/common/secmem.h"
#include "tools/cms_key.h"
#include "tools/verbs.h"

#define VERB "cms-respond"
#define CHALLENGE_LEN 20         /* RFC 5024 5.3.17 */
#define ENVELOPE_MAX (64 * 1024) /* an RSA-8192 envelope is under 2 KiB */
#define CERT_FILE_MAX (64 * 1024)
#define STDIN_TIMEOUT_MS 300000 /* the helper's default prompt_timeout */

static const char usage[] =
    "usage: crauth cms-respond --key-file KEY [--pass-file FILE] [--cert CERT]\n"
    "       crauth cms-respond --pkcs11 URI [--pin-file FILE] [--pkcs11-module LIB]\n"
    "                          [--cert CERT]\n"
    "Reads the CMS envelope (-----BEGIN CMS-----) of a key-possession challenge on\n"
    "standard input and prints the 20 bytes inside as 40 hex digits.\n"
    "  --key-file KEY       the private key, PEM (RSA or EC); asks for its pass phrase\n"
    "                       on the terminal when it is encrypted, unless --pass-file\n"
    "  --pass-file FILE     the key's pass phrase, first line of FILE\n"
    "  --pkcs11 URI         a key on a smartcard or HSM, RFC 7512 URI such as\n"
    "                       'pkcs11:token=card;object=login;type=private'\n"
    "  --pin-file FILE      the token's PIN, first line of FILE (or pin-value= in URI;\n"
    "                       else asked on the terminal when the token wants one)\n"
    "  --pkcs11-module LIB  the PKCS#11 library (default: the engine's, p11-kit's proxy)\n"
    "  --cert CERT          the certificate the login knows: check the key matches it\n"
    "                       and pick its recipient in the envelope\n";

enum { OPT_KEY_FILE = 0x100, OPT_PASS_FILE, OPT_PKCS11, OPT_PIN_FILE, OPT_MODULE, OPT_CERT };

static void complain(int reason, const char *format, ...) __attribute__((format(printf, 2, 3)));

/* One line on stderr, control characters made harmless. */
static void
complain(int reason, const char *format, ...)
{
    char prefix[96];
    va_list ap;

    if (reason != REASON_OK)
        snprintf(prefix, sizeof(prefix), "crauth " VERB ": %s: ", crauth_reason_name(reason));
    else
        snprintf(prefix, sizeof(prefix), "crauth " VERB ": ");
    va_start(ap, format);
    cli_line_v(prefix, format, ap, "");
    va_end(ap);
}

static int64_t
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* All of standard input, at most ENVELOPE_MAX bytes, within
 * STDIN_TIMEOUT_MS.  REASON_OK with *@out to free, or a reason with @err. */
static int
read_envelope(char **out, size_t *len, char *err, size_t errlen)
{
    int64_t deadline = now_ms() + STDIN_TIMEOUT_MS;
    char *buf = malloc(ENVELOPE_MAX + 1);
    size_t got = 0;

    *out = NULL;
    if (buf == NULL) {
        snprintf(err, errlen, "out of memory");
        return REASON_INTERNAL;
    }
    for (;;) {
        struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
        int64_t left = deadline - now_ms();
        ssize_t n;
        int r;

        if (left <= 0) {
            snprintf(err, errlen,
                     "no end of input within %d s: give the envelope on standard "
                     "input and close it (^D on a terminal)",
                     STDIN_TIMEOUT_MS / 1000);
            goto fail;
        }
        r = poll(&p, 1, (int)left);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            snprintf(err, errlen, "cannot wait for standard input: %s", strerror(errno));
            goto fail;
        }
        if (r == 0)
            continue;
        n = read(STDIN_FILENO, buf + got, ENVELOPE_MAX + 1 - got);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n < 0) {
            snprintf(err, errlen, "cannot read standard input: %s", strerror(errno));
            goto fail;
        }
        if (n == 0)
            break;
        got += (size_t)n;
        if (got > ENVELOPE_MAX) {
            snprintf(err, errlen, "standard input is larger than %d bytes; give one envelope",
                     ENVELOPE_MAX);
            goto fail;
        }
    }
    buf[got] = '\0';
    *out = buf;
    *len = got;
    return REASON_OK;
fail:
    free(buf);
    return REASON_INVALID_CHALLENGE_RESPONSE;
}

static int
load_cert(const char *path, X509 **cert, char *err, size_t errlen)
{
    char *text = NULL;
    size_t len;
    BIO *bio;
    int reason =
        cms_read_user_file(path, "certificate", CERT_FILE_MAX, 0, &text, &len, err, errlen);

    *cert = NULL;
    if (reason != REASON_OK)
        return reason;
    if ((bio = BIO_new_mem_buf(text, (int)len)) != NULL)
        *cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    BIO_free(bio);
    free(text);
    if (*cert == NULL) {
        snprintf(err, errlen, "certificate %s holds no PEM certificate", path);
        ERR_clear_error();
        return REASON_CERT_INVALID;
    }
    return REASON_OK;
}

/* Open the envelope in @text with @key (and @cert when given); the 20
 * bytes into @secret. */
static int
open_envelope(const char *text, size_t len, EVP_PKEY *key, X509 *cert,
              unsigned char secret[CHALLENGE_LEN], char *err, size_t errlen)
{
    BIO *in = BIO_new_mem_buf(text, (int)len), *out = BIO_new(BIO_s_mem());
    CMS_ContentInfo *cms = NULL;
    char *data;
    long n = 0;
    int reason = REASON_INVALID_CHALLENGE_RESPONSE;

    if (in == NULL || out == NULL) {
        snprintf(err, errlen, "out of memory");
        reason = REASON_INTERNAL;
        goto out;
    }
    if ((cms = PEM_read_bio_CMS(in, NULL, NULL, NULL)) == NULL) {
        snprintf(err, errlen,
                 "standard input holds no whole PEM CMS block (-----BEGIN CMS----- "
                 "to -----END CMS-----); copy the envelope whole");
        goto out;
    }
    if (OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_enveloped) {
        snprintf(err, errlen, "the CMS block is %s, not an envelope (EnvelopedData)",
                 OBJ_nid2ln(OBJ_obj2nid(CMS_get0_type(cms))));
        goto out;
    }
    if (CMS_decrypt(cms, key, cert, NULL, out, CMS_BINARY) != 1) {
        unsigned long e = ERR_peek_last_error();
        const char *why = e ? ERR_reason_error_string(e) : NULL;

        snprintf(err, errlen,
                 "the envelope does not open with this key (addressed to another "
                 "key, or damaged): %s",
                 why ? why : "no detail from OpenSSL");
        goto out;
    }
    n = BIO_get_mem_data(out, &data);
    if (n != CHALLENGE_LEN) {
        snprintf(err, errlen, "the envelope holds %ld bytes, not a %d-byte challenge; not shown", n,
                 CHALLENGE_LEN);
        goto out;
    }
    memcpy(secret, data, CHALLENGE_LEN);
    reason = REASON_OK;
out:
    if (out != NULL && (n = BIO_get_mem_data(out, &data)) > 0)
        secmem_wipe(data, (size_t)n);
    ERR_clear_error();
    CMS_ContentInfo_free(cms);
    BIO_free(in);
    BIO_free(out);
    return reason;
}

/* Whether @key can be compared with a certificate.  An EC key on a token
 * whose public point libp11 found nowhere (no public key or certificate
 * object beside it) has none; opening the envelope is the test then. */
static bool
comparable(EVP_PKEY *key)
{
    unsigned char *point = NULL;
    size_t n;

    if (!EVP_PKEY_is_a(key, "EC"))
        return true;
    n = EVP_PKEY_get1_encoded_public_key(key, &point);
    OPENSSL_free(point);
    ERR_clear_error();
    return n > 0;
}

/* --help anywhere, before any parsing, so it works with any other mistake. */
static bool
wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return true;
    }
    return false;
}

/* Options into @src and @cert_path; false after a message on a mistake. */
static bool
parse_options(int argc, char **argv, struct cms_key_source *src, const char **cert_path)
{
    static const struct option opts[] = {
        {"key-file", required_argument, NULL, OPT_KEY_FILE},
        {"pass-file", required_argument, NULL, OPT_PASS_FILE},
        {"pkcs11", required_argument, NULL, OPT_PKCS11},
        {"pin-file", required_argument, NULL, OPT_PIN_FILE},
        {"pkcs11-module", required_argument, NULL, OPT_MODULE},
        {"cert", required_argument, NULL, OPT_CERT},
        {NULL, 0, NULL, 0},
    };
    const char **slot[] = {&src->key_file, &src->pass_file,     &src->pkcs11_uri,
                           &src->pin_file, &src->pkcs11_module, cert_path};
    int opt;

    opterr = 0;
    optind = 0;
    while ((opt = getopt_long(argc, argv, "+:", opts, NULL)) != -1) {
        if (opt == ':') {
            complain(REASON_OK, "option %s needs a value; see `crauth " VERB " --help`",
                     argv[optind - 1]);
            return false;
        }
        if (opt < OPT_KEY_FILE || opt > OPT_CERT) {
            complain(REASON_OK, "unknown option %s; see `crauth " VERB " --help`",
                     argv[optind - 1]);
            return false;
        }
        if (*slot[opt - OPT_KEY_FILE] != NULL) {
            complain(REASON_OK, "option --%s is given twice; give it once",
                     opts[opt - OPT_KEY_FILE].name);
            return false;
        }
        *slot[opt - OPT_KEY_FILE] = optarg;
    }
    if (optind < argc) {
        complain(REASON_OK, "unexpected argument %s: the envelope comes on standard input",
                 argv[optind]);
        return false;
    }
    if ((src->key_file == NULL) == (src->pkcs11_uri == NULL)) {
        complain(REASON_OK, "give one of --key-file or --pkcs11; see `crauth " VERB " --help`");
        return false;
    }
    if (src->pass_file != NULL && src->key_file == NULL) {
        complain(REASON_OK, "--pass-file goes with --key-file");
        return false;
    }
    if ((src->pin_file != NULL || src->pkcs11_module != NULL) && src->pkcs11_uri == NULL) {
        complain(REASON_OK, "--pin-file and --pkcs11-module go with --pkcs11");
        return false;
    }
    return true;
}

int
cmd_cms_respond(int argc, char **argv)
{
    struct cms_key_source src = {0};
    struct cms_key key = {0};
    const char *cert_path = NULL;
    X509 *cert = NULL;
    unsigned char secret[CHALLENGE_LEN];
    char answer[2 * CHALLENGE_LEN + 1];
    char err[640], *envelope = NULL;
    size_t len = 0;
    int reason, rc = 1;

    if (wants_help(argc, argv)) {
        fputs(usage, stdout);
        return 0;
    }
    if (!parse_options(argc, argv, &src, &cert_path))
        return 2;
    /* the envelope first: a pass phrase prompt must not wait on a pipe */
    if ((reason = read_envelope(&envelope, &len, err, sizeof(err))) != REASON_OK)
        goto fail;
    if (cert_path != NULL && (reason = load_cert(cert_path, &cert, err, sizeof(err))) != REASON_OK)
        goto fail;
    if ((reason = cms_key_load(&src, &key, err, sizeof(err))) != REASON_OK)
        goto fail;
    if (cert != NULL && comparable(key.pkey) && X509_check_private_key(cert, key.pkey) != 1) {
        /* a URI only up to its query, which may hold pin-value */
        snprintf(err, sizeof(err), "the key %.*s does not belong to the certificate %s",
                 src.key_file ? (int)strlen(src.key_file) : (int)strcspn(src.pkcs11_uri, "?"),
                 src.key_file ? src.key_file : src.pkcs11_uri, cert_path);
        ERR_clear_error();
        reason = REASON_CERT_INVALID;
        goto fail;
    }
    reason = open_envelope(envelope, len, key.pkey, cert, secret, err, sizeof(err));
    if (reason != REASON_OK)
        goto fail;
    hex_encode(secret, CHALLENGE_LEN, answer, sizeof(answer));
    printf("%s\n", answer);
    rc = fflush(stdout) == 0 ? 0 : 1;
    if (rc != 0)
        complain(REASON_OK, "cannot write the response: %s", strerror(errno));
    goto out;
fail:
    complain(reason, "%s", err);
out:
    secmem_wipe(secret, sizeof(secret));
    secmem_wipe(answer, sizeof(answer));
    free(envelope);
    X509_free(cert);
    cms_key_free(&key);
    return rc;
}
