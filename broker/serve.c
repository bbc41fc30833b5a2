/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * serve.c - one call from a helper (serve.h, lib/broker/protocol.h).
 *
 * The broker relays: it makes the call the helper describes, to the server
 * the helper names, with the configuration the helper read, and returns
 * soap_call()'s outcome.  Judging the reply, failing over and marking
 * servers down stay in the helper, which watches its own wait.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "broker/pool.h"
#include "broker/serve.h"
#include "lib/broker/protocol.h"
#include "lib/common/log.h"
#include "lib/common/reason.h"
#include "lib/common/secmem.h"
#include "lib/common/wire.h"
#include "lib/remote/soap_call.h"
#include "lib/remote/stall.h"

/* The call's server, as the helper saw it in the same file. */
static int
check_call(const struct crauth_config *cfg, const struct broker_request *call, char *err,
           size_t errlen)
{
    if (cfg->backend != BACKEND_SERVER) {
        snprintf(err, errlen, "%s: backend is not server", call->conf);
        return REASON_CONFIG;
    }
    if (call->index >= cfg->n_urls || strcmp(cfg->urls[call->index], call->url) != 0) {
        snprintf(err, errlen, "%s changed since the helper read it (url %u)", call->conf,
                 call->index + 1);
        return REASON_CONFIG;
    }
    return REASON_OK;
}

/* The call on @e's handle, watched: a thread of ours held while it waited
 * (stopped, frozen, starved: by root, by _crauth or by this machine's
 * load) would read a server that answered in time as one that did not,
 * and open the fallback path; that is this host's failure (56), as in
 * the helper (lib/remote/stall.h). */
static int
call_server(struct pool_entry *e, const struct broker_request *call, struct soap_reply *reply,
            char *err, size_t errlen)
{
    char why[512];
    int reason, held;

    stall_watch_begin();
    reason = soap_call(pool_http(e), call->index, &call->req, reply, err, errlen);
    stall_watch_end();
    if (crauth_reason_server_unreached(reason) &&
        (held = stall_blame_self(call->url, why, sizeof(why))) >= 0) {
        snprintf(err, errlen, "crauth-broker: %.400s", why);
        memset(reply, 0, sizeof(*reply));
        return held;
    }
    return reason;
}

void
serve_connection(int fd)
{
    struct broker_request call;
    struct soap_reply reply;
    struct pool_entry *e = NULL;
    char err[512] = "", clean[600];
    int reason, rc;

    memset(&reply, 0, sizeof(reply));
    if (broker_get_hello(fd, wire_now_ms() + BROKER_HELLO_MS, err, sizeof(err)) != WIRE_OK ||
        broker_put_hello(fd) != WIRE_OK) {
        log_debug("a connection without HELLO: %s", err);
        close(fd);
        return;
    }
    rc = broker_get_call(fd, wire_now_ms() + BROKER_CALL_READ_MS, &call);
    if (rc == WIRE_EOF) {
        /* a helper's check at the start of a login: HELLO only */
        close(fd);
        return;
    }
    if (rc != WIRE_OK) {
        log_msg(LOG_WARNING, "a call that does not parse (%s): dropped",
                rc == WIRE_TIMEOUT ? "not whole in time" : "malformed or cut short");
        close(fd);
        return;
    }
    reason = pool_take(call.conf, &e, err, sizeof(err));
    if (reason == REASON_OK)
        reason = check_call(pool_config(e), &call, err, sizeof(err));
    if (reason == REASON_OK) {
        reason = call_server(e, &call, &reply, err, sizeof(err));
        /* a kept connection that failed (silent, reset; no connect was
         * made or tried) says nothing of the server: it may have dropped
         * the connection (an idle timeout, a balancer's lost state) and
         * take a new one.  The call is made once more, on a connection
         * of its own; its outcome is the server's. */
        if ((reason == REASON_SERVER_TIMEOUT || reason == REASON_CONNECTION_LOST) &&
            pool_reused(e) && http_kept_only(pool_http(e))) {
            log_debug("%s url %u: %s on a kept connection; once more on a new one", call.conf,
                      call.index + 1, crauth_reason_name(reason));
            err[0] = '\0';
            memset(&reply, 0, sizeof(reply));
            pool_give(e, 0);
            if ((reason = pool_take_new(call.conf, &e, err, sizeof(err))) == REASON_OK &&
                (reason = check_call(pool_config(e), &call, err, sizeof(err))) == REASON_OK)
                reason = call_server(e, &call, &reply, err, sizeof(err));
        }
    }
    /* kept only after a call that reached the server and left its
     * connection silent (pool_give looks) */
    pool_give(e, reason == REASON_OK || reason == REASON_SOAP_FAULT ||
                     reason == REASON_SERVER_ERROR || reason == REASON_MALFORMED_REPLY);
    log_sanitize(err, clean, sizeof(clean));
    if (reason != REASON_OK)
        log_msg(reason == REASON_SOAP_FAULT ? LOG_INFO : LOG_WARNING, "%s url %u: %s (%s)",
                call.conf, call.index + 1, crauth_reason_name(reason), clean);
    if (broker_put_outcome(fd, reason, clean, &reply) != WIRE_OK)
        log_msg(LOG_WARNING, "%s url %u: the helper left before the outcome", call.conf,
                call.index + 1);
    secmem_wipe(&reply, sizeof(reply));
    broker_request_free(&call);
    close(fd);
    stall_thread_done();
}
