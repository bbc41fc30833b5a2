/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * token_resync.c - `crauth token resync USER CODE1 CODE2`: find where a
 * token has got to from two consecutive codes.
 *
 * HOTP: a token pressed many times without logging in runs ahead of STATE
 * past the helper's window.  Two consecutive codes fix the counter (one
 * code alone matches by chance once in 10^DIGITS tries per counter
 * searched; two in a row, once in 10^(2*DIGITS)), and STATE becomes the
 * counter after the second, so neither code works again.
 *
 * TOTP: a token whose clock is off shows codes for another time step.  Two
 * consecutive codes give the step the token is at; the difference from ours
 * is its drift, reported in steps and seconds, and with --store kept as
 * drift=STEPS on its line (see lib/core/tokens.h) with STATE at the second
 * code's step, so neither code works again.  Without --store the codes are
 * still burnt (STATE at the second code's step) when a login would take
 * them now: they may have been on this command line, which every local
 * user can read (ps), and a code seen there must not log anyone in; so is
 * either code alone when the two do not fit in a row.  The
 * codes can come on standard input instead (USER alone).
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/common/reason.h"
#include "lib/common/secmem.h"
#include "lib/core/conf.h"
#include "lib/core/otp.h"
#include "lib/core/tokens.h"
#include "lib/core/tokens_edit.h"
#include "tools/cli.h"
#include "tools/token_cmd.h"

#define WINDOW_DEFAULT 100

static const char usage_resync[] =
    "usage: crauth token resync USER [CODE1 CODE2] [--window N] [--store] [--time UNIX]\n"
    "                           [--tokens PATH] [--conf PATH]\n"
    "  CODE1 and CODE2 are two consecutive codes of the token, in order; without them\n"
    "  they are read from standard input (one line), off the command line.\n";

enum { OPT_TOKENS = 0x100, OPT_CONF, OPT_WINDOW, OPT_STORE, OPT_TIME };

struct resync {
    const char *code1, *code2;
    unsigned long window;
    int64_t now;      /* unix time: where to look for the codes (--time) */
    int64_t real_now; /* what a login would take is judged at the real time */
    bool store;
    long skew;        /* the helper's totp_skew: the steps a login takes around now */
    long hotp_window; /* the helper's hotp_window: the counters a login takes past STATE */
    bool burnt;       /* a code was used up though the two did not fit */
    /* the two fit in a row before STATE on this line (0: none): used */
    int used_line;
    uint64_t used_at, used_state;
};

/* The code of @tok at @moment (a counter, or a time step). */
static bool
code_at(const struct token *tok, uint64_t moment, char out[OTP_CODE_SIZE])
{
    if (tok->kind == TOKEN_HOTP)
        return otp_hotp(tok->key, tok->keylen, moment, tok->digits, tok->hash, out) == OTP_OK;
    if (moment > (uint64_t)INT64_MAX / tok->step)
        return false;
    return otp_totp(tok->key, tok->keylen, (int64_t)(moment * tok->step), tok->step, tok->digits,
                    tok->hash, out) == OTP_OK;
}

/* The first moment m in [lo, hi] whose code is @r->code1 and whose next is
 * @r->code2. */
static bool
search(const struct token *tok, const struct resync *r, uint64_t lo, uint64_t hi, uint64_t *m)
{
    char a[OTP_CODE_SIZE], b[OTP_CODE_SIZE];
    bool found = false;

    for (uint64_t i = lo; i <= hi && !found; i++) {
        if (code_at(tok, i, a) && otp_code_equal(a, r->code1) && code_at(tok, i + 1, b) &&
            otp_code_equal(b, r->code2)) {
            *m = i;
            found = true;
        }
        if (i == UINT64_MAX - 1)
            break;
    }
    secmem_wipe(a, sizeof(a));
    secmem_wipe(b, sizeof(b));
    return found;
}

/* The two codes did not fit in a row, but a login would take one of them
 * (each alone) at a moment in [lo, hi]: the last such moment is used up,
 * as a login would, since the codes may have been on the command line.
 * STATE becomes @next_state(moment). */
static int
burn_single(struct tokens_edit *ed, const struct token *tok, struct resync *r, uint64_t lo,
            uint64_t hi, bool hotp)
{
    char out[OTP_CODE_SIZE], err[256];
    uint64_t last = 0, state;
    bool hit = false;

    for (uint64_t i = lo; i <= hi && i < UINT64_MAX - 1; i++)
        if (code_at(tok, i, out) &&
            (otp_code_equal(out, r->code1) || otp_code_equal(out, r->code2))) {
            last = i;
            hit = true;
        }
    secmem_wipe(out, sizeof(out));
    if (!hit)
        return 0;
    state = hotp ? last + 1 : last;
    if (tokens_edit_set_state(ed, tok->line, state, err, sizeof(err)) != REASON_OK ||
        tokens_edit_commit(ed, err, sizeof(err)) != REASON_OK)
        return token_fail(TOKEN_EXIT_FAILED, "%s: %s", ed->path, err);
    r->burnt = true;
    token_note("line %d: the codes do not fit in a row, but a login would take one of them "
               "now; STATE is now %" PRIu64 " so that it does not",
               tok->line, state);
    return 0;
}

/* Either code alone where a login would take it on @tok now. */
static int
burn_token(struct tokens_edit *ed, const struct token *tok, struct resync *r)
{
    int64_t now, from, to;

    if (tok->kind == TOKEN_HOTP) {
        uint64_t c0 = tok->has_state ? tok->state : 0;

        return burn_single(ed, tok, r, c0, c0 + (uint64_t)r->hotp_window, true);
    }
    now = r->real_now / (int64_t)tok->step + (tok->has_drift ? tok->drift : 0);
    from = now - r->skew;
    to = now + r->skew;
    if (tok->has_state && from <= (int64_t)tok->state)
        from = (int64_t)tok->state + 1;
    if (to < 0 || from > to)
        return 0;
    return burn_single(ed, tok, r, (uint64_t)(from < 0 ? 0 : from), (uint64_t)to, false);
}

static int
resync_hotp(struct tokens_edit *ed, const struct token *tok, struct resync *r, bool *found)
{
    uint64_t c0 = tok->has_state ? tok->state : 0, c, lo;
    char err[256];

    if (!search(tok, r, c0, c0 + r->window, &c)) {
        lo = c0 > r->window ? c0 - r->window : 0;
        if (c0 > 0 && r->used_line == 0 && search(tok, r, lo, c0 - 1, &c)) {
            r->used_line = tok->line;
            r->used_at = c;
            r->used_state = c0;
        }
        return 0;
    }
    *found = true;
    if (tokens_edit_set_state(ed, tok->line, c + 2, err, sizeof(err)) != REASON_OK ||
        tokens_edit_commit(ed, err, sizeof(err)) != REASON_OK)
        return token_fail(TOKEN_EXIT_FAILED, "%s: %s", ed->path, err);
    printf("line %d: hotp counter found at %" PRIu64 " (%" PRIu64 " ahead of STATE); STATE is "
           "now %" PRIu64 "\n",
           tok->line, c, c - c0, c + 2);
    return 0;
}

static int
resync_totp(struct tokens_edit *ed, const struct token *tok, struct resync *r, bool *found)
{
    uint64_t now = (uint64_t)r->now / tok->step, lo, t;
    int64_t drift;
    char err[256];

    lo = now > r->window ? now - r->window : 0;
    if (!search(tok, r, lo, now + r->window, &t))
        return 0;
    *found = true;
    /* the second code is the one the token shows now */
    drift = (int64_t)(t + 1) - (int64_t)now;
    printf("line %d: totp drift %+" PRId64 " step%s (%+" PRId64 " s): the token's clock is %s\n",
           tok->line, drift, drift == 1 || drift == -1 ? "" : "s", drift * (int64_t)tok->step,
           drift == 0  ? "right"
           : drift > 0 ? "ahead"
                       : "behind");
    if (!r->store) {
        int64_t login_now = r->real_now / (int64_t)tok->step + (tok->has_drift ? tok->drift : 0);

        if ((int64_t)t + 1 < login_now - r->skew || (int64_t)t > login_now + r->skew ||
            (tok->has_state && tok->state >= t + 1)) {
            if (drift != 0)
                token_note("not stored; add --store to keep it on line %d", tok->line);
            return 0;
        }
        if (tokens_edit_set_state(ed, tok->line, t + 1, err, sizeof(err)) != REASON_OK ||
            tokens_edit_commit(ed, err, sizeof(err)) != REASON_OK)
            return token_fail(TOKEN_EXIT_FAILED, "%s: %s", ed->path, err);
        printf("line %d: a login would take these codes now, so STATE is now %" PRIu64
               " and neither works again\n",
               tok->line, t + 1);
        return 0;
    }
    if (tok->has_state && tok->state >= t + 1)
        return token_fail(TOKEN_EXIT_FAILED,
                          "line %d: the codes are not newer than STATE "
                          "(already used); wait for new ones",
                          tok->line);
    if (drift > TOKENS_MAX_DRIFT || drift < -TOKENS_MAX_DRIFT)
        return token_fail(TOKEN_EXIT_FAILED,
                          "line %d: a drift of %" PRId64 " steps is more "
                          "than can be kept (%d)",
                          tok->line, drift, TOKENS_MAX_DRIFT);
    if (tokens_edit_set_state(ed, tok->line, t + 1, err, sizeof(err)) != REASON_OK ||
        tokens_edit_set_drift(ed, tok->line, drift, err, sizeof(err)) != REASON_OK ||
        tokens_edit_commit(ed, err, sizeof(err)) != REASON_OK)
        return token_fail(TOKEN_EXIT_FAILED, "%s: %s", ed->path, err);
    printf("line %d: stored drift=%" PRId64 " and STATE %" PRIu64 "\n", tok->line, drift, t + 1);
    return 0;
}

/* Is @e one of @user's tokens these codes could belong to? */
static bool
candidate(const struct tokens_edit *ed, const struct tokens_entry *e, const char *user,
          const struct resync *r)
{
    return e->kind == TOKENS_ENTRY_TOKEN && tokens_entry_user_is(ed->text, e, user) &&
           (e->tok.kind == TOKEN_HOTP || e->tok.kind == TOKEN_TOTP) &&
           strlen(r->code1) == e->tok.digits;
}

/* Try the user's hotp and totp tokens in file order; the first that both
 * codes fit is resynchronised.  When none is, either code alone is used up
 * on every token a login would take it on. */
static int
resync_user(const char *path, const char *user, struct resync *r)
{
    struct tokens_edit ed;
    struct tokens_entry e;
    size_t pos = 0;
    int line = 0, rc = 0, done = 0;
    unsigned tried = 0;
    bool found = false, again = true;
    char err[512];

    if (tokens_edit_begin(path, TOKEN_LOCK_TIMEOUT_MS, &ed, err, sizeof(err)) != REASON_OK)
        return token_fail(TOKEN_EXIT_FAILED, "%s", err);
    /* an edit renews ed.text, so a walk ends after one */
    while (!found && rc == 0 && tokens_next(ed.text, ed.len, &pos, &line, &e)) {
        if (candidate(&ed, &e, user, r)) {
            struct token tok = e.tok;

            tried++;
            rc = tok.kind == TOKEN_HOTP ? resync_hotp(&ed, &tok, r, &found)
                                        : resync_totp(&ed, &tok, r, &found);
            secmem_wipe(&tok, sizeof(tok));
        }
        tokens_entry_wipe(&e);
    }
    /* none fits: walk again from the top after each burn, past the lines
     * already seen (line numbers stay as they are) */
    while (!found && rc == 0 && again) {
        again = false;
        pos = 0;
        line = 0;
        while (!again && rc == 0 && tokens_next(ed.text, ed.len, &pos, &line, &e)) {
            if (candidate(&ed, &e, user, r) && e.tok.line > done) {
                struct token tok = e.tok;
                bool before = r->burnt;

                done = tok.line;
                r->burnt = false;
                rc = burn_token(&ed, &tok, r);
                again = r->burnt;
                r->burnt = r->burnt || before;
                secmem_wipe(&tok, sizeof(tok));
            }
            tokens_entry_wipe(&e);
        }
    }
    tokens_edit_end(&ed);
    if (rc != 0 || found)
        return rc;
    if (tried == 0)
        return token_fail(TOKEN_EXIT_FAILED,
                          "%s has no hotp or totp token of %zu digits for "
                          "%s",
                          path, strlen(r->code1), user);
    if (r->used_line != 0)
        return token_fail(TOKEN_EXIT_FAILED,
                          "line %d: the codes are for counter %" PRIu64 ", before STATE %" PRIu64
                          ": they were used; press the token for new ones",
                          r->used_line, r->used_at, r->used_state);
    return token_fail(TOKEN_EXIT_FAILED,
                      "no token of %s gives these two codes in a row within "
                      "%lu steps; check their order, or widen --window",
                      user, r->window);
}

/* What a login takes (totp_skew, hotp_window) from the configuration; the
 * defaults when there is no file, the largest they may be when it cannot
 * be read, so that no code a login could take is left usable. */
static void
login_limits(const char *conf_opt, struct resync *r)
{
    struct crauth_config *cfg = NULL;
    char err[512];

    if (config_load(conf_opt ? conf_opt : CRAUTH_CONF_DEFAULT, conf_opt != NULL, &cfg, err,
                    sizeof(err)) != REASON_OK) {
        r->skew = TOTP_SKEW_MAX;
        r->hotp_window = HOTP_WINDOW_MAX;
        return;
    }
    r->skew = cfg->totp_skew;
    r->hotp_window = cfg->hotp_window;
    config_free(cfg);
}

/* CODE1 and CODE2 from standard input: one line, or one code a line. */
static bool
codes_from_stdin(char *buf, size_t size, const char **code1, const char **code2)
{
    char *save = NULL, *a, *b;
    size_t len;

    if (isatty(STDIN_FILENO)) {
        fputs("CODE1 CODE2: ", stderr);
        fflush(stderr);
    }
    if (fgets(buf, (int)size, stdin) == NULL)
        return false;
    len = strlen(buf);
    if (strchr(buf, '\n') == NULL && len + 1 == size)
        return false;
    if ((a = strtok_r(buf, " \t\r\n", &save)) == NULL)
        return false;
    if ((b = strtok_r(NULL, " \t\r\n", &save)) == NULL) {
        len = (size_t)(a - buf) + strlen(a) + 1; /* the second code on the next line */
        if (len + 2 > size || fgets(buf + len, (int)(size - len), stdin) == NULL ||
            (b = strtok_r(buf + len, " \t\r\n", &save)) == NULL)
            return false;
    }
    if (strtok_r(NULL, " \t\r\n", &save) != NULL)
        return false;
    *code1 = a;
    *code2 = b;
    return true;
}

int
cmd_token_resync(int argc, char **argv)
{
    static const struct option opts[] = {
        {"tokens", required_argument, NULL, OPT_TOKENS},
        {"conf", required_argument, NULL, OPT_CONF},
        {"window", required_argument, NULL, OPT_WINDOW},
        {"store", no_argument, NULL, OPT_STORE},
        {"time", required_argument, NULL, OPT_TIME},
        {NULL, 0, NULL, 0},
    };
    const char *tokens_opt = NULL, *conf_opt = NULL, *user;
    struct resync r = {.window = WINDOW_DEFAULT, .now = (int64_t)time(NULL)};

    r.real_now = r.now;
    char path[PATH_MAX], line[64];
    unsigned long v;
    int c, rc;

    if (cli_wants_help(argc, argv)) {
        fputs(usage_resync, stdout);
        return 0;
    }
    opterr = 0;
    optind = 0;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (c == OPT_TOKENS) {
            tokens_opt = optarg;
        } else if (c == OPT_CONF) {
            conf_opt = optarg;
        } else if (c == OPT_STORE) {
            r.store = true;
        } else if (c == OPT_WINDOW) {
            if (!token_parse_uint(optarg, TOKENS_MAX_DRIFT, &r.window))
                return token_fail(TOKEN_EXIT_USAGE, "resync: --window wants 1..%d steps",
                                  TOKENS_MAX_DRIFT);
        } else if (c == OPT_TIME) {
            if (strcmp(optarg, "0") == 0)
                r.now = 0;
            else if (token_parse_uint(optarg, INT64_MAX / 2, &v))
                r.now = (int64_t)v;
            else
                return token_fail(TOKEN_EXIT_USAGE, "resync: --time wants seconds since 1970");
        } else {
            return token_fail(TOKEN_EXIT_USAGE,
                              "resync: bad option '%s'; see `crauth token "
                              "resync --help`",
                              argv[optind - 1]);
        }
    }
    if (argc - optind != 3 && argc - optind != 1)
        return token_fail(TOKEN_EXIT_USAGE, "resync: give USER CODE1 CODE2, or USER with the "
                                            "codes on standard input; see `crauth token "
                                            "resync --help`");
    user = argv[optind];
    if (argc - optind == 3) {
        r.code1 = argv[optind + 1];
        r.code2 = argv[optind + 2];
    } else if (!codes_from_stdin(line, sizeof(line), &r.code1, &r.code2)) {
        return token_fail(TOKEN_EXIT_USAGE,
                          "resync: standard input holds no two codes (\"CODE1 CODE2\")");
    }
    if (!token_user_ok(user))
        return token_fail(TOKEN_EXIT_USAGE, "resync: '%s' cannot be a USER of the tokens file",
                          user);
    if (strlen(r.code1) != strlen(r.code2) || strlen(r.code1) < OTP_MIN_DIGITS ||
        strlen(r.code1) > OTP_MAX_DIGITS || strspn(r.code1, "0123456789") != strlen(r.code1) ||
        strspn(r.code2, "0123456789") != strlen(r.code2))
        return token_fail(TOKEN_EXIT_USAGE,
                          "resync: CODE1 and CODE2 are two codes of %d to %d "
                          "digits, of the same length",
                          OTP_MIN_DIGITS, OTP_MAX_DIGITS);
    login_limits(conf_opt, &r);
    if ((rc = token_resolve(tokens_opt, conf_opt, path, sizeof(path))) != 0)
        return rc;
    return resync_user(path, user, &r);
}
