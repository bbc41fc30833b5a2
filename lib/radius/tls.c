/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tls.c - RADIUS/TLS (RFC 6614): one Access-Request over a fresh TLS
 * connection, with OpenSSL on a non-blocking socket so that every step
 * (connect, handshake, send, reply) ends at its deadline.
 *
 * The server certificate must chain to ca_file and name the configured
 * host (or carry its IP address); TLS 1.2 is the floor (RFC 6614 asks for
 * at least 1.1; nothing older is worth allowing today).  The shared secret
 * is the fixed "radsec" (RFC 6614 2.3): the packet's authenticators are
 * then a formality, TLS carries the security.  Packets follow one another
 * on the stream, each framed by its own Length field (RFC 6613).
 *
 * radius_tls_probe is the connection and the handshake alone, for
 * `crauth check`.
 *
 * SIGPIPE: OpenSSL writes with write(2), which raises SIGPIPE on a closed
 * connection; it is ignored for the duration of the exchange (the helper is
 * single-threaded) so that a server that hangs up costs a reason code, not
 * the process.
 */
#include "lib/radius/client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "lib/common/reason.h"
#include "lib/common/wire.h"
#include "lib/radius/client_impl.h"
#include "lib/remote/net.h"

struct tls_conn {
    SSL_CTX *ctx;
    SSL *ssl;
    int fd;
};

/* OpenSSL's first queued error, or @fallback. */
static const char *
ssl_error_text(char *buf, size_t len, const char *fallback)
{
    unsigned long e = ERR_get_error();

    if (e == 0) {
        snprintf(buf, len, "%s", fallback);
        return buf;
    }
    ERR_error_string_n(e, buf, len);
    ERR_clear_error();
    return buf;
}

/* Encrypted keys are refused rather than prompted for on a terminal. */
static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)u;
    return 0;
}

/* Name the file and the errno when we cannot even open it. */
static int
check_readable(struct radius_exchange *x, const char *what, const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        snprintf(x->err, x->errlen, "cannot read %s %s: %s", what, path, strerror(errno));
        return REASON_CONFIG;
    }
    close(fd);
    return REASON_OK;
}

static int
tls_context(struct radius_exchange *x, SSL_CTX **out)
{
    const struct radius_params *p = x->p;
    const char *key = p->client_key != NULL ? p->client_key : p->client_cert;
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    char ebuf[256];
    int reason = REASON_CONFIG;

    *out = NULL;
    if (ctx == NULL || SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
        snprintf(x->err, x->errlen, "cannot set up TLS: %s",
                 ssl_error_text(ebuf, sizeof(ebuf), "SSL_CTX_new failed"));
        reason = REASON_INTERNAL;
        goto out;
    }
    SSL_CTX_set_default_passwd_cb(ctx, no_passphrase);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    if (check_readable(x, "ca_file", p->ca_file) != REASON_OK)
        goto out;
    if (SSL_CTX_load_verify_locations(ctx, p->ca_file, NULL) != 1) {
        snprintf(x->err, x->errlen, "ca_file %s holds no usable CA certificate: %s", p->ca_file,
                 ssl_error_text(ebuf, sizeof(ebuf), "?"));
        goto out;
    }
    if (p->client_cert == NULL && p->client_key != NULL) {
        snprintf(x->err, x->errlen, "client_key %s is set without client_cert", p->client_key);
        goto out;
    }
    if (p->client_cert != NULL) {
        if (check_readable(x, "client_cert", p->client_cert) != REASON_OK ||
            check_readable(x, "client_key", key) != REASON_OK)
            goto out;
        if (SSL_CTX_use_certificate_chain_file(ctx, p->client_cert) != 1) {
            snprintf(x->err, x->errlen, "client_cert %s is not a PEM certificate chain: %s",
                     p->client_cert, ssl_error_text(ebuf, sizeof(ebuf), "?"));
            goto out;
        }
        if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
            if (ERR_GET_LIB(ERR_peek_error()) == ERR_LIB_X509 &&
                ERR_GET_REASON(ERR_peek_error()) == X509_R_KEY_VALUES_MISMATCH)
                snprintf(x->err, x->errlen, "client_key %s does not belong to client_cert %s", key,
                         p->client_cert);
            else
                snprintf(x->err, x->errlen,
                         "client_key %s is not an unencrypted PEM private "
                         "key: %s",
                         key, ssl_error_text(ebuf, sizeof(ebuf), "?"));
            goto out;
        }
        if (SSL_CTX_check_private_key(ctx) != 1) {
            snprintf(x->err, x->errlen, "client_key %s does not belong to client_cert %s", key,
                     p->client_cert);
            goto out;
        }
    }
    *out = ctx;
    ctx = NULL;
    reason = REASON_OK;
