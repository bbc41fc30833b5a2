/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flows.c - the methods (crauth.conf(5) "METHODS"), each a fixed sequence
 * of questions: otp, client-challenge, server-challenge, get-challenge.
 * auto, whose rounds the server decides, is in flow_rounds.c.
 *
 * Every code goes through session_guess_begin/end: counted before the
 * backend judges it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helper/flows.h"
#include "lib/common/reason.h"
#include "lib/common/secmem.h"
#include "lib/common/wire.h"

static int
judge_otp(struct session *s, const char *code)
{
    int reason = session_guess_begin(s);

    if (reason != REASON_OK)
        return reason;
    return session_guess_end(s, s->backend->check_otp(s, code), true);
}

static int
judge_response(struct session *s, struct challenge *ch, const char *response)
{
    int reason = session_guess_begin(s);

    if (reason != REASON_OK)
        return reason;
    return session_guess_end(s, s->backend->check_response(s, ch, response), true);
}

int
flow_otp(struct session *s)
{
    char *code = NULL;
    int reason;

    session_enter(s, ST_WF_RESPONSE);
    if (s->backend->first_pass_is_code) {
        if (dialog_first_pass_allowed(s) && s->authtok != NULL) {
            reason = judge_otp(s, s->authtok);
            session_note(s, "first_pass", "tried");
            if (reason == REASON_OK || (s->flags & WIRE_F_USE_FIRST_PASS))
                return reason;
        } else if (s->flags & WIRE_F_USE_FIRST_PASS) {
            session_note(s, "first_pass", "missing");
            return REASON_EMPTY_ANSWER;
        }
    }
    reason = dialog_ask(s, false, s->cfg->otp_prompt, &code);
    if (reason == REASON_OK)
        reason = judge_otp(s, code);
    secmem_free_str(&code);
    return reason;
}

/* The static password: what the user typed for the request, else
 * PAM_AUTHTOK where the first-pass arguments allow it, else asked.  Kept
 * in s->password for a response step that sends it again. */
static int
gather_password(struct session *s, const char *typed, const char **out)
{
    int reason;

    if (s->password == NULL) {
        if (typed != NULL) {
            s->password = secmem_strdup(typed);
            session_note(s, "password", "prompted");
        } else if (dialog_first_pass_allowed(s) && s->authtok != NULL) {
            s->password = secmem_strdup(s->authtok);
            session_note(s, "password", "first_pass");
        } else if (s->flags & WIRE_F_USE_FIRST_PASS) {
            session_note(s, "first_pass", "missing");
            return REASON_EMPTY_ANSWER;
        } else {
            if ((reason = dialog_ask(s, false, s->cfg->request_prompt, &s->password)) != REASON_OK)
                return reason;
            session_note(s, "password", "prompted");
        }
        if (s->password == NULL)
            return REASON_INTERNAL;
    }
    *out = s->password;
    return REASON_OK;
}

/* Step 1's request, as [auth] request says (OneSpan's request methods: the
 * parts joined without a separator).  *typed: the user typed it. */
static int
build_request(struct session *s, const char *typed_answer, char **request, bool *typed)
{
    const struct crauth_config *c = s->cfg;
    const char *password = NULL;
    size_t n;
    int reason;

    *typed = false;
    if (c->request == REQUEST_KEYWORD && c->keyword[0] != '\0') {
        /* back-end authentication sends the password with the response:
         * gather it now, before anything is sent */
        if (c->response == RESPONSE_PASSWORD_OTP &&
            (reason = gather_password(s, typed_answer, &password)) != REASON_OK)
            return reason;
        *request = secmem_strdup(c->keyword);
        session_note(s, "request", "keyword");
        return *request != NULL ? REASON_OK : REASON_INTERNAL;
    }
    /* the keyword empty: what is asked is the request (keyword or password) */
    if ((reason = gather_password(s, typed_answer, &password)) != REASON_OK)
        return reason;
    *typed = true;
    n = strlen(password) + strlen(c->keyword) + 1;
    if ((*request = malloc(n)) == NULL)
        return REASON_INTERNAL;
    if (c->request == REQUEST_KEYWORD_PASSWORD)
        snprintf(*request, n, "%s%s", c->keyword, password);
    else if (c->request == REQUEST_PASSWORD_KEYWORD)
        snprintf(*request, n, "%s%s", password, c->keyword);
    else
        snprintf(*request, n, "%s", password);
    session_note(s, "request", config_request_name(c->request));
    return REASON_OK;
}

/* Send the request and get the server's challenge for it. */
static int
request_challenge(struct session *s, const char *typed_answer, struct challenge *ch, char **request,
                  bool *typed)
{
    int reason;

    session_enter(s, ST_WF_REQUEST);
    if ((reason = build_request(s, typed_answer, request, typed)) != REASON_OK)
        return reason;
    session_enter(s, ST_WF_CHALLENGE);
    /* a request the server judges (a static password) is a guess too */
    if ((reason = session_guess_begin(s)) != REASON_OK)
        return reason;
    return session_guess_end(s, s->backend->request_challenge(s, *request, ch), false);
}

