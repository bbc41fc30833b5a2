/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * relay.c - the module's frame loop: prompts to the PAM conversation,
 * answers back to the helper, and the helper's verdict.
 *
 * The helper is trusted code but may be broken: any frame out of place ends
 * the attempt as a protocol error, never as a success.
 */
#include "pam_module/relay.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <security/pam_ext.h>

#include "lib/common/log.h"
#include "lib/common/reason.h"
#include "lib/common/secmem.h"
#include "lib/common/wire.h"

#define HELLO_TIMEOUT_MS 15000
/* after an answer the helper no longer read: its RESULT is already on its
 * way, or it is gone */
#define ANSWER_LOST_GRACE_MS 2000
#define MAX_BUDGET_MS 600000

void
relay_clear(struct relay *r)
{
    for (int i = 0; i < r->npending; i++)
        free(r->pending_text[i]);
    r->npending = 0;
}

/* One conversation call with the held-back messages and, if @prompt_style
 * is not 0, a prompt last.  The prompt's answer goes to *answer. */
static int
converse(struct relay *r, int prompt_style, const char *prompt, char **answer)
{
    const struct pam_message *msgp[RELAY_MAX_PENDING + 1];
    struct pam_message msg[RELAY_MAX_PENDING + 1];
    struct pam_response *resp = NULL;
    const struct pam_conv *conv = NULL;
    int n = 0, rc;

    *answer = NULL;
    for (int i = 0; i < r->npending; i++) {
        /* PAM_SILENT drops information, not the question: a message that
         * goes with a prompt (the challenge) is part of what is asked.
         * sudo authenticates with PAM_SILENT every time. */
        if (r->silent && prompt_style == 0 && r->pending_style[i] == PAM_TEXT_INFO)
            continue;
        msg[n].msg_style = r->pending_style[i];
        msg[n].msg = r->pending_text[i];
        msgp[n] = &msg[n];
        n++;
    }
    if (prompt_style != 0) {
        msg[n].msg_style = prompt_style;
        msg[n].msg = prompt;
        msgp[n] = &msg[n];
        n++;
    }
    if (n == 0) {
        relay_clear(r); /* all of them dropped, and so gone: room for the next */
        return PAM_SUCCESS;
    }
    rc = pam_get_item(r->pamh, PAM_CONV, (const void **)&conv);
    if (rc != PAM_SUCCESS || conv == NULL || conv->conv == NULL)
        rc = PAM_CONV_ERR;
    else
        rc = conv->conv(n, msgp, &resp, conv->appdata_ptr);
    relay_clear(r);
    if (resp != NULL) {
        for (int i = 0; i < n; i++) {
            if (resp[i].resp == NULL)
                continue;
            if (i == n - 1 && prompt_style != 0 && rc == PAM_SUCCESS)
                *answer = resp[i].resp; /* handed over, wiped by the caller */
            else
                secmem_free_str(&resp[i].resp);
        }
        free(resp);
    }
    if (rc == PAM_SUCCESS && prompt_style != 0 && *answer == NULL)
        rc = PAM_CONV_ERR;
    return rc;
}

static int
hold_message(struct relay *r, int style, const char *text)
{
    char clean[WIRE_MAX_PAYLOAD + 1];
    char *ignored;

    if (r->npending == RELAY_MAX_PENDING)
        (void)converse(r, 0, NULL, &ignored);
    if (r->npending >= RELAY_MAX_PENDING) /* whatever converse did: never past the array */
        relay_clear(r);
    log_sanitize_lines(text, clean, sizeof(clean));
    if ((r->pending_text[r->npending] = strdup(clean)) == NULL)
        return -1;
    r->pending_style[r->npending++] = style;
    return 0;
}

static int __attribute__((format(printf, 3, 4)))
fail(struct relay *r, int reason, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
    va_end(ap);
    return reason;
}

/* Ask the prompt; send ANSWER, or CANCEL when the conversation failed. */
static int
relay_prompt(struct relay *r, const struct wire_frame *f, const char *text)
{
    int style = f->type == W_PROMPT_ECHO_ON ? PAM_PROMPT_ECHO_ON : PAM_PROMPT_ECHO_OFF;
    char clean[WIRE_MAX_PAYLOAD + 1];
    char *answer = NULL;
    int rc, wrc;

    log_sanitize_lines(text, clean, sizeof(clean));
    rc = converse(r, style, clean, &answer);
    if (rc == PAM_SUCCESS) {
        size_t len = strlen(answer);

        /* Like unix_chkpwd: an answer is at most PAM_MAX_RESP_SIZE bytes. */
        wrc = wire_write(r->helper->to_helper, W_ANSWER, answer,
                         len > WIRE_MAX_ANSWER ? WIRE_MAX_ANSWER : len);
    } else {
        wrc = wire_write(r->helper->to_helper, W_CANCEL, NULL, 0);
    }
    secmem_free_str(&answer);
    /* A helper that gave up waiting (prompt_timeout) has sent its RESULT
     * and closed its end: read on, so that its reason is the verdict; one
     * that died leaves end of file, which says so. */
    if (wrc != WIRE_OK)
        r->answer_lost = true;
    return REASON_OK;
}

