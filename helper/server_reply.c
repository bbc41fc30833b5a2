/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * server_reply.c - what an authUser or getChallenge reply means for the
 * request that got it.
 *
 * A success is returnCode 0 and statusCode 0, with no enum name saying
 * otherwise, no new challenge pending and no status message contradicting
 * it (doc/protocol.md 2.3: the "push" reply).  A challenge is recognised by
 * what the reply carries, not by its codes, which the vendor does not
 * document (A.8): CREDFLD_CHALLENGE or CREDFLD_CHALLENGE_KEY that the
 * request did not itself send (a server may echo them on success), or a
 * CREDFLD_CHALLENGE_MESSAGE alone (the Virtual Mobile Authenticator: the
 * code was sent to the user).  A refusal is mapped by statusCode and by
 * statusCodeEnum: numbers and names do not map one to one on real servers
 * (A.0), so a name counts where the number is unknown, and the two must
 * not disagree.
 */
#include <stdio.h>
#include <string.h>

#include "helper/server_impl.h"
#include "lib/common/log.h"
#include "lib/common/reason.h"

/* Status codes and names (doc/protocol.md 2.3).  Wrong credentials
 * of any kind are a wrong response: they count towards max_failures and
 * allow the challenge to be offered again. */
static const struct status {
    int code;
    const char *name;
    int reason;
} statuses[] = {
    {1000, "STAT_INVCREDENTIALS", REASON_WRONG_RESPONSE},
    {1004, "STAT_EXP_CHALLENGE", REASON_CHALLENGE_EXPIRED},
    {1005, "STAT_PERMISSION", REASON_SERVER_REFUSED},
    {1007, "STAT_LOCKED", REASON_LOCKED},
    {1009, "STAT_DISABLED", REASON_ACCOUNT_DISABLED},
    {1010, "STAT_NOT_FOUND", REASON_USER_UNKNOWN},
    {1011, "STAT_LOCAL_PASSWORD_MISMATCH", REASON_WRONG_RESPONSE},
    {1012, "STAT_OTP_INCORRECT", REASON_WRONG_RESPONSE},
};

static const struct status *
status_by_code(int code)
{
    for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
        if (statuses[i].code == code)
            return &statuses[i];
    return NULL;
}

static const struct status *
status_by_name(const char *name)
{
    for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]) && name[0] != '\0'; i++)
        if (strcmp(statuses[i].name, name) == 0)
            return &statuses[i];
    return NULL;
}

static void
note_status(struct session *s, const struct soap_reply *r)
{
    char text[400];

    snprintf(text, sizeof(text), "%d/%d %s%s%.300s", r->return_code, r->status_code,
             r->status_enum[0] ? r->status_enum : "-", r->has_status_message ? " " : "",
             r->has_status_message ? r->status_message : "");
    session_note(s, "status", text);
}

/* The reason of a refusal (codes other than 0/0); *known: the status is
 * one of ours, by number or by name. */
static int
refusal(struct session *s, const struct soap_reply *r, bool *known)
{
    const struct status *by_code = status_by_code(r->status_code);
    const struct status *by_name = status_by_name(r->status_enum);

    *known = by_code != NULL || by_name != NULL;
    if (by_code != NULL && by_name != NULL && by_code->reason != by_name->reason) {
        session_note(s, "refused", "statusCode and statusCodeEnum disagree");
        return REASON_SERVER_REFUSED;
    }
    if (by_code == NULL)
        by_code = by_name;
    if (by_code == NULL)
        return REASON_SERVER_REFUSED;
    if (by_code->code == 1005)
        session_note(s, "hint",
                     "the server's policy does not permit this: check the client "
                     "component record of this host and the 1-step challenge/response "
                     "policy (crauth.conf(5), METHODS)");
    return by_code->reason;
}

