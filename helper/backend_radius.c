/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * backend_radius.c - the radius backend: Access-Requests over UDP or
 * RADIUS/TLS (lib/radius), with the failover, dead-server memory and
 * outcome classes of the authUser backend (failover.h).
 *
 * One Access-Request carries one answer as its User-Password (RFC 2865
 * 5.2).  Access-Accept is a success, Access-Reject a wrong answer, and
 * Access-Challenge (RFC 2865 4.4) another question: its Reply-Messages are
 * shown, and its State goes back with the answer to the server that issued
 * it and to no other.  The methods:
 *
 *   auto              exchange: as many rounds as the server asks for;
 *   otp               one Access-Request per code; a challenge is refused
 *                     as a method mismatch that names method = auto, since
 *                     otp promises one question per attempt and the clients
 *                     that cannot show a challenge (sshd
 *                     PasswordAuthentication, sudo -S) rely on it;
 *   server-challenge  the request must bring an Access-Challenge, and the
 *                     response goes with its State (single_prompt keeps it
 *                     in the cache for the next attempt).
 *
 * An Access-Challenge without State is a method mismatch too: the answer
 * could not be tied to it (RFC 2865 4.4 makes State optional; pam_radius
 * refuses such a challenge as well, and OTP servers send one).  It fails
 * closed: the server answered, authentically, so no other server is asked.
 *
 * RADIUS has no way to say "wrong code" apart from "no such user" or
 * "locked": every Access-Reject is REASON_WRONG_RESPONSE, and counts
 * against the failure limit.  An Access-Reject also ends the server's
 * challenge, so a rejected one is never kept for a retry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "helper/failover.h"
#include "helper/session.h"
#include "lib/common/hex.h"
#include "lib/common/log.h"
#include "lib/common/reason.h"
#include "lib/common/secmem.h"
#include "lib/core/cache.h"
#include "lib/radius/client.h"
#include "lib/remote/stall.h"

/* The dead-server memory's key: "radius:" and the server line, so that it
 * can never be taken for a [server] url. */
#define HEALTH_PREFIX "radius:"

struct radius_backend {
    struct radius_params params;
    const char *calling_station_id; /* PAM_RHOST, or NULL */
};

/* What one Access-Request carries besides the user's name. */
struct radius_ask {
    const char *password;
    const uint8_t *state; /* the State answered, or NULL */
    size_t state_len;
};

/* What the method expects of a reply. */
enum expect {
    EXPECT_ANY,       /* auto: a verdict, or another round */
    EXPECT_VERDICT,   /* otp, and a response: Accept or Reject */
    EXPECT_CHALLENGE, /* the request of server-challenge */
};

static int
radius_open(struct session *s)
{
    struct radius_backend *b = calloc(1, sizeof(*b));

    if (b == NULL) {
        session_note(s, "error", "out of memory");
        return REASON_INTERNAL;
    }
    radius_params_from_config(s->cfg, &b->params);
    /* Calling-Station-Id is a text of at most 253 bytes: a longer PAM_RHOST
     * is left out rather than cut into some other host's name */
    if (s->rhost != NULL && s->rhost[0] != '\0') {
        if (strlen(s->rhost) <= RADIUS_MAX_VALUE)
            b->calling_station_id = s->rhost;
        else
            session_note(s, "calling_station_id", "left out: PAM_RHOST is over 253 bytes");
    }
    s->backend_data = b;
    return REASON_OK;
}

static void
radius_close(struct session *s)
{
    free(s->backend_data);
    s->backend_data = NULL;
}

/* Every server in turn, each with its whole exchange (lib/radius/client.h). */
static long
radius_step_budget_ms(const struct crauth_config *cfg)
{
    struct radius_params p;

    radius_params_from_config(cfg, &p);
    return (long)cfg->n_radius_servers * radius_exchange_budget_ms(&p);
}

static void
health_key(const char *server, char *key, size_t size)
{
    snprintf(key, size, "%s%s", HEALTH_PREFIX, server);
}

/* Send @q to server @only (or along the server lines when @only < 0) until
 * one gives a verdict: a reply that verified.  *used: the server that did.
 * When none does, an answer without a verdict (a forged, unauthenticated or
 * malformed reply) fails closed; only when no server could be reached is
 * the result "unreachable" (PAM_AUTHINFO_UNAVAIL). */
