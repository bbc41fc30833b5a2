/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proxy.c - CONNECT through an HTTP proxy with our NTLM (proxy_auth = ntlm):
 * our own socket, the proxy's reply heads read by http_head.c, and the
 * three legs on one connection.  Every wait is bounded by one deadline.
 */
#include "lib/remote/proxy.h"

#include <curl/curl.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/common/log.h"
#include "lib/common/reason.h"
#include "lib/common/wire.h"
#include "lib/remote/http.h"
#include "lib/remote/http_head.h"
#include "lib/remote/net.h"
#include "lib/remote/ntlm_http.h"

#define PROXY_MAX_BODY (64 * 1024) /* a 407's error page, read and thrown away */

struct conn {
    int fd;
    int64_t deadline; /* CLOCK_MONOTONIC ms */
    const char *name; /* "host:port" of the proxy */
    char buf[HTTP_HEAD_MAX + 1];
    size_t len;
};

int
proxy_parse(const char *url, struct net_url *p, char *err, size_t errlen)
{
    int reason = net_url_split(url, p, err, errlen);

    if (reason == REASON_CONFIG)
        snprintf(err, errlen, "proxy '%s' is not a URL (http://HOST:PORT/)", url);
    if (reason != REASON_OK)
        return reason;
    if (strcasecmp(p->scheme, "http") != 0 || !p->explicit_port || !p->bare) {
        snprintf(err, errlen,
                 "proxy '%s' must be http://HOST:PORT/ (plain http, an explicit "
                 "port, no user, path or query)",
                 url);
        memset(p, 0, sizeof(*p));
        return REASON_CONFIG;
    }
    return REASON_OK;
}

/* ------------------------------------------------------------ socket */

/* The proxy refused the tunnel with HTTP @status.  502, 503 and 504 are a
 * gateway saying the server behind it cannot be reached or does not
 * answer (RFC 9110 15.6.3-15.6.5): no server could be asked, the same as
 * those codes from the server's own front end (http_judge_status). */
static int
proxy_connect_refusal(const char *proxy, long status, char *err, size_t errlen)
{
    snprintf(err, errlen, "the proxy %s answered CONNECT with HTTP %ld%s", proxy, status,
             status == 502 || status == 503 || status == 504
                 ? ": the server behind it cannot be reached"
                 : "");
    return status == 502 || status == 503 || status == 504 ? REASON_SERVER_UNAVAILABLE
                                                           : REASON_HTTP_ERROR;
}

static int
send_all(struct conn *c, const char *data, size_t len, char *err, size_t errlen)
{
    while (len > 0) {
        ssize_t n = send(c->fd, data, len, MSG_NOSIGNAL);

        if (n > 0) {
            data += n;
            len -= (size_t)n;
        } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            if (net_wait_fd(c->fd, POLLOUT, c->deadline) != 1) {
                snprintf(err, errlen, "the proxy %s did not take our CONNECT in time", c->name);
                return REASON_SERVER_TIMEOUT;
            }
        } else {
            snprintf(err, errlen, "the proxy %s closed the connection: %s", c->name,
                     strerror(errno));
            return REASON_CONNECTION_LOST;
        }
    }
    return REASON_OK;
}

/* Append what the socket has, waiting until the deadline. */
static int
receive(struct conn *c, char *err, size_t errlen)
{
    ssize_t n;

    for (;;) {
        n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len, 0);
        if (n > 0) {
            c->len += (size_t)n;
            c->buf[c->len] = '\0';
            return REASON_OK;
        }
        if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
            snprintf(err, errlen, "the proxy %s closed the connection during CONNECT%s", c->name,
                     n == 0 ? "" : " (reset)");
            return REASON_CONNECTION_LOST;
        }
        if (net_wait_fd(c->fd, POLLIN, c->deadline) != 1) {
            snprintf(err, errlen, "the proxy %s did not answer CONNECT in time", c->name);
            return REASON_SERVER_TIMEOUT;
        }
    }
}

/* ------------------------------------------------------------ replies */

/* Read one reply head into @r; *head_len: its bytes in c->buf. */
static int
read_reply(struct conn *c, struct http_head *r, size_t *head_len, char *err, size_t errlen)
{
    char detail[160];
    int reason;

    for (;;) {
        reason = http_head_parse(c->buf, c->len, HTTP_HEAD_PROXY_AUTHENTICATE, r, head_len, detail,
                                 sizeof(detail));
        if (reason != REASON_OK) {
            snprintf(err, errlen, "the proxy %s sent %s", c->name, detail);
            return reason;
        }
        if (*head_len > 0)
            return REASON_OK;
        if ((reason = receive(c, err, errlen)) != REASON_OK)
            return reason;
    }
}

