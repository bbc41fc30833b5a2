/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * backend_server.c - the server backend: authUser over SOAP/HTTPS.
 *
 * A request that is not bound to a server (an OTP, a 1-step response, a
 * 2-step request) fails over along the url lines on anything that is not a
 * verdict; a 2-step response goes only to the server that issued the
 * challenge.  A verdict is success only when returnCode and statusCode are
 * 0, no challenge is pending and no status message contradicts it
 * (DESIGN §2); any answer that does not fit the configured method fails with
 * REASON_METHOD_MISMATCH naming what to change.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/core/cache.h"
#include "helper/failover.h"
#include "lib/remote/http.h"
#include "lib/common/log.h"
#include "lib/core/otp.h"
#include "lib/common/reason.h"
#include "lib/common/secmem.h"
#include "helper/session.h"
#include "lib/remote/soap.h"
#include "lib/common/wire.h"

enum expect { EXPECT_VERDICT, EXPECT_CHALLENGE };

/* Known status codes (protocols.md A.6). */
#define STAT_INVCREDENTIALS 1000
#define STAT_EXP_CHALLENGE 1004
#define STAT_LOCKED 1007
#define STAT_NOT_FOUND 1010

static struct http *
http_of(struct session *s)
{
    return s->backend_data;
}

static int
server_open(struct session *s)
{
    soap_init();
    s->backend_data = http_new(s->cfg);
    if (s->backend_data == NULL) {
        session_note(s, "error", "libcurl could not be initialised");
        return REASON_INTERNAL;
    }
    return REASON_OK;
}

static void
server_close(struct session *s)
{
    http_free(http_of(s));
    s->backend_data = NULL;
}

/* The parsed reply of one server, or why there is none.  HTTP 500 is read
 * only as a Fault (SOAP 1.1 section 6.2): a "success" under it is not one. */
