/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net.h - the way to a server, one home for each step: a URL split into
 * host and port, a name lookup with a deadline, and a TCP connection
 * within the same deadline.
 *
 * glibc's resolver waits as long as resolv.conf allows (timeout x attempts
 * x name servers: 30 s and more with dead servers), far past the
 * connect_timeout a login promises.  resolve_bounded runs the lookup on
 * glibc's getaddrinfo_a thread and stops waiting at the deadline;
 * net_connect_bounded adds the connection to the first address that takes
 * it, so that a lookup and a connect together cost at most connect_timeout
 * (the proxy tunnel, `crauth check`).
 *
 * resolve_bounded returns:
 *   0                   *res holds the addresses (freeaddrinfo them)
 *   RESOLVE_TIMED_OUT   no answer by @deadline_ms (CLOCK_MONOTONIC ms)
 *   RESOLVE_LOCAL_FAILURE  this machine could not run the lookup (no thread,
 *                       no memory, no free local port, a system error): not
 *                       the network's fault
 *   EAI_*               what getaddrinfo said (gai_strerror names it)
 */
#ifndef CRAUTH_RESOLVE_H
#define CRAUTH_RESOLVE_H

#include "lib/tier_helper_side.h"

#include <netdb.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RESOLVE_TIMED_OUT 1 /* EAI_* codes are negative */
#define RESOLVE_LOCAL_FAILURE 2

int resolve_bounded(const char *host, const char *port, const struct addrinfo *hints,
                    int64_t deadline_ms, struct addrinfo **res);

/* Is @err_no (of socket(2) or connect(2)) a shortage of this machine
 * (descriptors, memory, buffers, local ports) rather than the network's
 * answer? */
bool net_errno_is_local(int err_no);

/* Has this machine no ephemeral port left to give a new socket?  After a
 * failed lookup: then the failure was ours, not the name servers'. */
bool net_local_ports_exhausted(void);

/* A URL's scheme and endpoint, as libcurl's URL parser reads it (RFC 3986):
 * "https://[2001:db8::1]:8888/x" has host "2001:db8::1", port "8888" and
 * name "[2001:db8::1]:8888".  The port is the URL's, else the scheme's
 * default. */
struct net_url {
    char scheme[16]; /* lower case, as libcurl gives it */
    char host[256];  /* without the brackets of an IPv6 literal */
    char port[8];
    char name[272]; /* "host:port", brackets for IPv6: for messages and CONNECT */
    bool explicit_port;
    bool bare; /* no user, password, query or fragment; path empty or "/" */
};

/* Split @url.  REASON_OK, or REASON_CONFIG with "'URL' is not a URL ..."
 * in @err (then @u is zeroed). */
int net_url_split(const char *url, struct net_url *u, char *err, size_t errlen);

/* Wait until @fd is ready for @events (poll(2) flags) or @deadline_ms
 * passes: 1 ready, 0 the deadline passed, -1 poll failed. */
int net_wait_fd(int fd, short events, int64_t deadline_ms);

/* What net_connect_bounded got to, for reports that tell the lookup from
 * the connection (`crauth check`). */
struct net_connect_info {
    bool resolved;               /* the lookup gave addresses */
    char addr[INET6_ADDRSTRLEN]; /* the address connected to, else the first one */
};

/* Resolve @host and connect to @port on its addresses in turn, all by
 * @deadline_ms (CLOCK_MONOTONIC ms); @what names the peer in messages
 * ("the proxy proxy.example.com:3128").  REASON_OK with a connected,
 * non-blocking, close-on-exec socket in *fd (the caller closes it);
 * otherwise *fd is -1 and @err says why in one line:
 *   REASON_SERVER_UNREACHABLE  the lookup failed or did not finish in time,
 *                              or no address took the connection in time
 *   REASON_RESOURCE_LIMIT      this machine could not run the lookup or
 *                              open a socket (threads, descriptors, memory)
 * @info (may be NULL) says how far it got. */
int net_connect_bounded(const char *host, const char *port, const char *what, int64_t deadline_ms,
                        int *fd, struct net_connect_info *info, char *err, size_t errlen);

#endif