/* Throw away a 407's body so the next leg starts on a clean connection. */
static int
skip_body(struct conn *c, const struct http_head *r, size_t head_len, char *err, size_t errlen)
{
    size_t left;
    int reason;

    if (r->closes || r->chunked || r->content_length < 0 || r->content_length > PROXY_MAX_BODY) {
        /* RFC 9112 6.3 (7): without a Content-Length the body runs to the close */
        /* it answered, and will answer every login so: no verdict, and
         * not "unreachable", which would open the fallback path */
        snprintf(err, errlen,
                 "the proxy %s ends its 407 with the connection (close, no or a "
                 "large Content-Length, or chunked); NTLM needs the legs on one connection",
                 c->name);
        return REASON_HTTP_AUTH_REFUSED;
    }
    left = (size_t)r->content_length;
    c->len -= head_len; /* body bytes already read */
    for (;;) {
        if (c->len > left) {
            snprintf(err, errlen, "the proxy %s sent more than its 407", c->name);
            return REASON_HTTP_ERROR;
        }
        left -= c->len;
        c->len = 0;
        c->buf[0] = '\0';
        if (left == 0)
            return REASON_OK;
        if ((reason = receive(c, err, errlen)) != REASON_OK)
            return reason;
    }
}

/* ------------------------------------------------------------ CONNECT */

static int
send_connect(struct conn *c, const char *authority, const char *authz, char *err, size_t errlen)
{
    size_t n = 2 * strlen(authority) + strlen(HTTP_USER_AGENT) + strlen(authz) + 160;
    char *req = malloc(n);
    int reason;

    if (req == NULL) {
        snprintf(err, errlen, "out of memory");
        return REASON_INTERNAL;
    }
    /* RFC 7231 4.3.6: authority-form target, and Host the same */
    snprintf(req, n,
             "CONNECT %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\n"
             "Proxy-Connection: Keep-Alive\r\nProxy-Authorization: %s\r\n\r\n",
             authority, authority, HTTP_USER_AGENT, authz);
    reason = send_all(c, req, strlen(req), err, errlen);
    free(req);
    return reason;
}

struct leg_ctx {
    struct conn *c;
    const char *authority;
    struct http_head r;
    bool answered; /* the proxy answered a leg on this connection */
};

/* ntlm_http_send_fn: one CONNECT and its reply head; a 407's body is read
 * and thrown away so that the next leg can follow on this connection. */
static int
send_leg(void *arg, const char *authz, bool final, struct ntlm_http_leg *leg, char *err,
         size_t errlen)
{
    struct leg_ctx *x = arg;
    struct conn *c = x->c;
    size_t head_len = 0;
    int reason = send_connect(c, x->authority, authz, err, errlen);

    if (reason == REASON_OK)
        reason = read_reply(c, &x->r, &head_len, err, errlen);
    /* The proxy answered the NEGOTIATE and then closed: one that does not
     * keep NTLM's connection fails every login the same way, so this is an
     * answer without a verdict, not a server out of reach (as from the
     * server itself, http.c). */
    if (reason == REASON_CONNECTION_LOST && x->answered) {
        snprintf(err, errlen,
                 "the proxy %s closed the connection in the middle of the NTLM handshake "
                 "(NTLM needs all legs on one kept-alive connection: check the proxy's "
                 "keep-alive)",
                 c->name);
        return REASON_HTTP_AUTH_REFUSED;
    }
    if (reason != REASON_OK)
        return reason;
    x->answered = true;
    leg->status = x->r.status;
    leg->offers = &x->r.offers;
    if (x->r.status >= 200 && x->r.status < 300 && c->len != head_len) {
        /* RFC 7231 4.3.6: the tunnel starts right after the head, and the
         * origin speaks only after our TLS ClientHello */
        snprintf(err, errlen, "the proxy %s sent data after its 2xx to CONNECT", c->name);
        return REASON_HTTP_ERROR;
    }
    if (x->r.status == 407 && !final)
        return skip_body(c, &x->r, head_len, err, errlen);
    return REASON_OK;
}

