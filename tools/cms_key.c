/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cms_key.c - load the private key for `crauth cms-respond` (see cms_key.h).
 *
 * A PEM key is decoded by OpenSSL, which calls back for a pass phrase only
 * when the key is encrypted; the pass phrase comes from --pass-file or is
 * asked on the terminal through OpenSSL's UI (echo off, the terminal
 * restored on a signal).  Standard input is the envelope, so it is never
 * where a pass phrase or PIN is read from.
 *
 * A key on a token goes through libp11's "pkcs11" engine, not a provider:
 * Debian bookworm packages the engine (libengine-pkcs11-openssl) but no
 * OpenSSL 3 PKCS#11 provider (`apt-cache policy pkcs11-provider` finds
 * nothing there).  OpenSSL 3 deprecates the ENGINE API but still runs
 * engines, and a key from ENGINE_load_private_key works with CMS_decrypt
 * for RSA and for ECDH.
 */
#define OPENSSL_SUPPRESS_DEPRECATED /* the ENGINE API, see above */

#include "tools/cms_key.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/engine.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ui.h>

#include "lib/common/reason.h"
#include "lib/common/secmem.h"
#include "lib/x509/x509_token.h"

#define KEY_FILE_MAX (64 * 1024)
#define SECRET_FILE_MAX 1024

int
cms_read_user_file(const char *path, const char *what, size_t max, int private_file, char **out,
                   size_t *len, char *err, size_t errlen)
{
    struct stat st;
    char *buf = NULL;
    size_t got = 0;
    int fd, reason = REASON_CERT_INVALID;

    *out = NULL;
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        snprintf(err, errlen, "%s %s: cannot open: %s", what, path, strerror(errno));
        return REASON_CERT_INVALID;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s %s is not a regular file", what, path);
        goto out;
    }
    if (private_file && (st.st_mode & S_IRWXO)) {
        snprintf(err, errlen, "%s %s is open to others (mode %04o): chmod o-rwx %s", what, path,
                 (unsigned)(st.st_mode & 07777), path);
        goto out;
    }
    if ((buf = malloc(max + 1)) == NULL) {
        snprintf(err, errlen, "%s %s: out of memory", what, path);
        reason = REASON_INTERNAL;
        goto out;
    }
    secmem_lock(buf, max + 1);
    for (;;) {
        ssize_t n = read(fd, buf + got, max + 1 - got);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(err, errlen, "%s %s: read failed: %s", what, path, strerror(errno));
            goto out;
        }
        if (n == 0)
            break;
        got += (size_t)n;
        if (got > max) {
            snprintf(err, errlen, "%s %s is larger than %zu bytes", what, path, max);
            goto out;
        }
    }
    buf[got] = '\0';
    *out = buf;
    *len = got;
    buf = NULL;
    reason = REASON_OK;
out:
    if (buf != NULL) {
        secmem_wipe(buf, max + 1);
        free(buf);
    }
    close(fd);
    return reason;
}

/* The first line of a pass phrase or PIN file, without its line end. */
static int
read_secret_line(const char *path, const char *what, char **out, char *err, size_t errlen)
{
    size_t len;
    int reason = cms_read_user_file(path, what, SECRET_FILE_MAX, 1, out, &len, err, errlen);

    if (reason == REASON_OK)
        (*out)[strcspn(*out, "\r\n")] = '\0';
    return reason;
}

static bool
have_terminal(void)
{
    int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);

    if (fd < 0)
        return false;
    close(fd);
    return true;
}

struct pass_ctx {
    const struct cms_key_source *src;
    bool asked;       /* the callback ran: the key is encrypted */
    bool no_terminal; /* ... and there was nowhere to ask */
    char err[512];    /* a pass file that could not be read */
};

/* OpenSSL's pem_password_cb: called only for an encrypted key. */
static int
pass_cb(char *buf, int size, int rwflag, void *u)
{
    struct pass_ctx *c = u;
    char *pass = NULL;
    int len;

    (void)rwflag;
    c->asked = true;
    if (c->src->pass_file != NULL) {
        if (read_secret_line(c->src->pass_file, "pass phrase file", &pass, c->err,
                             sizeof(c->err)) != REASON_OK)
            return -1;
        len = (int)strlen(pass);
        if (len >= size)
            len = -1;
        else
            memcpy(buf, pass, (size_t)len + 1);
        secmem_free_str(&pass);
        return len;
    }
    if (!have_terminal()) {
        c->no_terminal = true;
        return -1;
    }
    if (EVP_read_pw_string(buf, size, "Pass phrase for the private key: ", 0) != 0)
        return -1;
    return (int)strlen(buf);
}