/* Ask for the response to @ch and check it.  A wrong response to a server
 * challenge (@reusable) keeps it for the next attempt when reuse_challenge
 * allows (or the new challenge the server sent with the refusal, which
 * judge_response leaves in @ch); @request is what the user typed for step
 * 1, if anything. */
static int
answer_challenge(struct session *s, struct challenge *ch, const char *request, bool reusable)
{
    char prompt[512];
    char *response = NULL;
    int reason;

    if ((reason = dialog_show_challenge(s, ch)) != REASON_OK)
        return reason;
    dialog_response_prompt(s, ch, prompt, sizeof(prompt));
    session_enter(s, ST_WF_RESPONSE);
    if ((reason = dialog_ask(s, false, prompt, &response)) != REASON_OK) {
        /* nothing was sent with the key: a cached challenge the user did
         * not answer (sudo -S at end of input, ^D) stays for the next try;
         * an envelope's secret never does (attempts_keep_challenge) */
        if (ch->expires != 0 && session_keep_challenge(s, ch) == REASON_OK)
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
        !s->backend->reject_ends_challenge && session_keep_challenge(s, ch) == REASON_OK)
        session_note(s, "challenge_kept", "for the next attempt");
    return reason;
}

/* single_prompt: keep @ch for the next attempt, show it, and end this one. */
static int
issue_for_next_attempt(struct session *s, struct challenge *ch)
{
    char shown[CHALLENGE_MESSAGE_MAX + 1], text[CHALLENGE_MESSAGE_MAX + 64];
    int reason;

    if (ch->block[0] != '\0') {
        /* an envelope is never kept: it is made for one attempt */
        session_note(s, "mismatch",
                     "key-possession challenges cannot be answered in a "
                     "later attempt; single_prompt does not apply");
        return REASON_METHOD_MISMATCH;
    }
    if ((reason = session_keep_challenge(s, ch)) != REASON_OK)
        return reason;
    /* the server's message, or challenge_text, so the challenge appears
     * verbatim as in the other flows */
    dialog_expand(ch->message[0] ? "{message}" : s->cfg->challenge_text, ch, false, shown,
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
    switch (session_take_challenge(s, &ch)) {
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

int
flow_client_challenge(struct session *s)
{
    struct challenge ch = {.server = -1};
    char prompt[512];
    char *code = NULL;
    bool handled = false;
    int reason;

    if (s->cfg->single_prompt &&
        ((reason = answer_pending(s, false, &handled)) != REASON_OK || handled))
        return reason;
    session_enter(s, ST_WF_CHALLENGE);
    if ((reason = s->backend->make_challenge(s, &ch)) != REASON_OK)
        goto out;
    if (ch.text[0] != '\0' || ch.block[0] != '\0') {
        session_note(s, "challenge", "shown");
        reason = s->cfg->single_prompt ? issue_for_next_attempt(s, &ch)
                                       : answer_challenge(s, &ch, NULL, false);
        goto out;
    }
    /* a user whose tokens take no challenge answers with a plain code */
    dialog_expand(s->cfg->otp_prompt, &ch, true, prompt, sizeof(prompt));
    session_enter(s, ST_WF_RESPONSE);
    if ((reason = dialog_ask(s, false, prompt, &code)) == REASON_OK)
        reason = judge_response(s, &ch, code);
out:
    secmem_free_str(&code);
    secmem_wipe(&ch, sizeof(ch));
    return reason;
}

/* A challenge kept by an earlier attempt, answered again.  Back-end
 * authentication (response = password+otp) sends the static password with
 * the response, so it is gathered first; the challenge stays kept when it
 * cannot be. */
static int
answer_kept(struct session *s, struct challenge *ch)
{
    const char *password;
    int reason;

    if (s->cfg->response == RESPONSE_PASSWORD_OTP &&
        (reason = gather_password(s, NULL, &password)) != REASON_OK) {
        if (session_keep_challenge(s, ch) == REASON_OK)
            session_note(s, "challenge_kept", "unanswered");
        return reason;
    }
    return answer_challenge(s, ch, NULL, true);
}

int
flow_server_challenge(struct session *s)
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
            (reason = dialog_ask(s, false, s->cfg->request_prompt, &answer)) != REASON_OK)
            goto out;
        if ((reason = request_challenge(s, answer, &ch, &request, &typed)) == REASON_OK)
            reason = issue_for_next_attempt(s, &ch);
        goto out;
    }
    /* sudo asks again after a wrong response: offer the same challenge */
    if (s->cfg->reuse_challenge && session_take_challenge(s, &ch) == TAKEN_OK) {
        reason = answer_kept(s, &ch);
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
flow_get_challenge(struct session *s)
{
    struct challenge ch = {.server = -1};
    int reason;

    session_enter(s, ST_WF_CHALLENGE);
    /* asking for a challenge judges nothing: not a guess */
    if ((reason = s->backend->get_challenge(s, &ch)) == REASON_OK) {
        session_note(s, "challenge", "shown");
        reason = answer_challenge(s, &ch, NULL, false);
    }
    secmem_wipe(&ch, sizeof(ch));
    return reason;
}
