/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * check_tokens.c - `crauth check`, backend local: the tokens file, every
 * line of it, its directory and lock, and the certificates of x509 tokens.
 *
 * One bad line harms only its user at login time (lib/core/tokens.h), so a
 * login test of one user says nothing about the others: check walks every
 * line, as `PATH:LINE: what is wrong`.  The helper rewrites the file in
 * its directory (STATE) and locks PATH.lock for every login: a directory
 * or a lock the helper's user cannot write fails every login, so both are
 * checked, and the fix names the user and the chown/chmod.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "lib/common/reason.h"
#include "lib/common/secmem.h"
#include "lib/core/digest.h"
#include "lib/core/fileio.h"
#include "lib/core/tokens.h"
#include "lib/x509/x509_token.h"
#include "tools/check.h"

static void
check_directory(struct check_report *rep, const char *path)
{
    const char *u = rep->owner.name;
    char dir[PATH_MAX], owner[64], why[PATH_MAX + 400];
    struct stat st;

    fileio_dir_of(path, dir, sizeof(dir));
    if (stat(dir, &st) != 0) {
        check_step(rep, "-", "tokens", REASON_TOKENS_FILE,
                   "directory %s: %s: install -d -o "
                   "%s -g %s -m 0700 %s",
                   dir, strerror(errno), u, u, dir);
        return;
    }
    if (fileio_check_dir_of(path, "tokens file", rep->owner.uid, why, sizeof(why)) ==
        FILEIO_REFUSED) {
        check_step(rep, "-", "tokens", REASON_TOKENS_FILE, "%s", why);
        return;
    }
    if (!check_may(&st, rep->owner.uid, rep->owner.gid, S_IWUSR | S_IXUSR)) {
        check_step(rep, "-", "tokens", REASON_TOKENS_FILE,
                   "directory %s is %s's, mode %04o: "
                   "%s cannot write the new file and the lock there, so every login that "
                   "keeps STATE fails: chown %s:%s %s && chmod 0700 %s",
                   dir, fileio_user_name(st.st_uid, owner, sizeof(owner)),
                   (unsigned)(st.st_mode & 07777), u, u, u, dir, dir);
    }
}

/* PATH.lock: made by the first login when missing; when it exists, the
 * helper's user must be able to open it for writing. */
static void
check_lock(struct check_report *rep, const char *path)
{
    const char *u = rep->owner.name;
    char lock[PATH_MAX], owner[64], group[64];
    struct stat st;

    if (snprintf(lock, sizeof(lock), "%s.lock", path) >= (int)sizeof(lock))
        return;
    if (lstat(lock, &st) != 0) {
        if (errno != ENOENT)
            check_step(rep, "-", "lock", REASON_TOKENS_FILE, "%s: %s", lock, strerror(errno));
        else
            check_step(rep, "-", "lock", REASON_OK, "%s: made by the first login", lock);
        return;
    }
    fileio_user_name(st.st_uid, owner, sizeof(owner));
    fileio_group_name(st.st_gid, group, sizeof(group));
    if (!S_ISREG(st.st_mode) ||
        !check_may(&st, rep->owner.uid, rep->owner.gid, S_IRUSR | S_IWUSR)) {
        if (!S_ISREG(st.st_mode))
            check_step(rep, "-", "lock", REASON_TOKENS_FILE,
                       "%s is not a regular file (%s:%s mode %04o): %s cannot take the lock, "
                       "so every local login fails: rm %s (the next login makes it again)",
                       lock, owner, group, (unsigned)(st.st_mode & 07777), u, lock);
        else
            check_step(rep, "-", "lock", REASON_TOKENS_FILE,
                       "%s is %s:%s mode %04o: %s cannot take the lock, so every local login "
                       "fails: chown %s:%s %s && chmod 0600 %s",
                       lock, owner, group, (unsigned)(st.st_mode & 07777), u, u, u, lock, lock);
        return;
    }
    check_step(rep, "-", "lock", REASON_OK, "%s (%s:%s mode %04o)", lock, owner, group,
               (unsigned)(st.st_mode & 07777));
}

