/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tokens.h - the local backend's tokens file (a contract, see DESIGN §4).
 *
 *   # USER  TYPE                     KEY (hex)   [STATE]
 *   alice   hotp/6                   3132...30   0
 *   bob     totp/30/6/sha1           3132...30
 *   carol   OCRA-1:HOTP-SHA1-6:QN08  3132...30
 *
 * STATE is the next counter (hotp, OCRA with C) or the last accepted time
 * step (totp, OCRA with T).  The helper rewrites only that field, keeping
 * every other byte of the file, with lock + temp file + fsync + rename, and
 * never moves it backwards.  Any invalid line makes the whole file invalid:
 * a typo is reported, never half-applied.
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
#define TOKENS_MAX_PER_USER 8
#define TOKENS_MAX_USER 256

enum token_kind { TOKEN_HOTP, TOKEN_TOTP, TOKEN_OCRA };

struct token {
    int line; /* 1-based, for messages */
    enum token_kind kind;
    unsigned digits;    /* hotp, totp */
    unsigned step;      /* totp, seconds */
    enum otp_hash hash; /* hotp (always SHA1), totp */
    struct ocra_suite suite;
    uint8_t key[OTP_MAX_KEY];
    size_t keylen;
    bool has_state;
    uint64_t state;
    /* Byte range of STATE in the file; when absent both are the end of KEY. */
    size_t state_start, state_end;
};

struct tokens {
    char *text; /* the whole file: it holds keys, so it is wiped on free */
    size_t len;
    struct token v[TOKENS_MAX_PER_USER]; /* the tokens of the user asked for */
    size_t n;
    bool user_found;
};

/* Parse a whole file held in memory, keeping the tokens of @user.
 * REASON_OK, or REASON_TOKENS_FILE with "LINE: what is wrong" in @err. */
int tokens_parse(const char *text, size_t len, const char *user, struct tokens *t, char *err,
                 size_t errlen);

/* Read and parse @path: regular file, no symlink, not writable by group or
 * others, at most TOKENS_MAX_FILE bytes.  REASON_OK or REASON_TOKENS_FILE. */
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

#endif
