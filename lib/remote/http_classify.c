/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * http_classify.c - a failed or finished transfer, told apart by the phase
 * it reached, so that the reason names what the admin has to look at:
 * the proxy, the name or route to the server, TLS, or the server's reply.
 */
#include <curl/curl.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lib/remote/http.h"
#include "lib/remote/http_impl.h"
#include "lib/remote/net.h"
#include "lib/common/reason.h"
#include "lib/remote/soap.h"

/* Failures of this machine rather than of the way to the server: our own
 * files (CA, client certificate and key, CRL), descriptors, threads,
 * memory.  They must never read as "server unreachable": that would open
 * the emergency path and mark a healthy server down.  -1: not local. */
static int
local_cause(struct http *h, CURLcode rc, const char *msg, char *err, size_t errlen)
{
    long os_errno = 0;

    switch (rc) {
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CRL_BADFILE:
        snprintf(err, errlen, "our TLS files (ca_file, client_cert, client_key): %s", msg);
        return REASON_CONFIG;
    case CURLE_OUT_OF_MEMORY:
        snprintf(err, errlen, "out of memory: %s", msg);
        return REASON_RESOURCE_LIMIT;
    default:
        break;
    }
    /* libcurl's threaded resolver says so when it cannot start its thread */
    if (strstr(msg, "thread failed to start") != NULL || strstr(msg, "Out of memory") != NULL) {
        snprintf(err, errlen, "no thread or memory for the name lookup: %s", msg);
        return REASON_RESOURCE_LIMIT;
    }
    curl_easy_getinfo(h->curl, CURLINFO_OS_ERRNO, &os_errno);
    if (net_errno_is_local((int)os_errno)) {
        snprintf(err, errlen, "out of a local resource (%s): %s", strerror((int)os_errno), msg);
        return REASON_RESOURCE_LIMIT;
    }
    /* libcurl's resolver says only that the name was not found */
    if ((rc == CURLE_COULDNT_RESOLVE_HOST || rc == CURLE_COULDNT_RESOLVE_PROXY) &&
        net_local_ports_exhausted()) {
        snprintf(err, errlen, "no free local port for the name lookup on this machine: %s", msg);
        return REASON_RESOURCE_LIMIT;
    }
    return -1;
}

/* Did this transfer read a status line?  (CURLINFO_OS_ERRNO cannot say
 * whether a socket failed since: it keeps the last failed connect's, of an
 * address tried before the one that answered, or of an earlier transfer.) */
static bool
answered(struct http *h)
{
    long status = 0;

    curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);
    return status != 0;
}

/* libcurl's words for a receive that failed on the socket or in TLS, as
 * against one that found the reply's own framing broken (a chunk size):
 * only the first is a lost connection; anything else fails closed. */
static bool
socket_failed(const char *msg)
{
    static const char *const words[] = {"Recv failure", "SSL_read", "Connection reset",
                                        "Connection died", "connection was closed"};

    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (strstr(msg, words[i]) != NULL)
            return true;
    return false;
}

/* Which phase a curl failure happened in decides the reason: our own
 * tunnel's or socket hook's word first, then our timeout, then this
 * machine's shortages (also on the way to a proxy), then the proxy's
 * answer, then the server's. */