static int
call(struct session *s, int only, const struct radius_ask *q, struct radius_result *res, int *used)
{
    const struct radius_backend *b = s->backend_data;
    const struct crauth_config *cfg = s->cfg;
    char err[512], first_err[600] = "no server was tried", key[300];
    unsigned from = only < 0 ? 0 : (unsigned)only;
    unsigned to = only < 0 ? cfg->n_radius_servers : (unsigned)only + 1;
    int64_t now = time(NULL);
    bool all_down = true;
    int best = -1;

    /* dead-server memory: skip servers that did not answer within
     * dead_time, unless all of them did not (then each gets one try) */
    for (unsigned i = from; i < to && s->cache != NULL; i++) {
        health_key(cfg->radius_servers[i], key, sizeof(key));
        if (!cache_server_is_down(s->cache, key, now, cfg->radius_dead_time))
            all_down = false;
    }
    for (unsigned i = from; i < to; i++) {
        const char *name = cfg->radius_servers[i];
        int reason;

        health_key(name, key, sizeof(key));
        if (only < 0 && s->cache != NULL && !all_down &&
            cache_server_is_down(s->cache, key, now, cfg->radius_dead_time)) {
            log_debug("RADIUS server %s skipped: no answer within dead_time", name);
            session_note(s, "skipped", name);
            continue;
        }
        stall_watch_begin();
        reason = radius_access_request(&b->params, name, s->user, q->password, q->state,
                                       q->state_len, b->calling_station_id, res, err, sizeof(err));
        reason = failover_outcome(reason, name, err, sizeof(err));
        failover_remember(s->cache, key, reason, now);
        if (reason == REASON_OK) {
            *used = (int)i;
            session_note(s, "server", name);
            return REASON_OK;
        }
        if (failover_classify(reason) == FAILOVER_LOCAL) {
            /* nothing to do with the server: no failover, no mark */
            log_msg(LOG_ERR, "RADIUS server %s not blamed, this host failed: %s (%s)", name,
                    crauth_reason_name(reason), err);
            snprintf(first_err, sizeof(first_err), "%s: %s", name, err);
            best = reason;
            break;
        }
        log_msg(LOG_WARNING, "RADIUS server %s: %s (%s)%s", name, crauth_reason_name(reason), err,
                i + 1 < to ? "; trying the next server" : "");
        if (failover_more_telling(reason, best)) {
            best = reason;
            snprintf(first_err, sizeof(first_err), "%s: %s", name, err);
        }
    }
    session_note(s, "server_error", first_err);
    if (best < 0)
        best = REASON_SERVER_UNREACHABLE;
    if (only >= 0 && failover_bound_result(best) != best) {
        session_note(s, "issuer", "unreachable: its State cannot be answered elsewhere");
        best = failover_bound_result(best);
    }
    return best;
}

/* The Reply-Messages as the user may see them: NUL bytes and control
 * characters become '?', the line feeds between messages stay. */
static void
reply_text(const struct radius_result *res, char *out, size_t size)
{
    char raw[RADIUS_MESSAGE_SIZE];
    size_t n = res->message_len < sizeof(raw) ? res->message_len : sizeof(raw) - 1;

    memcpy(raw, res->message, n);
    raw[n] = '\0';
    for (size_t i = 0; i < n; i++)
        if (raw[i] == '\0')
            raw[i] = '?';
    log_sanitize_lines(raw, out, size);
}

/* An Access-Challenge into @next: its State (in hex) and its server, for
 * the answer; its Reply-Messages, for the user.  There is no challenge
 * text of its own: the messages are what the server wants shown, and
 * picking a "challenge" out of free text would be a guess. */
static int
take_challenge(struct session *s, const struct radius_result *res, int used, struct challenge *next)
{
    if (res->state_len == 0) {
        session_note(s, "mismatch",
                     "Access-Challenge without State: the answer could not be "
                     "tied to it; make the server send State (RFC 2865 4.4)");
        return REASON_METHOD_MISMATCH;
    }
    next->text[0] = '\0';
    next->block[0] = '\0';
    next->expires = 0;
    if (hex_encode(res->state, res->state_len, next->key, sizeof(next->key)) != 0)
        return REASON_INTERNAL;
    reply_text(res, next->message, sizeof(next->message));
    if (res->message_truncated)
        session_note(s, "reply_message", "truncated");
    next->server = used;
    return REASON_OK;
}

/* What a reply that verified means for the method that sent the request. */
static int
interpret(struct session *s, const struct radius_result *res, int used, enum expect expect,
          struct challenge *next)
{
    char text[256];
    int reason;

