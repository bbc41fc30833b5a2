/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * http_impl.h - what http.c and http_classify.c share: the transport's
 * state, and the sorting of libcurl outcomes into reason codes.  Private
 * to the helper's HTTP transport; everyone else uses http.h.
 */
#ifndef CRAUTH_HTTP_IMPL_H
#define CRAUTH_HTTP_IMPL_H

#include "lib/tier_helper_side.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/core/conf.h"
#include "lib/remote/ntlm_http.h"
#include "lib/remote/proxy.h"

/* What one request's reply head held, collected by on_header. */
struct response {
    long status;
    size_t head_bytes;
    bool too_big;
    bool want_cert;
    uint8_t *cert; /* DER of the TLS peer's leaf certificate */
    size_t cert_len;
    struct ntlm_http_offers offers; /* WWW-Authenticate values */
};

struct http {
    const struct crauth_config *cfg;
    CURL *curl;
    struct curl_slist *headers;
    char names[CONFIG_MAX_URLS][272]; /* "host:port" (IPv6 in brackets): logs, CONNECT */
    char spn[CONFIG_MAX_URLS][300];   /* "HTTP/host", the NTLM target name */
    bool plain[CONFIG_MAX_URLS];      /* http://, no TLS */
    char errbuf[CURL_ERROR_SIZE];
    struct response resp;
    struct proxy_sockets sockets;
    int setup_reason; /* REASON_CONFIG when the proxy line is unusable */
    char setup_err[300];
    int64_t connected_at;   /* CLOCK_MONOTONIC ms: the request's connection was ready; 0 before */
    bool request_timed_out; /* no complete reply within timeout after connected_at */
    bool kept_only;         /* every transfer of the last http_post ran on a kept connection */
    int ntlm_conn;          /* server whose kept-alive connection is NTLM-authenticated; -1 */
    const char *ntlm_identity; /* the identity it is authenticated as (cfg->http_user) */
};

struct sink {
    char *buf;
    size_t len, cap;
    bool too_big;
};

/* A transfer failed with @rc: which phase (proxy, DNS, connect, TLS,
 * request, reply) and so which reason; @err says it in one line. */
int http_classify(struct http *h, CURLcode rc, const struct sink *body, char *err, size_t errlen);

/* An HTTP reply with @status arrived: REASON_OK if it is one to parse
 * (200, or 500 for a SOAP Fault, with an XML content type), else the
 * reason (401/407, redirect, other status, not XML). */
int http_judge_status(struct http *h, long status, char *err, size_t errlen);

/* The charset parameter of Content-Type @ct (RFC 9110 8.3.1 and 5.6.6: a
 * token or a quoted string, the name case-insensitive) into @out, "" when
 * there is none; a longer one is cut (and then matches no known name). */
void http_content_charset(const char *ct, char *out, size_t size);

#endif