int
proxy_tunnel_ntlm(const struct crauth_config *cfg, const struct net_url *p, const char *authority,
                  long timeout_ms, int *fd, char *err, size_t errlen)
{
    struct leg_ctx *x = calloc(1, sizeof(*x));
    struct conn *c = calloc(1, sizeof(*c));
    char spn[300], peer[300];
    /* No channel binding (need_cert false): the connection to the proxy is
     * plain http, and tls-server-end-point (RFC 5929 4.1) needs a TLS
     * server certificate. */
    struct ntlm_http_params params = {
        .user_spec = cfg->proxy_user,
        .password = cfg->proxy_password,
        .spn = spn,
        .peer = peer,
        .challenge_status = 407,
        .need_cert = false,
    };
    bool authenticated = false;
    int reason = REASON_INTERNAL;

    *fd = -1;
    if (c == NULL || x == NULL) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    c->fd = -1;
    c->name = p->name;
    c->deadline = wire_now_ms() + timeout_ms;
    x->c = c;
    x->authority = authority;
    /* the lookup, the connect and the exchange share one deadline: a dead
     * name server costs connect_timeout, not resolv.conf's retries */
    snprintf(peer, sizeof(peer), "the proxy %s", p->name);
    if ((reason = net_connect_bounded(p->host, p->port, peer, c->deadline, &c->fd, NULL, err,
                                      errlen)) != REASON_OK)
        goto out;
    snprintf(spn, sizeof(spn), "HTTP/%s", p->host);
    reason = ntlm_http_handshake(&params, send_leg, x, &authenticated, err, errlen);
    if (reason == REASON_OK && (x->r.status < 200 || x->r.status >= 300)) {
        reason = proxy_connect_refusal(p->name, x->r.status, err, errlen);
    }
    if (reason == REASON_OK) {
        log_debug("proxy %s: tunnel to %s open%s", p->name, authority,
                  authenticated ? " (NTLM)" : "; it asked for no authentication");
        *fd = c->fd;
        c->fd = -1;
    }
out:
    if (x != NULL)
        http_head_clear(&x->r);
    free(x);
    if (c != NULL && c->fd >= 0)
        close(c->fd);
    free(c);
    return reason;
}

/* ------------------------------------------------------------ libcurl hooks */

static curl_socket_t
open_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *addr)
{
    struct proxy_sockets *s = arg;
    long timeout_ms = s->cfg->connect_timeout * 1000L;
    int fd = -1;

    (void)purpose;
    if (s->must_reuse) {
        s->reuse_refused = true;
        return CURL_SOCKET_BAD;
    }
    if (!s->ntlm) {
        fd = socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
        /* libcurl keeps no errno of ours: say here that it was this host's */
        if (fd < 0 && net_errno_is_local(errno)) {
            s->reason = REASON_RESOURCE_LIMIT;
            snprintf(s->err, sizeof(s->err), "cannot open a socket on this machine: %s",
                     strerror(errno));
        }
        return fd;
    }
    /* @addr is the placeholder of CURLOPT_CONNECT_TO: the origin is
     * reached through the tunnel, never directly */
    s->reason =
        proxy_tunnel_ntlm(s->cfg, &s->ep, s->authority, timeout_ms, &fd, s->err, sizeof(s->err));
    s->tunnel_fd = fd;
    return s->reason == REASON_OK ? fd : CURL_SOCKET_BAD;
}

static int
sock_opt(void *arg, curl_socket_t fd, curlsocktype purpose)
{
    const struct proxy_sockets *s = arg;

    (void)purpose;
    return s->ntlm && fd == s->tunnel_fd ? CURL_SOCKOPT_ALREADY_CONNECTED : CURL_SOCKOPT_OK;
}

void
proxy_sockets_begin(struct proxy_sockets *s, const char *authority, bool must_reuse)
{
    s->authority = authority;
    s->must_reuse = must_reuse;
    s->reuse_refused = false;
    s->reason = REASON_OK;
    s->err[0] = '\0';
    s->tunnel_fd = -1;
}

/* proxy_auth = none/basic: libcurl's CONNECT (CURLOPT_HTTPPROXYTUNNEL, also
 * for http:// urls, so every request goes through a tunnel the same way) */
