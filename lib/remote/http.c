/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * http.c - the HTTPS transport: libcurl with every safety option set
 * explicitly, curl's results sorted into reason codes an admin can act on
 * (which phase failed, and why), and http_auth = ntlm driven here over
 * libcurl with our own NTLM client (ntlm_http.c builds the header values).
 *
 * NTLM authenticates a connection, not a request (MS-NTHT 2.2.1), so:
 *  - the NEGOTIATE goes with an empty body; the SOAP body (the user's code)
 *    goes only with the AUTHENTICATE, or later on that authenticated
 *    connection, never on a connection that is not (yet) authenticated:
 *    those requests run with proxy_sockets.must_reuse, which makes libcurl
 *    fail before sending anything if it would need a new connection;
 *  - the AUTHENTICATE is bound (MsvAvChannelBindings) to the certificate of
 *    the TLS connection it is sent on, read from that connection's SSL
 *    object while the CHALLENGE arrives;
 *  - one helper run serves one identity (cfg->http_user, fixed for the run),
 *    so an authenticated connection is never used for another identity
 *    (the curl CVE-2014-0015 family); ntlm_conn records which server's
 *    connection is authenticated, and ntlm_identity pins the identity.
 */
#include "lib/remote/http.h"

#include <curl/curl.h>
#include <poll.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/common/log.h"
#include "lib/remote/net.h"
#include "lib/remote/ntlm_http.h"
#include "lib/remote/proxy.h"
#include "lib/common/reason.h"
#include "lib/common/secmem.h"
#include "lib/common/wire.h"
#include "lib/remote/soap.h"
#include "lib/remote/http_impl.h"

static size_t
on_body(char *data, size_t size, size_t nmemb, void *arg)
{
    struct sink *s = arg;
    size_t n = size * nmemb;

    if (n > SOAP_MAX_REPLY - s->len) {
        s->too_big = true;
        return 0; /* aborts the transfer */
    }
    if (s->len + n + 1 > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 8192;
        char *grown;

        while (cap < s->len + n + 1)
            cap *= 2;
        if ((grown = malloc(cap)) == NULL)
            return 0;
        if (s->buf != NULL) {
            memcpy(grown, s->buf, s->len);
            secmem_wipe(s->buf, s->cap);
            free(s->buf);
        }
        s->buf = grown;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, data, n);
    s->len += n;
    s->buf[s->len] = '\0';
    return n;
}

static void
server_names(struct http *h)
{
    for (unsigned i = 0; i < h->cfg->n_urls; i++) {
        struct net_url u;
        char err[300];

        /* the config parser checked the url; a failure here keeps it whole */
        snprintf(h->names[i], sizeof(h->names[i]), "%s", h->cfg->urls[i]);
        if (net_url_split(h->cfg->urls[i], &u, err, sizeof(err)) != REASON_OK)
            continue;
        snprintf(h->names[i], sizeof(h->names[i]), "%s", u.name);
        snprintf(h->spn[i], sizeof(h->spn[i]), "HTTP/%s", u.host);
        h->plain[i] = strcasecmp(u.scheme, "http") == 0;
    }
}

/* The peer certificate of the TLS connection this transfer is on: asked
 * while the reply arrives, because libcurl documents CURLINFO_TLS_SSL_PTR
 * as valid only during the transfer. */
static void
grab_certificate(struct http *h)
{
    struct curl_tlssessioninfo *tsi = NULL;
    X509 *x;
    unsigned char *der = NULL;
    int n;

    if (curl_easy_getinfo(h->curl, CURLINFO_TLS_SSL_PTR, &tsi) != CURLE_OK || tsi == NULL ||
        tsi->backend != CURLSSLBACKEND_OPENSSL || tsi->internals == NULL)
        return;
    if ((x = SSL_get0_peer_certificate(tsi->internals)) == NULL || (n = i2d_X509(x, &der)) <= 0)
        return;
    free(h->resp.cert);
    if ((h->resp.cert = malloc((size_t)n)) != NULL) {
        memcpy(h->resp.cert, der, (size_t)n);
        h->resp.cert_len = (size_t)n;
    }
    OPENSSL_free(der);
}

/* Header lines, each complete: keep the WWW-Authenticate values, bound the
 * size of the head (a hostile 401 must not make us buffer without end). */
static size_t
on_header(char *data, size_t size, size_t nitems, void *arg)
{
    struct http *h = arg;
    struct response *r = &h->resp;
    size_t n = size * nitems;

    if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) { /* a new reply (after a 1xx) */
        ntlm_http_offers_clear(&r->offers);
        r->head_bytes = 0;
        if (r->want_cert && r->cert == NULL)
            grab_certificate(h);
    }
    if (n > NTLM_HTTP_MAX_LINE || n > NTLM_HTTP_MAX_HEAD - r->head_bytes) {
        r->too_big = true;
        return 0; /* aborts the transfer */
    }
    r->head_bytes += n;
    if (n > 17 && strncasecmp(data, "WWW-Authenticate:", 17) == 0 &&
        ntlm_http_offers_add(&r->offers, data + 17, n - 17) != 0)
        return 0;
    return n;
}

