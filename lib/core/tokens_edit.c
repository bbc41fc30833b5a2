/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tokens_edit.c - locked, byte-preserving edits of the tokens file (see
 * tokens_edit.h).
 *
 * Each operation splices the text in memory: the bytes it names are
 * replaced, everything before and after is copied as it is.  The file is
 * small (TOKENS_MAX_FILE), so a fresh buffer per splice is simple and cheap,
 * and the old one is wiped, since it holds keys.
 */
#include "lib/core/tokens_edit.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/common/reason.h"
#include "lib/common/secmem.h"
#include "lib/core/fileio.h"

/* Give a lock file root just made the tokens file's owner, so the helper
 * (the file's user, or its group) can take it too. */
static void
share_lock(const struct tokens_edit *ed)
{
    struct stat st;

    if (geteuid() != 0 || fstat(ed->lockfd, &st) != 0 || st.st_uid != 0 || st.st_gid != 0)
        return;
    if (ed->owner.uid == 0 && ed->owner.gid == 0)
        return;
    if (fchown(ed->lockfd, ed->owner.uid, ed->owner.gid) == 0)
        (void)fchmod(ed->lockfd, ed->owner.mode & 0660);
}

int
tokens_edit_begin(const char *path, int timeout_ms, struct tokens_edit *ed, char *err,
                  size_t errlen)
{
    static const struct fileio_rules rules = {
        .what = "tokens file",
        .max_size = TOKENS_MAX_FILE,
        .secret = true,
    };
    struct fileio_buf buf;
    struct stat st;
    char dir[PATH_MAX];
    int rc;

    memset(ed, 0, sizeof(*ed));
    ed->lockfd = -1;
    if (snprintf(ed->path, sizeof(ed->path), "%s", path) >= (int)sizeof(ed->path)) {
        snprintf(err, errlen, "%s: path too long", path);
        return REASON_TOKENS_FILE;
    }
    if (tokens_lock(path, timeout_ms, &ed->lockfd, err, errlen) != REASON_OK)
        return REASON_TOKENS_FILE;
    rc = fileio_read(path, &rules, &buf, err, errlen);
    if (rc == FILEIO_OK) {
        ed->existed = true;
        ed->text = buf.text; /* locked in RAM by fileio_read */
        ed->len = buf.len;
        ed->owner = (struct fileio_owner){.mode = buf.st.st_mode & 07777,
                                          .uid = buf.st.st_uid,
                                          .gid = buf.st.st_gid,
                                          .chown = true,
                                          .durable = true};
    } else if (rc == FILEIO_MISSING) {
        /* a new file: 0600, owned like the directory it goes in */
        fileio_dir_of(path, dir, sizeof(dir));
        if (stat(dir, &st) != 0) {
            snprintf(err, errlen, "cannot create tokens file %s: %s: %s", path, dir,
                     strerror(errno));
            goto failed;
        }
        ed->owner = (struct fileio_owner){.mode = 0600,
                                          .uid = st.st_uid,
                                          .gid = st.st_gid,
                                          .chown = true,
                                          .durable = true};
        if ((ed->text = calloc(1, 1)) == NULL) {
            snprintf(err, errlen, "out of memory");
            goto failed;
        }
    } else {
        goto failed;
    }
    share_lock(ed);
    return REASON_OK;
failed:
    tokens_unlock(ed->lockfd);
    ed->lockfd = -1;
    return REASON_TOKENS_FILE;
}

/* Replace bytes [@start, @end) of the text with @ins. */
static int
text_splice(struct tokens_edit *ed, size_t start, size_t end, const char *ins, size_t inslen,
            char *err, size_t errlen)
{
    size_t len = ed->len - (end - start) + inslen;
    char *text;

    if (len > TOKENS_MAX_FILE) {
        snprintf(err, errlen, "the tokens file would pass %d bytes", TOKENS_MAX_FILE);
        return REASON_TOKENS_FILE;
    }
    if ((text = malloc(len + 1)) == NULL) {
        snprintf(err, errlen, "out of memory");
        return REASON_TOKENS_FILE;
    }
    secmem_lock(text, len + 1);
    memcpy(text, ed->text, start);
    memcpy(text + start, ins, inslen);
    memcpy(text + start + inslen, ed->text + end, ed->len - end);
    text[len] = '\0';
    secmem_wipe(ed->text, ed->len);
    free(ed->text);
    ed->text = text;
    ed->len = len;
    ed->changed = true;
    return REASON_OK;
}

