/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fileio.c - trusted reads and atomic replacement (see fileio.h).
 *
 * The unnamed file (open(2) O_TMPFILE) is what makes a killed writer leave
 * nothing behind: it has no name until linkat(2) gives it one, and that
 * name lives only until the renameat(2) that follows.  linkat through
 * /proc/self/fd is the way open(2) documents for an unprivileged process;
 * without /proc, or on a file system without O_TMPFILE, a named temporary
 * file is used and fileio_sweep cleans up after a crash.
 */
#include "lib/core/fileio.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/common/hex.h"
#include "lib/common/secmem.h"
#include "lib/core/random.h"

#define TMP_TAG ".tmp-"
#define LOCKED_TAG "locked"

/* Once the helper's seccomp filter is on, names come from /etc/passwd and
 * /etc/group only: an id the files do not know sends glibc on to the next
 * NSS module (systemd's asks a daemon over a socket), whose system calls
 * the filter kills, so a refusal would end as a crash instead of its
 * reason. */
static bool names_from_files;

void
fileio_names_from_files_only(void)
{
    names_from_files = true;
}

/* The passwd entry of @name, or else of @uid, by NSS or from the file. */
static struct passwd *
passwd_of(const char *name, uid_t uid)
{
    struct passwd *pw = NULL;
    FILE *f;

    if (!names_from_files)
        return name != NULL ? getpwnam(name) : getpwuid(uid);
    if ((f = fopen("/etc/passwd", "re")) == NULL)
        return NULL;
    while ((pw = fgetpwent(f)) != NULL &&
           (name != NULL ? strcmp(pw->pw_name, name) != 0 : pw->pw_uid != uid))
        ;
    fclose(f);
    return pw;
}

static struct group *
group_of(gid_t gid)
{
    struct group *gr = NULL;
    FILE *f;

    if (!names_from_files)
        return getgrgid(gid);
    if ((f = fopen("/etc/group", "re")) == NULL)
        return NULL;
    while ((gr = fgetgrent(f)) != NULL && gr->gr_gid != gid)
        ;
    fclose(f);
    return gr;
}

const char *
fileio_user_name(uid_t uid, char *buf, size_t size)
{
    struct passwd *pw = passwd_of(NULL, uid);

    if (pw != NULL)
        snprintf(buf, size, "%s", pw->pw_name);
    else
        snprintf(buf, size, "uid %u", (unsigned)uid);
    return buf;
}

#define HELPER_FIX(h) "chown _crauth:_crauth " h " && chmod 6755 " h " && setcap cap_setgid=ep " h

const char *
fileio_setid_hint(uid_t owner)
{
    struct passwd *pw;

    if (geteuid() != 0 || owner == 0 || (pw = passwd_of(FILEIO_SYSTEM_USER, 0)) == NULL ||
        pw->pw_uid != owner)
        return NULL;
    return "it belongs to " FILEIO_SYSTEM_USER ", but this runs as root: crauth-helper is not "
           "set-uid " FILEIO_SYSTEM_USER "; fix: " HELPER_FIX(
               CRAUTH_HELPER_PATH) " (or `make "
                                   "install-setuid`); crauth itself: runuser -u " FILEIO_SYSTEM_USER
                                   " -- crauth ...";
}

const char *
fileio_group_name(gid_t gid, char *buf, size_t size)
{
    struct group *gr = group_of(gid);

    if (gr != NULL)
        snprintf(buf, size, "%s", gr->gr_name);
    else
        snprintf(buf, size, "gid %u", (unsigned)gid);
    return buf;
}

/* The names for a refusal: looked up only when there is one (NSS reads
 * /etc/passwd and /etc/group; a login that passes pays nothing). */
struct names {
    char owner[64], group[64], self[64], selfgroup[64];
};

static void
names_of(const struct stat *st, struct names *n)
{
    fileio_user_name(st->st_uid, n->owner, sizeof(n->owner));
    fileio_group_name(st->st_gid, n->group, sizeof(n->group));
    fileio_user_name(geteuid(), n->self, sizeof(n->self));
    fileio_group_name(getegid(), n->selfgroup, sizeof(n->selfgroup));
}

