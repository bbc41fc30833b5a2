/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * client_impl.h - what client.c (UDP, the common steps) shares with tls.c
 * (RADIUS/TLS).  Not for use outside lib/radius.
 */
#ifndef CRAUTH_RADIUS_CLIENT_IMPL_H
#define CRAUTH_RADIUS_CLIENT_IMPL_H

#include "lib/tier_helper_side.h"

#include <netdb.h>
#include <stdint.h>

#include "lib/radius/client.h"

/* One exchange in progress. */
struct radius_exchange {
    const struct radius_params *p;
    struct radius_endpoint ep;
    const char *secret; /* p->secret, or "radsec" over TLS */
    struct radius_request_attrs attrs;
    uint8_t nas_address[16]; /* attrs.nas_address points here */
    struct radius_request req;
    struct radius_result *res;
    char *err;
    size_t errlen;
};

/* Look up x->ep with @socktype by @deadline (CLOCK_MONOTONIC ms).
 * REASON_OK with *res to freeaddrinfo, REASON_SERVER_UNREACHABLE, or
 * REASON_RESOURCE_LIMIT when this machine could not run the lookup. */
int radius_resolve(struct radius_exchange *x, int socktype, int64_t deadline,
                   struct addrinfo **res);

/* Draw the Identifier and Request Authenticator and build x->req, taking
 * the NAS address from @fd when there is no NAS-Identifier. */
int radius_build(struct radius_exchange *x, int fd);

/* The RADIUS/TLS exchange (tls.c), started at @start. */
int radius_tls_exchange(struct radius_exchange *x, int64_t start);

#endif
