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
#include "lib/remote/http.h"
#include "lib/remote/soap.h"
#include "lib/remote/stall.h"

static struct http *
http_of(struct session *s)
{
    return s->backend_data;
}

/* The parsed reply of one server, or why there is none.  HTTP 500 is read
 * only as a Fault (SOAP 1.1 section 6.2): a "success" under it is not one. */
static int
parse(const struct http_reply *hr, enum soap_operation operation, struct soap_reply *reply,
      char *err, size_t errlen)
{
    switch (soap_parse_reply_of(operation, hr->body, hr->len, hr->charset, reply, err, errlen)) {
    case SOAP_OK:
        if (hr->status != 200) {
            snprintf(err, errlen,
                     "HTTP %ld with a result instead of a SOAP Fault; not "
                     "taken as a verdict",
                     hr->status);
            return REASON_MALFORMED_REPLY;
        }
        if (reply->status_code < 0) {
            /* the server's own failure (notes: statusCode -13, "Fail to
             * retrieve storage key"): it judged nothing */
            snprintf(err, errlen, "server-side error %d/%d %s%s%s", reply->return_code,
                     reply->status_code, reply->status_enum, reply->error_desc[0] ? ": " : "",
                     reply->error_desc);
            return REASON_SERVER_ERROR;
        }
        return REASON_OK;
    case SOAP_FAULT:
        snprintf(err, errlen, "SOAP Fault %s: %s", reply->fault_code, reply->fault_string);
        return REASON_SOAP_FAULT;
    default:
        return REASON_MALFORMED_REPLY;
    }
}

/* When no server gives a verdict, the result is "unreachable"
 * (PAM_AUTHINFO_UNAVAIL) only when none could be asked. */
int
server_call(struct session *s, int only, const struct soap_request *req, struct soap_reply *reply,
            int *used)
{
    struct http *h = http_of(s);
    char *xml = NULL;
    size_t xlen = 0;
    char err[512], first_err[600] = "no server was tried";
    int best = -1;
    unsigned from = only < 0 ? 0 : (unsigned)only;
    unsigned to = only < 0 ? s->cfg->n_urls : (unsigned)only + 1;

    int64_t now = time(NULL);
    bool all_down = true;

    memset(reply, 0, sizeof(*reply));
    if (soap_build_request(req, &xml, &xlen) != 0) {
        session_note(s, "error", "cannot build the request (invalid text in a field)");
        return REASON_INTERNAL;
    }
    /* dead-server memory: skip servers that failed to connect within
     * dead_time, unless all of them did (then each gets one try) */
    for (unsigned i = from; i < to && s->cache != NULL; i++)
        if (!cache_server_is_down(s->cache, s->cfg->urls[i], now, s->cfg->dead_time))
            all_down = false;
    for (unsigned i = from; i < to; i++) {
        struct http_reply hr;
        int reason;

        if (only < 0 && s->cache != NULL && !all_down &&
            cache_server_is_down(s->cache, s->cfg->urls[i], now, s->cfg->dead_time)) {
            log_debug("server %s skipped: failed to connect within dead_time",
                      http_server_name(h, i));
            session_note(s, "skipped", http_server_name(h, i));
            continue;
        }
        stall_watch_begin();
        reason = http_post(h, i, xml, xlen, &hr, err, sizeof(err));
        if (reason == REASON_OK) {
            reason = parse(&hr, req->operation, reply, err, sizeof(err));
            http_reply_free(&hr);
        }
        reason = failover_outcome(reason, http_server_name(h, i), err, sizeof(err));
        failover_remember(s->cache, s->cfg->urls[i], reason, now);
        if (reason == REASON_OK) {
            *used = (int)i;
            session_note(s, "server", http_server_name(h, i));
            best = REASON_OK;
            goto out;
        }
        memset(reply, 0, sizeof(*reply));
        if (failover_classify(reason) == FAILOVER_LOCAL) {
            /* nothing to do with the server: no failover, no mark */
            log_msg(LOG_ERR, "server %s not blamed, this host failed: %s (%s)",
                    http_server_name(h, i), crauth_reason_name(reason), err);
            snprintf(first_err, sizeof(first_err), "%s: %s", http_server_name(h, i), err);
            best = reason;
            break;
        }
        log_msg(LOG_WARNING, "server %s: %s (%s)%s", http_server_name(h, i),
                crauth_reason_name(reason), err, i + 1 < to ? "; trying the next url" : "");
        if (failover_more_telling(reason, best)) {
            best = reason;
            snprintf(first_err, sizeof(first_err), "%s: %s", http_server_name(h, i), err);
        }
    }
    session_note(s, "server_error", first_err);
    if (best < 0)
        best = REASON_SERVER_UNREACHABLE;
    if (only >= 0 && failover_bound_result(best) != best) {
        session_note(s, "issuer", "unreachable: its challenge cannot be answered elsewhere");
        best = failover_bound_result(best);
    }
out:
    soap_free_request(xml, xlen);
    return best;
}