/* The entry on @line, parsed; false when the file is shorter. */
static bool
entry_at(const struct tokens_edit *ed, int line, struct tokens_entry *e)
{
    size_t pos = 0;
    int n = 0;

    while (tokens_next(ed->text, ed->len, &pos, &n, e)) {
        if (e->line == line)
            return true;
        tokens_entry_wipe(e);
    }
    return false;
}

/* The token on @line, or an error naming what is there instead. */
static int
token_at(const struct tokens_edit *ed, int line, struct tokens_entry *e, char *err, size_t errlen)
{
    if (!entry_at(ed, line, e)) {
        snprintf(err, errlen, "line %d: the file has fewer lines", line);
        return REASON_TOKENS_FILE;
    }
    if (e->kind == TOKENS_ENTRY_TOKEN)
        return REASON_OK;
    snprintf(err, errlen, "line %d: %s", line,
             e->kind == TOKENS_ENTRY_BLANK ? "not a token line" : e->message);
    tokens_entry_wipe(e);
    return REASON_TOKENS_FILE;
}

int
tokens_edit_append(struct tokens_edit *ed, const char *line, int *lineno, char *err, size_t errlen)
{
    struct tokens_entry e, other;
    size_t len = strlen(line), pos = 0;
    int n = 0, count = 1, last = 0, rc = REASON_TOKENS_FILE;
    bool need_newline = ed->len > 0 && ed->text[ed->len - 1] != '\n';
    char *user = NULL;

    if (memchr(line, '\n', len) != NULL || !tokens_next(line, len, &pos, &n, &e)) {
        snprintf(err, errlen, "the new line must be one non-empty line");
        return REASON_TOKENS_FILE;
    }
    if (e.kind != TOKENS_ENTRY_TOKEN) {
        snprintf(err, errlen, "the new line is not a token line: %s",
                 e.kind == TOKENS_ENTRY_BAD ? e.message : "no fields");
        goto out;
    }
    if ((user = strndup(line + e.user_start, e.user_len)) == NULL) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    for (pos = 0, n = 0; tokens_next(ed->text, ed->len, &pos, &n, &other);) {
        if (other.kind == TOKENS_ENTRY_TOKEN && tokens_entry_user_is(ed->text, &other, user))
            count++;
        last = other.line;
        tokens_entry_wipe(&other);
    }
    if (count > TOKENS_MAX_PER_USER) {
        snprintf(err, errlen, "user %s would have more than %d tokens", user, TOKENS_MAX_PER_USER);
        goto out;
    }
    {
        char *add = malloc(len + 2);

        if (add == NULL) {
            snprintf(err, errlen, "out of memory");
            goto out;
        }
        secmem_lock(add, len + 2);
        memcpy(add, line, len);
        add[len] = '\n';
        if (need_newline)
            rc = text_splice(ed, ed->len, ed->len, "\n", 1, err, errlen);
        else
            rc = REASON_OK;
        if (rc == REASON_OK)
            rc = text_splice(ed, ed->len, ed->len, add, len + 1, err, errlen);
        secmem_wipe(add, len + 2);
        free(add);
    }
    /* the text ended in "\n": the new line is the next one; without it the
     * last line was just finished and the new one follows it */
    if (rc == REASON_OK && lineno != NULL)
        *lineno = last + 1;
out:
    free(user);
    tokens_entry_wipe(&e);
    return rc;
}