out:
    SSL_CTX_free(ctx);
    ERR_clear_error();
    return reason;
}

static int
tcp_connect(struct radius_exchange *x, int64_t deadline, int *fd)
{
    struct addrinfo *res = NULL;
    int reason, err_no = ECONNREFUSED;

    *fd = -1;
    if ((reason = radius_resolve(x, SOCK_STREAM, deadline, &res)) != REASON_OK)
        return reason;
    for (const struct addrinfo *ai = res; ai != NULL && *fd < 0; ai = ai->ai_next) {
        int soerr = 0;
        socklen_t sl = sizeof(soerr);

        *fd =
            socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
        if (*fd < 0) {
            err_no = errno;
            continue;
        }
        if (connect(*fd, ai->ai_addr, ai->ai_addrlen) == 0)
            break;
        if (errno != EINPROGRESS)
            err_no = errno;
        else if (net_wait_fd(*fd, POLLOUT, deadline) != 1)
            err_no = ETIMEDOUT;
        else if (getsockopt(*fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0 || soerr != 0)
            err_no = soerr ? soerr : errno;
        else
            break;
        close(*fd);
        *fd = -1;
    }
    freeaddrinfo(res);
    if (*fd < 0) {
        snprintf(x->err, x->errlen, "cannot connect to the RADIUS/TLS server %s: %s", x->ep.name,
                 err_no == ETIMEDOUT ? "connect timed out" : strerror(err_no));
        return net_errno_is_local(err_no) ? REASON_RESOURCE_LIMIT : REASON_SERVER_UNREACHABLE;
    }
    return REASON_OK;
}

/* Wait for what OpenSSL asked for.  REASON_OK to try again, or a failure
 * for @what (a phrase: "the TLS handshake") with one line in x->err. */
static int
ssl_wait(struct radius_exchange *x, struct tls_conn *c, int rc, int64_t deadline, const char *what)
{
    char ebuf[256];
    long verify;
    int e = SSL_get_error(c->ssl, rc), w;

    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        w = net_wait_fd(c->fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline);
        if (w == 1)
            return REASON_OK;
        if (w < 0) {
            snprintf(x->err, x->errlen, "poll: %s", strerror(errno));
            return REASON_INTERNAL;
        }
        snprintf(x->err, x->errlen, "the RADIUS/TLS server %s did not complete %s in time",
                 x->ep.name, what);
        return REASON_SERVER_TIMEOUT;
    }
    verify = SSL_get_verify_result(c->ssl);
    if (verify != X509_V_OK) {
        snprintf(x->err, x->errlen,
                 "the certificate of the RADIUS/TLS server %s does not "
                 "verify: %s",
                 x->ep.name, X509_verify_cert_error_string(verify));
        ERR_clear_error();
        return REASON_TLS_FAILURE;
    }
    if (e == SSL_ERROR_SSL) {
        snprintf(x->err, x->errlen, "TLS with the RADIUS/TLS server %s failed during %s: %s",
                 x->ep.name, what, ssl_error_text(ebuf, sizeof(ebuf), "?"));
        return REASON_TLS_FAILURE;
    }
    ERR_clear_error();
    if (!SSL_is_init_finished(c->ssl)) {
        snprintf(x->err, x->errlen,
                 "the RADIUS/TLS server %s closed the connection during the "
                 "TLS handshake (not RADIUS/TLS there, or it wants another client certificate)",
                 x->ep.name);
        return REASON_TLS_FAILURE;
    }
    snprintf(x->err, x->errlen, "the RADIUS/TLS server %s closed the connection during %s%s%s",
             x->ep.name, what, e == SSL_ERROR_SYSCALL && errno != 0 ? ": " : "",
             e == SSL_ERROR_SYSCALL && errno != 0 ? strerror(errno) : "");
    return REASON_CONNECTION_LOST;
}

