/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * session.c - one attempt: its state and log line, the guesses it counts,
 * the challenges it keeps, and the flow its method runs (flows.c).
 *
 * The configured method is what runs; there is no negotiation.  The session
 * asks the user through conv.c and the backend decides; challenge keys stay
 * in this process and never reach the PAM application.
 */
#include "helper/session.h"

#include <stdio.h>
#include <string.h>

#include "helper/flows.h"
#include "lib/common/log.h"
#include "lib/common/reason.h"
#include "lib/common/secmem.h"

static const char *const state_names[] = {
    [ST_INIT] = "INIT",
    [ST_WF_REQUEST] = "WF_REQUEST",
    [ST_WF_CHALLENGE] = "WF_CHALLENGE",
    [ST_WF_RESPONSE] = "WF_RESPONSE",
    [ST_DONE] = "DONE",
};

void
session_enter(struct session *s, enum session_state next)
{
    log_debug("user=%s state %s -> %s", s->user, state_names[s->state], state_names[next]);
    s->state = next;
}

void
session_note(struct session *s, const char *key, const char *value)
{
    char clean[256];
    size_t used = strlen(s->detail);

    log_sanitize(value, clean, sizeof(clean));
    snprintf(s->detail + used, sizeof(s->detail) - used, "%s%s=%s", used ? " " : "", key, clean);
}

static struct attempts_limit
limit_of(const struct session *s)
{
    struct attempts_limit l = {s->cfg->max_failures, s->cfg->failure_window};

    return l;
}

static struct attempts_place
place_of(const struct session *s)
{
    struct attempts_place p = {s->user, s->service, s->rhost, s->tty};

    return p;
}

/* Outcomes that judged nothing: the guess never reached a verdict, so its
 * reservation is given back.  Everything else counts. */
static bool
unjudged(int reason)
{
    switch (reason) {
    case SESSION_ANOTHER_ROUND:
    case REASON_CANCELLED:
    case REASON_ANSWER_TIMEOUT:
    case REASON_SAME_ANSWER:
    case REASON_EMPTY_ANSWER:
    case REASON_CHALLENGE_ISSUED:
    case REASON_NO_TOKEN:
    case REASON_METHOD_MISMATCH:
        return true;
    default:
        /* the server and this machine (30..99): no verdict on the code */
        return reason >= REASON_SERVER_UNREACHABLE;
    }
}

int
session_guess_begin(struct session *s)
{
    struct attempts_limit l = limit_of(s);
    char err[256], n[16];
    uint32_t failures;
    int reason = attempts_reserve(s->cache, s->account, &l, &failures, err, sizeof(err));

    if (reason == REASON_RATE_LIMITED) {
        snprintf(n, sizeof(n), "%u", failures);
        session_note(s, "recent_failures", n);
    } else if (reason != REASON_OK) {
        log_msg(LOG_ERR,
                "cache: the failure could not be counted, so the code is not "
                "checked: %s",
                err);
        session_note(s, "cache_error", err);
    }
    return reason;
}

int
session_guess_end(struct session *s, int reason, bool final)
{
    struct attempts_limit l = limit_of(s);
    enum attempts_outcome o = ATTEMPT_FAILED;
    char err[256];

    if (reason == REASON_OK)
        o = final ? ATTEMPT_SUCCEEDED : ATTEMPT_UNJUDGED;
    else if (unjudged(reason))
        o = ATTEMPT_UNJUDGED;
    if (attempts_settle(s->cache, s->account, &l, o, err, sizeof(err)) != 0)
        log_msg(LOG_WARNING, "cache: %s", err);
    return reason;
}

/* The servers a kept challenge names its issuer in: the configured
 * backend's own list (a RADIUS State is only worth sending to a [radius]
 * server, an authUser key to a [server] url). */
static struct attempts_servers
servers_of(const struct session *s)
{
    struct attempts_servers l = {s->cfg->urls, s->cfg->n_urls};

    if (s->cfg->backend == BACKEND_RADIUS) {
        l.names = s->cfg->radius_servers;
        l.n = s->cfg->n_radius_servers;
    }
    return l;
}

int
session_keep_challenge(struct session *s, struct challenge *ch)
{
    struct attempts_place p = place_of(s);
    struct attempts_servers l = servers_of(s);

    return attempts_keep_challenge(s->cache, &p, &l, s->cfg->challenge_ttl, ch);
}

enum attempts_taken
session_take_challenge(struct session *s, struct challenge *ch)
{
    static const char *const why[] = {
        [TAKEN_NONE] = NULL,
        [TAKEN_OK] = "taken",
        [TAKEN_EXPIRED] = "expired",
        [TAKEN_UNUSABLE] = "unusable (issuing server gone, or too long); discarded",
    };
    struct attempts_place p = place_of(s);
    struct attempts_servers l = servers_of(s);
    enum attempts_taken t = attempts_take_challenge(s->cache, &p, &l, ch);

    if (why[t] != NULL)
        session_note(s, "cached_challenge", why[t]);
    return t;
}

/* The flow of each method, if the backend has the operation it needs. */
static int
run_method(struct session *s)
{
    const struct backend *b = s->backend;
    int (*flow)(struct session *) = NULL;

    switch (s->cfg->method) {
    case METHOD_OTP:
        flow = b->check_otp != NULL ? flow_otp : NULL;
        break;
    case METHOD_CLIENT_CHALLENGE:
        flow = b->make_challenge != NULL ? flow_client_challenge : NULL;
        break;
    case METHOD_SERVER_CHALLENGE:
        flow = b->request_challenge != NULL ? flow_server_challenge : NULL;
        break;
    case METHOD_GET_CHALLENGE:
        flow = b->get_challenge != NULL ? flow_get_challenge : NULL;
        break;
    case METHOD_AUTO:
        flow = b->exchange != NULL ? flow_auto : NULL;
        break;
    }
    if (flow == NULL) {
        session_note(s, "mismatch", "this backend does not run this method");
        return REASON_CONFIG;
    }
    return flow(s);
}

int
session_run(struct session *s)
{
    struct attempts_limit l = limit_of(s);
    uint32_t failures;
    char n[16];
    int reason;

    session_note(s, "backend", s->backend->name);
    session_note(s, "method", config_method_name(s->cfg->method));
    /* before anything is asked; attempts_reserve decides for real */
    if ((reason = attempts_check(s->cache, s->account, &l, &failures)) != REASON_OK) {
        snprintf(n, sizeof(n), "%u", failures);
        session_note(s, "recent_failures", n);
        goto out;
    }
    /* close() runs whatever open() returned: it may have kept state */
    if ((reason = s->backend->open(s)) != REASON_OK)
        goto out;
    reason = run_method(s);
out:
    s->backend->close(s);
    secmem_free_str(&s->password);
    session_enter(s, ST_DONE);
    return reason;
}
