/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * backend_server.c - the server backend: authUser and getChallenge over
 * SOAP/HTTPS, for every method (crauth.conf(5), METHODS).
 *
 * This file decides what each request carries: where the static password
 * or keyword and the code go by CREDFLD_PASSWORD_FORMAT (0: combined in
 * CREDFLD_PASSWORD; any other value: the keyword or static password in
 * CREDFLD_STATIC_PASSWORD and the code in response_attribute), which
 * server a request goes to, and what a new challenge replaces.
 * server_call.c sends it along the url lines; server_reply.c reads what
 * the answer means.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helper/server_impl.h"
#include "lib/common/reason.h"
#include "lib/common/secmem.h"
#include "lib/common/wire.h"
#include "lib/core/otp.h"
#include "helper/transport.h"
#include "lib/broker/protocol.h"
#include "lib/remote/soap.h"

/* CREDFLD_REQUEST_HOST_CODE's value: the name of the vendor's .NET
 * wrapper for "return one if you can" (RequestHostCode.Optional,
 * doc/protocol.md 2.2); the values a server takes are not public. */
#define HOST_CODE_OPTIONAL "Optional"

static int
server_open(struct session *s)
{
    char err[200];
    int reason = s->transport->open(s->cfg, &s->backend_data, err, sizeof(err));

    if (reason != REASON_OK)
        session_note(s, "error", err);
    return reason;
}

static void
server_close(struct session *s)
{
    if (s->backend_data != NULL)
        s->transport->close(s->backend_data);
    s->backend_data = NULL;
}

/* One request being built: the fields, and the joined secret to wipe. */
struct outgoing {
    struct soap_request req;
    char *joined;
};

static void
outgoing_init(struct session *s, struct outgoing *o, enum soap_operation operation)
{
    memset(o, 0, sizeof(*o));
    o->req.operation = operation;
    o->req.userid = s->user;
    o->req.domain = s->cfg->domain;
    o->req.component = s->cfg->component_type;
    o->req.password_format = (unsigned)s->cfg->password_format;
}

/* Place the keyword or static password @secret and the code @code (either
 * may be NULL) as password_format says: format 0 joins them in
 * CREDFLD_PASSWORD (keyword or password first); a separate format puts
 * @secret in CREDFLD_STATIC_PASSWORD and @code in response_attribute. */
static int
place(struct session *s, struct outgoing *o, const char *secret, const char *code)
{
    if (s->cfg->password_format != 0) {
        o->req.static_password = secret;
        if (s->cfg->response_attribute == RESPONSE_IN_DP_RESPONSE)
            o->req.dp_response = code;
        else
            o->req.password = code;
        return REASON_OK;
    }
    if (secret != NULL && code != NULL) {
        size_t n = strlen(secret) + strlen(code) + 1;

        if ((o->joined = malloc(n)) == NULL)
            return REASON_INTERNAL;
        snprintf(o->joined, n, "%s%s", secret, code);
        o->req.password = o->joined;
    } else {
        o->req.password = secret != NULL ? secret : code;
    }
    return REASON_OK;
}

/* Send @o to @only (or along the url lines) and read the answer for
 * @step; *used: the server that answered. */
static int
send_and_read(struct session *s, struct outgoing *o, int only, enum server_step step,
              const struct challenge *answered, struct challenge *next, bool *fresh, int *used)
{
    struct soap_reply reply;
    int reason;

    *fresh = false;
    *used = -1;
    reason = server_call(s, only, &o->req, &reply, used);
    if (reason == REASON_OK)
        reason = server_interpret(s, &reply, step, answered, *used, next, fresh);
    secmem_free_str(&o->joined);
    secmem_wipe(&reply, sizeof(reply));
    return reason;
}

/* The static password that goes with a code in one step (otp, 1-step):
 * PAM_AUTHTOK when the first-pass arguments allow it.  use_first_pass
 * without one: REASON_EMPTY_ANSWER. */
static int
first_pass_password(struct session *s, const char **password)
{
    *password = NULL;
    if ((s->flags & (WIRE_F_USE_FIRST_PASS | WIRE_F_TRY_FIRST_PASS)) && s->authtok != NULL)
        *password = s->authtok;
    else if (s->flags & WIRE_F_USE_FIRST_PASS) {
        session_note(s, "first_pass", "missing");
        return REASON_EMPTY_ANSWER;
    }
    return REASON_OK;
}

/* A new challenge came with a refusal where the method has no way to show
 * it: the refusal stands. */
static void
drop_new_challenge(struct session *s, bool fresh)
{
    if (fresh)
        session_note(s, "new_challenge", "not used by this method");
}

static int
server_check_otp(struct session *s, const char *code)
{
    struct outgoing o;
    struct challenge next;
    const char *password;
    bool fresh;
    int used, reason;

    outgoing_init(s, &o, SOAP_AUTH_USER);
    if ((reason = first_pass_password(s, &password)) != REASON_OK ||
        (reason = place(s, &o, password, code)) != REASON_OK)
        return reason;
    o.req.request_host_code = s->cfg->request_host_code ? HOST_CODE_OPTIONAL : NULL;
    reason = send_and_read(s, &o, -1, STEP_VERDICT, NULL, &next, &fresh, &used);
    drop_new_challenge(s, fresh);
    secmem_wipe(&next, sizeof(next));
    return reason;
}

static int
server_make_challenge(struct session *s, struct challenge *ch)
{
    struct ocra_suite suite;
    char text[OCRA_SUITE_SIZE];

    /* the configured format as an OCRA question: the suite only shapes it */
    snprintf(text, sizeof(text), "OCRA-1:HOTP-SHA1-6:Q%s", s->cfg->challenge_format);
    if (ocra_suite_parse(text, &suite) != OTP_OK ||
        ocra_question_generate(&suite, ch->text, sizeof(ch->text)) != OTP_OK)
        return REASON_INTERNAL;
    ch->server = -1;
    return REASON_OK;
}