int
http_classify(struct http *h, CURLcode rc, const struct sink *body, char *err, size_t errlen)
{
    const char *msg = h->errbuf[0] ? h->errbuf : curl_easy_strerror(rc);
    curl_off_t connected = 0, sent = 0;
    int reason;

    if (h->sockets.reason != REASON_OK)
        return proxy_classify(&h->sockets, h->curl, rc, msg, err, errlen);
    if (h->resp.too_big) {
        snprintf(err, errlen,
                 "the reply's HTTP header lines exceed %d bytes (or one line %d); "
                 "refused",
                 NTLM_HTTP_MAX_HEAD, NTLM_HTTP_MAX_LINE);
        return REASON_HTTP_ERROR;
    }

    /* our timeout (http.c on_progress), before any errno is read */
    if (rc == CURLE_ABORTED_BY_CALLBACK && h->request_timed_out) {
        snprintf(err, errlen,
                 "no complete reply in time: none within timeout (%ld s) after "
                 "the connection was made",
                 h->cfg->timeout);
        return REASON_SERVER_TIMEOUT;
    }

    /* times are 0 for phases this transfer did not reach; a reused
     * connection has no connect phase but does reach pre-transfer */
    curl_easy_getinfo(h->curl, CURLINFO_CONNECT_TIME_T, &connected);
    curl_easy_getinfo(h->curl, CURLINFO_PRETRANSFER_TIME_T, &sent);
    if ((reason = local_cause(h, rc, msg, err, errlen)) >= 0 ||
        (reason = proxy_classify(&h->sockets, h->curl, rc, msg, err, errlen)) >= 0)
        return reason;
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
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_ISSUER_ERROR:
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
        /* with a status line read and no socket error, what broke is the
         * reply's own framing (a bad chunk size): the server answered */
        if (answered(h) && !socket_failed(msg)) {
            snprintf(err, errlen, "the reply's body is not valid HTTP: %s", msg);
            return REASON_MALFORMED_REPLY;
        }
        snprintf(err, errlen, "connection lost: %s", msg);
        return REASON_CONNECTION_LOST;
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
        snprintf(err, errlen, "connection lost: %s", msg);
        return REASON_CONNECTION_LOST;
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
        /* libcurl says so too of a reply that is not HTTP/1.x (HTTP/0.9,
         * a bare "2000"): then a server answered and the url is fine */
        if (rc == CURLE_UNSUPPORTED_PROTOCOL && sent > 0) {
            snprintf(err, errlen, "the server's reply is not HTTP: %s", msg);
            return REASON_HTTP_ERROR;
        }
        snprintf(err, errlen, "bad url: %s", msg);
        return REASON_CONFIG;
    case CURLE_COULDNT_RESOLVE_PROXY:
        snprintf(err, errlen, "cannot reach the proxy: %s", msg);
        return REASON_SERVER_UNREACHABLE;
    case CURLE_WEIRD_SERVER_REPLY:
        snprintf(err, errlen, "the server's reply is not HTTP: %s", msg);
        return REASON_HTTP_ERROR;
    case CURLE_BAD_CONTENT_ENCODING:
        snprintf(err, errlen, "the reply is in an encoding we did not ask for: %s", msg);
        return REASON_HTTP_ERROR;
    default:
        /* not known to be the network's fault: fail closed, not open;
         * after a status line it is the reply's, so the next url is asked */
        snprintf(err, errlen, "%s (curl error %d)", msg, (int)rc);
        return answered(h) ? REASON_HTTP_ERROR : REASON_INTERNAL;
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

void
http_content_charset(const char *ct, char *out, size_t size)
{
    const char *p = ct != NULL ? strchr(ct, ';') : NULL;

    out[0] = '\0';
    while (p != NULL && *p == ';') {
        size_t name, value;
        bool quoted;

        p += 1 + strspn(p + 1, " \t");
        name = strcspn(p, "=; \t");
        if (p[name] != '=') {
            p = strchr(p, ';');
            continue;
        }
        quoted = p[name + 1] == '"';
        value = quoted ? strcspn(p + name + 2, "\"") : strcspn(p + name + 1, "; \t");
        if (name == 7 && strncasecmp(p, "charset", 7) == 0) {
            snprintf(out, size, "%.*s", (int)value, p + name + 1 + quoted);
            return;
        }
        p = strchr(p + name + 1 + quoted + value, ';');
    }
}

/* An HTTP reply arrived: is it one to parse? */
int
http_judge_status(struct http *h, long status, char *err, size_t errlen)
{
    char *ct = NULL, *location = NULL;

    curl_easy_getinfo(h->curl, CURLINFO_CONTENT_TYPE, &ct);
    curl_easy_getinfo(h->curl, CURLINFO_REDIRECT_URL, &location);
    if (status == 401 || status == 407) {
        snprintf(err, errlen, "HTTP %ld: %s refused our authentication (http_auth = %s)", status,
                 status == 401 ? "the server" : "the proxy",
                 h->cfg->http_auth == HTTP_AUTH_NONE ? "none" : "set");
        return REASON_HTTP_AUTH_REFUSED;
    }
    if (status >= 300 && status < 400) {
        snprintf(err, errlen, "HTTP %ld redirect to %s refused; set url to the endpoint itself",
                 status, location ? location : "(no location)");
        return REASON_HTTP_ERROR;
    }
    if (status == 502 || status == 503 || status == 504) {
        snprintf(err, errlen, "HTTP %ld: the server or a gateway before it cannot serve", status);
        return REASON_SERVER_UNAVAILABLE;
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
