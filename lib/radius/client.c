/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * client.c - one RADIUS exchange: the parameters, the server's name, the
 * request, and the UDP transport (RFC 2865, RFC 5080 2.2.1).  RADIUS/TLS is
 * in tls.c.
 */
#include "lib/radius/client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "lib/common/reason.h"
#include "lib/common/secmem.h"
#include "lib/common/wire.h"
#include "lib/radius/client_impl.h"
#include "lib/remote/net.h"

#define RADIUS_MAX_SECRET 128

int
radius_endpoint_parse(const char *server, enum radius_transport transport,
                      struct radius_endpoint *ep, char *err, size_t errlen)
{
    const char *host = server, *port = NULL, *colon, *end;
    struct in6_addr a6;
    size_t hostlen;
    char *stop;
    long n;

    memset(ep, 0, sizeof(*ep));
    if (server[0] == '[') {
        end = strchr(server, ']');
        if (end == NULL || (end[1] != '\0' && end[1] != ':'))
            goto bad;
        host = server + 1;
        hostlen = (size_t)(end - host);
        port = end[1] == ':' ? end + 2 : NULL;
    } else if ((colon = strchr(server, ':')) != NULL && strchr(colon + 1, ':') == NULL) {
        hostlen = (size_t)(colon - server);
        port = colon + 1;
    } else {
        hostlen = strlen(server); /* a name, an IPv4 address or a bare IPv6 literal */
    }
    if (hostlen == 0 || hostlen >= sizeof(ep->host))
        goto bad;
    memcpy(ep->host, host, hostlen);
    for (const char *c = ep->host; *c != '\0'; c++)
        if (*c <= ' ' || *c == 0x7f || *c == '/' || *c == '[' || *c == ']')
            goto bad;
    if (strchr(ep->host, ':') != NULL && inet_pton(AF_INET6, ep->host, &a6) != 1)
        goto bad;
    if (port != NULL) {
        errno = 0;
        n = strtol(port, &stop, 10);
        if (port[0] < '0' || port[0] > '9' || *stop != '\0' || errno != 0 || n < 1 || n > 65535)
            goto bad;
        snprintf(ep->port, sizeof(ep->port), "%ld", n);
    } else {
        snprintf(ep->port, sizeof(ep->port), "%s",
                 transport == RADIUS_TLS ? RADIUS_TLS_PORT : RADIUS_UDP_PORT);
    }
    snprintf(ep->name, sizeof(ep->name), strchr(ep->host, ':') ? "[%s]:%s" : "%s:%s", ep->host,
             ep->port);
    return REASON_OK;
bad:
    snprintf(err, errlen,
             "RADIUS server '%.300s' is not HOST, HOST:PORT or [IPv6]:PORT (port "
             "1 to 65535)",
             server);
    return REASON_CONFIG;
}

long
radius_exchange_budget_ms(const struct radius_params *p)
{
    long tries = (long)p->retries + 1;

    /* UDP: the lookup, then the tries; TLS: lookup and connect, handshake, reply */
    return p->timeout_ms * (p->transport == RADIUS_TLS ? tries + 2 : tries + 1);
}

static int
check_params(const struct radius_params *p, char *err, size_t errlen)
{
    size_t slen;

    if (p->timeout_ms < RADIUS_MIN_TIMEOUT_MS || p->timeout_ms > RADIUS_MAX_TIMEOUT_MS ||
        p->retries < 0 || p->retries > RADIUS_MAX_RETRIES) {
        snprintf(err, errlen,
                 "RADIUS timeout must be %ld to %ld ms and retries 0 to %d (got %ld "
                 "ms, %d)",
                 RADIUS_MIN_TIMEOUT_MS, RADIUS_MAX_TIMEOUT_MS, RADIUS_MAX_RETRIES, p->timeout_ms,
                 p->retries);
        return REASON_CONFIG;
    }
    if (p->transport == RADIUS_UDP) {
        slen = p->secret != NULL ? strlen(p->secret) : 0;
        if (slen == 0 || slen > RADIUS_MAX_SECRET) {
            snprintf(err, errlen, "the RADIUS shared secret must be 1 to %d bytes (it is %zu)",
                     RADIUS_MAX_SECRET, slen);
            return REASON_CONFIG;
        }
    } else if (p->transport != RADIUS_TLS) {
        snprintf(err, errlen, "unknown RADIUS transport %d", (int)p->transport);
        return REASON_CONFIG;
    } else if (p->ca_file == NULL || p->ca_file[0] == '\0') {
        snprintf(err, errlen,
                 "RADIUS/TLS needs ca_file: the CA that signed the server's "
                 "certificate");
        return REASON_CONFIG;
    }
    return REASON_OK;
}