static int
parse(const struct http_reply *hr, struct soap_reply *reply, char *err, size_t errlen)
{
    switch (soap_parse_reply(hr->body, hr->len, reply, err, errlen)) {
    case SOAP_OK:
        if (hr->status != 200) {
            snprintf(err, errlen, "HTTP %ld with a result instead of a SOAP Fault; not "
                     "taken as a verdict", hr->status);
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

/* POST @req to server @only (or along the list when @only < 0) until one
 * gives a verdict.  *used: the server that did.  When none does, an
 * answer without a verdict fails closed; only when no server could be
 * asked is the result "unreachable" (PAM_AUTHINFO_UNAVAIL). */
static int
call(struct session *s, int only, const struct soap_request *req, struct soap_reply *reply,
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
        reason = http_post(h, i, xml, xlen, &hr, err, sizeof(err));
        if (reason == REASON_OK) {
            reason = parse(&hr, reply, err, sizeof(err));
            http_reply_free(&hr);
        }
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
            log_msg(LOG_ERR, "server %s not asked: %s (%s)", http_server_name(h, i),
                    crauth_reason_name(reason), err);
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
out:
    soap_free_request(xml, xlen);
    return best;
}

static void
note_status(struct session *s, const struct soap_reply *r)
{
    char text[400];

    snprintf(text, sizeof(text), "%d/%d %s%s%s", r->return_code, r->status_code,
             r->status_enum[0] ? r->status_enum : "-",
             r->has_status_message ? " " : "", r->has_status_message ? r->status_message : "");
    session_note(s, "status", text);
}

/* What a parsed reply means for the method that sent it. */
static int
interpret(struct session *s, const struct soap_reply *r, enum expect expect)
{
    bool pending = r->has_challenge || r->has_challenge_key;

    note_status(s, r);
    if (pending && expect == EXPECT_CHALLENGE) {
        if (!r->has_challenge) {
            session_note(s, "mismatch", "a challenge key without challenge text");
            return REASON_METHOD_MISMATCH;
        }
        return REASON_OK;
    }
    if (pending) {
        session_note(s, "mismatch",
                     s->cfg->method == METHOD_SERVER_CHALLENGE
                         ? "the server answered the response with another challenge"
                         : "the server sent a challenge; for this user's policy set "
                           "method = server-challenge");
        return REASON_METHOD_MISMATCH;
    }
    if (r->return_code == 0 && r->status_code == 0) {
        if (expect == EXPECT_CHALLENGE) {
            session_note(s, "mismatch", "no challenge after the request; the server took it "
                                        "as a login: set method = otp or change the policy");
            return REASON_METHOD_MISMATCH;
        }
        if (r->has_status_message) {
            /* a 0/0 with a status message has meant "not really" (ifad) */
            session_note(s, "refused", "success carried a status message");
            return REASON_SERVER_REFUSED;
        }
        return REASON_OK;
    }
    switch (r->status_code) {
    case STAT_INVCREDENTIALS:
        return REASON_WRONG_RESPONSE;
    case STAT_EXP_CHALLENGE:
        return REASON_CHALLENGE_EXPIRED;
    case STAT_LOCKED:
        return REASON_LOCKED;
    case STAT_NOT_FOUND:
        return REASON_USER_UNKNOWN;
    default:
        return REASON_SERVER_REFUSED;
    }
}

/* The static password that goes with a code: PAM_AUTHTOK when the
 * first-pass arguments allow it. */
static const char *
static_password(const struct session *s)
{
    if ((s->flags & (WIRE_F_USE_FIRST_PASS | WIRE_F_TRY_FIRST_PASS)) && s->authtok != NULL)
        return s->authtok;
    return NULL;
}

/* A verdict request carrying @code, with the static password placed as
 * CREDFLD_PASSWORD_FORMAT says. */
static int
send_code(struct session *s, const char *code, const char *challenge, const char *key,
          int only)
{
    struct soap_request req = {
        .userid = s->user, .domain = s->cfg->domain, .component = s->cfg->component_type,
        .password_format = (unsigned)s->cfg->password_format, .challenge = challenge,
        .challenge_key = key,
    };
    const char *stat = key == NULL ? static_password(s) : NULL;
    struct soap_reply reply;
    char *combined = NULL;
    int used = -1, reason;

    if ((s->flags & WIRE_F_USE_FIRST_PASS) && s->authtok == NULL && key == NULL) {
        session_note(s, "first_pass", "missing");
        return REASON_EMPTY_ANSWER;
    }
    if (stat != NULL && s->cfg->password_format == 0) {
        size_t n = strlen(stat) + strlen(code) + 1;

        if ((combined = malloc(n)) == NULL)
            return REASON_INTERNAL;
        snprintf(combined, n, "%s%s", stat, code);
        req.password = combined;
    } else {
        req.password = code;
        req.static_password = stat;
    }
    reason = call(s, only, &req, &reply, &used);
    if (reason == REASON_OK)
        reason = interpret(s, &reply, EXPECT_VERDICT);
    secmem_free_str(&combined);
    secmem_wipe(&reply, sizeof(reply));
    return reason;
}

static int
server_check_otp(struct session *s, const char *code)
{
    return send_code(s, code, NULL, NULL, -1);
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

static int
server_check_response(struct session *s, const struct challenge *ch, const char *response)
{
    if (ch->server >= 0)
        return send_code(s, response, NULL, ch->key[0] ? ch->key : NULL, ch->server);
    return send_code(s, response, ch->text, NULL, -1);
}

static bool
copy_printable(char *dst, size_t size, const char *src)
{
    for (const unsigned char *p = (const unsigned char *)src; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return false;
    return (size_t)snprintf(dst, size, "%s", src) < size;
}

static int
server_request_challenge(struct session *s, const char *request, struct challenge *ch)
{
    struct soap_request req = {
        .userid = s->user, .domain = s->cfg->domain, .component = s->cfg->component_type,
        .password_format = (unsigned)s->cfg->password_format,
    };
    struct soap_reply reply;
    int used = -1, reason;

    if (s->cfg->password_format == 0)
        req.password = request;
    else
        req.static_password = request;
    reason = call(s, -1, &req, &reply, &used);
    if (reason == REASON_OK)
        reason = interpret(s, &reply, EXPECT_CHALLENGE);
    if (reason == REASON_OK) {
        /* The challenge is shown verbatim (a contract), so it must be
         * plain text; the message is sanitised for display. */
        if (!copy_printable(ch->text, sizeof(ch->text), reply.challenge) ||
            reply.challenge[0] == '\0' ||
            !copy_printable(ch->key, sizeof(ch->key), reply.challenge_key)) {
            session_note(s, "malformed", "challenge or key is empty, too long or not text");
            reason = REASON_MALFORMED_REPLY;
        } else {
            log_sanitize(reply.challenge_message, ch->message, sizeof(ch->message));
            ch->server = used;
        }
    }
    secmem_wipe(&reply, sizeof(reply));
    return reason;
}

/* Every url in turn: a connect and a request each. */
static long
server_step_budget_ms(const struct crauth_config *cfg)
{
    return (long)cfg->n_urls * (cfg->connect_timeout + cfg->timeout) * 1000;
}

const struct backend backend_server = {
    .name = "server",
    .first_pass_is_code = false,
    .step_budget_ms = server_step_budget_ms,
    .open = server_open,
    .close = server_close,
    .check_otp = server_check_otp,
    .make_challenge = server_make_challenge,
    .check_response = server_check_response,
    .request_challenge = server_request_challenge,
};