/* The static password of a response to a server's challenge: with
 * response = password+otp (OneSpan's back-end authentication) the one
 * gathered for the request, else PAM_AUTHTOK where allowed; for a 1-step
 * server challenge (get-challenge) what first_pass_password gives. */
static int
response_password(struct session *s, const char **password)
{
    *password = NULL;
    if (s->cfg->method == METHOD_GET_CHALLENGE)
        return first_pass_password(s, password);
    if (s->cfg->response != RESPONSE_PASSWORD_OTP)
        return REASON_OK;
    if (s->password != NULL) {
        *password = s->password;
        return REASON_OK;
    }
    if ((s->flags & (WIRE_F_USE_FIRST_PASS | WIRE_F_TRY_FIRST_PASS)) && s->authtok != NULL) {
        *password = s->authtok;
        return REASON_OK;
    }
    /* single_prompt: the attempt that answers has only the one prompt */
    session_note(s, "password",
                 "response = password+otp, but this attempt has no static "
                 "password (single_prompt needs use_first_pass)");
    return REASON_EMPTY_ANSWER;
}

static int
server_check_response(struct session *s, struct challenge *ch, const char *response)
{
    struct outgoing o;
    struct challenge next;
    const char *password;
    bool fresh;
    int used, reason;

    outgoing_init(s, &o, SOAP_AUTH_USER);
    if (ch->server >= 0) {
        /* the server's challenge: only its issuer knows the key */
        o.req.challenge_key = ch->key[0] ? ch->key : NULL;
        reason = response_password(s, &password);
    } else {
        o.req.challenge = ch->text;
        reason = first_pass_password(s, &password);
    }
    if (reason != REASON_OK || (reason = place(s, &o, password, response)) != REASON_OK)
        return reason;
    o.req.request_host_code = s->cfg->request_host_code ? HOST_CODE_OPTIONAL : NULL;
    reason = send_and_read(s, &o, ch->server, STEP_VERDICT, ch, &next, &fresh, &used);
    if (fresh && s->cfg->method == METHOD_SERVER_CHALLENGE) {
        /* the old challenge is spent: the new one is what reuse offers */
        *ch = next;
        session_note(s, "new_challenge", "replaces the old one");
    } else {
        drop_new_challenge(s, fresh);
    }
    secmem_wipe(&next, sizeof(next));
    return reason;
}

static int
server_request_challenge(struct session *s, const char *request, struct challenge *ch)
{
    struct outgoing o;
    bool fresh;
    int used, reason;

    outgoing_init(s, &o, SOAP_AUTH_USER);
    if ((reason = place(s, &o, request, NULL)) != REASON_OK)
        return reason;
    reason = send_and_read(s, &o, -1, STEP_REQUEST, NULL, ch, &fresh, &used);
    if (reason == REASON_OK && !fresh)
        reason = REASON_INTERNAL;
    return reason;
}

static int
server_get_challenge(struct session *s, struct challenge *ch)
{
    struct outgoing o;
    bool fresh;
    int used, reason;

    outgoing_init(s, &o, SOAP_GET_CHALLENGE);
    reason = send_and_read(s, &o, -1, STEP_GET_CHALLENGE, NULL, ch, &fresh, &used);
    if (reason == REASON_OK && !fresh)
        reason = REASON_INTERNAL;
    return reason;
}

/* method auto.  The first answer goes along the url lines as the
 * password: the keyword (when configured) as a request would, anything
 * else as the code; an answer to the server's challenge goes to that
 * server, with its key. */
static int
server_exchange(struct session *s, struct challenge *ch, const char *answer)
{
    struct outgoing o;
    struct challenge next;
    bool first = ch->round == 0 && ch->server < 0, fresh;
    bool request = first && s->cfg->keyword[0] != '\0';
    int used, reason, round = ch->round;

    outgoing_init(s, &o, SOAP_AUTH_USER);
    if (!first)
        o.req.challenge_key = ch->key[0] ? ch->key : NULL;
    if ((reason = place(s, &o, request ? answer : NULL, request ? NULL : answer)) != REASON_OK)
        return reason;
    if (!request)
        o.req.request_host_code = s->cfg->request_host_code ? HOST_CODE_OPTIONAL : NULL;
    reason = send_and_read(s, &o, first ? -1 : ch->server, STEP_AUTO, first ? NULL : ch, &next,
                           &fresh, &used);
    if (fresh) {
        *ch = next;
        ch->round = round;
        if (reason == REASON_WRONG_RESPONSE)
            reason = SESSION_WRONG_AND_ANOTHER_ROUND;
    }
    secmem_wipe(&next, sizeof(next));
    return reason;
}

/* Every url in turn: a connect and a request each, or with a broker what
 * one call through it may take. */
static long
server_step_budget_ms(const struct crauth_config *cfg)
{
    long one = cfg->broker != NULL ? broker_call_limit_ms(cfg)
                                   : (cfg->connect_timeout + cfg->timeout) * 1000;

    return (long)cfg->n_urls * one;
}

const struct backend backend_server = {
    .name = "server",
    .first_pass_is_code = false,
    .open = server_open,
    .close = server_close,
    .check_otp = server_check_otp,
    .make_challenge = server_make_challenge,
    .check_response = server_check_response,
    .request_challenge = server_request_challenge,
    .get_challenge = server_get_challenge,
    .exchange = server_exchange,
    .step_budget_ms = server_step_budget_ms,
};