static bool
curl_proxy(CURL *curl, const struct crauth_config *cfg)
{
    bool ok = curl_easy_setopt(curl, CURLOPT_PROXY, cfg->proxy) == CURLE_OK &&
              curl_easy_setopt(curl, CURLOPT_PROXYTYPE, (long)CURLPROXY_HTTP) == CURLE_OK &&
              curl_easy_setopt(curl, CURLOPT_HTTPPROXYTUNNEL, 1L) == CURLE_OK;

    if (ok && cfg->proxy_auth == HTTP_AUTH_BASIC)
        ok = curl_easy_setopt(curl, CURLOPT_PROXYAUTH, (long)CURLAUTH_BASIC) == CURLE_OK &&
             curl_easy_setopt(curl, CURLOPT_PROXYUSERNAME, cfg->proxy_user) == CURLE_OK &&
             curl_easy_setopt(curl, CURLOPT_PROXYPASSWORD, cfg->proxy_password) == CURLE_OK;
    return ok;
}

int
proxy_setup_curl(CURL *curl, struct proxy_sockets *s, char *err, size_t errlen)
{
    const struct crauth_config *cfg = s->cfg;
    int reason = REASON_OK;
    bool ok;

    s->tunnel_fd = -1;
    s->use_proxy = cfg->proxy != NULL && cfg->proxy[0] != '\0';
    if (s->use_proxy && (reason = proxy_parse(cfg->proxy, &s->ep, err, errlen)) != REASON_OK)
        s->use_proxy = false; /* the safe options below still apply */
    s->ntlm = s->use_proxy && cfg->proxy_auth == HTTP_AUTH_NTLM;
    /* never a proxy from the environment: an explicit one or explicitly none */
    ok = curl_easy_setopt(curl, CURLOPT_NOPROXY, "") == CURLE_OK &&
         curl_easy_setopt(curl, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L) == CURLE_OK &&
         curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, open_socket) == CURLE_OK &&
         curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, s) == CURLE_OK &&
         curl_easy_setopt(curl, CURLOPT_SOCKOPTFUNCTION, sock_opt) == CURLE_OK &&
         curl_easy_setopt(curl, CURLOPT_SOCKOPTDATA, s) == CURLE_OK;
    if (ok && s->use_proxy && !s->ntlm)
        ok = curl_proxy(curl, cfg);
    else if (ok)
        ok = curl_easy_setopt(curl, CURLOPT_PROXY, "") == CURLE_OK;
    if (ok && s->ntlm) {
        /* libcurl must not resolve or connect to the origin itself: every
         * host:port is "connected to" an RFC 5737 TEST-NET address that
         * open_socket replaces with the tunnel (unroutable, should a
         * connection ever be made without it).  TLS, SNI and certificate
         * checks keep using the url's host name. */
        s->connect_to = curl_slist_append(NULL, "::192.0.2.1:");
        ok = s->connect_to != NULL &&
             curl_easy_setopt(curl, CURLOPT_CONNECT_TO, s->connect_to) == CURLE_OK;
    }
    if (!ok) {
        snprintf(err, errlen, "cannot set up the proxy and socket options");
        return REASON_INTERNAL;
    }
    return reason;
}

void
proxy_sockets_free(struct proxy_sockets *s)
{
    curl_slist_free_all(s->connect_to);
    s->connect_to = NULL;
}

int
proxy_classify(const struct proxy_sockets *s, CURL *curl, CURLcode rc, const char *msg, char *err,
               size_t errlen)
{
    const struct crauth_config *cfg = s->cfg;
    long code = 0;

    if (s->reason != REASON_OK) { /* our tunnel */
        snprintf(err, errlen, "%s", s->err);
        return s->reason;
    }
    if (!s->use_proxy || s->ntlm)
        return -1;
    curl_easy_getinfo(curl, CURLINFO_HTTP_CONNECTCODE, &code);
    if (rc == CURLE_COULDNT_RESOLVE_PROXY || (rc == CURLE_COULDNT_CONNECT && code == 0)) {
        snprintf(err, errlen, "cannot connect to the proxy %s: %s", s->ep.name, msg);
        return REASON_SERVER_UNREACHABLE;
    }
    if (code == 407 && cfg->proxy_auth == HTTP_AUTH_NONE) {
        snprintf(err, errlen,
                 "the proxy %s refused us: it wants authentication, proxy_auth = "
                 "none (HTTP 407)",
                 s->ep.name);
        return REASON_HTTP_AUTH_REFUSED;
    }
    if (code == 407) {
        snprintf(err, errlen, "the proxy %s refused the basic credentials for %s (HTTP 407)",
                 s->ep.name, cfg->proxy_user);
        return REASON_HTTP_AUTH_REFUSED;
    }
    if (code != 0 && (code < 200 || code >= 300))
        return proxy_connect_refusal(s->ep.name, code, err, errlen);
    return -1;
}
