/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * http.h - POSTing SOAP bodies to the configured servers with libcurl.
 *
 * TLS verification is always on (TLS 1.2 at least, optional pin and client
 * certificate); redirects are never followed; proxies come from the
 * configuration only; the connection (lookup, TCP, TLS, proxy tunnel) is
 * bounded by connect_timeout, and the request on it, from its connection
 * being ready to the end of the reply, by timeout (crauth.conf(5)).  One curl handle serves the whole helper run, so a second step
 * reuses the connection to the server that issued the challenge.
 *
 * http_auth = basic is libcurl's; http_auth = ntlm is our NTLMv2 client
 * (ntlm_http.h) over that one handle: NEGOTIATE with an empty body,
 * AUTHENTICATE with the SOAP body on the same connection, bound to its TLS
 * certificate; later requests reuse the authenticated connection or
 * authenticate again.  A proxy (http://HOST:PORT/) is libcurl's for
 * proxy_auth = none | basic and our CONNECT tunnel for ntlm (proxy.h).
 *
 * http_post returns a reason code:
 *   REASON_OK              an HTTP reply with an XML body (200, or 500 for a Fault)
 *   REASON_SERVER_UNREACHABLE  DNS failure, refused, or connect timeout (of the
 *                              server, or of the proxy: the message names it)
 *   REASON_SERVER_TIMEOUT      connected, but no complete reply within timeout
 *   REASON_SERVER_UNAVAILABLE  HTTP 502, 503 or 504, from the server or the
 *                              proxy (to CONNECT)
 *   REASON_CONNECTION_LOST     closed or reset mid-request, or mid-handshake
 *   REASON_TLS_FAILURE         handshake or certificate verification failed
 *   REASON_HTTP_AUTH_REFUSED   HTTP 401 or 407 (after our credentials, or with
 *                              no usable NTLM challenge)
 *   REASON_HTTP_ERROR          any other status, a redirect, a non-XML body, an
 *                              oversized reply head, a proxy's CONNECT refusal,
 *                              a reply that is not HTTP/1.x or in a coding we
 *                              did not ask for
 *   REASON_MALFORMED_REPLY     a body larger than SOAP_MAX_REPLY, broken chunked
 *                              framing, a malformed NTLM CHALLENGE
 *   REASON_CONFIG              NTLM over plain http without allow_http_ntlm, a
 *                              bad proxy line or unusable NTLM credentials
 *   REASON_INTERNAL            libcurl could not be set up
 */
#ifndef CRAUTH_HTTP_H
#define CRAUTH_HTTP_H

#include "lib/tier_helper_side.h"

#include <stdbool.h>
#include <stddef.h>

#include "lib/core/conf.h"

/* What every request and every CONNECT of ours names itself (RFC 9110
 * 10.1.5): the product and its version, nothing about the host. */
#define HTTP_USER_AGENT "crauth/" PACKAGE_VERSION

struct http;

struct http_reply {
    long status;
    char *body; /* NUL-terminated, wiped and freed by http_reply_free */
    size_t len;
    char charset[40]; /* the Content-Type's charset parameter, "" if none */
};

/* NULL when libcurl cannot be initialised. */
struct http *http_new(const struct crauth_config *cfg);
void http_free(struct http *h);

/* POST @body to server @index (into cfg->urls).  @err: one line. */
int http_post(struct http *h, unsigned index, const char *body, size_t len,
              struct http_reply *reply, char *err, size_t errlen);

void http_reply_free(struct http_reply *reply);

/* Connect to server @index (through the proxy, if any) and finish the TLS
 * handshake with the login's settings, without sending a request; for
 * `crauth check`.  REASON_OK with @info naming the certificate, or the
 * failure as http_post classifies it. */
int http_probe(struct http *h, unsigned index, char *info, size_t infolen, char *err,
               size_t errlen);

/* Between requests: is the connection @h keeps (if any) silent, as an
 * HTTP/1.1 connection with no request on it must be?  False when the
 * peer sent bytes no request asked for (a reply sent twice, a late
 * reply to a request given up on) or closed it: such a connection must
 * not carry the next request, whose reply would be read from them. */
bool http_connection_clean(struct http *h);

/* Did the last http_post run on connections kept from earlier requests
 * only (no connect, none tried)?  Its failure then says nothing of
 * whether the server takes new connections. */
bool http_kept_only(const struct http *h);

/* "host:port" of server @index, for log lines. */
const char *http_server_name(const struct http *h, unsigned index);

#endif
