/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * session.c - the flows: otp, client-challenge, server-challenge.
 *
 * The configured method is what runs; there is no negotiation.  The session
 * asks the user through conv.c and the backend decides; challenge keys stay
 * in this process and never reach the PAM application.
 */
#include "helper/session.h"

#include <stdio.h>
#include <string.h>

#include "helper/attempts.h"
#include "lib/common/log.h"
#include "lib/common/reason.h"
#include "lib/common/secmem.h"
#include "lib/common/wire.h"

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
    snprintf(s->detail + used, sizeof(s->detail) - used, "%s%s=%s", used ? " " : "", key,
             clean);
}

/* Fill a prompt or message template: {challenge} and {message}. */
static void
expand(const char *tmpl, const struct challenge *ch, bool prompt, char *out, size_t size)
{
    size_t o = 0;

    for (const char *p = tmpl; *p != '\0' && o + 1 < size;) {
        const char *value = NULL;

        if (strncmp(p, "{challenge}", 11) == 0)
            value = ch->text, p += 11;
        else if (strncmp(p, "{message}", 9) == 0)
            value = ch->message, p += 9;
        if (value == NULL) {
            out[o++] = *p++;
            continue;
        }
        o += (size_t)snprintf(out + o, size - o, "%s", value);
        if (o >= size)
            o = size - 1;
    }
    out[o] = '\0';
    /* inih strips trailing blanks, so a prompt gets its space back here */
    if (prompt && o > 0 && out[o - 1] != ' ' && o + 1 < size) {
        out[o++] = ' ';
        out[o] = '\0';
    }
}

static int
ask(struct session *s, bool echo, const char *prompt, char **answer)
{
    int reason = conv_ask(s->conv, echo, prompt, answer);

    if (reason == REASON_OK && (*answer)[0] == '\0') {
        secmem_free_str(answer);
        reason = REASON_EMPTY_ANSWER;
    }
    return reason;
}

