/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tokens_edit.h - changing the tokens file without an editor: the enrolment
 * side of tokens.h, for `crauth token`.
 *
 * An edit holds the same lock the helper takes (tokens_lock, PATH.lock)
 * from begin to end, works on a fresh read made under it, and writes with
 * fileio_replace (temp file, fsync, rename), keeping the file's owner and
 * mode.  Every byte not named by an operation (comments, spacing, other
 * users' lines) is kept.  A file that does not exist yet is created 0600,
 * owned like its directory when run as root.
 *
 * Operations name lines by number as they stand at the time of the call:
 * tokens_edit_remove renumbers the lines after those it removes.
 */
#ifndef CRAUTH_TOKENS_EDIT_H
#define CRAUTH_TOKENS_EDIT_H

#include "lib/tier_helper_side.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/core/fileio.h"
#include "lib/core/tokens.h"

struct tokens_edit {
    char path[PATH_MAX];
    int lockfd;
    char *text; /* the content as edited so far; it holds keys */
    size_t len;
    bool existed;
    bool changed;
    struct fileio_owner owner;
};

/* Lock @path (waiting at most @timeout_ms) and read it.  REASON_OK, or
 * REASON_TOKENS_FILE with @err (then nothing is held). */
int tokens_edit_begin(const char *path, int timeout_ms, struct tokens_edit *ed, char *err,
                      size_t errlen);

/* Add @line (one token line, without '\n') at the end.  It must parse as a
 * token, and its user may not pass TOKENS_MAX_PER_USER.  *@lineno (may be
 * NULL) gets its line number. */
int tokens_edit_append(struct tokens_edit *ed, const char *line, int *lineno, char *err,
                       size_t errlen);

/* Remove @user's lines, good or bad: all of them (@line 0), or line @line,
 * which must be @user's.  With @kind, only good lines of that kind.
 * *@removed gets how many went; none is not an error. */
int tokens_edit_remove(struct tokens_edit *ed, const char *user, int line,
                       const enum token_kind *kind, unsigned *removed, char *err, size_t errlen);

/* Set the STATE of the token on @line; it never moves backwards. */
int tokens_edit_set_state(struct tokens_edit *ed, int line, uint64_t state, char *err,
                          size_t errlen);

/* Set "drift=STEPS" of the totp token on @line, which must have a STATE. */
int tokens_edit_set_drift(struct tokens_edit *ed, int line, int64_t drift, char *err,
                          size_t errlen);

/* Write the edited content (nothing when nothing changed).  REASON_OK or
 * REASON_TOKENS_FILE with @err. */
int tokens_edit_commit(struct tokens_edit *ed, char *err, size_t errlen);

/* Drop the lock and wipe the content. */
void tokens_edit_end(struct tokens_edit *ed);

#endif