static bool
printable(const char *src)
{
    for (const unsigned char *p = (const unsigned char *)src; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return false;
    return true;
}

/* Is something in @r a challenge the request did not send itself? */
static bool
carries_new_challenge(const struct soap_reply *r, const struct challenge *answered)
{
    bool echo_text = answered != NULL && strcmp(r->challenge, answered->text) == 0;
    bool echo_key = answered != NULL && answered->key[0] != '\0' &&
                    strcmp(r->challenge_key, answered->key) == 0;

    if ((r->has_challenge && !echo_text) || (r->has_challenge_key && !echo_key))
        return true;
    /* a message alone: the code was sent to the user (VMA) */
    return r->has_challenge_message && !r->has_challenge && !r->has_challenge_key;
}

/* The challenge in @r into @next.  It is shown verbatim (a contract), so
 * it must be plain text; the key is sent back as it came, so it must be
 * too; the message is sanitised for display. */
static int
take_challenge(struct session *s, const struct soap_reply *r, int used, struct challenge *next)
{
    memset(next, 0, sizeof(*next));
    next->server = -1;
    if ((r->has_challenge && r->challenge[0] == '\0') || !printable(r->challenge) ||
        strlen(r->challenge) >= sizeof(next->text) || !printable(r->challenge_key) ||
        strlen(r->challenge_key) >= sizeof(next->key)) {
        session_note(s, "malformed", "challenge or key is empty, too long or not text");
        return REASON_MALFORMED_REPLY;
    }
    memcpy(next->text, r->challenge, strlen(r->challenge) + 1);
    memcpy(next->key, r->challenge_key, strlen(r->challenge_key) + 1);
    log_sanitize(r->challenge_message, next->message, sizeof(next->message));
    next->server = used;
    session_note(s, "challenge", next->text[0] ? "text" : "message only");
    return REASON_OK;
}

/* What a success carries for the user, shown as PAM_TEXT_INFO: only after
 * a success, so that nobody learns them by naming a user. */
static void
show_messages(struct session *s, const struct soap_reply *r)
{
    char clean[SOAP_MESSAGE], text[SOAP_MESSAGE + 64];

    if (r->has_auxiliary_message && r->auxiliary_message[0] != '\0') {
        log_sanitize(r->auxiliary_message, clean, sizeof(clean));
        conv_show(s->conv, false, clean);
    }
    if (r->has_password_expire_date && r->password_expire_date[0] != '\0') {
        log_sanitize(r->password_expire_date, clean, sizeof(clean));
        snprintf(text, sizeof(text), "Your password expires on %s.", clean);
        conv_show(s->conv, false, text);
    }
    if (r->has_host_code && r->host_code[0] != '\0') {
        log_sanitize(r->host_code, clean, sizeof(clean));
        snprintf(text, sizeof(text), "Host code: %s (check it on your token)", clean);
        conv_show(s->conv, false, text);
        session_note(s, "host_code", "shown");
    } else if (s->cfg->request_host_code) {
        session_note(s, "host_code", "not sent by the server");
    }
}

/* 0/0 and nothing pending: a success, unless an enum name or a status
 * message says otherwise. */
static int
success(struct session *s, const struct soap_reply *r)
{
    if ((r->return_enum[0] != '\0' && strcmp(r->return_enum, "RET_SUCCESS") != 0) ||
        (r->status_enum[0] != '\0' && strcmp(r->status_enum, "STAT_SUCCESS") != 0)) {
        session_note(s, "refused", "codes 0/0 with a failure's enum name");
        return REASON_SERVER_REFUSED;
    }
    if (r->has_status_message) {
        /* a 0/0 with a status message has meant "not really" (ifad) */
        session_note(s, "refused", "success carried a status message");
        return REASON_SERVER_REFUSED;
    }
    show_messages(s, r);
    return REASON_OK;
}

int
server_interpret(struct session *s, const struct soap_reply *r, enum server_step step,
                 const struct challenge *answered, int used, struct challenge *next, bool *fresh)
{
    bool ok_codes = r->return_code == 0 && r->status_code == 0, known = true;
    int reason = ok_codes ? REASON_OK : refusal(s, r, &known);

    *fresh = false;
    note_status(s, r);
    if (!carries_new_challenge(r, answered)) {
        if (!ok_codes)
            return reason;
        if (step == STEP_REQUEST) {
            session_note(s, "mismatch",
                         "no challenge after the request; the server took it "
                         "as a login: set method = otp or auto, or change the "
                         "policy");
            return REASON_METHOD_MISMATCH;
        }
        if (step == STEP_GET_CHALLENGE) {
            session_note(s, "mismatch", "getChallenge returned no challenge");
            return REASON_METHOD_MISMATCH;
        }
        return success(s, r);
    }
    /* A refusal with a new challenge: a wrong answer the server lets the
     * user answer again, or a refusal like any other.  A step-1 reply is a
     * challenge whatever its codes (they are undocumented), and so is, in
     * method auto, one whose status is none of ours. */
    if (!ok_codes && step != STEP_REQUEST) {
        if (reason == REASON_WRONG_RESPONSE) {
            if (take_challenge(s, r, used, next) == REASON_OK) {
                *fresh = true;
                session_note(s, "new_challenge", "sent with the refusal");
            }
            return reason;
        }
        if (known || step == STEP_GET_CHALLENGE)
            return reason;
    }
    switch (step) {
    case STEP_VERDICT:
        session_note(s, "mismatch",
                     answered != NULL && answered->server >= 0
                         ? "the server answered the response with another challenge"
                         : "the server sent a challenge; for this user's policy set "
                           "method = server-challenge or auto");
        return REASON_METHOD_MISMATCH;
    case STEP_GET_CHALLENGE:
        if (!r->has_challenge || !r->has_challenge_key) {
            session_note(s, "mismatch", "getChallenge returned no challenge text or no key");
            return REASON_METHOD_MISMATCH;
        }
        break;
    case STEP_REQUEST:
    case STEP_AUTO:
        break;
    }
    if ((reason = take_challenge(s, r, used, next)) != REASON_OK)
        return reason;
    *fresh = true;
    return step == STEP_AUTO ? SESSION_ANOTHER_ROUND : REASON_OK;
}
