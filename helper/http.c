/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * http.c - the HTTPS transport: libcurl with every safety option set
 * explicitly, and curl's results sorted into reason codes an admin can act
 * on (which phase failed, and why).
 */
#include "http.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "reason.h"
#include "secmem.h"
#include "soap.h"

#define USER_AGENT "crauth/" PACKAGE_VERSION

struct http {
    const struct crauth_config *cfg;
    CURL *curl;
    struct curl_slist *headers;
    char names[CONFIG_MAX_URLS][128];
    char errbuf[CURL_ERROR_SIZE];
};

struct sink {
    char *buf;
    size_t len, cap;
    bool too_big;
};

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
        CURLU *u = curl_url();
        char *host = NULL, *port = NULL;

        snprintf(h->names[i], sizeof(h->names[i]), "%s", h->cfg->urls[i]);
        if (u != NULL && curl_url_set(u, CURLUPART_URL, h->cfg->urls[i], 0) == CURLUE_OK &&
            curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
            curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK)
            snprintf(h->names[i], sizeof(h->names[i]), "%s:%s", host, port);
        curl_free(host);
        curl_free(port);
        curl_url_cleanup(u);
    }
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
         curl_easy_setopt(h->curl, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2) ==
             CURLE_OK &&
         /* an explicit proxy, or explicitly none: never one from the environment */
         curl_easy_setopt(h->curl, CURLOPT_PROXY, c->proxy ? c->proxy : "") == CURLE_OK &&
         curl_easy_setopt(h->curl, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout * 1000L) ==
             CURLE_OK &&
         curl_easy_setopt(h->curl, CURLOPT_TIMEOUT_MS,
                          (c->connect_timeout + c->timeout) * 1000L) == CURLE_OK &&
         curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, h->headers) == CURLE_OK &&
         curl_easy_setopt(h->curl, CURLOPT_USERAGENT, USER_AGENT) == CURLE_OK &&
         curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK &&
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
    curl_slist_free_all(h->headers);
    free(h);
}

const char *
http_server_name(const struct http *h, unsigned index)
{
    return index < h->cfg->n_urls ? h->names[index] : "?";
}

/* Which phase a curl failure happened in decides the reason. */
static int
classify(struct http *h, CURLcode rc, const struct sink *body, char *err, size_t errlen)
{
    const char *msg = h->errbuf[0] ? h->errbuf : curl_easy_strerror(rc);
    curl_off_t connected = 0, sent = 0;

    /* times are 0 for phases this transfer did not reach; a reused
     * connection has no connect phase but does reach pre-transfer */
    curl_easy_getinfo(h->curl, CURLINFO_CONNECT_TIME_T, &connected);
    curl_easy_getinfo(h->curl, CURLINFO_PRETRANSFER_TIME_T, &sent);
    switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
        snprintf(err, errlen, "cannot connect: %s", msg);
        return REASON_SERVER_UNREACHABLE;
    case CURLE_OPERATION_TIMEDOUT:
        if (connected == 0 && sent == 0) {
            snprintf(err, errlen, "connect timed out: %s", msg);
            return REASON_SERVER_UNREACHABLE;
        }
        snprintf(err, errlen, "%s: %s",
                 sent == 0 ? "connected, but the TLS handshake did not finish"
                           : "no complete reply in time",
                 msg);
        return REASON_SERVER_TIMEOUT;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_USE_SSL_FAILED:
        snprintf(err, errlen, "TLS: %s", msg);
        return REASON_TLS_FAILURE;
    case CURLE_WRITE_ERROR:
        if (body->too_big) {
            snprintf(err, errlen, "reply larger than %d bytes; refused", SOAP_MAX_REPLY);
            return REASON_MALFORMED_REPLY;
        }
        snprintf(err, errlen, "out of memory reading the reply");
        return REASON_INTERNAL;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
        snprintf(err, errlen, "connection lost: %s", msg);
        return REASON_CONNECTION_LOST;
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
        snprintf(err, errlen, "bad url: %s", msg);
        return REASON_CONFIG;
    default:
        snprintf(err, errlen, "%s", msg);
        return REASON_SERVER_UNREACHABLE;
    }
}

static bool
xml_content_type(const char *ct)
{
    static const char *const ok[] = {"text/xml", "application/soap+xml", "application/xml"};

    if (ct == NULL)
        return false;
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        size_t n = strlen(ok[i]);

        if (strncasecmp(ct, ok[i], n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' '))
            return true;
    }
    return false;
}

/* An HTTP reply arrived: is it one to parse? */
static int
judge_status(struct http *h, long status, char *err, size_t errlen)
{
    char *ct = NULL, *location = NULL;

    curl_easy_getinfo(h->curl, CURLINFO_CONTENT_TYPE, &ct);
    curl_easy_getinfo(h->curl, CURLINFO_REDIRECT_URL, &location);
    if (status == 401 || status == 407) {
        snprintf(err, errlen, "HTTP %ld: %s refused our authentication (http_auth = %s)",
                 status, status == 401 ? "the server" : "the proxy",
                 h->cfg->http_auth == HTTP_AUTH_NONE ? "none" : "set");
        return REASON_HTTP_AUTH_REFUSED;
    }
    if (status >= 300 && status < 400) {
        snprintf(err, errlen, "HTTP %ld redirect to %s refused; set url to the endpoint itself",
                 status, location ? location : "(no location)");
        return REASON_HTTP_ERROR;
    }
    if (status != 200 && status != 500) {
        snprintf(err, errlen, "HTTP %ld from the server", status);
        return REASON_HTTP_ERROR;
    }
    if (!xml_content_type(ct)) {
        snprintf(err, errlen, "HTTP %ld with content type '%.60s', not XML", status,
                 ct ? ct : "none");
        return REASON_HTTP_ERROR;
    }
    return REASON_OK;
}

int
http_post(struct http *h, unsigned index, const char *body, size_t len,
          struct http_reply *reply, char *err, size_t errlen)
{
    struct sink sink = {0};
    CURLcode rc;
    long status = 0;
    int reason;

    memset(reply, 0, sizeof(*reply));
    if (index >= h->cfg->n_urls) {
        snprintf(err, errlen, "no server %u", index);
        return REASON_INTERNAL;
    }
    h->errbuf[0] = '\0';
    if (curl_easy_setopt(h->curl, CURLOPT_URL, h->cfg->urls[index]) != CURLE_OK ||
        curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, body) != CURLE_OK ||
        curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len) != CURLE_OK ||
        curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, &sink) != CURLE_OK) {
        snprintf(err, errlen, "cannot set up the request");
        return REASON_INTERNAL;
    }
    rc = curl_easy_perform(h->curl);
    /* the request body is the caller's; make sure curl keeps no pointer */
    curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, NULL);
    if (rc != CURLE_OK) {
        reason = classify(h, rc, &sink, err, errlen);
        goto out;
    }
    curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);
    reason = judge_status(h, status, err, errlen);
    if (reason == REASON_OK) {
        reply->status = status;
        reply->body = sink.buf;
        reply->len = sink.len;
        sink.buf = NULL;
        if (reply->body == NULL) {
            snprintf(err, errlen, "HTTP %ld with an empty body", status);
            reason = REASON_MALFORMED_REPLY;
        }
    }
out:
    if (sink.buf != NULL) {
        secmem_wipe(sink.buf, sink.cap);
        free(sink.buf);
    }
    return reason;
}

void
http_reply_free(struct http_reply *reply)
{
    if (reply->body != NULL) {
        secmem_wipe(reply->body, reply->len);
        free(reply->body);
    }
    memset(reply, 0, sizeof(*reply));
}