static int
tls_handshake(struct radius_exchange *x, struct tls_conn *c, int64_t deadline)
{
    const char *host = x->ep.host;
    unsigned char addr[16];
    bool literal = inet_pton(AF_INET, host, addr) == 1 || inet_pton(AF_INET6, host, addr) == 1;
    int rc, reason;

    if ((c->ssl = SSL_new(c->ctx)) == NULL || SSL_set_fd(c->ssl, c->fd) != 1 ||
        (literal
             ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl), host) != 1
             : SSL_set_tlsext_host_name(c->ssl, host) != 1 || SSL_set1_host(c->ssl, host) != 1)) {
        snprintf(x->err, x->errlen, "cannot set up TLS for %s", x->ep.name);
        ERR_clear_error();
        return REASON_INTERNAL;
    }
    ERR_clear_error();
    while ((rc = SSL_connect(c->ssl)) != 1)
        if ((reason = ssl_wait(x, c, rc, deadline, "the TLS handshake")) != REASON_OK)
            return reason;
    return REASON_OK;
}

static int
tls_send(struct radius_exchange *x, struct tls_conn *c, int64_t deadline)
{
    int rc, reason;

    ERR_clear_error();
    while ((rc = SSL_write(c->ssl, x->req.data, (int)x->req.len)) <= 0)
        if ((reason = ssl_wait(x, c, rc, deadline, "taking the request")) != REASON_OK)
            return reason;
    return REASON_OK;
}

/* One packet: the header, then as many bytes as its Length says. */
static int
tls_receive(struct radius_exchange *x, struct tls_conn *c, int64_t deadline)
{
    uint8_t buf[RADIUS_MAX_PACKET];
    size_t have = 0, want = 4;
    int rc, reason;

    ERR_clear_error();
    while (have < want) {
        rc = SSL_read(c->ssl, buf + have, (int)(want - have));
        if (rc <= 0) {
            if ((reason = ssl_wait(x, c, rc, deadline, "the reply")) == REASON_TLS_FAILURE &&
                have == 0 && SSL_version(c->ssl) == TLS1_3_VERSION) {
                /* TLS 1.3 finishes the client's handshake before the server has
                 * checked the client certificate; a refusal shows up here */
                size_t used = strlen(x->err);

                snprintf(x->err + used, x->errlen - used,
                         " (under TLS 1.3 a server that "
                         "refuses our client certificate says so only now: check client_cert)");
            }
            if (reason != REASON_OK)
                return reason;
            continue;
        }
        have += (size_t)rc;
        if (want == 4 && have == 4) {
            want = (size_t)buf[2] << 8 | buf[3];
            if (want < RADIUS_HEADER_LEN || want > RADIUS_MAX_PACKET) {
                snprintf(x->err, x->errlen,
                         "the RADIUS/TLS server %s sent a packet of length "
                         "%zu (RFC 2865 3 allows %d to %d)",
                         x->ep.name, want, RADIUS_HEADER_LEN, RADIUS_MAX_PACKET);
                return REASON_MALFORMED_REPLY;
            }
        }
    }
    /* TLS authenticates the stream: a reply that fails here is the server's own */
    reason = radius_reply_check(buf, have, &x->req, x->secret, x->p->require_message_authenticator,
                                x->res, x->err, x->errlen);
    if (reason != REASON_OK && reason != REASON_INTERNAL) {
        char detail[256];

        snprintf(detail, sizeof(detail), "%s", x->err);
        snprintf(x->err, x->errlen, "the RADIUS/TLS server %s: %s", x->ep.name, detail);
    }
    return reason;
}

