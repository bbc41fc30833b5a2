/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proxy.h - the HTTP CONNECT tunnel for proxy_auth = ntlm.
 *
 * libcurl cannot run our NTLM on a CONNECT (it drops the connection after
 * a 407 it did not handle itself), so the helper opens the TCP connection
 * to the proxy, runs CONNECT with the three NTLM legs on
 * Proxy-Authorization / Proxy-Authenticate over that one connection, and
 * hands the connected socket to libcurl, which does TLS to the origin
 * through it and verifies the origin's certificate as usual.
 *
 * proxy_auth = none | basic stay with libcurl (CURLOPT_PROXY); the proxy
 * URL is parsed here for both.  Proxies come only from the configuration.
 */
#ifndef CRAUTH_PROXY_H
#define CRAUTH_PROXY_H

#include "lib/tier_helper_side.h"

#include <curl/curl.h>
#include <stdbool.h>

#include "lib/core/conf.h"
#include "lib/remote/net.h"

/* Parse "http://HOST:PORT[/]" (an explicit port; no path, user or query)
 * with net_url_split.  REASON_OK, or REASON_CONFIG with one line in @err. */
int proxy_parse(const char *url, struct net_url *p, char *err, size_t errlen);

/* Connect to @p and open a tunnel to @authority ("host:port" of the origin)
 * authenticating as cfg->proxy_user with NTLM; the whole exchange within
 * @timeout_ms.  REASON_OK with a connected socket in *fd (the caller owns
 * it); otherwise a reason with one line in @err naming the proxy:
 *   REASON_SERVER_UNREACHABLE  the proxy cannot be resolved or connected to
 *   REASON_SERVER_TIMEOUT      connected, but the exchange did not finish in time
 *   REASON_CONNECTION_LOST     the proxy closed the connection mid-handshake
 *   REASON_HTTP_AUTH_REFUSED   407 after our AUTHENTICATE, or no NTLM offered
 *   REASON_HTTP_ERROR          any other CONNECT status, or a malformed reply
 *   REASON_MALFORMED_REPLY     a malformed NTLM CHALLENGE */
int proxy_tunnel_ntlm(const struct crauth_config *cfg, const struct net_url *p,
                      const char *authority, long timeout_ms, int *fd, char *err, size_t errlen);

/*
 * How the transport's connections are opened, as libcurl socket callbacks:
 * directly, through libcurl's own proxy handling (none/basic), or through
 * our NTLM tunnel.  It also keeps the NTLM invariant of http.c: while
 * must_reuse is set, libcurl may not open a new connection at all (the
 * request fails before a byte is sent, and reuse_refused tells why), so a
 * body that must go only over an authenticated connection never goes
 * anywhere else.
 */
struct proxy_sockets {
    const struct crauth_config *cfg;
    struct net_url ep;
    bool use_proxy;        /* cfg->proxy set */
    bool ntlm;             /* proxy_auth = ntlm: our tunnel */
    const char *authority; /* "host:port" of the origin being requested */
    bool must_reuse;       /* set by the caller around one request */
    bool reuse_refused;    /* a new connection was wanted and refused */
    int reason;            /* the tunnel's failure, REASON_OK if none */
    char err[300];
    int tunnel_fd; /* the last tunnel handed to libcurl */
    struct curl_slist *connect_to;
};

/* Set the proxy and socket options on @curl for @s (s->cfg set by the
 * caller).  REASON_OK, REASON_CONFIG (a bad proxy URL) or REASON_INTERNAL. */
int proxy_setup_curl(CURL *curl, struct proxy_sockets *s, char *err, size_t errlen);

/* Free what proxy_setup_curl allocated (after curl_easy_cleanup). */
void proxy_sockets_free(struct proxy_sockets *s);

/* Before each request: which origin, and whether a new connection is allowed. */
void proxy_sockets_begin(struct proxy_sockets *s, const char *authority, bool must_reuse);

/* After a failed transfer: a failure of the way to the server rather than
 * of the server (our tunnel; libcurl's CONNECT: unreachable proxy, 407,
 * other statuses), as a reason with one line naming the proxy; -1 if none. */
int proxy_classify(const struct proxy_sockets *s, CURL *curl, CURLcode rc, const char *msg,
                   char *err, size_t errlen);

#endif