int
fileio_check(const char *path, const struct stat *st, const struct fileio_rules *rules, char *err,
             size_t errlen)
{
    mode_t mode = st->st_mode & 07777;
    mode_t want = rules->secret ? 0640 : 0644;
    struct names n;

    if (!S_ISREG(st->st_mode)) {
        snprintf(err, errlen, "%s %s is not a regular file", rules->what, path);
        return FILEIO_REFUSED;
    }
    if (st->st_uid != 0 && st->st_uid != geteuid() && fileio_setid_hint(st->st_uid) != NULL) {
        snprintf(err, errlen, "%s %s: %s", rules->what, path, fileio_setid_hint(st->st_uid));
        return FILEIO_REFUSED;
    }
    if (st->st_uid != 0 && st->st_uid != geteuid()) {
        names_of(st, &n);
        snprintf(err, errlen,
                 "%s %s is owned by %s; only root or %s may own it: "
                 "chown root:%s %s && chmod %04o %s",
                 rules->what, path, n.owner, n.self, n.selfgroup, path, (unsigned)want, path);
        return FILEIO_REFUSED;
    }
    if ((mode & S_IWOTH) || ((mode & S_IWGRP) && st->st_gid != 0)) {
        names_of(st, &n);
        snprintf(err, errlen, "%s %s is writable by %s (%s:%s mode %04o): chmod go-w %s",
                 rules->what, path, (mode & S_IWOTH) ? "everyone" : "group", n.owner, n.group,
                 (unsigned)mode, path);
        return FILEIO_REFUSED;
    }
    if (rules->secret &&
        ((mode & S_IROTH) || ((mode & S_IRGRP) && st->st_gid != 0 && st->st_gid != getegid()))) {
        char fix[PATH_MAX + 80];

        names_of(st, &n);
        if (st->st_uid == 0 && getegid() != 0)
            snprintf(fix, sizeof(fix), "chown root:%s %s && chmod 0640 %s", n.selfgroup, path,
                     path);
        else
            snprintf(fix, sizeof(fix), "chmod 0600 %s", path);
        snprintf(err, errlen, "%s %s holds secrets and is readable by %s (%s:%s mode %04o): %s",
                 rules->what, path, (mode & S_IROTH) ? "everyone" : "its group", n.owner, n.group,
                 (unsigned)mode, fix);
        return FILEIO_REFUSED;
    }
    if ((size_t)st->st_size > rules->max_size) {
        snprintf(err, errlen, "%s %s is larger than %zu bytes", rules->what, path, rules->max_size);
        return FILEIO_REFUSED;
    }
    return FILEIO_OK;
}

int
fileio_check_dir_of(const char *path, const char *what, uid_t self, char *err, size_t errlen)
{
    char dir[PATH_MAX], owner[64], group[64], me[64], mygroup[64];
    struct passwd *pw;
    mode_t mode;
    struct stat st;

    fileio_dir_of(path, dir, sizeof(dir));
    if (stat(dir, &st) != 0) {
        snprintf(err, errlen, "the directory of %s %s: %s", what, path, strerror(errno));
        return FILEIO_ERROR;
    }
    mode = st.st_mode & 07777;
    if (st.st_uid != 0 && st.st_uid != self && self == geteuid() &&
        fileio_setid_hint(st.st_uid) != NULL) {
        snprintf(err, errlen, "the directory of %s %s: %s", what, path,
                 fileio_setid_hint(st.st_uid));
        return FILEIO_REFUSED;
    }
    /* whoever may change the directory may remove the lock file under a
     * login that holds it, or put another file in place of this one */
    if ((st.st_uid != 0 && st.st_uid != self) || (mode & S_IWOTH) ||
        ((mode & S_IWGRP) && st.st_gid != 0)) {
        fileio_user_name(st.st_uid, owner, sizeof(owner));
        fileio_group_name(st.st_gid, group, sizeof(group));
        fileio_user_name(self, me, sizeof(me));
        pw = self == geteuid() ? NULL : passwd_of(NULL, self);
        fileio_group_name(pw != NULL ? pw->pw_gid : getegid(), mygroup, sizeof(mygroup));
        snprintf(err, errlen,
                 "the directory of %s %s is %s:%s mode %04o; it must be root's or %s's and "
                 "writable by no one else (whoever can change it can remove the lock or "
                 "replace the file): chown %s:%s %s && chmod 0700 %s",
                 what, path, owner, group, (unsigned)mode, me, me, mygroup, dir, dir);
        return FILEIO_REFUSED;
    }
    return FILEIO_OK;
}

/* Move @b's @got bytes into a buffer of @size bytes (locked when @secret),
 * wiping the old one.  -1 when out of memory, with @b untouched. */
static int
buf_grow(struct fileio_buf *b, size_t got, size_t size, bool secret)
{
    char *bigger = malloc(size);

    if (bigger == NULL)
        return -1;
    if (secret)
        secmem_lock(bigger, size);
    if (b->text != NULL) {
        memcpy(bigger, b->text, got);
        secmem_wipe(b->text, got);
        free(b->text);
    }
    b->text = bigger;
    return 0;
}

