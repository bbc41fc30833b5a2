/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * session.c - the flows: otp, client-challenge, server-challenge.
 *
 * The configured method is what runs; there is no negotiation.  The session
 * asks the user through conv.c and the backend decides; challenge keys stay
 * in this process and never reach the PAM application.
 */
#include "session.h"

#include <stdio.h>
#include <string.h>

#include "log.h"
#include "reason.h"
#include "secmem.h"
#include "wire.h"

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

static int
run_otp(struct session *s)
{
    char *code = NULL;
    int reason;

    session_enter(s, ST_WF_RESPONSE);
    if (first_pass_allowed(s) && s->authtok != NULL) {
        reason = s->backend->check_otp(s, s->authtok);
        session_note(s, "first_pass", "tried");
        if (reason == REASON_OK || (s->flags & WIRE_F_USE_FIRST_PASS))
            return reason;
    } else if (s->flags & WIRE_F_USE_FIRST_PASS) {
        session_note(s, "first_pass", "missing");
        return REASON_EMPTY_ANSWER;
    }
    reason = ask(s, false, s->cfg->otp_prompt, &code);
    if (reason == REASON_OK)
        reason = s->backend->check_otp(s, code);
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

static int
run_client_challenge(struct session *s)
{
    struct challenge ch = {.server = -1};
    char prompt[512];
    char *response = NULL;
    int reason;

    session_enter(s, ST_WF_CHALLENGE);
    reason = s->backend->make_challenge(s, &ch);
    if (reason != REASON_OK)
        goto out;
    if (ch.text[0] != '\0') {
        session_note(s, "challenge", "shown");
        if ((reason = show_challenge(s, &ch)) != REASON_OK)
            goto out;
        expand(s->cfg->response_prompt, &ch, true, prompt, sizeof(prompt));
    } else {
        expand(s->cfg->otp_prompt, &ch, true, prompt, sizeof(prompt));
    }
    session_enter(s, ST_WF_RESPONSE);
    reason = ask(s, false, prompt, &response);
    if (reason == REASON_OK)
        reason = s->backend->check_response(s, &ch, response);
out:
    secmem_free_str(&response);
    secmem_wipe(&ch, sizeof(ch));
    return reason;
}

static int
run_server_challenge(struct session *s)
{
    struct challenge ch = {.server = -1};
    char prompt[512];
    char *request = NULL, *response = NULL;
    bool typed = false;
    int reason;

    session_enter(s, ST_WF_REQUEST);
    if (s->cfg->keyword[0] != '\0') {
        request = secmem_strdup(s->cfg->keyword);
        session_note(s, "request", "keyword");
    } else if (first_pass_allowed(s) && s->authtok != NULL) {
        request = secmem_strdup(s->authtok);
        typed = true;
        session_note(s, "request", "first_pass");
    } else {
        reason = ask(s, false, s->cfg->request_prompt, &request);
        if (reason != REASON_OK)
            goto out;
        typed = true;
        session_note(s, "request", "prompted");
    }
    if (request == NULL) {
        reason = REASON_INTERNAL;
        goto out;
    }
    session_enter(s, ST_WF_CHALLENGE);
    if ((reason = s->backend->request_challenge(s, request, &ch)) != REASON_OK)
        goto out;
    if ((reason = show_challenge(s, &ch)) != REASON_OK)
        goto out;
    expand(s->cfg->response_prompt, &ch, true, prompt, sizeof(prompt));
    session_enter(s, ST_WF_RESPONSE);
    if ((reason = ask(s, false, prompt, &response)) != REASON_OK)
        goto out;
    /* sshd PasswordAuthentication and sudo -S answer every prompt with the
     * same password; the response can then never be right.  Say so. */
    if (typed && strcmp(request, response) == 0) {
        reason = REASON_SAME_ANSWER;
        conv_show(s->conv, true,
                  "The same text was given as password and as response: this client "
                  "cannot show challenges. Use keyboard-interactive, or ask the admin "
                  "for single_prompt.");
        goto out;
    }
    reason = s->backend->check_response(s, &ch, response);
out:
    secmem_free_str(&request);
    secmem_free_str(&response);
    secmem_wipe(&ch, sizeof(ch));
    return reason;
}

int
session_run(struct session *s)
{
    int reason;

    session_note(s, "backend", s->backend->name);
    session_note(s, "method", config_method_name(s->cfg->method));
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
