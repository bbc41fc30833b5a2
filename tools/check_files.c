/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * check_files.c - `crauth check`: the helper, its plugin, the cache.
 *
 * A helper that is not set-uid and set-gid _crauth runs as its caller:
 * root's logins then meet files that belong to _crauth and are refused,
 * and other callers cannot read them at all.  When the files belong to
 * _crauth, that is a failure, not a matter of taste; the fix is the exact
 * chown, chmod and setcap.
 */
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <endian.h>
#include <linux/capability.h>

#include "lib/common/reason.h"
#include "lib/core/fileio.h"
#include "tools/check.h"

#define SYSTEM_USER "_crauth"
#define PLUGIN_FILE "crauth-remote.so" /* helper/plugin.h */

void
check_find_owner(struct check_report *rep)
{
    struct passwd *pw = getpwnam(SYSTEM_USER);
    struct check_owner *o = &rep->owner;

    o->system_user = pw != NULL;
    o->uid = pw ? pw->pw_uid : geteuid();
    o->gid = pw ? pw->pw_gid : getegid();
    fileio_user_name(o->uid, o->name, sizeof(o->name));
}

bool
check_may(const struct stat *st, uid_t uid, gid_t gid, mode_t bits)
{
    /* bits are given for the owner (S_IRUSR, S_IWUSR); shift for the others */
    if (uid == 0)
        return true;
    if (st->st_uid == uid)
        return (st->st_mode & bits) == bits;
    if (st->st_gid == gid)
        return (st->st_mode & (bits >> 3)) == (bits >> 3);
    return (st->st_mode & (bits >> 6)) == (bits >> 6);
}

/* "root:root mode 0755", for messages. */
static const char *
describe(const struct stat *st, char *buf, size_t size)
{
    char user[64], group[64];

    snprintf(buf, size, "%s:%s mode %04o", fileio_user_name(st->st_uid, user, sizeof(user)),
             fileio_group_name(st->st_gid, group, sizeof(group)), (unsigned)(st->st_mode & 07777));
    return buf;
}

/* Does the file capability xattr (VFS_CAP_REVISION_2/3, little endian, see
 * capabilities(7) "File capability extended attribute versioning") give
 * cap_setgid in the permitted set with the effective bit?  A version 3
 * entry counts only for the initial user namespace (root id 0). */
static bool
has_cap_setgid(const char *path)
{
    uint32_t raw[6] = {0};
    ssize_t n = getxattr(path, "security.capability", raw, sizeof(raw));
    uint32_t magic, permitted;

    if (n < (ssize_t)(3 * sizeof(uint32_t)))
        return false;
    magic = le32toh(raw[0]);
    permitted = le32toh(raw[1]);
    if ((magic & VFS_CAP_REVISION_MASK) == VFS_CAP_REVISION_3 &&
        (n < (ssize_t)XATTR_CAPS_SZ_3 || le32toh(raw[5]) != 0))
        return false;
    if ((magic & VFS_CAP_REVISION_MASK) != VFS_CAP_REVISION_2 &&
        (magic & VFS_CAP_REVISION_MASK) != VFS_CAP_REVISION_3)
        return false;
    return (magic & VFS_CAP_FLAGS_EFFECTIVE) && (permitted & (1u << CAP_SETGID));
}

/* Do the files the helper works on belong to the system user? */
static bool
files_are_system_users(const struct check_report *rep, const struct crauth_config *cfg)
{
    const char *paths[] = {cfg->cache_dir, cfg->backend == BACKEND_LOCAL ? cfg->tokens : NULL};
    struct stat st;

    if (!rep->owner.system_user)
        return false;
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
        if (paths[i] != NULL && stat(paths[i], &st) == 0 && st.st_uid == rep->owner.uid)
            return true;
    return false;
}

/* helper/plugin.h: owned by root (or, for a helper that is not set-id, by
 * whoever runs it) and writable by no one else, the directory too. */
