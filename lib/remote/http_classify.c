/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * http_classify.c - a failed or finished transfer, told apart by the phase
 * it reached, so that the reason names what the admin has to look at:
 * the proxy, the name or route to the server, TLS, or the server's reply.
 */
#include <curl/curl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lib/remote/http.h"
#include "lib/remote/http_impl.h"
#include "lib/common/reason.h"
#include "lib/remote/soap.h"

/* Which phase a curl failure happened in decides the reason. */
int
http_classify(struct http *h, CURLcode rc, const struct sink *body, char *err, size_t errlen)
{
    const char *msg = h->errbuf[0] ? h->errbuf : curl_easy_strerror(rc);
    curl_off_t connected = 0, sent = 0;
    int reason = proxy_classify(&h->sockets, h->curl, rc, msg, err, errlen);

    if (reason >= 0)
        return reason;
    if (h->resp.too_big) {
        snprintf(err, errlen, "the reply's HTTP header lines exceed %d bytes (or one line %d); "
                 "refused", NTLM_HTTP_MAX_HEAD, NTLM_HTTP_MAX_LINE);
        return REASON_HTTP_ERROR;
    }

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
int
http_judge_status(struct http *h, long status, char *err, size_t errlen)
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
