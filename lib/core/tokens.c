/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tokens.c - reading, validating and atomically updating the tokens file.
 *
 * The file is parsed whole and strictly; only the STATE field of one line is
 * ever rewritten.  Updates go lock -> read -> temp file in the same
 * directory -> fsync -> rename -> fsync(dir), so a crash leaves either the old
 * or the new file, and a code is never accepted twice.
 */
#include "lib/core/tokens.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/core/fileio.h"
#include "lib/core/lockfile.h"
#include "lib/common/reason.h"
#include "lib/common/secmem.h"

#define MAX_FIELDS 5

struct field {
    size_t start, end; /* byte offsets in the file */
};

static int __attribute__((format(printf, 4, 5)))
line_error(char *err, size_t errlen, int line, const char *fmt, ...)
{
    char msg[200];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    snprintf(err, errlen, "line %d: %s", line, msg);
    return REASON_TOKENS_FILE;
}

static bool
parse_u64(const char *s, size_t len, uint64_t *out)
{
    uint64_t v = 0;

    if (len == 0 || len > 20)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        if (v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
            return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *out = v;
    return true;
}

/* "hotp/6", "totp/30/6/sha1" or an OCRA suite into @tok. */
static int
parse_type(const char *type, struct token *tok, char *err, size_t errlen)
{
    char buf[OCRA_SUITE_SIZE];
    char *parts[5] = {0};
    unsigned n = 0;
    uint64_t v;

    if (strncmp(type, "OCRA-", 5) == 0) {
        if (ocra_suite_parse(type, &tok->suite) != OTP_OK)
            return line_error(err, errlen, tok->line, "'%s' is not a valid OCRA suite", type);
        if (tok->suite.pin || tok->suite.session_len > 0)
            return line_error(err, errlen, tok->line,
                              "suite %s needs a PIN or session input the local backend "
                              "cannot supply",
                              type);
        if (tok->suite.counter && tok->suite.time_step > 0)
            return line_error(err, errlen, tok->line,
                              "suite %s has both C and T; the local backend keeps one STATE",
                              type);
        tok->kind = TOKEN_OCRA;
        return REASON_OK;
    }
    if (snprintf(buf, sizeof(buf), "%s", type) >= (int)sizeof(buf))
        return line_error(err, errlen, tok->line, "TYPE is too long");
    for (char *save = NULL, *p = strtok_r(buf, "/", &save); p && n < 5;
         p = strtok_r(NULL, "/", &save))
        parts[n++] = p;
    if (n == 2 && strcmp(parts[0], "hotp") == 0) {
        tok->kind = TOKEN_HOTP;
        tok->hash = OTP_SHA1;
    } else if (n == 4 && strcmp(parts[0], "totp") == 0) {
        tok->kind = TOKEN_TOTP;
        if (!parse_u64(parts[1], strlen(parts[1]), &v) || v < 1 || v > 3600)
            return line_error(err, errlen, tok->line, "totp step '%s' must be 1..3600 seconds",
                              parts[1]);
        tok->step = (unsigned)v;
        if (otp_hash_parse(parts[3], &tok->hash) != OTP_OK)
            return line_error(err, errlen, tok->line,
                              "totp hash '%s' must be sha1, sha256 or sha512", parts[3]);
    } else {
        return line_error(err, errlen, tok->line,
                          "TYPE '%s' is not hotp/DIGITS, totp/STEP/DIGITS/HASH or an OCRA suite",
                          type);
    }
    if (!parse_u64(parts[n == 2 ? 1 : 2], strlen(parts[n == 2 ? 1 : 2]), &v) ||
        v < OTP_MIN_DIGITS || v > OTP_MAX_DIGITS)
        return line_error(err, errlen, tok->line, "digits in '%s' must be 4..10", type);
    tok->digits = (unsigned)v;
    return REASON_OK;
}

static int
parse_line(const char *text, const struct field *f, unsigned nf, struct token *tok, char *err,
           size_t errlen)
{
    char type[OCRA_SUITE_SIZE + 1];
    char hex[2 * OTP_MAX_KEY + 1];
    size_t len;
    int rc;

    if (nf < 3 || nf > 4)
        return line_error(err, errlen, tok->line,
                          "expected USER TYPE KEY [STATE], found %s fields",
                          nf < 3 ? "too few" : "too many");
    len = f[1].end - f[1].start;
    if (len >= sizeof(type))
        return line_error(err, errlen, tok->line, "TYPE is too long");
    memcpy(type, text + f[1].start, len);
    type[len] = '\0';
    if ((rc = parse_type(type, tok, err, errlen)) != REASON_OK)
        return rc;

    len = f[2].end - f[2].start;
    if (len >= sizeof(hex) || len % 2 != 0)
        return line_error(err, errlen, tok->line,
                          "KEY must be an even number of hex digits, at most %d bytes",
                          OTP_MAX_KEY);
    memcpy(hex, text + f[2].start, len);
    hex[len] = '\0';
    rc = otp_hex_decode(hex, tok->key, sizeof(tok->key), &tok->keylen);
    secmem_wipe(hex, sizeof(hex));
    if (rc != OTP_OK || tok->keylen == 0)
        return line_error(err, errlen, tok->line, "KEY is not valid hex");

    tok->state_start = tok->state_end = f[2].end;
    if (nf == 4) {
        if (!parse_u64(text + f[3].start, f[3].end - f[3].start, &tok->state))
            return line_error(err, errlen, tok->line,
                              "STATE must be a non-negative integer");
        tok->has_state = true;
        tok->state_start = f[3].start;
        tok->state_end = f[3].end;
    }
    return REASON_OK;
}

int
tokens_parse(const char *text, size_t len, const char *user, struct tokens *t, char *err,
             size_t errlen)
{
    size_t pos = 0;
    int line = 0;

    t->n = 0;
    t->user_found = false;
    if (memchr(text, '\0', len) != NULL)
        return line_error(err, errlen, 0, "the file contains a NUL byte");
    while (pos < len) {
        struct field f[MAX_FIELDS + 1];
        unsigned nf = 0;
        size_t eol = pos;
        struct token tok = {0};
        int rc;

        line++;
        while (eol < len && text[eol] != '\n')
            eol++;
        for (size_t i = pos; i < eol;) {
            if (text[i] == ' ' || text[i] == '\t' || text[i] == '\r') {
                i++;
                continue;
            }
            if (text[i] == '#')
                break; /* a comment runs to the end of the line */
            if (nf == MAX_FIELDS + 1)
                return line_error(err, errlen, line, "too many fields");
            f[nf].start = i;
            while (i < eol && text[i] != ' ' && text[i] != '\t' && text[i] != '\r')
                i++;
            f[nf++].end = i;
        }
        pos = eol + 1;
        if (nf == 0)
            continue;
        tok.line = line;
        if (f[0].end - f[0].start > TOKENS_MAX_USER)
            return line_error(err, errlen, line, "USER is longer than 256 characters");
        rc = parse_line(text, f, nf, &tok, err, errlen);
        if (rc != REASON_OK) {
            secmem_wipe(&tok, sizeof(tok));
            return rc;
        }
        if (user != NULL && f[0].end - f[0].start == strlen(user) &&
            memcmp(text + f[0].start, user, strlen(user)) == 0) {
            t->user_found = true;
            if (t->n == TOKENS_MAX_PER_USER) {
                secmem_wipe(&tok, sizeof(tok));
                return line_error(err, errlen, line, "more than 8 tokens for user '%s'", user);
            }
            t->v[t->n++] = tok;
        }
        secmem_wipe(&tok, sizeof(tok));
    }
    return REASON_OK;
}

int
tokens_read(const char *path, const char *user, struct tokens *t, char *err, size_t errlen)
{
    static const struct fileio_rules rules = {
        .what = "tokens file", .max_size = TOKENS_MAX_FILE, .secret = true,
    };
    struct fileio_buf buf;
    int rc;

    memset(t, 0, sizeof(*t));
    if (fileio_read(path, &rules, &buf, err, errlen) != FILEIO_OK)
        return REASON_TOKENS_FILE;
    t->text = buf.text;
    t->len = buf.len;
    rc = tokens_parse(t->text, t->len, user, t, err, errlen);
    if (rc != REASON_OK)
        tokens_free(t);
    return rc;
}

int
tokens_lock(const char *path, int timeout_ms, int *fd, char *err, size_t errlen)
{
    char lockpath[PATH_MAX];
    int rc;

    if (snprintf(lockpath, sizeof(lockpath), "%s.lock", path) >= (int)sizeof(lockpath)) {
        snprintf(err, errlen, "path too long");
        return REASON_TOKENS_FILE;
    }
    *fd = open(lockpath, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
    if (*fd < 0) {
        snprintf(err, errlen, "cannot open lock file %s: %s", lockpath, strerror(errno));
        return REASON_TOKENS_FILE;
    }
    if ((rc = lockfile_acquire(*fd, timeout_ms)) == 0)
        return REASON_OK;
    if (rc == EWOULDBLOCK)
        snprintf(err, errlen, "%s is held by another login for over %d ms", lockpath,
                 timeout_ms);
    else
        snprintf(err, errlen, "cannot lock %s: %s", lockpath, strerror(rc));
    close(*fd);
    *fd = -1;
    return REASON_TOKENS_FILE;
}

void
tokens_unlock(int fd)
{
    lockfile_release(fd);
}

int
tokens_store_state(const char *path, struct tokens *t, size_t i, uint64_t state, char *err,
                   size_t errlen)
{
    const struct token *tok = &t->v[i];
    const char *sep = tok->has_state ? "" : "\t";
    struct fileio_owner owner = {.chown = true};
    struct stat st;
    char num[32];
    char *text;
    size_t n, len;
    int rc = REASON_TOKENS_FILE;

    if (tok->has_state && state < tok->state) {
        snprintf(err, errlen, "line %d: refusing to move STATE back from %llu to %llu",
                 tok->line, (unsigned long long)tok->state, (unsigned long long)state);
        return REASON_TOKENS_FILE;
    }
    if (stat(path, &st) != 0) {
        snprintf(err, errlen, "cannot stat: %s", strerror(errno));
        return REASON_TOKENS_FILE;
    }
    /* keep the owner and mode the admin gave the file */
    owner.mode = st.st_mode & 07777;
    owner.uid = st.st_uid;
    owner.gid = st.st_gid;
    n = (size_t)snprintf(num, sizeof(num), "%llu", (unsigned long long)state);
    len = tok->state_start + strlen(sep) + n + (t->len - tok->state_end);
    if ((text = malloc(len + 1)) == NULL) {
        snprintf(err, errlen, "out of memory");
        return REASON_TOKENS_FILE;
    }
    secmem_lock(text, len + 1);
    memcpy(text, t->text, tok->state_start);
    memcpy(text + tok->state_start, sep, strlen(sep));
    memcpy(text + tok->state_start + strlen(sep), num, n);
    memcpy(text + tok->state_start + strlen(sep) + n, t->text + tok->state_end,
           t->len - tok->state_end);
    /* the lock is held: any temporary name is a crashed writer's */
    fileio_sweep_path(path, 0);
    if (fileio_replace(path, text, len, &owner, err, errlen) == FILEIO_OK)
        rc = REASON_OK;
    secmem_wipe(text, len);
    free(text);
    return rc;
}

void
tokens_free(struct tokens *t)
{
    if (t->text != NULL) {
        secmem_wipe(t->text, t->len);
        free(t->text);
    }
    secmem_wipe(t, sizeof(*t));
}