int
radius_resolve(struct radius_exchange *x, int socktype, int64_t deadline, struct addrinfo **res)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = socktype,
                             .ai_flags = AI_ADDRCONFIG | AI_NUMERICSERV};
    int rc = resolve_bounded(x->ep.host, x->ep.port, &hints, deadline, res);

    if (rc == RESOLVE_TIMED_OUT) {
        snprintf(x->err, x->errlen,
                 "resolving the RADIUS server %s did not finish within "
                 "timeout; check the name servers in /etc/resolv.conf, or give an address",
                 x->ep.name);
        return REASON_SERVER_UNREACHABLE;
    }
    if (rc == RESOLVE_LOCAL_FAILURE || rc == EAI_MEMORY) {
        /* this machine's fault: not a reason to open the emergency path */
        snprintf(x->err, x->errlen,
                 "cannot resolve the RADIUS server %s: no thread, memory or free "
                 "local port for the lookup on this machine",
                 x->ep.name);
        return REASON_RESOURCE_LIMIT;
    }
    if (rc != 0) {
        snprintf(x->err, x->errlen, "cannot resolve the RADIUS server %s: %s", x->ep.name,
                 gai_strerror(rc));
        return REASON_SERVER_UNREACHABLE;
    }
    return REASON_OK;
}

int
radius_build(struct radius_exchange *x, int fd)
{
    uint8_t id, authenticator[RADIUS_AUTH_LEN];
    struct sockaddr_storage local = {0};
    socklen_t sl = sizeof(local);

    if (x->p->nas_identifier == NULL) {
        if (getsockname(fd, (struct sockaddr *)&local, &sl) != 0) {
            snprintf(x->err, x->errlen, "getsockname for the NAS address: %s", strerror(errno));
            return REASON_INTERNAL;
        }
        if (local.ss_family == AF_INET) {
            memcpy(x->nas_address, &((struct sockaddr_in *)&local)->sin_addr, 4);
            x->attrs.nas_address_len = 4;
        } else {
            memcpy(x->nas_address, &((struct sockaddr_in6 *)&local)->sin6_addr, 16);
            x->attrs.nas_address_len = 16;
        }
        x->attrs.nas_address = x->nas_address;
    }
    /* RFC 2865 3: the Request Authenticator must be unpredictable */
    if (RAND_bytes(&id, 1) != 1 || RAND_bytes(authenticator, sizeof(authenticator)) != 1) {
        snprintf(x->err, x->errlen, "the random generator failed (Request Authenticator)");
        return REASON_INTERNAL;
    }
    return radius_request_build(&x->req, id, authenticator, x->secret, &x->attrs, x->err,
                                x->errlen);
}

/* A connected UDP socket to @ai; -1 with errno set if there is none. */
static int
udp_open(const struct addrinfo *ai)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol),
        saved;

    if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

/* The tries: send, wait out the try, resend the same bytes (RFC 5080 2.2.1),
 * all by @deadline.  A datagram that does not verify is discarded and the
 * wait goes on.  *refused: the address answered ICMP port unreachable. */