static void
response_reset(struct response *r)
{
    ntlm_http_offers_clear(&r->offers);
    free(r->cert);
    memset(r, 0, sizeof(*r));
}

static void
sink_reset(struct sink *s)
{
    secmem_free(s->buf, s->cap);
    memset(s, 0, sizeof(*s));
}

/* The connection is ready, new (TCP, TLS, proxy tunnel done) or reused:
 * from here on `timeout` counts (crauth.conf(5)). */
static int
on_prereq(void *arg, char *primary_ip, char *local_ip, int primary_port, int local_port)
{
    struct http *h = arg;

    (void)primary_ip, (void)local_ip, (void)primary_port, (void)local_port;
    h->connected_at = wire_now_ms();
    return CURL_PREREQFUNC_OK;
}

/* libcurl calls this at least once a second, data or not: the request is
 * ended `timeout` seconds after its connection was ready.  CURLOPT_TIMEOUT
 * would count the connection too. */
static int
on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
    struct http *h = arg;

    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    if (h->connected_at != 0 && wire_now_ms() - h->connected_at >= h->cfg->timeout * 1000L) {
        h->request_timed_out = true;
        return 1; /* CURLE_ABORTED_BY_CALLBACK */
    }
    return 0;
}

/* A pin that names a file must name a public key: libcurl takes any file
 * that is not PEM as the key's DER and reports the server's key as "not
 * matching", which reads as the server's fault (tls-failure, the emergency
 * path) when it is this host's file. */
static bool
pin_file_usable(const char *pin, char *err, size_t errlen)
{
    EVP_PKEY *key = NULL;
    BIO *bio;

    if (pin == NULL || strncmp(pin, "sha256//", 8) == 0)
        return true;
    if ((bio = BIO_new_file(pin, "rb")) != NULL) {
        key = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
        if (key == NULL && BIO_reset(bio) == 0)
            key = d2i_PUBKEY_bio(bio, NULL);
        BIO_free(bio);
    }
    ERR_clear_error();
    if (key == NULL) {
        snprintf(err, errlen,
                 "pinned_pubkey %s is not a readable PEM or DER public key (or give "
                 "sha256//BASE64)",
                 pin);
        return false;
    }
    EVP_PKEY_free(key);
    return true;
}