static int
handle_hello(struct relay *r, const struct wire_frame *f)
{
    uint16_t version;

    if (r->hello_seen || wire_get_hello(f, &version, &r->budget_ms, &r->fail_delay_ms) != 0)
        return fail(r, REASON_PROTOCOL, "malformed or repeated HELLO frame");
    if (version != WIRE_VERSION)
        return fail(r, REASON_PROTOCOL, "the helper speaks another protocol version");
    if (r->budget_ms < 1000)
        r->budget_ms = 1000;
    if (r->budget_ms > MAX_BUDGET_MS)
        r->budget_ms = MAX_BUDGET_MS;
    r->hello_seen = true;
    return REASON_OK;
}

static void
forward_log(struct relay *r, const struct wire_frame *f)
{
    char clean[WIRE_MAX_PAYLOAD + 1];
    int prio;

    if (f->len < 1)
        return;
    prio = f->payload[0] & 7;
    if (prio < LOG_ERR)
        prio = LOG_ERR; /* the helper may not raise alarms above error */
    log_sanitize((const char *)f->payload + 1, clean, sizeof(clean));
    pam_syslog(r->pamh, prio, "%s", clean);
}

int
relay_run(struct relay *r)
{
    struct wire_frame *f = malloc(sizeof(*f));
    int64_t deadline = wire_now_ms() + HELLO_TIMEOUT_MS;
    int reason = REASON_PROTOCOL;

    if (f == NULL)
        return fail(r, REASON_INTERNAL, "out of memory");
    for (;;) {
        const char *text = NULL;
        int rc = wire_read(r->helper->from_helper, f, deadline);

        if (rc == WIRE_TIMEOUT) {
            reason = fail(r, REASON_HELPER_TIMEOUT, "no frame from the helper within %s",
                          r->hello_seen ? "its step budget" : "the start-up time");
            break;
        }
        if (rc == WIRE_EOF) {
            reason = fail(r, REASON_HELPER_CRASHED, "the helper %s without a verdict",
                          r->answer_lost ? "stopped reading and exited" : "exited");
            break;
        }
        if (rc != WIRE_OK) {
            reason = fail(r, REASON_PROTOCOL, "unreadable frame from the helper (%s)",
                          rc == WIRE_TOO_BIG ? "over the size cap" : "truncated or I/O error");
            break;
        }
        if (f->type == W_RESULT) {
            const char *detail;
            char *ignored;

            if (wire_get_result(f, &r->result, &detail) != WIRE_OK) {
                reason = fail(r, REASON_PROTOCOL, "malformed RESULT frame");
                break;
            }
            if (r->result == REASON_OK && !r->hello_seen) {
                /* every real success passes through HELLO */
                reason = fail(r, REASON_PROTOCOL, "success verdict before HELLO");
                break;
            }
            log_sanitize(detail, r->detail, sizeof(r->detail));
            r->got_result = true;
            (void)converse(r, 0, NULL, &ignored); /* show what is still held back */
            reason = r->result;
            break;
        }
        if (f->type == W_LOG) {
            forward_log(r, f);
            continue;
        }
        if (f->type == W_HELLO) {
            if ((reason = handle_hello(r, f)) != REASON_OK)
                break;
            deadline = wire_now_ms() + r->budget_ms;
            continue;
        }
        if (!r->hello_seen) {
            reason = fail(r, REASON_PROTOCOL, "%s frame before HELLO", wire_type_name(f->type));
            break;
        }
        if (f->type != W_INFO && f->type != W_ERROR && f->type != W_PROMPT_ECHO_ON &&
            f->type != W_PROMPT_ECHO_OFF) {
            reason = fail(r, REASON_PROTOCOL, "unexpected %s frame from the helper",
                          wire_type_name(f->type));
            break;
        }
        if (wire_text(f, WIRE_MAX_PAYLOAD, &text) != WIRE_OK) {
            reason =
                fail(r, REASON_PROTOCOL, "%s frame is not valid text", wire_type_name(f->type));
            break;
        }
        if (f->type == W_INFO || f->type == W_ERROR) {
            if (hold_message(r, f->type == W_INFO ? PAM_TEXT_INFO : PAM_ERROR_MSG, text) != 0) {
                reason = fail(r, REASON_INTERNAL, "out of memory");
                break;
            }
            continue;
        }
        if ((reason = relay_prompt(r, f, text)) != REASON_OK)
            break;
        /* a helper serving a caller that is not root waits the failure
         * delay itself before its RESULT (helper/main.c caller_delay) */
        deadline =
            wire_now_ms() + (r->answer_lost ? (int64_t)r->fail_delay_ms + ANSWER_LOST_GRACE_MS
                                            : (int64_t)r->budget_ms);
    }
    relay_clear(r);
    wire_frame_wipe(f);
    free(f);
    return reason;
}