int
tokens_edit_remove(struct tokens_edit *ed, const char *user, int line, const enum token_kind *kind,
                   unsigned *removed, char *err, size_t errlen)
{
    struct tokens_entry e;
    size_t pos = 0;
    int n = 0, rc = REASON_OK;
    bool seen = false;

    *removed = 0;
    while (rc == REASON_OK && tokens_next(ed->text, ed->len, &pos, &n, &e)) {
        bool take = tokens_entry_user_is(ed->text, &e, user) && (line == 0 || e.line == line);

        if (e.line == line)
            seen = true;
        if (take && kind != NULL && (e.kind != TOKENS_ENTRY_TOKEN || e.tok.kind != *kind))
            take = false;
        if (take) {
            /* the line and its '\n'; the next line now starts where it did */
            size_t end = e.end < ed->len ? e.end + 1 : e.end;

            rc = text_splice(ed, e.start, end, "", 0, err, errlen);
            pos = e.start;
            n--;
            line = line == 0 ? 0 : -1; /* one line asked for: done */
            (*removed)++;
        }
        tokens_entry_wipe(&e);
    }
    if (rc == REASON_OK && line > 0) {
        snprintf(err, errlen,
                 seen ? "line %d is not a line of user %s"
                      : "line %d: the file has fewer lines (user %s)",
                 line, user);
        rc = REASON_TOKENS_FILE;
    }
    return rc;
}

int
tokens_edit_set_state(struct tokens_edit *ed, int line, uint64_t state, char *err, size_t errlen)
{
    struct tokens_entry e;
    char num[32];
    int rc;

    if ((rc = token_at(ed, line, &e, err, errlen)) != REASON_OK)
        return rc;
    if (e.tok.has_state && state < e.tok.state) {
        snprintf(err, errlen, "line %d: refusing to move STATE back from %" PRIu64 " to %" PRIu64,
                 line, e.tok.state, state);
        rc = REASON_TOKENS_FILE;
    } else if (e.tok.kind == TOKEN_BACKUP && state > 1) {
        snprintf(err, errlen, "line %d: a backup code's STATE is 0 or 1", line);
        rc = REASON_TOKENS_FILE;
    } else {
        snprintf(num, sizeof(num), "%s%" PRIu64, e.tok.has_state ? "" : "\t", state);
        rc = text_splice(ed, e.tok.state_start, e.tok.state_end, num, strlen(num), err, errlen);
    }
    tokens_entry_wipe(&e);
    return rc;
}

int
tokens_edit_set_drift(struct tokens_edit *ed, int line, int64_t drift, char *err, size_t errlen)
{
    struct tokens_entry e;
    char field[40];
    int rc;

    if ((rc = token_at(ed, line, &e, err, errlen)) != REASON_OK)
        return rc;
    if (e.tok.kind != TOKEN_TOTP || !e.tok.has_state) {
        snprintf(err, errlen, "line %d: drift= goes on a totp line with a STATE", line);
        rc = REASON_TOKENS_FILE;
    } else if (drift < -TOKENS_MAX_DRIFT || drift > TOKENS_MAX_DRIFT) {
        snprintf(err, errlen, "drift %" PRId64 " is beyond %d steps", drift, TOKENS_MAX_DRIFT);
        rc = REASON_TOKENS_FILE;
    } else {
        snprintf(field, sizeof(field), "%sdrift=%" PRId64, e.tok.has_drift ? "" : "\t", drift);
        rc = text_splice(ed, e.tok.drift_start, e.tok.drift_end, field, strlen(field), err, errlen);
    }
    tokens_entry_wipe(&e);
    return rc;
}

int
tokens_edit_commit(struct tokens_edit *ed, char *err, size_t errlen)
{
    if (!ed->changed)
        return REASON_OK;
    /* the lock is held: any temporary name is a crashed writer's */
    fileio_sweep_path(ed->path, 0);
    if (fileio_replace(ed->path, ed->text, ed->len, &ed->owner, err, errlen) != FILEIO_OK)
        return REASON_TOKENS_FILE;
    ed->existed = true;
    ed->changed = false;
    return REASON_OK;
}

void
tokens_edit_end(struct tokens_edit *ed)
{
    secmem_free(ed->text, ed->len);
    tokens_unlock(ed->lockfd);
    memset(ed, 0, sizeof(*ed));
    ed->lockfd = -1;
}