struct http *
http_new(const struct crauth_config *cfg)
{
    struct http *h = calloc(1, sizeof(*h));
    const struct crauth_config *c = cfg;
    bool ok;

    if (h == NULL)
        return NULL;
    h->cfg = cfg;
    h->ntlm_conn = -1;
    h->ntlm_identity = cfg->http_user;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || (h->curl = curl_easy_init()) == NULL)
        goto fail;
    h->headers = curl_slist_append(NULL, "Content-Type: text/xml; charset=utf-8");
    h->headers = curl_slist_append(h->headers, "SOAPAction: \"\"");
    h->headers = curl_slist_append(h->headers, "Expect:");
    if (h->headers == NULL)
        goto fail;
    server_names(h);

    ok = curl_easy_setopt(h->curl, CURLOPT_ERRORBUFFER, h->errbuf) == CURLE_OK &&
         curl_easy_setopt(h->curl, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
         curl_easy_setopt(h->curl, CURLOPT_PROTOCOLS_STR, "https,http") == CURLE_OK &&
         curl_easy_setopt(h->curl, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK &&
         curl_easy_setopt(h->curl, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1) == CURLE_OK &&
         curl_easy_setopt(h->curl, CURLOPT_SSL_VERIFYPEER, 1L) == CURLE_OK &&
         curl_easy_setopt(h->curl, CURLOPT_SSL_VERIFYHOST, 2L) == CURLE_OK &&
         curl_easy_setopt(h->curl, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2) == CURLE_OK &&
         curl_easy_setopt(h->curl, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout * 1000L) ==
             CURLE_OK &&
         /* the bound of the whole transfer; on_progress ends the request
          * part at `timeout` */
         curl_easy_setopt(h->curl, CURLOPT_TIMEOUT_MS, (c->connect_timeout + c->timeout) * 1000L) ==
             CURLE_OK &&
         curl_easy_setopt(h->curl, CURLOPT_PREREQFUNCTION, on_prereq) == CURLE_OK &&
         curl_easy_setopt(h->curl, CURLOPT_PREREQDATA, h) == CURLE_OK &&
         curl_easy_setopt(h->curl, CURLOPT_XFERINFOFUNCTION, on_progress) == CURLE_OK &&
         curl_easy_setopt(h->curl, CURLOPT_XFERINFODATA, h) == CURLE_OK &&
         curl_easy_setopt(h->curl, CURLOPT_NOPROGRESS, 0L) == CURLE_OK &&
         curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, h->headers) == CURLE_OK &&
         curl_easy_setopt(h->curl, CURLOPT_USERAGENT, HTTP_USER_AGENT) == CURLE_OK &&
         curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK &&
         curl_easy_setopt(h->curl, CURLOPT_HEADERFUNCTION, on_header) == CURLE_OK &&
         curl_easy_setopt(h->curl, CURLOPT_HEADERDATA, h) == CURLE_OK &&
         curl_easy_setopt(h->curl, CURLOPT_POST, 1L) == CURLE_OK;
    if (ok && c->ca_file != NULL)
        ok = curl_easy_setopt(h->curl, CURLOPT_CAINFO, c->ca_file) == CURLE_OK;
    if (ok && c->pinned_pubkey != NULL)
        ok = curl_easy_setopt(h->curl, CURLOPT_PINNEDPUBLICKEY, c->pinned_pubkey) == CURLE_OK;
    if (ok && c->client_cert != NULL)
        ok = curl_easy_setopt(h->curl, CURLOPT_SSLCERT, c->client_cert) == CURLE_OK;
    if (ok && c->client_key != NULL)
        ok = curl_easy_setopt(h->curl, CURLOPT_SSLKEY, c->client_key) == CURLE_OK;
    if (ok && c->http_auth == HTTP_AUTH_BASIC)
        ok = curl_easy_setopt(h->curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC) == CURLE_OK &&
             curl_easy_setopt(h->curl, CURLOPT_USERNAME, c->http_user) == CURLE_OK &&
             curl_easy_setopt(h->curl, CURLOPT_PASSWORD, c->http_password) == CURLE_OK;
    if (!ok)
        goto fail;
    /* a bad proxy line is reported by each http_post, as a config error */
    h->sockets.cfg = cfg;
    h->setup_reason = proxy_setup_curl(h->curl, &h->sockets, h->setup_err, sizeof(h->setup_err));
    if (h->setup_reason == REASON_INTERNAL)
        goto fail;
    if (h->setup_reason == REASON_OK &&
        !pin_file_usable(c->pinned_pubkey, h->setup_err, sizeof(h->setup_err)))
        h->setup_reason = REASON_CONFIG;
    return h;
fail:
    http_free(h);
    return NULL;
}

void
http_free(struct http *h)
{
    if (h == NULL)
        return;
    if (h->curl != NULL)
        curl_easy_cleanup(h->curl);
    proxy_sockets_free(&h->sockets);
    curl_slist_free_all(h->headers);
    response_reset(&h->resp);
    free(h);
}

bool
http_kept_only(const struct http *h)
{
    return h->kept_only;
}

