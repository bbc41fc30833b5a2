/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * failover.c - the classes of a server's outcome and the dead-server
 * memory, for every backend that talks to servers (failover.h).
 */
#include "helper/failover.h"

#include <stdio.h>

#include "lib/common/log.h"
#include "lib/common/reason.h"
#include "lib/remote/stall.h"

enum failover_class
failover_classify(int reason)
{
    if (crauth_reason_server_unreached(reason))
        return FAILOVER_UNREACHED;
    switch (reason) {
    case REASON_OK:
        return FAILOVER_VERDICT;
    case REASON_HTTP_AUTH_REFUSED:
    case REASON_HTTP_ERROR:
    case REASON_MALFORMED_REPLY:
    case REASON_SOAP_FAULT:
    case REASON_SERVER_ERROR:
    case REASON_UNAUTHENTIC_REPLY:
        return FAILOVER_ANSWERED;
    default:
        return FAILOVER_LOCAL;
    }
}

static bool
plain_unreached(int reason)
{
    return reason == REASON_SERVER_UNREACHABLE || reason == REASON_SERVER_TIMEOUT;
}

bool
failover_more_telling(int reason, int than)
{
    if (than < 0)
        return true;
    if (failover_classify(reason) == FAILOVER_ANSWERED)
        return failover_classify(than) != FAILOVER_ANSWERED;
    return failover_classify(than) == FAILOVER_UNREACHED && plain_unreached(than) &&
           !plain_unreached(reason);
}

int
failover_outcome(int reason, const char *server, char *err, size_t errlen)
{
    char why[300], was[256];
    int local;

    stall_watch_end();
    if (failover_classify(reason) != FAILOVER_UNREACHED ||
        (local = stall_blame_self(server, why, sizeof(why))) < 0)
        return reason;
    snprintf(was, sizeof(was), "%s", err);
    snprintf(err, errlen, "%s (it had ended as: %s)", why, was);
    return local;
}

void
failover_remember(struct cache *c, const char *key, int reason, int64_t now)
{
    char err[256];

    if (c == NULL)
        return;
    if (plain_unreached(reason)) {
        if (cache_server_down(c, key, now, err, sizeof(err)) != REASON_OK)
            log_msg(LOG_WARNING, "cache: %s", err);
    } else if (failover_classify(reason) != FAILOVER_LOCAL) {
        cache_server_up(c, key);
    }
}

int
failover_bound_result(int reason)
{
    return failover_classify(reason) == FAILOVER_UNREACHED ? REASON_CHALLENGE_UNKNOWN : reason;
}