static void
check_x509(struct check_report *rep, const struct crauth_config *cfg, const struct tokens_entry *e)
{
    struct x509_token *x = NULL;
    uint8_t secret[X509_CHALLENGE_LEN];
    char err[512], *pem = NULL;
    int reason = x509_token_load(e->tok.x509_path, cfg->x509_ca, &x, err, sizeof(err));

    /* a dry run of the login's envelope: a certificate whose envelope
     * would not fit a prompt loads fine and fails every login */
    if (reason == REASON_OK) {
        reason = x509_token_challenge(x, secret, &pem, err, sizeof(err));
        secmem_wipe(secret, sizeof(secret));
        free(pem);
    }

    if (reason != REASON_OK)
        check_step(rep, "-", "x509", reason, "%s:%d: %s", cfg->tokens, e->line, err);
    else
        check_step(rep, "-", "x509", REASON_OK, "%s:%d: %s: %s%s", cfg->tokens, e->line,
                   e->tok.x509_path, x509_token_summary(x), cfg->x509_ca ? ", chain verified" : "");
    x509_token_free(x);
}

/* A user's tokens, by a hash of user, kind, parameters and key (a backup
 * code: its hash), to find one token on two lines (an enrolment run
 * twice).  Hashing keeps the whole file's check one pass; the rule is
 * tokens_same_codes's.  The login judges such lines with their highest
 * STATE (helper/backend_local.c); the file should not hold them either. */
struct key_seen {
    uint8_t id[16];
    int line;
};

struct keys_seen {
    struct key_seen *v;
    size_t n, cap;
};

static void
note_key(struct keys_seen *k, const char *text, const struct tokens_entry *e)
{
    /* what makes two lines compute the same codes (tokens_same_codes) */
    struct {
        int kind, hash;
        unsigned digits, step;
        char suite[OCRA_SUITE_SIZE];
    } params;
    struct iovec iov[4];
    uint8_t md[DIGEST_MAX];

    if (e->tok.kind != TOKEN_HOTP && e->tok.kind != TOKEN_TOTP && e->tok.kind != TOKEN_OCRA &&
        e->tok.kind != TOKEN_BACKUP)
        return;
    if (k->n == k->cap) {
        size_t cap = k->cap ? 2 * k->cap : 64;
        struct key_seen *v = realloc(k->v, cap * sizeof(*v));

        if (v == NULL)
            return; /* a check without this step is still a check */
        k->v = v;
        k->cap = cap;
    }
    memset(&params, 0, sizeof(params));
    params.kind = (int)e->tok.kind;
    if (e->tok.kind == TOKEN_OCRA) {
        snprintf(params.suite, sizeof(params.suite), "%s", e->tok.suite.text);
    } else if (e->tok.kind != TOKEN_BACKUP) {
        params.hash = (int)e->tok.hash;
        params.digits = e->tok.digits;
        params.step = e->tok.step;
    }
    iov[0] = (struct iovec){(void *)(text + e->user_start), e->user_len};
    iov[1] = (struct iovec){(void *)"\n", 1};
    iov[2] = (struct iovec){&params, sizeof(params)};
    iov[3] = e->tok.kind == TOKEN_BACKUP
                 ? (struct iovec){(void *)e->tok.backup_hash, strlen(e->tok.backup_hash)}
                 : (struct iovec){(void *)e->tok.key, e->tok.keylen};
    digest_hash(DIGEST_SHA256, iov, 4, md);
    memcpy(k->v[k->n].id, md, sizeof(k->v[k->n].id));
    k->v[k->n++].line = e->line;
    secmem_wipe(md, sizeof(md));
}

static int
by_id_then_line(const void *a, const void *b)
{
    const struct key_seen *x = a, *y = b;
    int c = memcmp(x->id, y->id, sizeof(x->id));

    return c != 0 ? c : (x->line > y->line) - (x->line < y->line);
}

static void
report_same_keys(struct check_report *rep, const char *path, struct keys_seen *k)
{
    if (k->v == NULL)
        return;
    qsort(k->v, k->n, sizeof(*k->v), by_id_then_line);
    for (size_t i = 1; i < k->n; i++)
        if (memcmp(k->v[i].id, k->v[i - 1].id, sizeof(k->v[i].id)) == 0)
            check_step(rep, "-", "tokens", REASON_TOKENS_FILE,
                       "%s:%d: the same token as line %d (kind, parameters and key), for "
                       "the same user: a code is refused on its second use, but remove one "
                       "of the two lines (crauth token remove USER --line %d)",
                       path, k->v[i].line, k->v[i - 1].line, k->v[i].line);
    free(k->v);
}