bool
http_connection_clean(struct http *h)
{
    curl_socket_t fd = CURL_SOCKET_BAD;
    struct pollfd p;

    /* no connection kept (closed after the last reply, or none yet): the
     * next request opens a new one */
    if (curl_easy_getinfo(h->curl, CURLINFO_ACTIVESOCKET, &fd) != CURLE_OK || fd == CURL_SOCKET_BAD)
        return true;
    p = (struct pollfd){.fd = fd, .events = POLLIN | POLLRDHUP};
    /* anything to read between requests (a byte, the end, an error) is
     * what no request asked for */
    return poll(&p, 1, 0) == 0;
}

const char *
http_server_name(const struct http *h, unsigned index)
{
    return index < h->cfg->n_urls ? h->names[index] : "?";
}

static long new_connections(struct http *h);

/* A copy of @base with "Authorization: @authz" added; NULL without memory. */
static struct curl_slist *
with_authorization(const struct curl_slist *base, const char *authz)
{
    struct curl_slist *list = NULL, *grown = NULL;
    size_t n = strlen(authz) + sizeof("Authorization: ");
    char *line = malloc(n);

    if (line == NULL)
        goto out;
    snprintf(line, n, "Authorization: %s", authz);
    for (const struct curl_slist *l = base; l != NULL; l = l->next) {
        if ((grown = curl_slist_append(list, l->data)) == NULL)
            goto out;
        list = grown;
    }
    grown = curl_slist_append(list, line);
out:
    if (grown == NULL)
        curl_slist_free_all(list);
    free(line);
    return grown;
}

/* One request: POST @body with @authz as Authorization (NULL: none); with
 * @must_reuse only on an already open connection.  REASON_OK when a reply
 * arrived (its status in h->resp.status), else the classified failure. */
static int
request(struct http *h, unsigned index, const char *body, size_t len, const char *authz,
        bool must_reuse, struct sink *sink, char *err, size_t errlen)
{
    struct curl_slist *headers = h->headers, *own = NULL;
    CURLcode rc;
    int reason = REASON_INTERNAL;

    response_reset(&h->resp);
    sink_reset(sink);
    h->resp.want_cert = authz != NULL && !h->plain[index];
    h->errbuf[0] = '\0';
    if (authz != NULL && (headers = own = with_authorization(h->headers, authz)) == NULL)
        goto setup_failed;
    if (curl_easy_setopt(h->curl, CURLOPT_URL, h->cfg->urls[index]) != CURLE_OK ||
        curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, body) != CURLE_OK ||
        curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len) != CURLE_OK ||
        curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, sink) != CURLE_OK ||
        curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, headers) != CURLE_OK)
        goto setup_failed;
    proxy_sockets_begin(&h->sockets, h->names[index], must_reuse);
    h->connected_at = 0;
    h->request_timed_out = false;
    rc = curl_easy_perform(h->curl);
    /* a transfer that connected anew, or never got a connection ready */
    if (new_connections(h) != 0 || h->connected_at == 0)
        h->kept_only = false;
    /* the request body is the caller's; make sure curl keeps no pointer */
    curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, NULL);
    h->sockets.must_reuse = false;
    if (rc == CURLE_OK) {
        curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &h->resp.status);
        reason = REASON_OK;
    } else if (h->sockets.reuse_refused) {
        snprintf(err, errlen, "the server closed the NTLM-authenticated connection");
        reason = REASON_CONNECTION_LOST;
    } else {
        reason = http_classify(h, rc, sink, err, errlen);
    }
    goto out;
setup_failed:
    snprintf(err, errlen, "cannot set up the request");
out:
    curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, h->headers);
    curl_slist_free_all(own);
    return reason;
}

static long
new_connections(struct http *h)
{
    long n = 0;

    curl_easy_getinfo(h->curl, CURLINFO_NUM_CONNECTS, &n);
    return n;
}

struct leg_ctx {
    struct http *h;
    unsigned index;
    const char *body;
    size_t len;
    struct sink *sink;
};

/* ntlm_http_send_fn: the NEGOTIATE with an empty body (a new connection
 * may be opened for it), the AUTHENTICATE with the SOAP body and only on
 * the connection that carried the CHALLENGE. */
