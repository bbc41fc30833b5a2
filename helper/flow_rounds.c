/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flow_rounds.c - method auto: one answer, and as many rounds as the
 * server asks for (a challenge, a message that a code was sent, another
 * challenge, a new challenge after a wrong answer), up to
 * SESSION_MAX_ROUNDS.  This is how OneSpan sites serve
 * OTP users and challenge/response users on one host, and what a RADIUS
 * Access-Challenge is (RFC 2865 4.4).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "helper/flows.h"
#include "lib/common/reason.h"
#include "lib/common/secmem.h"
#include "lib/common/wire.h"

/* The first answer: the configured keyword, PAM_AUTHTOK where the
 * first-pass arguments allow, else asked with otp_prompt. */
static int
first_answer(struct session *s, char **answer)
{
    if (s->cfg->keyword[0] != '\0') {
        session_note(s, "request", "keyword");
        *answer = secmem_strdup(s->cfg->keyword);
    } else if (dialog_first_pass_allowed(s) && s->authtok != NULL) {
        session_note(s, "first_pass", "used");
        *answer = secmem_strdup(s->authtok);
    } else if (s->flags & WIRE_F_USE_FIRST_PASS) {
        session_note(s, "first_pass", "missing");
        return REASON_EMPTY_ANSWER;
    } else {
        return dialog_ask(s, false, s->cfg->otp_prompt, answer);
    }
    return *answer != NULL ? REASON_OK : REASON_INTERNAL;
}

int
flow_auto(struct session *s)
{
    struct challenge ch = {.server = -1};
    char prompt[512], rounds[16];
    char *answer = NULL;
    /* the first answer is the configured keyword, which the user did not give */
    bool keyword_sent = s->cfg->keyword[0] != '\0';
    int reason;

    session_enter(s, ST_WF_RESPONSE);
    if ((reason = first_answer(s, &answer)) != REASON_OK)
        goto out;
    for (;;) {
        bool wrong, again;

        if ((reason = session_guess_begin(s)) != REASON_OK)
            break;
        reason = s->backend->exchange(s, &ch, answer);
        if (keyword_sent && reason == REASON_OK) {
            /* a keyword is known to everyone: a server that lets it log in
             * has checked nothing the user holds (a server-challenge
             * request is refused the same way) */
            session_note(s, "mismatch",
                         "the server took the configured keyword as a login, without a "
                         "challenge: check its policy for this user");
            reason = REASON_METHOD_MISMATCH;
        }
        keyword_sent = false;
        /* A wrong answer with a new challenge counts like any wrong one.
         * So does an answer the server took and then asked again after (a
         * next code, another challenge): RADIUS has no other way to say
         * "wrong, try again", and uncounted rounds were free guesses; a
         * success resets the count.  The first answer (a password, the
         * keyword) is what brings the challenge, and is not held against
         * the user when it does. */
        wrong = reason == SESSION_WRONG_AND_ANOTHER_ROUND;
        again = reason == SESSION_ANOTHER_ROUND;
        if (wrong)
            reason = REASON_WRONG_RESPONSE;
        (void)session_guess_end(s, again && ch.round > 0 ? REASON_WRONG_RESPONSE : reason, true);
        secmem_free_str(&answer);
        if (!again && !wrong)
            break;
        if (++ch.round > SESSION_MAX_ROUNDS) {
            if (!wrong) {
                session_note(s, "mismatch",
                             "the server asked more questions than crauth "
                             "answers in one attempt");
                reason = REASON_METHOD_MISMATCH;
            }
            break;
        }
        if (wrong)
            conv_show(s->conv, true, "Wrong response. The server sent a new challenge.");
        session_enter(s, ST_WF_CHALLENGE);
        if ((reason = dialog_show_challenge(s, &ch)) != REASON_OK)
            break;
        dialog_response_prompt(s, &ch, prompt, sizeof(prompt));
        session_enter(s, ST_WF_RESPONSE);
        if ((reason = dialog_ask(s, false, prompt, &answer)) != REASON_OK)
            break;
    }
    if (ch.round > 0) {
        snprintf(rounds, sizeof(rounds), "%d", ch.round);
        session_note(s, "rounds", rounds);
    }
out:
    secmem_free_str(&answer);
    secmem_wipe(&ch, sizeof(ch));
    return reason;
}