int
fileio_read(const char *path, const struct fileio_rules *rules, struct fileio_buf *out, char *err,
            size_t errlen)
{
    int fd, rc = FILEIO_ERROR;
    size_t got = 0, cap, size;

    memset(out, 0, sizeof(*out));
    fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        snprintf(err, errlen, "%s %s: cannot open: %s", rules->what, path, strerror(errno));
        return errno == ENOENT ? FILEIO_MISSING : errno == ELOOP ? FILEIO_REFUSED : FILEIO_ERROR;
    }
    if (fstat(fd, &out->st) != 0) {
        snprintf(err, errlen, "%s %s: cannot stat: %s", rules->what, path, strerror(errno));
        goto out;
    }
    if ((rc = fileio_check(path, &out->st, rules, err, errlen)) != FILEIO_OK)
        goto out;
    rc = FILEIO_ERROR;
    /* Sized to the file, not to the cap: a 1 MiB buffer locked in RAM cost
     * more than the rest of a login.  The size may change under us, so the
     * buffer grows (to the cap + 1, which detects a file over the cap). */
    cap = rules->max_size;
    size = (size_t)out->st.st_size + 1 + 64 < cap + 1 ? (size_t)out->st.st_size + 1 + 64 : cap + 1;
    if (buf_grow(out, 0, size, rules->secret) != 0) {
        snprintf(err, errlen, "%s %s: out of memory", rules->what, path);
        goto out;
    }
    for (;;) {
        ssize_t n;

        if (got == size - 1 && size < cap + 1) {
            size_t next = size > (cap + 1) / 2 ? cap + 1 : 2 * size;

            if (buf_grow(out, got, next, rules->secret) != 0) {
                snprintf(err, errlen, "%s %s: out of memory", rules->what, path);
                goto out;
            }
            size = next;
        }
        n = read(fd, out->text + got, size - 1 - got + (size == cap + 1));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(err, errlen, "%s %s: read failed: %s", rules->what, path, strerror(errno));
            goto out;
        }
        if (n == 0)
            break;
        got += (size_t)n;
        if (got > cap) {
            snprintf(err, errlen, "%s %s is larger than %zu bytes", rules->what, path, cap);
            rc = FILEIO_REFUSED;
            goto out;
        }
    }
    out->text[got] = '\0';
    out->len = got;
    if (!rules->allow_nul && memchr(out->text, '\0', got) != NULL) {
        snprintf(err, errlen, "%s %s contains a NUL byte", rules->what, path);
        rc = FILEIO_REFUSED;
        goto out;
    }
    rc = FILEIO_OK;
out:
    close(fd);
    if (rc != FILEIO_OK) {
        if (out->text != NULL) {
            secmem_wipe(out->text, got);
            free(out->text);
        }
        out->text = NULL;
        out->len = 0;
    }
    return rc;
}

void
fileio_free(struct fileio_buf *b)
{
    secmem_free(b->text, b->len);
    memset(b, 0, sizeof(*b));
}