static int
send_leg(void *arg, const char *authz, bool final, struct ntlm_http_leg *leg, char *err,
         size_t errlen)
{
    struct leg_ctx *c = arg;
    struct http *h = c->h;
    int reason = request(h, c->index, final ? c->body : "", final ? c->len : 0, authz, final,
                         c->sink, err, errlen);

    /* The server answered the NEGOTIATE and then closed: a front that
     * does not keep NTLM's connection fails every login the same way, so
     * this is an answer without a verdict, not a server out of reach. */
    if (reason == REASON_CONNECTION_LOST && h->sockets.reuse_refused) {
        snprintf(err, errlen,
                 "the server %s closed the connection in the middle of the NTLM "
                 "handshake (NTLM needs all legs on one kept-alive connection: check "
                 "keep-alive and affinity on any load balancer in front)",
                 h->names[c->index]);
        reason = REASON_HTTP_AUTH_REFUSED;
    }
    if (reason != REASON_OK)
        return reason;
    log_debug("NTLM leg to %s: HTTP %ld, %ld new connection(s)", h->names[c->index], h->resp.status,
              new_connections(h));
    if (final && new_connections(h) != 0) { /* must_reuse forbids it; checked anyway */
        snprintf(err, errlen, "the NTLM AUTHENTICATE to %s went on a new connection",
                 h->names[c->index]);
        return REASON_CONNECTION_LOST;
    }
    leg->status = h->resp.status;
    leg->offers = &h->resp.offers;
    leg->cert = h->resp.cert;
    leg->cert_len = h->resp.cert_len;
    return REASON_OK;
}

static int
ntlm_handshake(struct http *h, unsigned index, const char *body, size_t len, struct sink *sink,
               char *err, size_t errlen)
{
    struct leg_ctx ctx = {h, index, body, len, sink};
    char peer[160];
    struct ntlm_http_params p = {
        .user_spec = h->cfg->http_user,
        .password = h->cfg->http_password,
        .spn = h->spn[index],
        .peer = peer,
        .challenge_status = 401,
        .need_cert = !h->plain[index],
    };
    bool authenticated = false;
    int reason;

    snprintf(peer, sizeof(peer), "the server %s", h->names[index]);
    reason = ntlm_http_handshake(&p, send_leg, &ctx, &authenticated, err, errlen);
    if (reason == REASON_OK && !authenticated) {
        snprintf(err, errlen,
                 "HTTP %ld to the NTLM NEGOTIATE from %s (expected 401 with a "
                 "CHALLENGE; is http_auth = ntlm right for this server?)",
                 h->resp.status, h->names[index]);
        reason = REASON_HTTP_ERROR;
    }
    if (reason == REASON_OK)
        h->ntlm_conn = (int)index; /* authenticated as cfg->http_user */
    return reason;
}

/* http_auth = ntlm: on the authenticated connection if libcurl still has
 * it, else (or if the server asks again with a 401) a new handshake. */
static int
ntlm_post(struct http *h, unsigned index, const char *body, size_t len, struct sink *sink,
          char *err, size_t errlen)
{
    int reason;

    if (h->plain[index] && !h->cfg->allow_http_ntlm) {
        snprintf(err, errlen,
                 "NTLM over plain http to %s is refused; use https or set "
                 "allow_http_ntlm = yes",
                 h->names[index]);
        return REASON_CONFIG;
    }
    if (h->ntlm_identity != h->cfg->http_user) { /* the invariant of this file's header */
        snprintf(err, errlen, "NTLM identity changed within one run");
        return REASON_INTERNAL;
    }
    if (h->ntlm_conn == (int)index) {
        reason = request(h, index, body, len, NULL, true, sink, err, errlen);
        if (reason == REASON_OK && h->resp.status != 401)
            return reason;
        if (reason != REASON_OK && !h->sockets.reuse_refused)
            return reason;
        log_debug("NTLM: %s; authenticating again", reason == REASON_OK
                                                        ? "401 on the authenticated connection"
                                                        : "the authenticated connection is gone");
    }
    h->ntlm_conn = -1;
    return ntlm_handshake(h, index, body, len, sink, err, errlen);
}

