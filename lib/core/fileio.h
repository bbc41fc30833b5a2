/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fileio.h - the one home for reading a file the helper must trust and for
 * replacing a file atomically.
 *
 * Trust (the sudoers rule, applied to every file that steers the helper or
 * holds its secrets): a regular file reached without a symlink, owned by
 * root or by the helper's own user, writable by no one else (group write
 * only when the group is root), within a size cap.  A file that holds
 * secrets is also readable by root and the helper's user only (group read
 * only for group root or the helper's group).  Refusals name the owner and
 * mode found and the chown/chmod that fixes them.
 *
 * Replacement: the new content is written to an unnamed file in the same
 * directory (O_TMPFILE), synced, linked under a temporary name and renamed
 * over the target, then the directory is synced.  A writer killed at any
 * point leaves the old file or the new one, and at most a temporary name
 * for the instant between link and rename, which fileio_sweep removes.
 */
#ifndef CRAUTH_FILEIO_H
#define CRAUTH_FILEIO_H

#include "lib/tier_helper_side.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

enum fileio_status {
    FILEIO_OK = 0,
    FILEIO_MISSING = -1, /* ENOENT: the caller decides whether that is an error */
    FILEIO_REFUSED = -2, /* exists but breaks the trust rules, or too large */
    FILEIO_ERROR = -3,   /* open/read/write failed (errno in the message) */
};

struct fileio_rules {
    const char *what; /* "configuration", "tokens file", ... for messages */
    size_t max_size;  /* larger files are refused */
    bool secret;      /* readable by root and the helper's user only */
    bool allow_nul;   /* binary content (certificates in DER): NUL bytes allowed */
};

/* A file's content, NUL-terminated; wiped and freed by fileio_free. */
struct fileio_buf {
    char *text;
    size_t len;
    struct stat st;
};

/* Read @path under @rules.  On FILEIO_OK @out holds the content (locked in
 * RAM when secret).  Otherwise @err holds one line naming the file and,
 * for a refusal, the fix. */
int fileio_read(const char *path, const struct fileio_rules *rules, struct fileio_buf *out,
                char *err, size_t errlen);
void fileio_free(struct fileio_buf *b);

/* The directory that holds @path, into @dir: "." for a bare name, "/" for
 * a file at the root (truncated to @dirsize, like snprintf). */
void fileio_dir_of(const char *path, char *dir, size_t dirsize);

/* Check the directory that holds @path (@what names the file in
 * messages): root's or @self's (the helper's user), writable by no one
 * else, the owner rule of fileio_check.  FILEIO_OK, FILEIO_REFUSED or
 * FILEIO_ERROR (it cannot be looked at) with @err. */
int fileio_check_dir_of(const char *path, const char *what, uid_t self, char *err, size_t errlen);

/* Check an open file against @rules (the trust part of fileio_read). */
int fileio_check(const char *path, const struct stat *st, const struct fileio_rules *rules,
                 char *err, size_t errlen);

/* Who may own what the helper writes: its own user, or root's file kept. */
struct fileio_owner {
    mode_t mode; /* permission bits of the new file */
    uid_t uid;   /* owner to give it when running as root; ignored otherwise */
    gid_t gid;
    bool chown; /* set owner when euid is 0 */
    /* sync the file and its directory: the new content survives a crash
     * (the tokens file's counters); without it the replacement is still
     * atomic, only not durable (the cache, in /run: gone at boot anyway) */
    bool durable;
    /* the caller holds a lock every writer of this name takes: one fixed
     * temporary name, a killed writer's replaced, and no directory sweep
     * (whose cost grows with the directory) */
    bool locked;
};

/* Replace @name in the directory @dirfd (or @path) with @len bytes of
 * @data, atomically and durably.  FILEIO_OK or FILEIO_ERROR with @err. */
int fileio_replace_at(int dirfd, const char *dirname, const char *name, const void *data,
                      size_t len, const struct fileio_owner *owner, char *err, size_t errlen);
int fileio_replace(const char *path, const void *data, size_t len, const struct fileio_owner *owner,
                   char *err, size_t errlen);

/* Remove temporary names fileio_replace* left for @name in @dirfd (all of
 * them, or, with @min_age_s > 0, those older than that: for directories
 * where other writers may be between link and rename).  A sweep of every
 * name (@name NULL) leaves the fixed names of writers under a lock
 * (fileio_owner.locked): only the lock's holder may remove one, since the
 * next writer may be replacing it that instant.  Returns how many were
 * removed. */
unsigned fileio_sweep(int dirfd, const char *name, long min_age_s);

/* The fixed temporary name of @name's writers under its lock, in @out. */
int fileio_locked_temp_name(const char *name, char *out, size_t size);
/* The same for @path's own temporary names, in its directory. */
unsigned fileio_sweep_path(const char *path, long min_age_s);

/* The helper's own user, which its files belong to. */
#define FILEIO_SYSTEM_USER "_crauth"

/* A process running as root met a file of FILEIO_SYSTEM_USER (owned by
 * @owner): the helper is not installed set-uid _crauth, and the usual
 * "chown root" would be the wrong fix.  The right one (chown, chmod,
 * setcap of the helper), else NULL. */
const char *fileio_setid_hint(uid_t owner);

/* The name of @uid for messages ("root", "_crauth", or "uid 1234"). */
const char *fileio_user_name(uid_t uid, char *buf, size_t size);
/* From now on, names for messages from /etc/passwd and /etc/group only
 * (the helper, before its seccomp filter: see fileio.c). */
void fileio_names_from_files_only(void);
const char *fileio_group_name(gid_t gid, char *buf, size_t size);

#endif
