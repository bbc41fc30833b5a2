/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * backend_local.c - the local backend: OATH tokens verified against the tokens file.
 *
 * Verification happens under the file's lock and on a fresh read, so two
 * logins racing with the same code cannot both win, and the new STATE is on
 * disk before the verdict is given.  A code older than STATE is reported as
 * a replay rather than as a plain wrong code, because that is what an admin
 * needs to know.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/common/log.h"
#include "lib/core/otp.h"
#include "lib/common/reason.h"
#include "lib/common/secmem.h"
#include "helper/session.h"
#include "lib/core/tokens.h"

#define LOCK_TIMEOUT_MS 5000

enum match { NO_MATCH, MATCH, MATCH_REPLAYED };

static const char *const kind_names[] = {"hotp", "totp", "ocra"};

static struct tokens *
tokens_of(struct session *s)
{
    return s->backend_data;
}

static int
local_open(struct session *s)
{
    struct tokens *t = calloc(1, sizeof(*t));
    char err[256];
    int reason;

    if (t == NULL)
        return REASON_INTERNAL;
    reason = tokens_read(s->cfg->tokens, s->user, t, err, sizeof(err));
    if (reason != REASON_OK) {
        log_msg(LOG_ERR, "%s", err);
        session_note(s, "tokens_error", err);
        free(t);
        return reason;
    }
    s->backend_data = t;
    return t->user_found ? REASON_OK : REASON_USER_UNKNOWN;
}

static void
local_close(struct session *s)
{
    struct tokens *t = tokens_of(s);

    if (t != NULL) {
        tokens_free(t);
        free(t);
        s->backend_data = NULL;
    }
}

/* HOTP/OCRA-with-C: try counters STATE..STATE+window; the window before
 * STATE identifies replays. */
static enum match
match_counter(const struct token *tok, const struct ocra_input *in_tmpl, const char *code,
              long window, uint64_t *next)
{
    uint64_t c0 = tok->has_state ? tok->state : 0;
    uint64_t lo = c0 > (uint64_t)window ? c0 - (uint64_t)window : 0;
    enum match result = NO_MATCH;

    for (uint64_t c = lo; c <= c0 + (uint64_t)window; c++) {
        char out[OCRA_OUT_SIZE];
        int rc;

        if (tok->kind == TOKEN_HOTP) {
            rc = otp_hotp(tok->key, tok->keylen, c, tok->digits, tok->hash, out);
        } else {
            struct ocra_input in = *in_tmpl;

            in.counter = c;
            rc = ocra_compute(&tok->suite, tok->key, tok->keylen, &in, out, sizeof(out));
        }
        if (rc == OTP_OK && otp_code_equal(out, code)) {
            secmem_wipe(out, sizeof(out));
            if (c < c0) {
                result = MATCH_REPLAYED;
                continue;
            }
            *next = c + 1;
            return MATCH;
        }
        secmem_wipe(out, sizeof(out));
    }
    return result;
}

/* TOTP/OCRA-with-T: steps now-skew..now+skew; STATE is the last step used. */
static enum match
match_time(const struct token *tok, const struct ocra_input *in_tmpl, const char *code,
           long skew, uint64_t *next)
{
    unsigned step = tok->kind == TOKEN_TOTP ? tok->step : tok->suite.time_step;
    int64_t now = (int64_t)time(NULL) / step;
    enum match result = NO_MATCH;

    for (int64_t t = now - skew; t <= now + skew; t++) {
        char out[OCRA_OUT_SIZE];
        int rc;

        if (t < 0)
            continue;
        if (tok->kind == TOKEN_TOTP) {
            rc = otp_totp(tok->key, tok->keylen, t * (int64_t)step, step, tok->digits,
                          tok->hash, out);
        } else {
            struct ocra_input in = *in_tmpl;

            in.time_steps = (uint64_t)t;
            rc = ocra_compute(&tok->suite, tok->key, tok->keylen, &in, out, sizeof(out));
        }
        if (rc == OTP_OK && otp_code_equal(out, code)) {
            secmem_wipe(out, sizeof(out));
            if (tok->has_state && (uint64_t)t <= tok->state) {
                result = MATCH_REPLAYED;
                continue;
            }
            *next = (uint64_t)t;
            return MATCH;
        }
        secmem_wipe(out, sizeof(out));
    }
    return result;
}

