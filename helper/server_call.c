/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * server_call.c - one request of the server backend along the url lines.
 *
 * A request that is not bound to a server (an OTP, a 1-step response, a
 * 2-step request, a getChallenge) fails over along the url lines on
 * anything that is not a verdict; a response to a server's challenge goes
 * only to the server that issued it.  How each outcome counts is the
 * contract of README "Emergency path": only causes outside this host let
 * the next login skip a server or the attempt end as "no server could be
 * asked"; a server that answered without a verdict fails closed.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "helper/failover.h"
#include "helper/server_impl.h"
#include "lib/common/log.h"
#include "lib/common/reason.h"
#include "lib/core/cache.h"
#include "helper/transport.h"
#include "lib/remote/soap.h"
#include "lib/remote/stall.h"

/* When no server gives a verdict, the result is "unreachable"
 * (PAM_AUTHINFO_UNAVAIL) only when none could be asked. */
int
server_call(struct session *s, int only, const struct soap_request *req, struct soap_reply *reply,
            int *used)
{
    const struct server_transport *t = s->transport;
    char err[512], first_err[600] = "no server was tried";
    int best = -1;
    unsigned from = only < 0 ? 0 : (unsigned)only;
    unsigned to = only < 0 ? s->cfg->n_urls : (unsigned)only + 1;

    int64_t now = time(NULL);
    bool all_down = true;

    memset(reply, 0, sizeof(*reply));
    /* dead-server memory: skip servers that failed to connect within
     * dead_time, unless all of them did (then each gets one try) */
    for (unsigned i = from; i < to && s->cache != NULL; i++)
        if (!cache_server_is_down(s->cache, s->cfg->urls[i], now, s->cfg->dead_time))
            all_down = false;
    for (unsigned i = from; i < to; i++) {
        const char *name = t->server_name(s->backend_data, i);
        int reason;

        if (only < 0 && s->cache != NULL && !all_down &&
            cache_server_is_down(s->cache, s->cfg->urls[i], now, s->cfg->dead_time)) {
            log_debug("server %s skipped: failed to connect within dead_time", name);
            session_note(s, "skipped", name);
            continue;
        }
        stall_watch_begin();
        reason = t->call(s->backend_data, i, req, reply, err, sizeof(err));
        reason = failover_outcome(reason, name, err, sizeof(err));
        failover_remember(s->cache, s->cfg->urls[i], reason, now);
        if (reason == REASON_OK) {
            *used = (int)i;
            session_note(s, "server", name);
            return REASON_OK;
        }
        memset(reply, 0, sizeof(*reply));
        if (failover_classify(reason) == FAILOVER_LOCAL) {
            /* nothing to do with the server: no failover, no mark */
            log_msg(LOG_ERR, "server %s not blamed, this host failed: %s (%s)", name,
                    crauth_reason_name(reason), err);
            snprintf(first_err, sizeof(first_err), "%s: %s", name, err);
            best = reason;
            break;
        }
        log_msg(LOG_WARNING, "server %s: %s (%s)%s", name, crauth_reason_name(reason), err,
                i + 1 < to ? "; trying the next url" : "");
        if (failover_more_telling(reason, best)) {
            best = reason;
            snprintf(first_err, sizeof(first_err), "%s: %s", name, err);
        }
    }
    session_note(s, "server_error", first_err);
    if (best < 0)
        best = REASON_SERVER_UNREACHABLE;
    if (only >= 0 && failover_bound_result(best) != best) {
        session_note(s, "issuer", "unreachable: its challenge cannot be answered elsewhere");
        best = failover_bound_result(best);
    }
    return best;
}