static bool
plugin_trusted(const struct stat *st, bool set_id)
{
    return (st->st_uid == 0 || (!set_id && st->st_uid == geteuid())) &&
           (st->st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

/* Every directory from the helper's up to / is root's (or, for a build
 * tree, the checking user's) and writable by no one else, or sticky: a
 * directory someone else can write lets them put another program under the
 * helper's name, which every login then runs with the application's
 * rights (root, in sshd and sudo).  false after reporting the first that
 * is not. */
static bool
helper_dirs_safe(struct check_report *rep)
{
    char dir[PATH_MAX], found[160];
    struct stat st, hst, judged;
    /* the checking user (check runs as _crauth) may own them only for a
     * helper that is not set-id (a build tree): the plugins' rule */
    bool set_id = stat(rep->helper, &hst) == 0 && (hst.st_mode & (S_ISUID | S_ISGID));

    fileio_dir_of(rep->helper, dir, sizeof(dir));
    for (;;) {
        if (lstat(dir, &st) != 0) {
            check_step(rep, "-", "helper", REASON_HELPER_UNAVAILABLE, "directory %s: %s", dir,
                       strerror(errno));
            return false;
        }
        /* in a sticky directory (/tmp) no one renames another's entry */
        judged = st;
        if (st.st_mode & S_ISVTX)
            judged.st_mode &= ~(mode_t)(S_IWGRP | S_IWOTH);
        if (!S_ISDIR(st.st_mode) || !plugin_trusted(&judged, set_id)) {
            check_step(rep, "-", "helper", REASON_HELPER_PRIVILEGES,
                       "directory %s on the helper's path is %s%s: whoever can write there "
                       "can put another program in the helper's place; fix: chown root:root "
                       "%s && chmod go-w %s",
                       dir, S_ISDIR(st.st_mode) ? "" : "not a directory, ",
                       describe(&st, found, sizeof(found)), dir, dir);
            return false;
        }
        if (strcmp(dir, "/") == 0 || strchr(dir, '/') == NULL)
            return true;
        {
            char parent[PATH_MAX];

            fileio_dir_of(dir, parent, sizeof(parent));
            snprintf(dir, sizeof(dir), "%s", parent);
        }
    }
}

static void
check_helper(struct check_report *rep, const struct crauth_config *cfg)
{
    const char *h = rep->helper, *u = rep->owner.name;
    struct stat st;
    char found[160];
    bool set_id, cap;

    if (stat(h, &st) != 0) {
        check_step(rep, "-", "helper", REASON_HELPER_UNAVAILABLE,
                   "%s: %s (install it: make "
                   "install && make install-setuid, or the Debian package)",
                   h, strerror(errno));
        return;
    }
    if (!helper_dirs_safe(rep))
        return;
    describe(&st, found, sizeof(found));
    if (!S_ISREG(st.st_mode) || (st.st_mode & (S_IWGRP | S_IWOTH))) {
        check_step(rep, "-", "helper", REASON_HELPER_PRIVILEGES,
                   "%s is %s, writable by "
                   "others or not a file: chmod go-w %s",
                   h, found, h);
        return;
    }
    set_id = rep->owner.system_user && st.st_uid == rep->owner.uid && st.st_gid == rep->owner.gid &&
             (st.st_mode & 06000) == 06000;
    cap = has_cap_setgid(h);
    if (set_id && cap) {
        check_step(rep, "-", "helper", REASON_OK, "%s set-uid/set-gid %s, cap_setgid=ep", h, u);
        return;
    }
    if (files_are_system_users(rep, cfg)) {
        /* chown clears the capability: setcap comes last */
        check_step(rep, "-", "helper", REASON_HELPER_PRIVILEGES,
                   "%s is %s%s, but the files "
                   "belong to %s: %s; fix: chown %s:%s %s && chmod 6755 %s && setcap "
                   "cap_setgid=ep %s (or `make install-setuid`)",
                   h, found, cap ? "" : ", no cap_setgid=ep", u,
                   set_id ? "logins by non-root programs (screen lockers) fail with reason 61"
                          : "it runs as its caller and every login fails",
                   u, u, h, h, h);
        return;
    }
    check_step(rep, "-", "helper", CHECK_WARN,
               "%s is %s%s, not set-uid/set-gid %s with "
               "cap_setgid=ep: it runs as its caller; for a system install: `make "
               "install-setuid` or the Debian package",
               h, found, cap ? "" : ", no capability", SYSTEM_USER);
}

void
check_plugin(struct check_report *rep, const char *file, const char *needed_by)
{
    char dir[PATH_MAX], path[PATH_MAX + 64], found[160];
    struct stat hst, dst, st;
    bool set_id;

    fileio_dir_of(rep->helper, dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    set_id = stat(rep->helper, &hst) == 0 && (hst.st_mode & S_ISUID);
    if (stat(dir, &dst) != 0) {
        check_step(rep, "-", "plugin", REASON_HELPER_PRIVILEGES,
                   "directory %s of the helper: "
                   "%s",
                   dir, strerror(errno));
        return;
    }
    if (!plugin_trusted(&dst, set_id)) {
        check_step(rep, "-", "plugin", REASON_HELPER_PRIVILEGES,
                   "directory %s of the helper "
                   "is %s, writable by someone other than root: chown root:root %s && chmod "
                   "0755 %s",
                   dir, describe(&dst, found, sizeof(found)), dir, dir);
        return;
    }
    if (lstat(path, &st) != 0) {
        check_step(rep, "-", "plugin", REASON_HELPER_PRIVILEGES,
                   "%s needs %s: %s "
                   "(install it with the helper: make install, or the Debian package)",
                   needed_by, path, strerror(errno));
        return;
    }
    if (!S_ISREG(st.st_mode) || !plugin_trusted(&st, set_id)) {
        check_step(rep, "-", "plugin", REASON_HELPER_PRIVILEGES,
                   "%s must be a regular file "
                   "owned by root and writable by no one else (it is %s%s): chown root:root "
                   "%s && chmod 0644 %s",
                   path, S_ISREG(st.st_mode) ? "" : "not a file, ",
                   describe(&st, found, sizeof(found)), path, path);
        return;
    }
    check_step(rep, "-", "plugin", REASON_OK, "%s (%s)", path, describe(&st, found, sizeof(found)));
}

static void
check_cache(struct check_report *rep, const struct crauth_config *cfg)
{
    const char *d = cfg->cache_dir, *u = rep->owner.name;
    struct stat st;
    char found[160];

    /* lstat: the helper opens it without following a symbolic link */
    if (lstat(d, &st) != 0) {
        check_step(rep, "-", "cache", REASON_CACHE,
                   "%s: %s: install -d -o %s -g %s -m 0700 %s "
                   "(conf/crauth.tmpfiles makes it at boot)",
                   d, strerror(errno), u, u, d);
        return;
    }
    if (S_ISLNK(st.st_mode)) {
        check_step(rep, "-", "cache", REASON_CACHE,
                   "%s is a symbolic link, which the helper does not follow: set [cache] dir "
                   "to the directory itself",
                   d);
        return;
    }
    if (!S_ISDIR(st.st_mode) || st.st_uid != rep->owner.uid || (st.st_mode & 022)) {
        check_step(rep, "-", "cache", REASON_CACHE,
                   "%s must be a directory owned by %s, "
                   "writable by no one else (it is %s): chown %s:%s %s && chmod 0700 %s",
                   d, u, describe(&st, found, sizeof(found)), u, u, d, d);
        return;
    }
    check_step(rep, "-", "cache", REASON_OK, "%s (%s)", d, describe(&st, found, sizeof(found)));
}

void
check_files(struct check_report *rep, const struct crauth_config *cfg)
{
    check_helper(rep, cfg);
    if (cfg->backend != BACKEND_LOCAL) {
        char needed_by[64];

        snprintf(needed_by, sizeof(needed_by), "backend = %s", config_backend_name(cfg->backend));
        check_plugin(rep, PLUGIN_FILE, needed_by);
    }
    check_cache(rep, cfg);
}