static enum match
match_token(struct session *s, const struct token *tok, const char *question, const char *code,
            uint64_t *next, bool *stateful)
{
    struct ocra_input in = {.question = question};
    char out[OCRA_OUT_SIZE];
    enum match m;

    *stateful = true;
    switch (tok->kind) {
    case TOKEN_HOTP:
        return match_counter(tok, NULL, code, s->cfg->hotp_window, next);
    case TOKEN_TOTP:
        return match_time(tok, NULL, code, s->cfg->totp_skew, next);
    case TOKEN_OCRA:
        if (tok->suite.counter)
            return match_counter(tok, &in, code, s->cfg->hotp_window, next);
        if (tok->suite.time_step > 0)
            return match_time(tok, &in, code, s->cfg->totp_skew, next);
        /* Q only: the fresh question is what prevents replay */
        *stateful = false;
        if (ocra_compute(&tok->suite, tok->key, tok->keylen, &in, out, sizeof(out)) != OTP_OK)
            return NO_MATCH;
        m = otp_code_equal(out, code) ? MATCH : NO_MATCH;
        secmem_wipe(out, sizeof(out));
        return m;
    }
    return NO_MATCH;
}

/* Check @code against the user's tokens: hotp/totp always, OCRA tokens
 * only with a @question that fits their suite. */
static int
verify(struct session *s, const char *question, const char *code)
{
    struct tokens fresh;
    char err[256];
    int lockfd = -1, reason;
    bool eligible = false, replayed = false;

    reason = tokens_lock(s->cfg->tokens, LOCK_TIMEOUT_MS, &lockfd, err, sizeof(err));
    if (reason != REASON_OK) {
        log_msg(LOG_ERR, "tokens file %s: %s", s->cfg->tokens, err);
        session_note(s, "tokens_error", err);
        return reason;
    }
    reason = tokens_read(s->cfg->tokens, s->user, &fresh, err, sizeof(err));
    if (reason != REASON_OK) {
        log_msg(LOG_ERR, "%s", err);
        session_note(s, "tokens_error", err);
        goto out;
    }
    reason = REASON_WRONG_RESPONSE;
    for (size_t i = 0; i < fresh.n; i++) {
        const struct token *tok = &fresh.v[i];
        uint64_t next = 0;
        bool stateful;
        enum match m;

        if (tok->kind == TOKEN_OCRA &&
            (question == NULL || ocra_question_check(&tok->suite, question) != OTP_OK))
            continue;
        eligible = true;
        m = match_token(s, tok, question, code, &next, &stateful);
        if (m == MATCH_REPLAYED)
            replayed = true;
        if (m != MATCH)
            continue;
        if (stateful &&
            tokens_store_state(s->cfg->tokens, &fresh, i, next, err, sizeof(err)) != REASON_OK) {
            /* A code is accepted only once its use is on disk.  Unstored,
             * it is refused exactly like a wrong one: the caller must not
             * learn that it matched (a guessing oracle), and the code stays
             * unused.  Only syslog hears why. */
            log_direct(LOG_ERR, "user %s: a matching code was refused because the tokens "
                       "file %s could not be updated: %s", s->user, s->cfg->tokens, err);
            break;
        }
        {
            char line[16];

            snprintf(line, sizeof(line), "%d", tok->line);
            session_note(s, "token", kind_names[tok->kind]);
            session_note(s, "line", line);
        }
        reason = REASON_OK;
        break;
    }
    if (reason == REASON_WRONG_RESPONSE && !eligible)
        reason = REASON_NO_TOKEN;
    else if (reason == REASON_WRONG_RESPONSE && replayed)
        reason = REASON_REPLAYED;
    tokens_free(&fresh);
out:
    tokens_unlock(lockfd);
    return reason;
}

static int
local_check_otp(struct session *s, const char *code)
{
    return verify(s, NULL, code);
}

static int
local_make_challenge(struct session *s, struct challenge *ch)
{
    struct tokens *t = tokens_of(s);
    bool plain = false;

    for (size_t i = 0; i < t->n; i++) {
        if (t->v[i].kind != TOKEN_OCRA) {
            plain = true;
            continue;
        }
        /* The first OCRA token's suite sets the question format. */
        if (ocra_question_generate(&t->v[i].suite, ch->text, sizeof(ch->text)) != OTP_OK)
            return REASON_INTERNAL;
        return REASON_OK;
    }
    ch->text[0] = '\0';
    return plain ? REASON_OK : REASON_NO_TOKEN;
}

static int
local_check_response(struct session *s, const struct challenge *ch, const char *response)
{
    return verify(s, ch->text[0] != '\0' ? ch->text : NULL, response);
}

const struct backend backend_local = {
    .name = "local",
    .first_pass_is_code = true,
    .open = local_open,
    .close = local_close,
    .check_otp = local_check_otp,
    .make_challenge = local_make_challenge,
    .check_response = local_check_response,
    .request_challenge = NULL,
};
