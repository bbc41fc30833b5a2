/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * transport.h - how the server backend's calls reach the servers.
 *
 *   direct  crauth-remote.so's: this helper builds the SOAP request, POSTs
 *           it with libcurl and parses the reply with expat (plugin.h);
 *   broker  crauth-broker's (crauth.conf(5) `broker`): the helper hands
 *           each call to the broker over its Unix socket, and the broker,
 *           a long-lived process of the same user, makes it over a
 *           connection it keeps open, so that a login maps no libcurl and
 *           does no TLS handshake (doc/design.md, "The broker").
 *
 * Both return what soap_call() returns (lib/remote/soap_call.h) for one
 * server; the broker adds REASON_BROKER for its own failures, which are
 * this host's, never a server's.
 */
#ifndef CRAUTH_TRANSPORT_H
#define CRAUTH_TRANSPORT_H

#include "helper/tier_helper_only.h"

#include <stdbool.h>
#include <stddef.h>

#include "lib/core/conf.h"
#include "lib/remote/soap.h"

struct server_transport {
    const char *name;
    /* per attempt; *data goes to the others.  A reason, @err on failure. */
    int (*open)(const struct crauth_config *cfg, void **data, char *err, size_t errlen);
    void (*close)(void *data);
    /* one request to server @index */
    int (*call)(void *data, unsigned index, const struct soap_request *req,
                struct soap_reply *reply, char *err, size_t errlen);
    /* server @index as log lines name it */
    const char *(*server_name)(void *data, unsigned index);
};

/* The broker's, in the helper (transport_broker.c), and the direct one,
 * in crauth-remote.so (transport_direct.c). */
extern const struct server_transport transport_broker;
extern const struct server_transport transport_direct;

/* Can the broker of @cfg take calls?  Connects, checks who listens and
 * exchanges HELLO; false with @why (one line) when not. */
bool transport_broker_usable(const struct crauth_config *cfg, char *why, size_t whylen);

#endif