void
check_tokens(struct check_report *rep, const struct crauth_config *cfg, const char *user)
{
    struct tokens t;
    struct tokens_entry e;
    struct keys_seen keys = {0};
    bool user_has_code = false;
    int user_first_challenge = -1;
    size_t pos = 0, n_tokens = 0, user_tokens = 0, user_bad = 0, n_x509 = 0;
    int line = 0;
    unsigned bad = 0;
    char err[512];

    if (cfg->backend != BACKEND_LOCAL)
        return;
    check_directory(rep, cfg->tokens);
    /* the helper's own reader: trust rules, size, NUL bytes */
    if (tokens_read(cfg->tokens, NULL, &t, err, sizeof(err)) != REASON_OK) {
        check_step(rep, "-", "tokens", REASON_TOKENS_FILE, "%s", err);
        tokens_free(&t);
        check_lock(rep, cfg->tokens);
        return;
    }
    while (tokens_next(t.text, t.len, &pos, &line, &e)) {
        bool mine = tokens_entry_user_is(t.text, &e, user);

        if (e.kind == TOKENS_ENTRY_BAD) {
            /* the message never holds a key; the USER column might */
            check_step(rep, "-", "tokens", REASON_TOKENS_FILE, "%s:%d: %s", cfg->tokens, e.line,
                       e.message);
            bad++;
            user_bad += mine;
        } else if (e.kind == TOKENS_ENTRY_TOKEN) {
            n_tokens++;
            user_tokens += mine;
            /* what the helper asks of this user's lines (backend_local.c):
             * a code from hotp, totp or backup; a challenge from the first
             * OCRA or x509 line */
            if (mine && (e.tok.kind == TOKEN_HOTP || e.tok.kind == TOKEN_TOTP ||
                         e.tok.kind == TOKEN_BACKUP))
                user_has_code = true;
            if (mine && user_first_challenge < 0 &&
                (e.tok.kind == TOKEN_OCRA || e.tok.kind == TOKEN_X509))
                user_first_challenge = (int)e.tok.kind;
            note_key(&keys, t.text, &e);
            if (e.tok.kind == TOKEN_X509) {
                /* the helper loads crauth-x509.so for these */
                if (n_x509++ == 0)
                    check_plugin(rep, "crauth-x509.so", "an x509 token");
                check_x509(rep, cfg, &e);
            }
        }
        tokens_entry_wipe(&e);
    }
    report_same_keys(rep, cfg->tokens, &keys);
    if (n_x509 > 0 && cfg->x509_ca != NULL) {
        /* once for all x509 tokens: a CRL about to lapse stops them all */
        int reason = x509_ca_describe(cfg->x509_ca, time(NULL), err, sizeof(err));

        check_step(rep, "-", "x509_ca", reason, "%s", err);
    }
    if (bad == 0)
        check_step(rep, "-", "tokens", REASON_OK, "%s: %zu token line(s), none bad", cfg->tokens,
                   n_tokens);
    tokens_free(&t);
    check_lock(rep, cfg->tokens);
    if (user == NULL)
        return;
    if (user_tokens == 0 && user_bad == 0)
        check_step(rep, "-", "user", REASON_USER_UNKNOWN,
                   "no line for user %s in %s: `crauth "
                   "token add %s TYPE --generate`",
                   user, cfg->tokens, user);
    else if (user_bad != 0)
        check_step(rep, "-", "user", REASON_TOKENS_FILE,
                   "user %s has %zu bad line(s) in %s "
                   "(above): every login of %s fails",
                   user, user_bad, cfg->tokens, user);
    else if (cfg->method == METHOD_OTP && !user_has_code)
        check_step(rep, "-", "user", REASON_NO_TOKEN,
                   "user %s has no hotp, totp or backup line, and method = otp asks for a "
                   "one-time code: every login of %s fails (OCRA and x509 tokens answer "
                   "method = client-challenge)",
                   user, user);
    else if (cfg->method == METHOD_CLIENT_CHALLENGE && cfg->single_prompt &&
             user_first_challenge == TOKEN_X509)
        check_step(rep, "-", "user", REASON_METHOD_MISMATCH,
                   "user %s's first challenge token is x509, whose envelope is made for one "
                   "attempt, and single_prompt = yes answers in the next: every login of %s "
                   "fails",
                   user, user);
    else
        check_step(rep, "-", "user", REASON_OK, "user %s has %zu token(s)", user, user_tokens);
}
