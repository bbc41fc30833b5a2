/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * transport_broker.c - the server backend's calls, made by crauth-broker
 * (transport.h).  Each call is one connection: connect, HELLO, the call,
 * its outcome, close; so a broker that goes away between two calls of an
 * attempt costs that attempt only, and no connection of ours waits on a
 * user at a prompt.
 *
 * Every failure of the broker is this host's (REASON_BROKER): no server is
 * marked down and the attempt does not end as "no server could be asked".
 * The wait for an outcome is bounded by what the broker itself may take
 * (broker_call_limit_ms).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helper/transport.h"
#include "lib/broker/client.h"
#include "lib/broker/protocol.h"
#include "lib/common/reason.h"
#include "lib/common/secmem.h"
#include "lib/common/wire.h"

static int
broker_open(const struct crauth_config *cfg, void **data, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    *data = (void *)cfg;
    return REASON_OK;
}

static void
broker_close(void *data)
{
    (void)data;
}

static int
broker_call(void *data, unsigned index, const struct soap_request *req, struct soap_reply *reply,
            char *err, size_t errlen)
{
    const struct crauth_config *cfg = data;
    char why[400];
    int64_t deadline;
    int fd, rc, reason = REASON_BROKER;
    bool not_running;

    memset(reply, 0, sizeof(*reply));
    if ((fd = broker_connect(cfg->broker, geteuid(), &not_running, why, sizeof(why))) < 0) {
        snprintf(err, errlen, "crauth-broker %s: %s", cfg->broker, why);
        return REASON_BROKER;
    }
    rc = broker_put_call(fd, cfg->path, cfg->urls[index], index, req);
    if (rc == WIRE_BAD) {
        /* what soap_build_request refuses too: the broker is not to blame */
        snprintf(err, errlen, "cannot build the request (invalid text in a field)");
        reason = REASON_INTERNAL;
        goto out;
    }
    if (rc != WIRE_OK) {
        snprintf(err, errlen, "crauth-broker %s: the call was not sent (write failed)",
                 cfg->broker);
        goto out;
    }
    deadline = wire_now_ms() + broker_call_limit_ms(cfg);
    rc = broker_get_outcome(fd, deadline, &reason, why, sizeof(why), reply);
    if (rc != WIRE_OK) {
        snprintf(err, errlen, "crauth-broker %s: %s", cfg->broker,
                 rc == WIRE_TIMEOUT ? "no outcome within its bound (connect_timeout + 2 x timeout)"
                 : rc == WIRE_EOF || rc == WIRE_TRUNCATED
                     ? "closed the connection before the outcome"
                     : "sent an outcome that does not parse");
        reason = REASON_BROKER;
        goto out;
    }
    /* a verdict only the server may give: the broker relays, it does not
     * judge, so a code outside what one server's call yields is refused */
    switch (reason) {
    case REASON_OK:
    case REASON_SOAP_FAULT:
    case REASON_MALFORMED_REPLY:
    case REASON_SERVER_ERROR:
    case REASON_SERVER_UNREACHABLE:
    case REASON_SERVER_TIMEOUT:
    case REASON_SERVER_UNAVAILABLE:
    case REASON_CONNECTION_LOST:
    case REASON_TLS_FAILURE:
    case REASON_HTTP_AUTH_REFUSED:
    case REASON_HTTP_ERROR:
    case REASON_CONFIG:
    case REASON_SECRETS_FILE:
    case REASON_RESOURCE_LIMIT:
    case REASON_INTERNAL:
    case REASON_BROKER:
        snprintf(err, errlen, "%s", why);
        break;
    default:
        snprintf(err, errlen, "crauth-broker %s: outcome %d is not one a call yields", cfg->broker,
                 reason);
        reason = REASON_BROKER;
    }
out:
    if (reason != REASON_OK && reason != REASON_SOAP_FAULT)
        secmem_wipe(reply, sizeof(*reply));
    close(fd);
    return reason;
}

/* The url itself: the broker splits urls, the helper maps no URL parser. */
static const char *
broker_server_name(void *data, unsigned index)
{
    const struct crauth_config *cfg = data;

    return cfg->urls[index];
}

const struct server_transport transport_broker = {
    .name = "broker",
    .open = broker_open,
    .close = broker_close,
    .call = broker_call,
    .server_name = broker_server_name,
};

bool
transport_broker_usable(const struct crauth_config *cfg, char *why, size_t whylen)
{
    bool not_running;
    int fd;

    if (cfg->broker == NULL || cfg->path == NULL) {
        snprintf(why, whylen, "no broker configured");
        return false;
    }
    if ((fd = broker_connect(cfg->broker, geteuid(), &not_running, why, whylen)) < 0)
        return false;
    close(fd);
    return true;
}