static bool
first_pass_allowed(const struct session *s)
{
    return (s->flags & (WIRE_F_USE_FIRST_PASS | WIRE_F_TRY_FIRST_PASS)) != 0;
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

/* Count a guess before a backend judges it (attempts.h: count first). */
static int
guess_begin(struct session *s)
{
    struct attempts_limit l = limit_of(s);
    char err[256], n[16];
    uint32_t failures;
    int reason = attempts_reserve(s->cache, s->user, &l, &failures, err, sizeof(err));

    if (reason == REASON_RATE_LIMITED) {
        snprintf(n, sizeof(n), "%u", failures);
        session_note(s, "recent_failures", n);
    } else if (reason != REASON_OK) {
        log_msg(LOG_ERR, "cache: the failure could not be counted, so the code is not "
                "checked: %s", err);
        session_note(s, "cache_error", err);
    }
    return reason;
}

/* Settle the guess counted by guess_begin; @final: a success ends the
 * attempt (a challenge issued does not).  Returns @reason. */
static int
guess_end(struct session *s, int reason, bool final)
{
    struct attempts_limit l = limit_of(s);
    enum attempts_outcome o = ATTEMPT_FAILED;
    char err[256];

    if (reason == REASON_OK)
        o = final ? ATTEMPT_SUCCEEDED : ATTEMPT_UNJUDGED;
    else if (unjudged(reason))
        o = ATTEMPT_UNJUDGED;
    if (attempts_settle(s->cache, s->user, &l, o, err, sizeof(err)) != 0)
        log_msg(LOG_WARNING, "cache: %s", err);
    return reason;
}

static int
keep_challenge(struct session *s, struct challenge *ch)
{
    struct attempts_place p = place_of(s);

    return attempts_keep_challenge(s->cache, &p, s->cfg->urls, s->cfg->challenge_ttl, ch);
}

/* The challenge kept for this user, service and rhost, if usable. */
static enum attempts_taken
take_challenge(struct session *s, struct challenge *ch)
{
    static const char *const why[] = {
        [TAKEN_NONE] = NULL, [TAKEN_OK] = "taken", [TAKEN_EXPIRED] = "expired",
        [TAKEN_UNUSABLE] = "unusable (issuing server gone, or too long); discarded",
    };
    struct attempts_place p = place_of(s);
    enum attempts_taken t =
        attempts_take_challenge(s->cache, &p, s->cfg->urls, s->cfg->n_urls, ch);

    if (why[t] != NULL)
        session_note(s, "cached_challenge", why[t]);
    return t;
}

static int
judge_otp(struct session *s, const char *code)
{
    int reason = guess_begin(s);

    if (reason != REASON_OK)
        return reason;
    return guess_end(s, s->backend->check_otp(s, code), true);
}

static int
judge_response(struct session *s, const struct challenge *ch, const char *response)
{
    int reason = guess_begin(s);

    if (reason != REASON_OK)
        return reason;
    return guess_end(s, s->backend->check_response(s, ch, response), true);
}

static int
run_otp(struct session *s)
{
    char *code = NULL;
    int reason;

    session_enter(s, ST_WF_RESPONSE);
    if (s->backend->first_pass_is_code) {
        if (first_pass_allowed(s) && s->authtok != NULL) {
            reason = judge_otp(s, s->authtok);
            session_note(s, "first_pass", "tried");
            if (reason == REASON_OK || (s->flags & WIRE_F_USE_FIRST_PASS))
                return reason;
        } else if (s->flags & WIRE_F_USE_FIRST_PASS) {
            session_note(s, "first_pass", "missing");
            return REASON_EMPTY_ANSWER;
        }
    }
    reason = ask(s, false, s->cfg->otp_prompt, &code);
    if (reason == REASON_OK)
        reason = judge_otp(s, code);
    secmem_free_str(&code);
    return reason;
}

static int
show_challenge(struct session *s, const struct challenge *ch)
{
    char text[512];

    if (ch->message[0] != '\0')
        expand("{message}", ch, false, text, sizeof(text));
    else
        expand(s->cfg->challenge_text, ch, false, text, sizeof(text));
    if (text[0] == '\0')
        return REASON_OK;
    return conv_show(s->conv, false, text);
}

/* Get the request (keyword, earlier password, or typed) and the server's
 * challenge for it.  *typed: the user typed the request. */
static int
request_challenge(struct session *s, const char *typed_answer, struct challenge *ch, char **request,
                  bool *typed)
{
    int reason;

    session_enter(s, ST_WF_REQUEST);
    *typed = false;
    if (s->cfg->keyword[0] != '\0') {
        *request = secmem_strdup(s->cfg->keyword);
        session_note(s, "request", "keyword");
    } else if (typed_answer != NULL) {
        *request = secmem_strdup(typed_answer);
        *typed = true;
        session_note(s, "request", "prompted");
    } else if (first_pass_allowed(s) && s->authtok != NULL) {
        *request = secmem_strdup(s->authtok);
        *typed = true;
        session_note(s, "request", "first_pass");
    } else if (s->flags & WIRE_F_USE_FIRST_PASS) {
        session_note(s, "first_pass", "missing");
        return REASON_EMPTY_ANSWER;
    } else {
        reason = ask(s, false, s->cfg->request_prompt, request);
        if (reason != REASON_OK)
            return reason;
        *typed = true;
        session_note(s, "request", "prompted");
    }
    if (*request == NULL)
        return REASON_INTERNAL;
    session_enter(s, ST_WF_CHALLENGE);
    /* a request the server judges (a static password) is a guess too */
    if ((reason = guess_begin(s)) != REASON_OK)
        return reason;
    return guess_end(s, s->backend->request_challenge(s, *request, ch), false);
}

/* Ask for the response to @ch and check it.  A wrong response to a server
 * challenge (@reusable) keeps it for the next attempt when reuse_challenge
 * allows; @request is what the user typed for step 1, if anything. */
static int
answer_challenge(struct session *s, struct challenge *ch, const char *request, bool reusable)
{
    char prompt[512];
    char *response = NULL;
    int reason;

    if ((reason = show_challenge(s, ch)) != REASON_OK)
        return reason;
    expand(s->cfg->response_prompt, ch, true, prompt, sizeof(prompt));
    session_enter(s, ST_WF_RESPONSE);
    if ((reason = ask(s, false, prompt, &response)) != REASON_OK) {
        /* nothing was sent with the key: a cached challenge the user did
         * not answer (sudo -S at end of input, ^D) stays for the next try */
        if (ch->expires != 0 && keep_challenge(s, ch) == REASON_OK)
            session_note(s, "challenge_kept", "unanswered");
        return reason;
    }
    /* sshd PasswordAuthentication and sudo -S answer every prompt with the
     * same password; the response can then never be right.  Say so. */
    if (request != NULL && strcmp(request, response) == 0) {
        conv_show(s->conv, true,
                  "The same text was given as password and as response: this client "
                  "cannot show challenges. Use keyboard-interactive, or ask the admin "
                  "for single_prompt.");
        secmem_free_str(&response);
        return REASON_SAME_ANSWER;
    }
    reason = judge_response(s, ch, response);
    secmem_free_str(&response);
    if (reason == REASON_WRONG_RESPONSE && reusable && s->cfg->reuse_challenge &&
        keep_challenge(s, ch) == REASON_OK)
        session_note(s, "challenge_kept", "for the next attempt");
    return reason;
}

/* single_prompt: keep @ch for the next attempt, show it, and end this one. */
static int
issue_for_next_attempt(struct session *s, struct challenge *ch)
{
    char shown[400], text[512];
    int reason;

    if ((reason = keep_challenge(s, ch)) != REASON_OK)
        return reason;
    /* the server's message, or challenge_text, so the challenge appears
     * verbatim as in the other flows */
    expand(ch->message[0] ? "{message}" : s->cfg->challenge_text, ch, false, shown,
           sizeof(shown));
    snprintf(text, sizeof(text), "%s -- enter the response at the next prompt.", shown);
    conv_show(s->conv, true, text);
    session_note(s, "challenge", "issued");
    return REASON_CHALLENGE_ISSUED;
}

/* single_prompt: a challenge from an earlier attempt, answered now.
 * REASON_OK with *handled false when there is none. */
static int
answer_pending(struct session *s, bool reusable, bool *handled)
{
    struct challenge ch = {.server = -1};
    int reason = REASON_OK;

    *handled = true;
    if (s->cache == NULL) {
        session_note(s, "single_prompt", "needs the cache directory");
        return REASON_CACHE;
    }
    switch (take_challenge(s, &ch)) {
    case TAKEN_OK:
        reason = answer_challenge(s, &ch, NULL, reusable);
        break;
    case TAKEN_EXPIRED:
        conv_show(s->conv, true, "The challenge has expired; the next attempt gets a new one.");
        reason = REASON_CHALLENGE_EXPIRED;
        break;
    default:
        *handled = false;
        break;
    }
    secmem_wipe(&ch, sizeof(ch));
    return reason;
}

static int
run_client_challenge(struct session *s)
{
    struct challenge ch = {.server = -1};
    char prompt[512];
    char *code = NULL;
    bool handled = false;
    int reason;

    if (s->cfg->single_prompt && ((reason = answer_pending(s, false, &handled)) != REASON_OK ||
                                  handled))
        return reason;
    session_enter(s, ST_WF_CHALLENGE);
    if ((reason = s->backend->make_challenge(s, &ch)) != REASON_OK)
        goto out;
    if (ch.text[0] != '\0') {
        session_note(s, "challenge", "shown");
        reason = s->cfg->single_prompt ? issue_for_next_attempt(s, &ch)
                                       : answer_challenge(s, &ch, NULL, false);
        goto out;
    }
    /* a user whose tokens take no challenge answers with a plain code */
    expand(s->cfg->otp_prompt, &ch, true, prompt, sizeof(prompt));
    session_enter(s, ST_WF_RESPONSE);
    if ((reason = ask(s, false, prompt, &code)) == REASON_OK)
        reason = judge_response(s, &ch, code);
out:
    secmem_free_str(&code);
    secmem_wipe(&ch, sizeof(ch));
    return reason;
}

static int
run_server_challenge(struct session *s)
{
    struct challenge ch = {.server = -1};
    char *answer = NULL, *request = NULL;
    bool handled = false, typed = false;
    int reason;

    if (s->cfg->single_prompt) {
        /* one question per attempt: the response to an outstanding
         * challenge, or else the request that brings a new one */
        if ((reason = answer_pending(s, true, &handled)) != REASON_OK || handled)
            return reason;
        if (s->cfg->keyword[0] == '\0' &&
            (reason = ask(s, false, s->cfg->request_prompt, &answer)) != REASON_OK)
            goto out;
        if ((reason = request_challenge(s, answer, &ch, &request, &typed)) == REASON_OK)
            reason = issue_for_next_attempt(s, &ch);
        goto out;
    }
    /* sudo asks again after a wrong response: offer the same challenge */
    if (s->cfg->reuse_challenge && take_challenge(s, &ch) == TAKEN_OK) {
        reason = answer_challenge(s, &ch, NULL, true);
        goto out;
    }
    reason = request_challenge(s, NULL, &ch, &request, &typed);
    if (reason == REASON_OK)
        reason = answer_challenge(s, &ch, typed ? request : NULL, true);
out:
    secmem_free_str(&answer);
    secmem_free_str(&request);
    secmem_wipe(&ch, sizeof(ch));
    return reason;
}

int
session_run(struct session *s)
{
    int reason;

    session_note(s, "backend", s->backend->name);
    session_note(s, "method", config_method_name(s->cfg->method));
    {
        struct attempts_limit l = limit_of(s);
        uint32_t failures;
        char n[16];

        /* before anything is asked; attempts_reserve decides for real */
        if ((reason = attempts_check(s->cache, s->user, &l, &failures)) != REASON_OK) {
            snprintf(n, sizeof(n), "%u", failures);
            session_note(s, "recent_failures", n);
            goto out;
        }
    }
    /* close() runs whatever open() returned: it may have kept state */
    if ((reason = s->backend->open(s)) != REASON_OK)
        goto out;
    switch (s->cfg->method) {
    case METHOD_OTP:
        reason = run_otp(s);
        break;
    case METHOD_CLIENT_CHALLENGE:
        reason = run_client_challenge(s);
        break;
    case METHOD_SERVER_CHALLENGE:
        if (s->backend->request_challenge == NULL) {
            reason = REASON_CONFIG;
            break;
        }
        reason = run_server_challenge(s);
        break;
    }
out:
    s->backend->close(s);
    session_enter(s, ST_DONE);
    return reason;
}
