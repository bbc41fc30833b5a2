/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tokens.h - the local backend's tokens file (a contract, doc/design.md 6; its
 * format is crauth.conf(5), TOKENS FILE).
 *
 *   # USER  TYPE                     KEY (hex)   [STATE]
 *   alice   hotp/6                   3132...30   0
 *   bob     totp/30/6/sha1           3132...30
 *   carol   OCRA-1:HOTP-SHA1-6:QN08  3132...30
 *
 * One token per line, fields separated by blanks (space, tab, CR), '#'
 * starts a comment where a field would start.  The grammar, field by field:
 *
 *   USER   1..256 bytes, no blank.
 *   TYPE   hotp/DIGITS | totp/STEP/DIGITS/HASH | an OCRA suite the local
 *          backend can answer (no P, no S, not both C and T) | backup | x509
 *   KEY    hotp, totp, OCRA: the key as an even number of hex digits,
 *          1..128 bytes.
 *          backup: a crypt(5) hash of the canonical code ("$y$..."), see
 *          lib/core/backup_code.h; the file never holds the code itself.
 *          x509: the absolute path of a certificate: starts with '/', at
 *          most 255 bytes, no control character.  Parsed and kept only.
 *   STATE  a decimal 0..2^64-1: the next counter (hotp, OCRA with C) or the
 *          last accepted time step (totp, OCRA with T).  backup: 0 unused,
 *          1 used; absent means unused.  x509: kept, unused.
 *   drift=STEPS  totp only, only after a STATE (so it is always the fifth
 *          field): how many time steps the token's clock runs ahead of ours
 *          (negative: behind), |STEPS| <= TOKENS_MAX_DRIFT.  The verifier
 *          centres its skew window on now + STEPS.  Written by `crauth token
 *          resync --store`.  Why a fifth field and this form: STATE keeps
 *          its place and meaning, so the helper's STATE rewrite (which
 *          splices only STATE's bytes) keeps the drift untouched; a
 *          "name=" prefix cannot be mistaken for a STATE, so an older
 *          parser fails the line instead of misreading it; and it is added
 *          only when an admin asks for it.
 *
 * STATE is rewritten with lock + temp file + fsync + rename, keeping every
 * other byte of the file, and never moves backwards.
 *
 * One bad line harms one user: a line that breaks the grammar is skipped
 * and recorded (line number and what is wrong; never a key or hash), and a
 * lookup for the user named in its USER column fails with
 * REASON_TOKENS_FILE "line N: ...".  A line whose USER cannot be read (too
 * long) fails nobody and is recorded.  A NUL byte or a file over
 * TOKENS_MAX_FILE fails the whole file.
 */
#ifndef CRAUTH_TOKENS_H
#define CRAUTH_TOKENS_H

#include "lib/tier_helper_side.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/core/otp.h"

#define TOKENS_MAX_FILE (1024 * 1024)
#define TOKENS_MAX_PER_USER 32 /* room for a set of backup codes beside the tokens */
#define TOKENS_MAX_USER 256
#define TOKENS_MAX_HASH 128 /* backup: crypt hash, with its NUL */
#define TOKENS_MAX_PATH 256 /* x509: certificate path, with its NUL */
#define TOKENS_MAX_DRIFT 100000
#define TOKENS_MAX_BAD 32 /* bad lines recorded; all are counted */
#define TOKENS_MESSAGE_SIZE 160

enum token_kind { TOKEN_HOTP, TOKEN_TOTP, TOKEN_OCRA, TOKEN_BACKUP, TOKEN_X509 };

struct token {
    int line; /* 1-based, for messages */
    enum token_kind kind;
    unsigned digits;    /* hotp, totp */
    unsigned step;      /* totp, seconds */
    enum otp_hash hash; /* hotp (always SHA1), totp */
    struct ocra_suite suite;
    uint8_t key[OTP_MAX_KEY]; /* hotp, totp, OCRA */
    size_t keylen;
    char backup_hash[TOKENS_MAX_HASH]; /* backup */
    char x509_path[TOKENS_MAX_PATH];   /* x509 */
    bool has_state;
    uint64_t state;
    /* Byte range of STATE in the file; when absent both are the end of KEY. */
    size_t state_start, state_end;
    bool has_drift;
    int64_t drift; /* totp: steps the token is ahead of us */
    /* Byte range of "drift=STEPS"; when absent both are the end of STATE. */
    size_t drift_start, drift_end;
};