    switch (res->code) {
    case RADIUS_ACCESS_ACCEPT:
        session_note(s, "radius", "Access-Accept");
        if (expect != EXPECT_CHALLENGE)
            return REASON_OK;
        session_note(s, "mismatch",
                     "the server accepted the request alone, with no "
                     "challenge: set method = otp or auto");
        return REASON_METHOD_MISMATCH;
    case RADIUS_ACCESS_REJECT:
        session_note(s, "radius", "Access-Reject");
        if (res->message_len > 0) {
            /* for the log only: a reason the server gives is not the user's business */
            reply_text(res, text, sizeof(text));
            session_note(s, "reply_message", text);
        }
        return REASON_WRONG_RESPONSE;
    case RADIUS_ACCESS_CHALLENGE:
        session_note(s, "radius", "Access-Challenge");
        if (expect == EXPECT_VERDICT) {
            session_note(s, "mismatch",
                         s->cfg->method == METHOD_SERVER_CHALLENGE
                             ? "the server answered the response with another challenge: "
                               "method = auto answers any number of rounds"
                             : "the server sent an Access-Challenge: set method = auto to "
                               "answer it");
            return REASON_METHOD_MISMATCH;
        }
        if ((reason = take_challenge(s, res, used, next)) != REASON_OK)
            return reason;
        return expect == EXPECT_ANY ? SESSION_ANOTHER_ROUND : REASON_OK;
    default:
        /* radius_reply_check lets no other code through */
        return REASON_INTERNAL;
    }
}

/* Send @answer (as the answer to @answered, when not NULL) and interpret
 * the verdict as @expect says; a new challenge goes into @next. */
static int
ask(struct session *s, const struct challenge *answered, const char *answer, enum expect expect,
    struct challenge *next)
{
    struct radius_ask q = {.password = answer};
    struct radius_result res;
    uint8_t state[RADIUS_MAX_VALUE];
    int used = -1, only = -1, reason;

    if (strlen(s->user) > RADIUS_MAX_VALUE) {
        session_note(s, "user", "name over 253 bytes: RADIUS cannot carry it");
        return REASON_USER_UNKNOWN;
    }
    if (strlen(answer) > RADIUS_MAX_PASSWORD) {
        /* User-Password holds 128 bytes (RFC 2865 5.2): no server could
         * accept it, and a cut answer would be some other answer */
        log_debug("the answer is over %d bytes, more than User-Password holds (RFC 2865 5.2): "
                  "wrong, and not sent",
                  RADIUS_MAX_PASSWORD);
        session_note(s, "answer", "too long for RADIUS, not sent");
        return REASON_WRONG_RESPONSE;
    }
    if (answered != NULL) {
        if (answered->server < 0 || (unsigned)answered->server >= s->cfg->n_radius_servers ||
            hex_decode(answered->key, strlen(answered->key), state, sizeof(state), &q.state_len) !=
                0 ||
            q.state_len == 0) {
            session_note(s, "challenge", "its State or issuing server is unusable");
            return REASON_CHALLENGE_UNKNOWN;
        }
        q.state = state;
        only = answered->server; /* the State means something only to its issuer */
    }
    reason = call(s, only, &q, &res, &used);
    if (reason == REASON_OK)
        reason = interpret(s, &res, used, expect, next);
    secmem_wipe(&res, sizeof(res));
    secmem_wipe(state, sizeof(state));
    return reason;
}

static int
radius_exchange(struct session *s, struct challenge *ch, const char *answer)
{
    return ask(s, ch->round > 0 ? ch : NULL, answer, EXPECT_ANY, ch);
}

static int
radius_check_otp(struct session *s, const char *code)
{
    return ask(s, NULL, code, EXPECT_VERDICT, NULL);
}

static int
radius_request_challenge(struct session *s, const char *request, struct challenge *ch)
{
    return ask(s, NULL, request, EXPECT_CHALLENGE, ch);
}

static int
radius_check_response(struct session *s, struct challenge *ch, const char *response)
{
    return ask(s, ch, response, EXPECT_VERDICT, NULL);
}

const struct backend backend_radius = {
    .name = "radius",
    /* PAM_AUTHTOK goes as the User-Password, like pam_radius's
     * use_first_pass: the server decides what the password holds */
    .first_pass_is_code = true,
    .reject_ends_challenge = true,
    .step_budget_ms = radius_step_budget_ms,
    .open = radius_open,
    .close = radius_close,
    .check_otp = radius_check_otp,
    .check_response = radius_check_response,
    .request_challenge = radius_request_challenge,
    .exchange = radius_exchange,
};