int
http_post(struct http *h, unsigned index, const char *body, size_t len, struct http_reply *reply,
          char *err, size_t errlen)
{
    struct sink sink = {0};
    int reason;

    memset(reply, 0, sizeof(*reply));
    if (index >= h->cfg->n_urls) {
        snprintf(err, errlen, "no server %u", index);
        return REASON_INTERNAL;
    }
    if (h->setup_reason != REASON_OK) {
        snprintf(err, errlen, "%s", h->setup_err);
        return h->setup_reason;
    }
    h->kept_only = true;
    if (h->cfg->http_auth == HTTP_AUTH_NTLM)
        reason = ntlm_post(h, index, body, len, &sink, err, errlen);
    else
        reason = request(h, index, body, len, NULL, false, &sink, err, errlen);
    if (reason == REASON_OK)
        reason = http_judge_status(h, h->resp.status, err, errlen);
    if (reason == REASON_OK) {
        char *ct = NULL;

        curl_easy_getinfo(h->curl, CURLINFO_CONTENT_TYPE, &ct);
        http_content_charset(ct, reply->charset, sizeof(reply->charset));
        reply->status = h->resp.status;
        reply->body = sink.buf;
        reply->len = sink.len;
        sink.buf = NULL;
        if (reply->body == NULL) {
            snprintf(err, errlen, "HTTP %ld with an empty body", reply->status);
            reason = REASON_MALFORMED_REPLY;
        }
    }
    sink_reset(&sink);
    return reason;
}

/* Cert 0's "Name:value" field from libcurl's certinfo, or NULL. */
static const char *
cert_field(const struct curl_certinfo *ci, const char *name)
{
    size_t n = strlen(name);

    if (ci == NULL || ci->num_of_certs < 1)
        return NULL;
    for (const struct curl_slist *l = ci->certinfo[0]; l != NULL; l = l->next)
        if (strncmp(l->data, name, n) == 0 && l->data[n] == ':')
            return l->data + n + 1;
    return NULL;
}

int
http_probe(struct http *h, unsigned index, char *info, size_t infolen, char *err, size_t errlen)
{
    CURL *main_handle = h->curl;
    struct curl_certinfo *ci = NULL;
    struct sink none = {0};
    const char *subject, *expires;
    CURLcode rc;
    int reason = REASON_INTERNAL;

    info[0] = '\0';
    if (h->setup_reason != REASON_OK) {
        snprintf(err, errlen, "%s", h->setup_err);
        return h->setup_reason;
    }
    if (index >= h->cfg->n_urls || (h->curl = curl_easy_duphandle(main_handle)) == NULL) {
        h->curl = main_handle;
        snprintf(err, errlen, "cannot set up the probe");
        return REASON_INTERNAL;
    }
    /* the same TLS, proxy and timeout settings as a login, but only the
     * connection: no request is sent */
    h->errbuf[0] = '\0';
    if (curl_easy_setopt(h->curl, CURLOPT_URL, h->cfg->urls[index]) != CURLE_OK ||
        curl_easy_setopt(h->curl, CURLOPT_CONNECT_ONLY, 1L) != CURLE_OK ||
        curl_easy_setopt(h->curl, CURLOPT_CERTINFO, 1L) != CURLE_OK) {
        snprintf(err, errlen, "cannot set up the probe");
        goto out;
    }
    proxy_sockets_begin(&h->sockets, h->names[index], false);
    h->connected_at = 0; /* the probe sends no request: only connect_timeout counts */
    h->request_timed_out = false;
    rc = curl_easy_perform(h->curl);
    if (rc != CURLE_OK) {
        reason = http_classify(h, rc, &none, err, errlen);
        goto out;
    }
    reason = REASON_OK;
    if (h->plain[index]) {
        snprintf(info, infolen, "plain http: no TLS");
        goto out;
    }
    curl_easy_getinfo(h->curl, CURLINFO_CERTINFO, &ci);
    subject = cert_field(ci, "Subject");
    expires = cert_field(ci, "Expire date");
    snprintf(info, infolen, "verified; subject %.120s, expires %.40s", subject ? subject : "?",
             expires ? expires : "?");
out:
    curl_easy_cleanup(h->curl);
    h->curl = main_handle;
    return reason;
}

void
http_reply_free(struct http_reply *reply)
{
    secmem_free(reply->body, reply->len);
    memset(reply, 0, sizeof(*reply));
}