/* A backup code already spent: the verifier treats it as a replay. */
#define TOKEN_BACKUP_USED(tok) ((tok)->has_state && (tok)->state != 0)

struct tokens_bad_line {
    int line;
    char message[TOKENS_MESSAGE_SIZE]; /* without "line N: " */
};

struct tokens {
    char *text; /* the whole file: it holds keys, so it is wiped on free */
    size_t len;
    struct token v[TOKENS_MAX_PER_USER]; /* the tokens of the user asked for */
    size_t n;
    bool user_found; /* a line (good or bad) names the user */
    /* Every user's bad lines, in file order: the first TOKENS_MAX_BAD of
     * them in bad[], all of them counted in bad_total. */
    struct tokens_bad_line bad[TOKENS_MAX_BAD];
    size_t n_bad;
    size_t bad_total;
};

/* Parse a whole file held in memory, keeping the tokens of @user (NULL:
 * nobody's, for a check of the whole file).  Bad lines are recorded in @t.
 * REASON_OK, or REASON_TOKENS_FILE with "line N: what is wrong" in @err
 * when a line of @user is bad (the first one; @t then holds no token), or
 * with "the file contains a NUL byte". */
int tokens_parse(const char *text, size_t len, const char *user, struct tokens *t, char *err,
                 size_t errlen);

/* Read and parse @path: regular file, no symlink, not writable by group or
 * others, at most TOKENS_MAX_FILE bytes.  REASON_OK or REASON_TOKENS_FILE.
 * On failure no key and no memory is held, but t->bad and t->bad_total
 * still list the bad lines found; tokens_free is safe either way. */
int tokens_read(const char *path, const char *user, struct tokens *t, char *err, size_t errlen);

/* Take the exclusive update lock (PATH.lock), waiting at most @timeout_ms.
 * REASON_OK with *fd set, or REASON_TOKENS_FILE. */
int tokens_lock(const char *path, int timeout_ms, int *fd, char *err, size_t errlen);
void tokens_unlock(int fd);

/* Write @path with token @i's STATE set to @state (which must not be lower
 * than the current one), atomically.  Caller holds the lock and read @t
 * under it.  REASON_OK or REASON_TOKENS_FILE. */
int tokens_store_state(const char *path, struct tokens *t, size_t i, uint64_t state, char *err,
                       size_t errlen);

void tokens_free(struct tokens *t);

/* Do @a and @b compute the same codes: the same kind, parameters and key
 * (a backup code: the same hash)?  An x509 token never does. */
bool tokens_same_codes(const struct token *a, const struct token *b);

/* The line of @t's first token that computes the codes @like (a HOTP,
 * TOTP or OCRA token) computes with @key: the same kind, parameters and
 * key, or 0.  Two such lines would take every code once per line. */
int tokens_line_with_key(const struct tokens *t, const struct token *like, const uint8_t *key,
                         size_t keylen);

/* One line of the file, as tokens_next hands it out (for the editor and
 * `crauth token list`; the helper uses tokens_read). */
enum tokens_entry_kind { TOKENS_ENTRY_BLANK, TOKENS_ENTRY_TOKEN, TOKENS_ENTRY_BAD };

struct tokens_entry {
    int line;
    size_t start, end;           /* the line's bytes; end is at its '\n' or the end of the text */
    size_t user_start, user_len; /* the USER field; user_len 0: blank, or USER unreadable */
    size_t type_start, type_len; /* the TYPE field, as written; type_len 0 when absent */
    enum tokens_entry_kind kind;
    struct token tok;                  /* TOKENS_ENTRY_TOKEN; it holds a key: tokens_entry_wipe */
    char message[TOKENS_MESSAGE_SIZE]; /* TOKENS_ENTRY_BAD */
};

/* The line at *@pos (@line counts lines; both start at 0): fills @e and
 * moves past it.  false at the end of the text.  A NUL byte makes the line
 * bad. */
bool tokens_next(const char *text, size_t len, size_t *pos, int *line, struct tokens_entry *e);

/* Does @e's USER column read @user? */
bool tokens_entry_user_is(const char *text, const struct tokens_entry *e, const char *user);

void tokens_entry_wipe(struct tokens_entry *e);

/* "hotp", "totp", "ocra", "backup" or "x509". */
const char *tokens_kind_name(enum token_kind kind);

#endif