static int
load_key_file(const struct cms_key_source *src, struct cms_key *key, char *err, size_t errlen)
{
    struct pass_ctx ctx = {.src = src};
    char *text = NULL;
    size_t len;
    BIO *bio = NULL;
    int reason;

    reason =
        cms_read_user_file(src->key_file, "key file", KEY_FILE_MAX, 1, &text, &len, err, errlen);
    if (reason != REASON_OK)
        return reason;
    reason = REASON_CERT_INVALID;
    if ((bio = BIO_new_mem_buf(text, (int)len)) == NULL) {
        snprintf(err, errlen, "key file %s: out of memory", src->key_file);
        goto out;
    }
    key->pkey = PEM_read_bio_PrivateKey(bio, NULL, pass_cb, &ctx);
    if (key->pkey != NULL) {
        reason = REASON_OK;
    } else if (ctx.err[0] != '\0') {
        snprintf(err, errlen, "%s", ctx.err);
    } else if (ctx.no_terminal) {
        snprintf(err, errlen,
                 "key file %s is encrypted and there is no terminal to ask for "
                 "its pass phrase: give --pass-file",
                 src->key_file);
    } else if (ctx.asked) {
        snprintf(err, errlen, "key file %s: cannot decrypt it (wrong pass phrase?): %s",
                 src->key_file, x509_openssl_reason());
    } else {
        snprintf(err, errlen, "key file %s holds no PEM private key: %s", src->key_file,
                 x509_openssl_reason());
    }
out:
    ERR_clear_error();
    BIO_free(bio);
    secmem_wipe(text, len);
    free(text);
    return reason;
}

static int
load_pkcs11_key(const struct cms_key_source *src, struct cms_key *key, char *err, size_t errlen)
{
    ENGINE *e = NULL;
    char *pin = NULL;
    bool pin_in_uri = strstr(src->pkcs11_uri, "pin-value=") != NULL ||
                      strstr(src->pkcs11_uri, "pin-source=") != NULL;
    bool initialised = false;
    int reason = REASON_CERT_INVALID;

    if (strncmp(src->pkcs11_uri, "pkcs11:", 7) != 0) {
        snprintf(err, errlen, "--pkcs11 takes an RFC 7512 URI, \"pkcs11:token=...;object=...\"");
        return REASON_CERT_INVALID;
    }
    if (src->pin_file != NULL &&
        read_secret_line(src->pin_file, "PIN file", &pin, err, errlen) != REASON_OK)
        return REASON_CERT_INVALID;
    /* without a terminal the engine would read the PIN from standard
     * input, which holds the envelope */
    if (src->pin_file == NULL && !pin_in_uri && !have_terminal()) {
        snprintf(err, errlen,
                 "no PIN for the token and no terminal to ask for it: give "
                 "--pin-file or pin-value in the URI");
        return REASON_CERT_INVALID;
    }
    if (src->pkcs11_module != NULL && access(src->pkcs11_module, R_OK) != 0) {
        snprintf(err, errlen, "PKCS#11 module %s: %s", src->pkcs11_module, strerror(errno));
        goto out;
    }
    if ((e = ENGINE_by_id("pkcs11")) == NULL) {
        snprintf(err, errlen,
                 "OpenSSL's pkcs11 engine is not installed "
                 "(apt-get install libengine-pkcs11-openssl): %s",
                 x509_openssl_reason());
        goto out;
    }
    /* libp11 tells of every failure on stderr in lines of its own; the
     * reason comes back through OpenSSL's error queue instead */
    (void)ENGINE_ctrl_cmd_string(e, "QUIET", NULL, 1);
    ERR_clear_error();
    if (src->pkcs11_module != NULL &&
        !ENGINE_ctrl_cmd_string(e, "MODULE_PATH", src->pkcs11_module, 0)) {
        snprintf(err, errlen, "the pkcs11 engine refuses the module %s: %s", src->pkcs11_module,
                 x509_openssl_reason());
        goto out;
    }
    if (pin != NULL && !ENGINE_ctrl_cmd_string(e, "PIN", pin, 0)) {
        snprintf(err, errlen, "the pkcs11 engine refuses the PIN: %s", x509_openssl_reason());
        goto out;
    }
    if (!ENGINE_init(e)) {
        snprintf(err, errlen, "the pkcs11 engine cannot start%s%s: %s",
                 src->pkcs11_module ? " with " : "", src->pkcs11_module ? src->pkcs11_module : "",
                 x509_openssl_reason());
        goto out;
    }
    initialised = true;
    /* with OpenSSL's UI the engine asks for the PIN on the terminal, and
     * only when the token wants a login and no PIN was given */
    key->pkey = ENGINE_load_private_key(e, src->pkcs11_uri, UI_OpenSSL(), NULL);
    if (key->pkey == NULL) {
        /* the URI up to its query, which may hold pin-value */
        snprintf(err, errlen, "no usable private key at %.*s (wrong PIN, or no such object?): %s",
                 (int)strcspn(src->pkcs11_uri, "?"), src->pkcs11_uri, x509_openssl_reason());
        goto out;
    }
    key->engine = e;
    e = NULL;
    reason = REASON_OK;
out:
    if (e != NULL) {
        if (initialised)
            ENGINE_finish(e);
        ENGINE_free(e);
    }
    secmem_free_str(&pin);
    ERR_clear_error();
    return reason;
}

int
cms_key_load(const struct cms_key_source *src, struct cms_key *key, char *err, size_t errlen)
{
    key->pkey = NULL;
    key->engine = NULL;
    if (src->pkcs11_uri != NULL)
        return load_pkcs11_key(src, key, err, errlen);
    return load_key_file(src, key, err, errlen);
}

void
cms_key_free(struct cms_key *key)
{
    EVP_PKEY_free(key->pkey);
    key->pkey = NULL;
    if (key->engine != NULL) {
        ENGINE_finish(key->engine);
        ENGINE_free(key->engine);
        key->engine = NULL;
    }
}
