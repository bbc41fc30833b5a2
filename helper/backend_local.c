/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * backend_local.c - the local backend: the tokens file's OATH tokens and
 * backup codes, and the key-possession challenge of x509 tokens.
 *
 * Verification happens under the file's lock and on a fresh read, so two
 * logins racing with the same code cannot both win, and the new STATE is on
 * disk before the verdict is given.  A code older than STATE is reported as
 * a replay rather than as a plain wrong code, because that is what an admin
 * needs to know.  A bad line of the file fails only its own user; every
 * login logs it (tokens.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "helper/plugin.h"
#include "helper/session.h"
#include "lib/common/hex.h"
#include "lib/common/log.h"
#include "lib/common/reason.h"
#include "lib/common/secmem.h"
#include "lib/core/backup_code.h"
#include "lib/core/otp.h"
#include "lib/core/tokens.h"

#define LOCK_TIMEOUT_MS 5000

enum match { NO_MATCH, MATCH, MATCH_REPLAYED };

/* How far the skew hint looks past totp_skew, in steps each way: far
 * enough to name a clock that is minutes off, and only ever logged. */
#define SKEW_HINT_STEPS 10

static struct tokens *
tokens_of(struct session *s)
{
    return s->backend_data;
}

/* Every bad line of the file, each login: the admin finds them in the log
 * whoever logs in (tokens.h: a bad line fails only its own user). */
static void
log_bad_lines(const struct session *s, const struct tokens *t)
{
    for (size_t i = 0; i < t->n_bad; i++)
        log_msg(LOG_WARNING, "tokens file %s:%d: %s (this line is skipped)", s->cfg->tokens,
                t->bad[i].line, t->bad[i].message);
    if (t->bad_total > t->n_bad)
        log_msg(LOG_WARNING, "tokens file %s: %zu more bad lines; `crauth check` lists them",
                s->cfg->tokens, t->bad_total - t->n_bad);
}

/* The user's lines: under the name given, or else under the account's own
 * name (session.h), so that another spelling of a known account cannot
 * pass for an unenrolled user. */
static int
read_user_tokens(struct session *s, struct tokens *t, char *err, size_t errlen)
{
    int reason = tokens_read(s->cfg->tokens, s->user, t, err, errlen);

    if (reason == REASON_OK && !t->user_found && strcmp(s->account, s->user) != 0) {
        tokens_free(t); /* wipes *t too */
        reason = tokens_read(s->cfg->tokens, s->account, t, err, errlen);
    }
    return reason;
}

static int
local_open(struct session *s)
{
    struct tokens *t = calloc(1, sizeof(*t));
    char err[256];
    int reason;

    if (t == NULL)
        return REASON_INTERNAL;
    reason = read_user_tokens(s, t, err, sizeof(err));
    log_bad_lines(s, t);
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

/* One time step's code for @tok (TOTP, or OCRA with T). */
static int
code_at_step(const struct token *tok, const struct ocra_input *in_tmpl, int64_t t,
             char out[OCRA_OUT_SIZE])
{
    unsigned step = tok->kind == TOKEN_TOTP ? tok->step : tok->suite.time_step;

    if (tok->kind == TOKEN_TOTP)
        return otp_totp(tok->key, tok->keylen, t * (int64_t)step, step, tok->digits, tok->hash,
                        out);
    {
        struct ocra_input in = *in_tmpl;

        in.time_steps = (uint64_t)t;
        return ocra_compute(&tok->suite, tok->key, tok->keylen, &in, out, OCRA_OUT_SIZE);
    }
}

/* A code refused for clock skew gets a hint, never acceptance: it is only
 * logged, and only to syslog (the caller must not learn that a guess was
 * close).  RFC 6238 6: resynchronisation is the admin's decision. */
static void
skew_hint(struct session *s, const struct token *tok, const struct ocra_input *in_tmpl,
          const char *code, int64_t now, long skew)
{
    unsigned step = tok->kind == TOKEN_TOTP ? tok->step : tok->suite.time_step;

    for (int64_t d = skew + 1; d <= skew + SKEW_HINT_STEPS; d++) {
        for (int sign = -1; sign <= 1; sign += 2) {
            char out[OCRA_OUT_SIZE];
            int64_t t = now + sign * d;
            bool hit =
                t >= 0 && code_at_step(tok, in_tmpl, t, out) == OTP_OK && otp_code_equal(out, code);

            secmem_wipe(out, sizeof(out));
            if (!hit)
                continue;
            log_direct(LOG_NOTICE,
                       "user %s: tokens file line %d: a code matched step %+lld "
                       "(token clock about %lld s %s; totp_skew = %ld); not accepted. "
                       "`crauth token resync` can store the drift",
                       s->user, tok->line, (long long)sign * (long long)d,
                       (long long)d * (long long)step, sign < 0 ? "behind" : "ahead", skew);
            return;
        }
    }
}

/* TOTP/OCRA-with-T: steps now-skew..now+skew, around the token's stored
 * drift; with @by_state, STATE is the last step used and no step up to it
 * is taken again. */
static enum match
match_time(struct session *s, const struct token *tok, const struct ocra_input *in_tmpl,
           const char *code, long skew, bool by_state, uint64_t *next)
{
    unsigned step = tok->kind == TOKEN_TOTP ? tok->step : tok->suite.time_step;
    int64_t now = (int64_t)time(NULL) / step + (tok->has_drift ? tok->drift : 0);
    enum match result = NO_MATCH;

    for (int64_t t = now - skew; t <= now + skew; t++) {
        char out[OCRA_OUT_SIZE];
        int rc;

        if (t < 0)
            continue;
        rc = code_at_step(tok, in_tmpl, t, out);
        if (rc == OTP_OK && otp_code_equal(out, code)) {
            secmem_wipe(out, sizeof(out));
            if (by_state && tok->has_state && (uint64_t)t <= tok->state) {
                result = MATCH_REPLAYED;
                continue;
            }
            *next = (uint64_t)t;
            return MATCH;
        }
        secmem_wipe(out, sizeof(out));
    }
    if (result == NO_MATCH)
        skew_hint(s, tok, in_tmpl, code, now, skew);
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
        return match_time(s, tok, NULL, code, s->cfg->totp_skew, true, next);
    case TOKEN_OCRA:
        if (tok->suite.counter)
            return match_counter(tok, &in, code, s->cfg->hotp_window, next);
        if (tok->suite.time_step > 0) {
            /* the question is fresh and used once (this helper made it):
             * that prevents replay, and T bounds the answer's age.  A
             * STATE of the step would allow one login per step (per hour
             * with T1H), however fresh the question. */
            *stateful = false;
            return match_time(s, tok, &in, code, s->cfg->totp_skew, false, next);
        }
        /* Q only: the fresh question is what prevents replay */
        *stateful = false;
        if (ocra_compute(&tok->suite, tok->key, tok->keylen, &in, out, sizeof(out)) != OTP_OK)
            return NO_MATCH;
        m = otp_code_equal(out, code) ? MATCH : NO_MATCH;
        secmem_wipe(out, sizeof(out));
        return m;
    case TOKEN_BACKUP:
        /* single use: STATE 1 once spent, written like any other STATE */
        if (!backup_code_verify(tok->backup_hash, code))
            return NO_MATCH;
        if (TOKEN_BACKUP_USED(tok))
            return MATCH_REPLAYED;
        *next = 1;
        return MATCH;
    case TOKEN_X509:
        /* answered only through its own challenge (local_check_response) */
        return NO_MATCH;
    }
    return NO_MATCH;
}

/* Token @i of @t as a code is judged: with the highest STATE of the lines
 * that compute the same codes (an enrolment run twice), so a code one of
 * them has used, or passed by, is spent on all of them; the line that
 * takes a code moves past the highest. */
static void
effective_state(const struct tokens *t, size_t i, struct token *out)
{
    *out = t->v[i];
    for (size_t j = 0; j < t->n; j++)
        if (j != i && t->v[j].has_state && tokens_same_codes(&t->v[j], &t->v[i]) &&
            (!out->has_state || t->v[j].state > out->state)) {
            out->has_state = true;
            out->state = t->v[j].state;
        }
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
    struct token eff;

    reason = tokens_lock(s->cfg->tokens, LOCK_TIMEOUT_MS, &lockfd, err, sizeof(err));
    if (reason != REASON_OK) {
        log_msg(LOG_ERR, "tokens file %s: %s", s->cfg->tokens, err);
        session_note(s, "tokens_error", err);
        return reason;
    }
    reason = read_user_tokens(s, &fresh, err, sizeof(err));
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

        if ((tok->kind == TOKEN_OCRA &&
             (question == NULL || ocra_question_check(&tok->suite, question) != OTP_OK)) ||
            tok->kind == TOKEN_X509)
            continue;
        eligible = true;
        /* lines that compute the same codes judge with their highest STATE */
        effective_state(&fresh, i, &eff);
        m = match_token(s, &eff, question, code, &next, &stateful);
        secmem_wipe(&eff, sizeof(eff));
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
            log_direct(LOG_ERR,
                       "user %s: a matching code was refused because the tokens "
                       "file %s could not be updated: %s",
                       s->user, s->cfg->tokens, err);
            break;
        }
        {
            char line[16];

            snprintf(line, sizeof(line), "%d", tok->line);
            session_note(s, "token", tokens_kind_name(tok->kind));
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

/* The key-possession challenge of an x509 token (RFC 5024 5.3.17, 5.3.18):
 * 20 random bytes in a CMS envelope to the user's certificate, answered by
 * the bytes in hex.  The secret lives only in this attempt (ch->key; an
 * envelope is never kept in the cache), is checked once, for challenge_ttl
 * at most. */
static int
x509_challenge(struct session *s, const struct token *tok, struct challenge *ch)
{
    const struct x509_ops *x509 = NULL;
    struct x509_token *x = NULL;
    uint8_t secret[X509_CHALLENGE_LEN];
    char err[300];
    char *pem = NULL;
    int reason;

    reason = plugin_load_x509(s->set_id, &x509, err, sizeof(err));
    if (reason == REASON_OK)
        reason = x509->load(tok->x509_path, s->cfg->x509_ca, &x, err, sizeof(err));
    if (reason == REASON_OK) {
        session_note(s, "certificate", x509->summary(x));
        reason = x509->challenge(x, secret, &pem, err, sizeof(err));
    }
    if (reason == REASON_OK && strlen(pem) >= sizeof(ch->block)) {
        snprintf(err, sizeof(err), "the envelope is longer than %zu bytes", sizeof(ch->block));
        reason = REASON_CERT_INVALID;
    }
    if (reason == REASON_OK) {
        size_t n = strlen(pem);

        /* the prompt follows on the next line: no blank line between */
        while (n > 0 && pem[n - 1] == '\n')
            n--;
        memcpy(ch->block, pem, n);
        ch->block[n] = '\0';
        hex_encode(secret, sizeof(secret), ch->key, sizeof(ch->key));
        ch->expires = (int64_t)time(NULL) + s->cfg->challenge_ttl;
    } else {
        log_msg(LOG_ERR, "user %s: tokens file line %d: %s", s->user, tok->line, err);
        session_note(s, "x509_error", err);
    }
    secmem_wipe(secret, sizeof(secret));
    free(pem);
    if (x509 != NULL)
        x509->free(x);
    return reason;
}

static int
x509_check(const struct session *s, const struct challenge *ch, const char *response)
{
    const struct x509_ops *x509;
    char err[300];
    uint8_t secret[X509_CHALLENGE_LEN];
    size_t n = 0;
    bool ok;

    if ((int64_t)time(NULL) > ch->expires)
        return REASON_CHALLENGE_EXPIRED;
    if (hex_decode(ch->key, strlen(ch->key), secret, sizeof(secret), &n) != 0 ||
        n != sizeof(secret))
        return REASON_INTERNAL;
    /* already loaded in this process when it made the challenge */
    if (plugin_load_x509(s->set_id, &x509, err, sizeof(err)) != REASON_OK) {
        log_msg(LOG_ERR, "%s", err);
        secmem_wipe(secret, sizeof(secret));
        return REASON_HELPER_PRIVILEGES;
    }
    ok = x509->response_ok(secret, response); /* wipes @secret */
    secmem_wipe(secret, sizeof(secret));
    return ok ? REASON_OK : REASON_INVALID_CHALLENGE_RESPONSE;
}

/* The user's first challenge token in file order sets the challenge: an
 * OCRA suite's question, or an x509 token's envelope.  A user with only
 * plain tokens answers with a code. */
static int
local_make_challenge(struct session *s, struct challenge *ch)
{
    struct tokens *t = tokens_of(s);
    bool plain = false;

    for (size_t i = 0; i < t->n; i++) {
        if (t->v[i].kind == TOKEN_X509)
            return x509_challenge(s, &t->v[i], ch);
        if (t->v[i].kind != TOKEN_OCRA) {
            plain = true;
            continue;
        }
        if (ocra_question_generate(&t->v[i].suite, ch->text, sizeof(ch->text)) != OTP_OK)
            return REASON_INTERNAL;
        return REASON_OK;
    }
    ch->text[0] = '\0';
    return plain ? REASON_OK : REASON_NO_TOKEN;
}

static int
local_check_response(struct session *s, struct challenge *ch, const char *response)
{
    if (ch->block[0] != '\0')
        return x509_check(s, ch, response);
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
