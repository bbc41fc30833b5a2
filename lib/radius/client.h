/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * client.h - one bounded RADIUS Access-Request exchange with one server,
 * over UDP (RFC 2865) or RADIUS/TLS (RFC 6614).
 *
 * The caller (the helper's radius backend) owns the policy: which servers,
 * in which order, how many challenge rounds, what a verdict means.  This
 * file sends one request to one server and says what came back, or why
 * nothing usable did.
 *
 * UDP: a connected socket (so an ICMP port unreachable shows as
 * ECONNREFUSED), @timeout_ms per try, @retries retransmissions of the very
 * same packet (same Identifier and Request Authenticator: RFC 5080 2.2.1).
 * A datagram that does not verify is silently discarded (RFC 2865 3) and
 * the wait goes on: a forged or stale datagram must not end the exchange;
 * if nothing valid arrives, the last such failure is reported.  A name
 * with several addresses: the next is tried only when one refuses outright,
 * within the same time.
 *
 * TLS: TCP, TLS 1.2 or later, the server certificate verified against
 * @ca_file and the host name (or IP address) of @server, an optional client
 * certificate, the fixed shared secret "radsec" (RFC 6614 2.3), packets
 * framed by their own Length field on the stream.  Over a reliable
 * transport the client does not retransmit (RADIUS over TCP, RFC 6613), so
 * the reply gets the whole time the UDP tries would have given it.
 *
 * Time: UDP: the name lookup @timeout_ms, then the tries together
 * (@retries + 1) x @timeout_ms.  TLS: the lookup and the TCP connect
 * @timeout_ms, the handshake @timeout_ms, the request and its reply
 * (@retries + 1) x @timeout_ms.  radius_exchange_budget_ms() is the sum,
 * for the helper's time budget.
 */
#ifndef CRAUTH_RADIUS_CLIENT_H
#define CRAUTH_RADIUS_CLIENT_H

#include "lib/tier_helper_side.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/core/conf.h"
#include "lib/radius/packet.h"

enum radius_transport { RADIUS_UDP, RADIUS_TLS };

#define RADIUS_UDP_PORT "1812"     /* RFC 2865 3 */
#define RADIUS_TLS_PORT "2083"     /* RFC 6614 2.1 */
#define RADIUS_TLS_SECRET "radsec" /* RFC 6614 2.3 */
#define RADIUS_MIN_TIMEOUT_MS 1L
#define RADIUS_MAX_TIMEOUT_MS 600000L
#define RADIUS_MAX_RETRIES 10

struct radius_params {
    enum radius_transport transport;
    const char *secret;         /* UDP: the shared secret (1..128 bytes); TLS: ignored */
    long timeout_ms;            /* RADIUS_MIN_TIMEOUT_MS..RADIUS_MAX_TIMEOUT_MS */
    int retries;                /* 0..RADIUS_MAX_RETRIES; UDP retransmissions */
    const char *nas_identifier; /* NULL: NAS-IP-Address (or NAS-IPv6-Address) of our socket */
    const char *ca_file;        /* TLS: the CA certificates (PEM) the server's must chain to */
    const char *client_cert;    /* TLS: our certificate chain (PEM), or NULL */
    const char *client_key;     /* TLS: its key (PEM); NULL: in client_cert */
    bool require_message_authenticator; /* refuse replies without one; set it */
};

/* @p from crauth.conf's [radius] section; the strings stay @cfg's. */
void radius_params_from_config(const struct crauth_config *cfg, struct radius_params *p);

/* A server as configured: "host", "host:port", "[v6]:port" or a bare v6 literal. */
struct radius_endpoint {
    char host[256]; /* without IPv6 brackets */
    char port[8];
    char name[272]; /* "host:port" (brackets for IPv6), for messages */
};

/* Parse @server with the transport's default port.  REASON_OK, or
 * REASON_CONFIG with one line in @err. */
int radius_endpoint_parse(const char *server, enum radius_transport transport,
                          struct radius_endpoint *ep, char *err, size_t errlen);

/* The longest radius_access_request can take with @p, in ms. */
long radius_exchange_budget_ms(const struct radius_params *p);

/*
 * One Access-Request for @user with @password (the User-Password; 0..128
 * bytes), echoing @state (@state_len 1..253) when not NULL, with
 * Calling-Station-Id @calling_station_id when neither NULL nor "".
 * Returns:
 *   REASON_OK                  @res holds the verdict: res->code is
 *                              RADIUS_ACCESS_ACCEPT, _REJECT or _CHALLENGE
 *   REASON_SERVER_UNREACHABLE  name not found, refused (ICMP or RST), no
 *                              TCP connection, or (UDP) no reply at all
 *   REASON_SERVER_TIMEOUT      (TLS) connected, but no handshake or reply
 *   REASON_TLS_FAILURE         handshake or certificate verification failed
 *   REASON_CONNECTION_LOST     (TLS) closed before the reply was complete
 *   REASON_MALFORMED_REPLY     what arrived is not a RADIUS reply
 *   REASON_UNAUTHENTIC_REPLY   replies arrived, none verified
 *   REASON_CONFIG              unusable parameters (names which), or a user
 *                              name or password RADIUS cannot carry
 *   REASON_RESOURCE_LIMIT      no thread or memory for the name lookup
 *   REASON_INTERNAL            out of memory, a failed system call, crypto
 * with one line in @err naming the server.  Neither the secret nor the
 * password ever appears in @err.
 */
int radius_access_request(const struct radius_params *p, const char *server, const char *user,
                          const char *password, const uint8_t *state, size_t state_len,
                          const char *calling_station_id, struct radius_result *res, char *err,
                          size_t errlen);

/*
 * RADIUS/TLS only: connect and complete the TLS handshake with @server
 * (the certificate verified as for a request), send nothing, and describe
 * the server's certificate in @info ("verified, TLSv1.3; subject ...,
 * expires ...").  For `crauth check`.  REASON_OK, or the reasons of
 * radius_access_request for those steps, with one line in @err.
 */
int radius_tls_probe(const struct radius_params *p, const char *server, char *info, size_t infolen,
                     char *err, size_t errlen);

#endif