static int
udp_exchange(struct radius_exchange *x, int fd, int64_t deadline, bool *refused)
{
    uint8_t buf[RADIUS_MAX_PACKET];
    char last_err[256] = "";
    int last_reason = REASON_OK, discarded = 0, tried = 0;

    *refused = false;
    for (int t = 0; t <= x->p->retries && wire_now_ms() < deadline; t++) {
        int64_t try_deadline = wire_now_ms() + x->p->timeout_ms;

        if (try_deadline > deadline)
            try_deadline = deadline;
        tried++;
        if (send(fd, x->req.data, x->req.len, MSG_NOSIGNAL) < 0) {
            if (errno == ECONNREFUSED)
                goto refused;
            if (errno != EAGAIN && errno != EINTR) { /* a full buffer is a lost datagram */
                if (net_errno_is_local(errno)) {
                    snprintf(x->err, x->errlen, "sending to the RADIUS server %s: %s", x->ep.name,
                             strerror(errno));
                    return REASON_RESOURCE_LIMIT;
                }
                if (discarded > 0) /* a reply was had: see refused below */
                    goto discarded;
                snprintf(x->err, x->errlen, "sending to the RADIUS server %s: %s", x->ep.name,
                         strerror(errno));
                return REASON_SERVER_UNREACHABLE;
            }
        }
        for (;;) {
            ssize_t n;
            int w = net_wait_fd(fd, POLLIN, try_deadline), reason;

            if (w == 0)
                break;
            if (w < 0) {
                snprintf(x->err, x->errlen, "poll: %s", strerror(errno));
                return REASON_INTERNAL;
            }
            n = recv(fd, buf, sizeof(buf), 0);
            if (n < 0) {
                if (errno == ECONNREFUSED)
                    goto refused;
                if (errno == EAGAIN || errno == EINTR)
                    continue;
                if (discarded > 0)
                    goto discarded;
                snprintf(x->err, x->errlen, "receiving from the RADIUS server %s: %s", x->ep.name,
                         strerror(errno));
                return net_errno_is_local(errno) ? REASON_RESOURCE_LIMIT
                                                 : REASON_SERVER_UNREACHABLE;
            }
            reason = radius_reply_check(buf, (size_t)n, &x->req, x->secret,
                                        x->p->require_message_authenticator, x->res, last_err,
                                        sizeof(last_err));
            if (reason == REASON_OK || reason == REASON_INTERNAL) {
                if (reason != REASON_OK)
                    snprintf(x->err, x->errlen, "%s", last_err);
                return reason;
            }
            last_reason = reason;
            discarded++;
        }
    }
    if (discarded > 0)
        goto discarded;
    snprintf(x->err, x->errlen, "no reply from the RADIUS server %s to %d tr%s of %ld ms",
             x->ep.name, tried, tried == 1 ? "y" : "ies", x->p->timeout_ms);
    return REASON_SERVER_UNREACHABLE;
discarded:
    snprintf(x->err, x->errlen,
             "%d repl%s from the RADIUS server %s discarded, none "
             "verified; the last: %s",
             discarded, discarded == 1 ? "y" : "ies", x->ep.name, last_err);
    return last_reason;
refused:
    /* an answer that did not verify came first: whatever refuses now, a
     * reply was had, so this is no "nothing listens there" */
    if (discarded > 0)
        goto discarded;
    *refused = true;
    snprintf(x->err, x->errlen,
             "the RADIUS server %s refused the request (ICMP port "
             "unreachable: nothing listens there)",
             x->ep.name);
    return REASON_SERVER_UNREACHABLE;
}

/* The name's addresses in turn, the next only when one refuses outright
 * ("localhost" is ::1 first, and a server may listen on 127.0.0.1 only);
 * all of them share the tries' time, so the budget holds. */
static int
udp_run(struct radius_exchange *x, int64_t start)
{
    struct addrinfo *res = NULL;
    int64_t deadline;
    bool refused = false;
    int reason, fd;

    if ((reason = radius_resolve(x, SOCK_DGRAM, start + x->p->timeout_ms, &res)) != REASON_OK)
        return reason;
    deadline = wire_now_ms() + x->p->timeout_ms * ((int64_t)x->p->retries + 1);
    snprintf(x->err, x->errlen, "cannot open a UDP socket to the RADIUS server %s", x->ep.name);
    reason = REASON_SERVER_UNREACHABLE;
    for (const struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
        if ((fd = udp_open(ai)) < 0) {
            snprintf(x->err, x->errlen, "cannot open a UDP socket to the RADIUS server %s: %s",
                     x->ep.name, strerror(errno));
            /* no descriptor or local port: this machine's, not the server's */
            if (net_errno_is_local(errno)) {
                reason = REASON_RESOURCE_LIMIT;
                break;
            }
            continue;
        }
        if ((reason = radius_build(x, fd)) == REASON_OK)
            reason = udp_exchange(x, fd, deadline, &refused);
        close(fd);
        if (!refused)
            break;
    }
    freeaddrinfo(res);
    return reason;
}

int
radius_access_request(const struct radius_params *p, const char *server, const char *user,
                      const char *password, const uint8_t *state, size_t state_len,
                      const char *calling_station_id, struct radius_result *res, char *err,
                      size_t errlen)
{
    struct radius_exchange x = {
        .p = p,
        .secret = p->transport == RADIUS_TLS ? RADIUS_TLS_SECRET : p->secret,
        .attrs = {.user = user,
                  .password = password,
                  .nas_identifier = p->nas_identifier,
                  .state = state,
                  .state_len = state_len,
                  .calling_station_id = calling_station_id},
        .res = res,
        .err = err,
        .errlen = errlen,
    };
    int64_t start = wire_now_ms();
    int reason;

    memset(res, 0, sizeof(*res));
    if (errlen > 0)
        err[0] = '\0';
    if ((reason = check_params(p, err, errlen)) != REASON_OK ||
        (reason = radius_endpoint_parse(server, p->transport, &x.ep, err, errlen)) != REASON_OK)
        return reason;
    reason = p->transport == RADIUS_TLS ? radius_tls_exchange(&x, start) : udp_run(&x, start);
    secmem_wipe(&x.req, sizeof(x.req)); /* the hidden password */
    if (reason != REASON_OK)
        secmem_wipe(res, sizeof(*res)); /* no half-read State (a challenge key) kept */
    return reason;
}