static int
write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0) {
            errno = EIO;
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* ".NAME.tmp-" + 16 hex digits */
static int
temp_name(const char *name, bool locked, char *out, size_t size)
{
    unsigned char rnd[8];
    char tag[2 * sizeof(rnd) + 1] = LOCKED_TAG;

    if (!locked && !random_bytes(rnd, sizeof(rnd)))
        return -1;
    if (!locked)
        hex_encode(rnd, sizeof(rnd), tag, sizeof(tag));
    if (snprintf(out, size, ".%s" TMP_TAG "%s", name, tag) >= (int)size) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return 0;
}

/* The new content in a file of its own, synced, with the owner's mode. */
static int
fill(int fd, const void *data, size_t len, const struct fileio_owner *owner)
{
    if (fchmod(fd, owner->mode) != 0)
        return -1;
    if (owner->chown && geteuid() == 0 && fchown(fd, owner->uid, owner->gid) != 0)
        return -1;
    if (write_all(fd, data, len) != 0 || (owner->durable && fsync(fd) != 0))
        return -1;
    return 0;
}

int
fileio_replace_at(int dirfd, const char *dirname, const char *name, const void *data, size_t len,
                  const struct fileio_owner *owner, char *err, size_t errlen)
{
    char tmp[NAME_MAX + 1], proc[64];
    int fd, saved;
    bool linked = false;

    if (temp_name(name, owner->locked, tmp, sizeof(tmp)) != 0) {
        snprintf(err, errlen, "%s/%s: no temporary name: %s", dirname, name, strerror(errno));
        return FILEIO_ERROR;
    }
    if (owner->locked) /* a killed writer's, which no one else writes under the lock */
        (void)unlinkat(dirfd, tmp, 0);
    fd = openat(dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
    if (fd >= 0) {
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
        if (fill(fd, data, len, owner) != 0)
            goto failed;
        if (linkat(AT_FDCWD, proc, dirfd, tmp, AT_SYMLINK_FOLLOW) == 0)
            linked = true;
        else if (errno != ENOENT && errno != EPERM && errno != EXDEV)
            goto failed;
        /* no /proc: the named way below, with a file we write again */
        if (!linked) {
            close(fd);
            fd = -1;
        }
    } else if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
        goto failed;
    }
    if (!linked) {
        fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
            goto failed;
        linked = true;
        if (fill(fd, data, len, owner) != 0)
            goto failed;
    }
    if (close(fd) != 0) {
        fd = -1;
        goto failed;
    }
    fd = -1;
    if (renameat(dirfd, tmp, dirfd, name) != 0)
        goto failed;
    /* the rename is durable only once the directory is */
    if (owner->durable)
        (void)fsync(dirfd);
    return FILEIO_OK;
failed:
    saved = errno;
    snprintf(err, errlen, "cannot write %s/%s: %s", dirname, name,
             saved == EFBIG ? "file size limit (RLIMIT_FSIZE) reached" : strerror(saved));
    if (fd >= 0)
        close(fd);
    if (linked)
        unlinkat(dirfd, tmp, 0);
    return FILEIO_ERROR;
}

void
fileio_dir_of(const char *path, char *dir, size_t dirsize)
{
    const char *slash = strrchr(path, '/');

    if (slash == NULL)
        snprintf(dir, dirsize, ".");
    else
        snprintf(dir, dirsize, "%.*s", slash == path ? 1 : (int)(slash - path), path);
}

/* Open @path's directory; *name points at its last component. */
static int
open_parent(const char *path, char *dir, size_t dirsize, const char **name, char *err,
            size_t errlen)
{
    const char *slash = strrchr(path, '/');
    int dfd;

    if (slash != NULL && (size_t)(slash - path) >= dirsize) {
        snprintf(err, errlen, "%s: path too long", path);
        return -1;
    }
    fileio_dir_of(path, dir, dirsize);
    *name = slash != NULL ? slash + 1 : path;
    if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
        snprintf(err, errlen, "cannot open directory %s: %s", dir, strerror(errno));
    return dfd;
}

int
fileio_replace(const char *path, const void *data, size_t len, const struct fileio_owner *owner,
               char *err, size_t errlen)
{
    char dir[PATH_MAX];
    const char *name;
    int dfd = open_parent(path, dir, sizeof(dir), &name, err, errlen), rc;

    if (dfd < 0)
        return FILEIO_ERROR;
    rc = fileio_replace_at(dfd, dir, name, data, len, owner, err, errlen);
    close(dfd);
    return rc;
}

unsigned
fileio_sweep_path(const char *path, long min_age_s)
{
    char dir[PATH_MAX], err[64];
    const char *name;
    int dfd = open_parent(path, dir, sizeof(dir), &name, err, sizeof(err));
    unsigned n;

    if (dfd < 0)
        return 0;
    n = fileio_sweep(dfd, name, min_age_s);
    close(dfd);
    return n;
}

/* Is @entry a temporary name of @name (of any name when @name is NULL)? */
static bool
is_temp_of(const char *entry, const char *name)
{
    size_t n;

    if (entry[0] != '.')
        return false;
    /* ".tmp-*": what the cache wrote before this file existed */
    if (name == NULL)
        return strstr(entry + 1, TMP_TAG) != NULL || strncmp(entry, TMP_TAG, 5) == 0;
    n = strlen(name);
    return strncmp(entry + 1, name, n) == 0 && strncmp(entry + 1 + n, TMP_TAG, 5) == 0;
}

/* A writer's under a lock (temp_name with @locked)? */
static bool
is_locked_temp(const char *entry)
{
    static const char tail[] = TMP_TAG LOCKED_TAG;
    size_t n = strlen(entry), t = sizeof(tail) - 1;

    return n > t && strcmp(entry + n - t, tail) == 0;
}

int
fileio_locked_temp_name(const char *name, char *out, size_t size)
{
    return temp_name(name, true, out, size);
}

unsigned
fileio_sweep(int dirfd, const char *name, long min_age_s)
{
    int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    time_t now = time(NULL);
    unsigned removed = 0;
    struct dirent *e;

    if (d == NULL) {
        if (fd >= 0)
            close(fd);
        return 0;
    }
    while ((e = readdir(d)) != NULL) {
        struct stat st;

        if (!is_temp_of(e->d_name, name) || (name == NULL && is_locked_temp(e->d_name)))
            continue;
        if (min_age_s > 0 && (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
                              st.st_mtime > now - min_age_s))
            continue;
        if (unlinkat(dirfd, e->d_name, 0) == 0)
            removed++;
    }
    closedir(d);
    return removed;
}