int
radius_tls_exchange(struct radius_exchange *x, int64_t start)
{
    struct tls_conn c = {.fd = -1};
    struct sigaction ignore = {.sa_handler = SIG_IGN}, saved;
    bool restore = sigaction(SIGPIPE, &ignore, &saved) == 0;
    int64_t reply_deadline;
    int reason;

    if ((reason = tls_context(x, &c.ctx)) != REASON_OK ||
        (reason = tcp_connect(x, start + x->p->timeout_ms, &c.fd)) != REASON_OK ||
        (reason = tls_handshake(x, &c, wire_now_ms() + x->p->timeout_ms)) != REASON_OK ||
        (reason = radius_build(x, c.fd)) != REASON_OK)
        goto out;
    reply_deadline = wire_now_ms() + x->p->timeout_ms * ((int64_t)x->p->retries + 1);
    if ((reason = tls_send(x, &c, reply_deadline)) != REASON_OK)
        goto out;
    reason = tls_receive(x, &c, reply_deadline);
out:
    if (c.ssl != NULL) {
        if (SSL_is_init_finished(c.ssl))
            (void)SSL_shutdown(c.ssl); /* one non-blocking close_notify, best effort */
        SSL_free(c.ssl);
    }
    if (c.fd >= 0)
        close(c.fd);
    SSL_CTX_free(c.ctx);
    ERR_clear_error();
    if (restore)
        sigaction(SIGPIPE, &saved, NULL);
    return reason;
}

/* "subject ..., expires ..." of the server's verified certificate. */
static void
describe_peer(SSL *ssl, char *info, size_t infolen)
{
    X509 *cert = SSL_get0_peer_certificate(ssl);
    BIO *bio = BIO_new(BIO_s_mem());
    char *text = NULL;
    long n;

    snprintf(info, infolen, "verified, %s", SSL_get_version(ssl));
    if (cert == NULL || bio == NULL) {
        BIO_free(bio);
        return;
    }
    BIO_printf(bio, "verified, %s; subject ", SSL_get_version(ssl));
    /* escaped: control and 8-bit bytes never reach the terminal raw */
    X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0, XN_FLAG_ONELINE);
    BIO_printf(bio, ", expires ");
    ASN1_TIME_print(bio, X509_get0_notAfter(cert));
    n = BIO_get_mem_data(bio, &text);
    if (n > 0)
        snprintf(info, infolen, "%.*s", (int)n, text);
    BIO_free(bio);
    ERR_clear_error();
}

int
radius_tls_probe(const struct radius_params *p, const char *server, char *info, size_t infolen,
                 char *err, size_t errlen)
{
    struct radius_result res;
    struct radius_exchange x = {.p = p,
                                .secret = RADIUS_TLS_SECRET,
                                .res = &res,
                                .err = err,
                                .errlen = errlen};
    struct tls_conn c = {.fd = -1};
    struct sigaction ignore = {.sa_handler = SIG_IGN}, saved;
    bool restore = sigaction(SIGPIPE, &ignore, &saved) == 0;
    int reason;

    info[0] = '\0';
    if (errlen > 0)
        err[0] = '\0';
    if ((reason = radius_endpoint_parse(server, RADIUS_TLS, &x.ep, err, errlen)) != REASON_OK)
        goto out;
    if ((reason = tls_context(&x, &c.ctx)) != REASON_OK ||
        (reason = tcp_connect(&x, wire_now_ms() + p->timeout_ms, &c.fd)) != REASON_OK ||
        (reason = tls_handshake(&x, &c, wire_now_ms() + p->timeout_ms)) != REASON_OK)
        goto out;
    describe_peer(c.ssl, info, infolen);
out:
    if (c.ssl != NULL) {
        if (SSL_is_init_finished(c.ssl))
            (void)SSL_shutdown(c.ssl);
        SSL_free(c.ssl);
    }
    if (c.fd >= 0)
        close(c.fd);
    SSL_CTX_free(c.ctx);
    ERR_clear_error();
    if (restore)
        sigaction(SIGPIPE, &saved, NULL);
    return reason;
}
