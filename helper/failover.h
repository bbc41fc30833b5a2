/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * failover.h - what one server's outcome means for the next one, shared by
 * the backends that talk to servers (backend_server.c, backend_radius.c),
 * so that SOAP and RADIUS sites get the same rules (README, "Emergency
 * path"): a verdict ends the walk; an answer without a verdict moves on and,
 * if nothing better comes, fails closed; only servers that could not be
 * reached let the attempt end as "no server could be asked"
 * (PAM_AUTHINFO_UNAVAIL), and only they are skipped by later logins for
 * dead_time; a failure of this machine stops at once and marks nothing.
 */
#ifndef CRAUTH_FAILOVER_H
#define CRAUTH_FAILOVER_H

#include "helper/tier_helper_only.h"

#include <stdbool.h>
#include <stdint.h>

#include "lib/core/cache.h"

enum failover_class {
    FAILOVER_VERDICT,   /* a reply that could be read: the server judged */
    FAILOVER_ANSWERED,  /* the server answered, but with no verdict: try the next */
    FAILOVER_UNREACHED, /* refused, timed out, no such name, TLS, reset, 502-504 */
    FAILOVER_LOCAL,     /* this machine: stop at once, mark no server */
};

/* The class of one server's reason code. */
enum failover_class failover_classify(int reason);

/* Whether @reason tells more than @than (< 0: none yet) as the attempt's
 * result when no server gives a verdict: an answer without a verdict over
 * any unreachable server (it must fail closed), a specific way of not
 * reaching one over a plain "unreachable". */
bool failover_more_telling(int reason, int than);

/* The result of a request bound to the server that issued its challenge
 * (a response, a RADIUS State), @reason from that server alone.  When it
 * could not be reached, the other servers were not asked, and could not
 * take this challenge anyway: "no server could be asked" would open the
 * fallback path to whoever cuts one server off between the two steps while
 * another is up.  So it is REASON_CHALLENGE_UNKNOWN, failed closed; the
 * server is marked down, and the next attempt gets a challenge elsewhere. */
int failover_bound_result(int reason);

/* One server's outcome as it counts.  Before the request, call
 * stall_watch_begin (lib/remote/stall.h).  A server not reached (a
 * timeout, a reset, a refusal, 502-504) while the helper was held (the
 * rules of stall_blame_self: held long, a thread moved alone, no timer)
 * is no evidence against the server: whoever started the login can stop or
 * starve it (SIGSTOP, a cgroup freezer or CPU quota) until the deadline
 * passes with the answer unread.  Then the outcome is this host's
 * (REASON_RESOURCE_LIMIT, @err rewritten and naming @server): no server is
 * marked down and the fallback path stays shut. */
int failover_outcome(int reason, const char *server, char *err, size_t errlen);

/* Server health in the cache (@c may be NULL), under @key: a server that
 * could not be connected to, or did not answer, is marked down; one that
 * answered is marked up; a local failure says nothing about the server. */
void failover_remember(struct cache *c, const char *key, int reason, int64_t now);

#endif
