/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tokens.c - reading, validating and atomically updating the tokens file.
 *
 * Each line is parsed strictly on its own (tokens_next); a bad line is
 * recorded and costs only the user it names, so one typo cannot stop every
 * login on the machine.  Only the STATE field of one line is ever rewritten
 * here.  Updates go lock -> read -> temp file in the same directory ->
 * fsync -> rename -> fsync(dir), so a crash leaves either the old or the new
 * file, and a code is never accepted twice.
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

#include "lib/core/backup_code.h"
#include "lib/core/digest.h"
#include "lib/core/fileio.h"
#include "lib/core/lockfile.h"
#include "lib/common/hex.h"
#include "lib/common/reason.h"
#include "lib/common/secmem.h"
#include "lib/common/utf8.h"

/* USER TYPE KEY STATE drift=STEPS */
#define MAX_FIELDS 5

struct field {
    size_t start, end; /* byte offsets in the file */
};

/* What is wrong with the line, into e->message.  Never a key: messages
 * quote only text that has already been recognised as a TYPE. */
static bool __attribute__((format(printf, 2, 3))) bad(struct tokens_entry *e, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(e->message, sizeof(e->message), fmt, ap);
    va_end(ap);
    return false;
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

static bool
parse_ocra_type(const char *type, struct tokens_entry *e)
{
    struct token *tok = &e->tok;

    if (ocra_suite_parse(type, &tok->suite) != OTP_OK)
        return bad(e, "'%s' is not a valid OCRA suite", type);
    if (tok->suite.pin || tok->suite.session_len > 0)
        return bad(e, "suite %s needs a PIN or session input the local backend cannot supply",
                   type);
    if (tok->suite.counter && tok->suite.time_step > 0)
        return bad(e, "suite %s has both C and T; the local backend keeps one STATE", type);
    tok->kind = TOKEN_OCRA;
    return true;
}

/* "hotp/6", "totp/30/6/sha1", an OCRA suite, "backup" or "x509" into e->tok. */
static bool
parse_type(const char *type, struct tokens_entry *e)
{
    struct token *tok = &e->tok;
    char buf[OCRA_SUITE_SIZE];
    char *parts[5] = {0};
    unsigned n = 0;
    uint64_t v;

    if (strncmp(type, "OCRA-", 5) == 0)
        return parse_ocra_type(type, e);
    if (strcmp(type, "backup") == 0 || strcmp(type, "x509") == 0) {
        tok->kind = type[0] == 'b' ? TOKEN_BACKUP : TOKEN_X509;
        return true;
    }
    if (snprintf(buf, sizeof(buf), "%s", type) >= (int)sizeof(buf))
        return bad(e, "TYPE is too long");
    for (char *save = NULL, *p = strtok_r(buf, "/", &save); p && n < 5;
         p = strtok_r(NULL, "/", &save))
        parts[n++] = p;
    if (n == 2 && strcmp(parts[0], "hotp") == 0) {
        tok->kind = TOKEN_HOTP;
        tok->hash = OTP_SHA1;
    } else if (n == 4 && strcmp(parts[0], "totp") == 0) {
        tok->kind = TOKEN_TOTP;
        if (!parse_u64(parts[1], strlen(parts[1]), &v) || v < 1 || v > 3600)
            return bad(e, "totp step '%s' must be 1..3600 seconds", parts[1]);
        tok->step = (unsigned)v;
        if (otp_hash_parse(parts[3], &tok->hash) != OTP_OK)
            return bad(e, "totp hash '%s' must be sha1, sha256 or sha512", parts[3]);
    } else {
        /* not echoed: a line with its columns swapped has the key here */
        return bad(e, "TYPE is not hotp/DIGITS, totp/STEP/DIGITS/HASH, an OCRA suite, backup "
                      "or x509");
    }
    if (!parse_u64(parts[n == 2 ? 1 : 2], strlen(parts[n == 2 ? 1 : 2]), &v) ||
        v < OTP_MIN_DIGITS || v > OTP_MAX_DIGITS)
        return bad(e, "digits in '%s' must be 4..10", type);
    tok->digits = (unsigned)v;
    return true;
}

static bool
parse_key(const char *text, const struct field *f, struct tokens_entry *e)
{
    struct token *tok = &e->tok;
    size_t len = f->end - f->start;

    if (tok->kind == TOKEN_BACKUP) {
        if (len >= sizeof(tok->backup_hash))
            return bad(e, "backup hash is longer than %d characters", TOKENS_MAX_HASH - 1);
        memcpy(tok->backup_hash, text + f->start, len);
        tok->backup_hash[len] = '\0';
        if (!backup_hash_valid(tok->backup_hash))
            return bad(e, "backup KEY is not a crypt(5) hash this system can check");
        return true;
    }
    if (tok->kind == TOKEN_X509) {
        if (len >= sizeof(tok->x509_path))
            return bad(e, "x509 path is longer than %d characters", TOKENS_MAX_PATH - 1);
        if (text[f->start] != '/')
            return bad(e, "x509 KEY must be an absolute path");
        memcpy(tok->x509_path, text + f->start, len);
        tok->x509_path[len] = '\0';
        if (strlen(tok->x509_path) != len || !text_is_printable(tok->x509_path))
            return bad(e, "x509 path contains a control character");
        return true;
    }
    if (len > 2 * OTP_MAX_KEY || len % 2 != 0)
        return bad(e, "KEY must be an even number of hex digits, at most %d bytes", OTP_MAX_KEY);
    if (hex_decode(text + f->start, len, tok->key, sizeof(tok->key), &tok->keylen) != 0 ||
        tok->keylen == 0)
        return bad(e, "KEY is not valid hex");
    return true;
}

/* "drift=STEPS": an optional '-', then 1..6 digits. */
static bool
parse_drift(const char *text, const struct field *f, struct tokens_entry *e)
{
    struct token *tok = &e->tok;
    const char *s = text + f->start + 6;
    size_t len = f->end - f->start - 6;
    bool negative = len > 0 && s[0] == '-';
    uint64_t v;

    if (tok->kind != TOKEN_TOTP)
        return bad(e, "drift= is for totp lines only");
    if (!parse_u64(s + negative, len - negative, &v) || v > TOKENS_MAX_DRIFT)
        return bad(e, "drift= must be a whole number of steps from -%d to %d", TOKENS_MAX_DRIFT,
                   TOKENS_MAX_DRIFT);
    tok->has_drift = true;
    tok->drift = negative ? -(int64_t)v : (int64_t)v;
    tok->drift_start = f->start;
    tok->drift_end = f->end;
    return true;
}

static bool
is_drift(const char *text, const struct field *f)
{
    return f->end - f->start >= 6 && memcmp(text + f->start, "drift=", 6) == 0;
}

static bool
parse_fields(const char *text, const struct field *f, unsigned nf, struct tokens_entry *e)
{
    struct token *tok = &e->tok;
    char type[OCRA_SUITE_SIZE + 1];
    size_t len;

    if (nf < 3 || nf > MAX_FIELDS)
        return bad(e, "expected USER TYPE KEY [STATE], found %s fields",
                   nf < 3 ? "too few" : "too many");
    len = f[1].end - f[1].start;
    if (len >= sizeof(type))
        return bad(e, "TYPE is too long");
    memcpy(type, text + f[1].start, len);
    type[len] = '\0';
    if (!parse_type(type, e) || !parse_key(text, &f[2], e))
        return false;

    tok->state_start = tok->state_end = f[2].end;
    if (nf >= 4) {
        if (is_drift(text, &f[3]))
            return bad(e, "drift= needs a STATE before it");
        if (!parse_u64(text + f[3].start, f[3].end - f[3].start, &tok->state))
            return bad(e, "STATE must be a non-negative integer");
        if (tok->kind == TOKEN_BACKUP && tok->state > 1)
            return bad(e, "backup STATE must be 0 (unused) or 1 (used)");
        tok->has_state = true;
        tok->state_start = f[3].start;
        tok->state_end = f[3].end;
    }
    tok->drift_start = tok->drift_end = tok->state_end;
    if (nf == 5) {
        if (!is_drift(text, &f[4]))
            return bad(e, "expected USER TYPE KEY [STATE], found too many fields");
        return parse_drift(text, &f[4], e);
    }
    return true;
}

bool
tokens_next(const char *text, size_t len, size_t *pos, int *line, struct tokens_entry *e)
{
    struct field f[MAX_FIELDS + 1];
    unsigned nf = 0;
    size_t eol;

    if (*pos >= len)
        return false;
    memset(e, 0, sizeof(*e));
    e->line = ++*line;
    e->start = *pos;
    for (eol = *pos; eol < len && text[eol] != '\n';)
        eol++;
    e->end = eol;
    *pos = eol + 1;
    for (size_t i = e->start; i < eol;) {
        if (text[i] == ' ' || text[i] == '\t' || text[i] == '\r') {
            i++;
            continue;
        }
        if (text[i] == '#')
            break; /* a comment runs to the end of the line */
        if (nf < MAX_FIELDS + 1)
            f[nf].start = i;
        while (i < eol && text[i] != ' ' && text[i] != '\t' && text[i] != '\r')
            i++;
        if (nf < MAX_FIELDS + 1)
            f[nf].end = i;
        nf++;
    }
    if (nf == 0) {
        e->kind = TOKENS_ENTRY_BLANK;
        return true;
    }
    e->kind = TOKENS_ENTRY_BAD;
    if (f[0].end - f[0].start > TOKENS_MAX_USER) {
        bad(e, "USER is longer than %d characters", TOKENS_MAX_USER);
        return true;
    }
    e->user_start = f[0].start;
    e->user_len = f[0].end - f[0].start;
    if (nf > 1) {
        e->type_start = f[1].start;
        e->type_len = f[1].end - f[1].start;
    }
    e->tok.line = e->line;
    if (memchr(text + e->start, '\0', eol - e->start) != NULL)
        bad(e, "the line contains a NUL byte");
    else if (nf > MAX_FIELDS)
        bad(e, "expected USER TYPE KEY [STATE], found too many fields");
    else if (parse_fields(text, f, nf, e))
        e->kind = TOKENS_ENTRY_TOKEN;
    if (e->kind == TOKENS_ENTRY_BAD)
        secmem_wipe(&e->tok, sizeof(e->tok));
    return true;
}

bool
tokens_entry_user_is(const char *text, const struct tokens_entry *e, const char *user)
{
    return user != NULL && e->user_len > 0 && e->user_len == strlen(user) &&
           memcmp(text + e->user_start, user, e->user_len) == 0;
}

void
tokens_entry_wipe(struct tokens_entry *e)
{
    secmem_wipe(e, sizeof(*e));
}

const char *
tokens_kind_name(enum token_kind kind)
{
    static const char *const names[] = {"hotp", "totp", "ocra", "backup", "x509"};

    return (unsigned)kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "?";
}

static void
record_bad(struct tokens *t, int line, const char *message)
{
    t->bad_total++;
    if (t->n_bad == TOKENS_MAX_BAD)
        return;
    t->bad[t->n_bad].line = line;
    snprintf(t->bad[t->n_bad].message, sizeof(t->bad[t->n_bad].message), "%s", message);
    t->n_bad++;
}

int
tokens_parse(const char *text, size_t len, const char *user, struct tokens *t, char *err,
             size_t errlen)
{
    struct tokens_entry e;
    size_t pos = 0;
    int line = 0;
    bool user_failed = false;

    t->n = 0;
    t->user_found = false;
    t->n_bad = t->bad_total = 0;
    if (memchr(text, '\0', len) != NULL) {
        snprintf(err, errlen, "the file contains a NUL byte");
        return REASON_TOKENS_FILE;
    }
    while (tokens_next(text, len, &pos, &line, &e)) {
        bool mine = tokens_entry_user_is(text, &e, user);

        if (mine)
            t->user_found = true;
        if (e.kind == TOKENS_ENTRY_TOKEN && mine && !user_failed) {
            if (t->n < TOKENS_MAX_PER_USER) {
                t->v[t->n++] = e.tok;
            } else {
                e.kind = TOKENS_ENTRY_BAD;
                snprintf(e.message, sizeof(e.message), "more than %d tokens for this user",
                         TOKENS_MAX_PER_USER);
            }
        }
        if (e.kind == TOKENS_ENTRY_BAD) {
            record_bad(t, e.line, e.message);
            if (mine && !user_failed) {
                user_failed = true;
                snprintf(err, errlen, "line %d: %s", e.line, e.message);
            }
        }
        tokens_entry_wipe(&e);
    }
    if (!user_failed)
        return REASON_OK;
    secmem_wipe(t->v, sizeof(t->v));
    t->n = 0;
    return REASON_TOKENS_FILE;
}

int
tokens_read(const char *path, const char *user, struct tokens *t, char *err, size_t errlen)
{
    static const struct fileio_rules rules = {
        .what = "tokens file",
        .max_size = TOKENS_MAX_FILE,
        .secret = true,
    };
    struct fileio_buf buf;
    int rc;

    memset(t, 0, sizeof(*t));
    if (fileio_read(path, &rules, &buf, err, errlen) != FILEIO_OK)
        return REASON_TOKENS_FILE;
    t->text = buf.text;
    t->len = buf.len;
    rc = tokens_parse(t->text, t->len, user, t, err, errlen);
    if (rc != REASON_OK) {
        /* keep the list of bad lines for the caller's log, nothing secret */
        secmem_wipe(t->text, t->len);
        free(t->text);
        t->text = NULL;
        t->len = 0;
        secmem_wipe(t->v, sizeof(t->v));
        t->n = 0;
    }
    return rc;
}

int
tokens_lock(const char *path, int timeout_ms, int *fd, char *err, size_t errlen)
{
    char lockpath[PATH_MAX];
    int rc;

    *fd = -1;
    if (snprintf(lockpath, sizeof(lockpath), "%s.lock", path) >= (int)sizeof(lockpath)) {
        snprintf(err, errlen, "path too long");
        return REASON_TOKENS_FILE;
    }
    /* the lock means something only where no one else can remove it */
    if (fileio_check_dir_of(path, "tokens file", geteuid(), err, errlen) != FILEIO_OK)
        return REASON_TOKENS_FILE;
    *fd = open(lockpath, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
    /* flock needs no write access: a lock file root made group-readable will do */
    if (*fd < 0 && errno == EACCES)
        *fd = open(lockpath, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
    if (*fd < 0) {
        snprintf(err, errlen, "cannot open lock file %s: %s", lockpath, strerror(errno));
        return REASON_TOKENS_FILE;
    }
    if ((rc = lockfile_acquire(*fd, timeout_ms)) == 0)
        return REASON_OK;
    if (rc == EWOULDBLOCK)
        snprintf(err, errlen, "%s is held by another login for over %d ms", lockpath, timeout_ms);
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
    struct fileio_owner owner = {.chown = true, .durable = true};
    struct stat st;
    char num[32];
    char *text;
    size_t n, len;
    int rc = REASON_TOKENS_FILE;

    if (tok->has_state && state < tok->state) {
        snprintf(err, errlen, "line %d: refusing to move STATE back from %llu to %llu", tok->line,
                 (unsigned long long)tok->state, (unsigned long long)state);
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

bool
tokens_same_codes(const struct token *a, const struct token *b)
{
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case TOKEN_HOTP:
    case TOKEN_TOTP:
        if (a->digits != b->digits || a->hash != b->hash || a->step != b->step)
            return false;
        break;
    case TOKEN_OCRA:
        if (strcmp(a->suite.text, b->suite.text) != 0)
            return false;
        break;
    case TOKEN_BACKUP:
        return strcmp(a->backup_hash, b->backup_hash) == 0;
    case TOKEN_X509:
        return false;
    }
    return a->keylen == b->keylen && digest_equal(a->key, b->key, a->keylen);
}

int
tokens_line_with_key(const struct tokens *t, const struct token *like, const uint8_t *key,
                     size_t keylen)
{
    struct token probe;
    int line = 0;

    if ((like->kind != TOKEN_HOTP && like->kind != TOKEN_TOTP && like->kind != TOKEN_OCRA) ||
        keylen > sizeof(probe.key))
        return 0;
    probe = *like;
    memcpy(probe.key, key, keylen);
    probe.keylen = keylen;
    for (size_t i = 0; i < t->n && line == 0; i++)
        if (tokens_same_codes(&t->v[i], &probe))
            line = t->v[i].line;
    secmem_wipe(&probe, sizeof(probe));
    return line;
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
