/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cache.c - cache records as files in one directory.
 *
 * Every access goes through a descriptor of the checked directory with
 * O_NOFOLLOW (openat/renameat/unlinkat), so a swapped path or a planted
 * symlink cannot redirect a write.  Names are "c-", "u-" or "s-" followed by
 * a SHA-256 prefix of what the record is about; lock files "l-" and two hex
 * digits of the user's (cache.h).
 */
#include "lib/core/cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "lib/core/digest.h"
#include "lib/core/fileio.h"
#include "lib/core/lockfile.h"
#include "lib/common/hex.h"
#include "lib/common/log.h"
#include "lib/common/reason.h"
#include "lib/common/secmem.h"

#define NAME_SIZE 40
#define CACHE_STALE_TEMP_S 60
#define PRUNE_STAMP "prune.stamp"
#define PRUNE_SHARDS 256
/* the longest failure_window, dead_time or radius dead_time crauth.conf
 * allows (lib/core/conf.c), and a minute */
#define CACHE_LONGEST_S (86400 + 60)
#define CACHE_EXPIRED_KEPT_S 3600

struct cache {
    int dfd;
    char dir[PATH_MAX];
};

/* "P-" + 32 hex digits of SHA-256(a NUL b NUL c). */
static void
record_name(char out[NAME_SIZE], char prefix, const char *a, const char *b, const char *c)
{
    uint8_t md[DIGEST_MAX] = {0};
    const char *parts[3] = {a, b, c};
    struct iovec iov[3];

    for (int i = 0; i < 3; i++) {
        iov[i].iov_base = (void *)(parts[i] ? parts[i] : "");
        iov[i].iov_len = strlen(iov[i].iov_base) + 1;
    }
    digest_hash(DIGEST_SHA256, iov, 3, md);
    out[0] = prefix;
    out[1] = '-';
    hex_encode(md, 16, out + 2, NAME_SIZE - 2); /* 33 bytes: it fits */
}

int
cache_open(const char *dir, struct cache **out, char *err, size_t errlen)
{
    struct cache *c;
    struct stat st;
    int dfd;

    *out = NULL;
    dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    /* EEXIST: a concurrent login made it first, which is just as good */
    if (dfd < 0 && errno == ENOENT && (mkdir(dir, 0700) == 0 || errno == EEXIST))
        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0) {
        struct stat link;
        int e = errno;

        if ((e == ENOTDIR || e == ELOOP) && lstat(dir, &link) == 0 && S_ISLNK(link.st_mode))
            snprintf(err, errlen,
                     "cache dir %s is a symbolic link, which is not followed: set [cache] dir "
                     "to the directory itself",
                     dir);
        else
            snprintf(err, errlen, "cache dir %s: %s", dir, strerror(e));
        return REASON_CACHE;
    }
    if (fstat(dfd, &st) != 0 || st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH))) {
        char self[64], group[64], owner[64];

        fileio_user_name(geteuid(), self, sizeof(self));
        fileio_group_name(getegid(), group, sizeof(group));
        fileio_user_name(st.st_uid, owner, sizeof(owner));
        if (st.st_uid != geteuid() && fileio_setid_hint(st.st_uid) != NULL)
            snprintf(err, errlen, "cache dir %s: %s", dir, fileio_setid_hint(st.st_uid));
        else
            snprintf(err, errlen,
                     "cache dir %s must be owned by %s and writable by no one "
                     "else (it is %s's, mode %04o): chown %s:%s %s && chmod 0700 %s",
                     dir, self, owner, (unsigned)(st.st_mode & 07777), self, group, dir, dir);
        close(dfd);
        return REASON_CACHE;
    }
    if ((c = calloc(1, sizeof(*c))) == NULL) {
        close(dfd);
        snprintf(err, errlen, "out of memory");
        return REASON_CACHE;
    }
    c->dfd = dfd;
    snprintf(c->dir, sizeof(c->dir), "%s", dir);
    *out = c;
    return REASON_OK;
}

void
cache_close(struct cache *c)
{
    if (c != NULL) {
        close(c->dfd);
        free(c);
    }
}

int
cache_lock(struct cache *c, const char *user, int timeout_ms, int *fd, char *err, size_t errlen)
{
    char base[NAME_SIZE], name[16];
    int rc;

    /* the first two hex digits of the user's record name: 256 stripes */
    record_name(base, 'u', user, NULL, NULL);
    snprintf(name, sizeof(name), "l-%.2s.lock", base + 2);
    *fd = openat(c->dfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (*fd < 0) {
        snprintf(err, errlen, "cache lock in %s: %s", c->dir, strerror(errno));
        return REASON_CACHE;
    }
    if ((rc = lockfile_acquire(*fd, timeout_ms)) != 0) {
        snprintf(err, errlen, "cache lock for this user in %s: %s", c->dir,
                 rc == EWOULDBLOCK ? "held by another login for too long" : strerror(rc));
        close(*fd);
        *fd = -1;
        return REASON_CACHE;
    }
    return REASON_OK;
}

void
cache_unlock(int fd)
{
    lockfile_release(fd);
}

/* @locked: the caller holds the lock every writer of @name takes, so its
 * temporary name is fixed and a killed writer's is replaced (fileio.h);
 * other writers' leftovers go in cache_prune's sweep of old ones. */
static int
write_record(struct cache *c, const char *name, const struct cache_record *r, bool locked,
             char *err, size_t errlen)
{
    const struct fileio_owner owner = {.mode = 0600, .locked = locked};
    char buf[CACHE_MAX_FILE + 1];
    int len = cache_record_format(r, buf, sizeof(buf));
    int rc = REASON_CACHE;

    if (len < 0) {
        snprintf(err, errlen, "cache record too large, or a control character in its text");
        return REASON_CACHE;
    }
    if (fileio_replace_at(c->dfd, c->dir, name, buf, (size_t)len, &owner, err, errlen) == FILEIO_OK)
        rc = REASON_OK;
    secmem_wipe(buf, sizeof(buf));
    return rc;
}

/* Read a record; a missing file is *found = false, a bad one is logged,
 * removed and also *found = false. */
static void
read_record(struct cache *c, const char *name, struct cache_record *r, bool *found)
{
    char buf[CACHE_MAX_FILE + 1], why[128];
    struct stat st;
    ssize_t n = -1;
    int fd;

    *found = false;
    fd = openat(c->dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        if (errno != ENOENT)
            log_msg(LOG_WARNING, "cache file %s/%s unreadable: %s", c->dir, name, strerror(errno));
        return;
    }
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= CACHE_MAX_FILE)
        n = read(fd, buf, CACHE_MAX_FILE + 1);
    close(fd);
    if (n < 0 || n > CACHE_MAX_FILE) {
        snprintf(why, sizeof(why), "not a regular file of at most %d bytes", CACHE_MAX_FILE);
    } else if (cache_record_parse(buf, (size_t)n, r, why, sizeof(why)) == 0) {
        *found = true;
    }
    secmem_wipe(buf, sizeof(buf));
    if (!*found) {
        log_msg(LOG_WARNING, "cache file %s/%s is corrupt (%s); discarded", c->dir, name, why);
        unlinkat(c->dfd, name, 0);
        secmem_wipe(r, sizeof(*r));
    }
}

int
cache_put_challenge(struct cache *c, const struct cache_record *r, char *err, size_t errlen)
{
    char name[NAME_SIZE];

    record_name(name, 'c', r->user, r->service, r->rhost);
    return write_record(c, name, r, true, err, errlen);
}

int
cache_take_challenge(struct cache *c, const char *user, const char *service, const char *rhost,
                     struct cache_record *r, bool *found, char *err, size_t errlen)
{
    char name[NAME_SIZE];

    record_name(name, 'c', user, service, rhost);
    read_record(c, name, r, found);
    if (!*found)
        return REASON_OK;
    /* consumed first: whatever happens next, this key is not used twice */
    if (unlinkat(c->dfd, name, 0) != 0) {
        snprintf(err, errlen, "cannot consume the cached challenge in %s: %s", c->dir,
                 strerror(errno));
        secmem_wipe(r, sizeof(*r));
        *found = false;
        return REASON_CACHE;
    }
    if (r->type != CACHE_CHALLENGE || strcmp(r->user, user) != 0 ||
        strcmp(r->service, service) != 0 || strcmp(r->rhost, rhost ? rhost : "") != 0) {
        secmem_wipe(r, sizeof(*r));
        *found = false;
    }
    return REASON_OK;
}

/* The user's record if it is about @user and its window is still open. */
static bool
current_failures(struct cache *c, const char *user, int64_t now, int64_t window,
                 struct cache_record *r)
{
    char name[NAME_SIZE];
    bool found;

    record_name(name, 'u', user, NULL, NULL);
    read_record(c, name, r, &found);
    return found && r->type == CACHE_USER && strcmp(r->user, user) == 0 && r->window_start <= now &&
           r->window_start + window > now;
}

uint32_t
cache_user_failures(struct cache *c, const char *user, int64_t now, int64_t window)
{
    struct cache_record r;

    return current_failures(c, user, now, window, &r) ? r.failures : 0;
}

int
cache_user_reserve(struct cache *c, const char *user, int64_t now, int64_t window, uint32_t max,
                   uint32_t *count, char *err, size_t errlen)
{
    struct cache_record r;
    char name[NAME_SIZE];
    int rc;

    if (!current_failures(c, user, now, window, &r)) {
        memset(&r, 0, sizeof(r));
        r.type = CACHE_USER;
        r.window_start = now;
        snprintf(r.user, sizeof(r.user), "%s", user);
    }
    r.window = window;
    *count = r.failures;
    if (r.failures >= max) {
        snprintf(err, errlen, "%u failures in the window", r.failures);
        return REASON_RATE_LIMITED;
    }
    r.failures++;
    record_name(name, 'u', user, NULL, NULL);
    rc = write_record(c, name, &r, true, err, errlen);
    if (rc == REASON_OK)
        *count = r.failures;
    return rc;
}

int
cache_user_release(struct cache *c, const char *user, int64_t now, int64_t window, char *err,
                   size_t errlen)
{
    struct cache_record r;
    char name[NAME_SIZE];

    if (!current_failures(c, user, now, window, &r) || r.failures == 0)
        return REASON_OK;
    /* nothing left to count: no record, as before the attempt */
    if (--r.failures == 0)
        return cache_user_succeeded(c, user, err, errlen);
    record_name(name, 'u', user, NULL, NULL);
    return write_record(c, name, &r, true, err, errlen);
}

int
cache_slot_lock(struct cache *c, const char *name, int *fd)
{
    *fd = openat(c->dfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (*fd < 0)
        return errno;
    if (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;

        close(*fd);
        *fd = -1;
        return e;
    }
    return 0;
}

int
cache_user_succeeded(struct cache *c, const char *user, char *err, size_t errlen)
{
    char name[NAME_SIZE];

    record_name(name, 'u', user, NULL, NULL);
    if (unlinkat(c->dfd, name, 0) != 0 && errno != ENOENT) {
        snprintf(err, errlen, "cannot reset failures in %s: %s", c->dir, strerror(errno));
        return REASON_CACHE;
    }
    return REASON_OK;
}

int
cache_server_down(struct cache *c, const char *url, int64_t now, char *err, size_t errlen)
{
    struct cache_record r = {.type = CACHE_SERVER, .down_since = now};
    char name[NAME_SIZE];

    record_name(name, 's', url, NULL, NULL);
    snprintf(r.server, sizeof(r.server), "%s", url);
    return write_record(c, name, &r, false, err, errlen);
}

void
cache_server_up(struct cache *c, const char *url)
{
    char name[NAME_SIZE];

    record_name(name, 's', url, NULL, NULL);
    unlinkat(c->dfd, name, 0);
}

bool
cache_server_is_down(struct cache *c, const char *url, int64_t now, int64_t dead_time)
{
    struct cache_record r;
    char name[NAME_SIZE];
    bool found;

    record_name(name, 's', url, NULL, NULL);
    read_record(c, name, &r, &found);
    return found && r.type == CACHE_SERVER && strcmp(r.server, url) == 0 &&
           r.down_since + dead_time > now && r.down_since <= now;
}

/* "P-" and 32 hex digits, and (@lock) ".lock" after them. */
static bool
is_record_name(const char *entry, bool lock)
{
    size_t n = strlen(entry);

    if (n != (lock ? 39u : 34u) || entry[1] != '-' || strchr("cus", entry[0]) == NULL ||
        (lock && strcmp(entry + 34, ".lock") != 0))
        return false;
    for (size_t i = 2; i < 34; i++)
        if (!((entry[i] >= '0' && entry[i] <= '9') || (entry[i] >= 'a' && entry[i] <= 'f')))
            return false;
    return true;
}

/* Is the record in file @name over at @now?  A user's failures when their
 * window has passed, a challenge an hour after it expired; a server marked down,
 * and a user record of an earlier version (no window in it), when it is
 * older (@st) than any configuration keeps one. */
static bool
record_is_over(struct cache *c, const char *name, const struct stat *st, int64_t now)
{
    struct cache_record r;
    bool found, over = false;

    if (name[0] == 's')
        return st->st_mtime <= now - CACHE_LONGEST_S;
    read_record(c, name, &r, &found); /* a corrupt one is removed there */
    if (found && r.type == CACHE_USER)
        over =
            r.window > 0 ? r.window_start + r.window <= now : st->st_mtime <= now - CACHE_LONGEST_S;
    else if (found && r.type == CACHE_CHALLENGE)
        /* kept an hour past its expiry, so that the next attempt can still
         * say "the challenge has expired" instead of starting over */
        over = r.expires + CACHE_EXPIRED_KEPT_S <= now;
    secmem_wipe(&r, sizeof(r));
    return over;
}

/* Remove the record in file @name if it is over, under its user's lock
 * (taken without waiting: a busy user's records wait for the next pass),
 * so that a login rewriting it meanwhile loses nothing. */
static bool
prune_one(struct cache *c, const char *name, int64_t now)
{
    struct cache_record r;
    struct stat st;
    bool found, gone = false;
    int lock = -1;
    char err[128];

    if (fstatat(c->dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return false;
    if (name[0] != 's') {
        read_record(c, name, &r, &found);
        if (!found || cache_lock(c, r.user, 0, &lock, err, sizeof(err)) != REASON_OK) {
            secmem_wipe(&r, sizeof(r));
            return false;
        }
        secmem_wipe(&r, sizeof(r));
    }
    if (record_is_over(c, name, &st, now) && unlinkat(c->dfd, name, 0) == 0) {
        char tmp[NAME_SIZE + 16];

        gone = true;
        /* a killed writer's fixed temporary name, which only the lock's
         * holder may take away (fileio_sweep leaves it) */
        if (name[0] != 's' && fileio_locked_temp_name(name, tmp, sizeof(tmp)) == 0)
            (void)unlinkat(c->dfd, tmp, 0);
    }
    cache_unlock(lock);
    return gone;
}

/* Which of PRUNE_SHARDS a record belongs to: its name's first two hex
 * digits, uniform because the name is a hash. */
static unsigned
prune_shard(const char *name)
{
    uint8_t b = 0;
    size_t n;

    return hex_decode(name + 2, 2, &b, 1, &n) == 0 && n == 1 ? b : 0;
}

/* The shard the last pass stopped before, as the stamp file holds it. */
static unsigned
prune_resume_at(int stamp)
{
    char text[8] = {0};
    unsigned long v;
    char *end;

    if (pread(stamp, text, sizeof(text) - 1, 0) <= 0)
        return 0;
    v = strtoul(text, &end, 10);
    return end != text && *end == '\n' && v < PRUNE_SHARDS ? (unsigned)v : 0;
}

static void
prune_resume_next(int stamp, unsigned shard)
{
    char text[8];
    /* always four bytes, so a longer text before it needs no truncating */
    int n = snprintf(text, sizeof(text), "%03u\n", shard % PRUNE_SHARDS);

    if (pwrite(stamp, text, (size_t)n, 0) != n) /* then the next pass repeats this one's slice */
        log_debug("cache prune: cannot note where the next pass starts: %s", strerror(errno));
}

unsigned
cache_prune(struct cache *c, int64_t now)
{
    struct timespec times[2] = {{.tv_nsec = UTIME_NOW}, {.tv_nsec = UTIME_NOW}};
    struct stat st;
    unsigned removed = 0, per_shard[PRUNE_SHARDS] = {0}, first, width, reading = 0;
    struct dirent *e;
    DIR *d;
    int fd, stamp;

    if (fstatat(c->dfd, PRUNE_STAMP, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
        st.st_mtime > now - CACHE_PRUNE_EVERY_S && st.st_mtime <= now)
        return 0;
    /* the stamp first: helpers starting meanwhile skip the pass */
    stamp = openat(c->dfd, PRUNE_STAMP, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (stamp < 0)
        return 0;
    (void)futimens(stamp, times);
    first = prune_resume_at(stamp);
    /* a fresh descriptor: a dup would share (and inherit) the read offset */
    fd = openat(c->dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if ((d = fd >= 0 ? fdopendir(fd) : NULL) == NULL) {
        if (fd >= 0)
            close(fd);
        close(stamp);
        return 0;
    }
    /* Names cost little to list, records to read and lock: a pass reads
     * the records of as many shards, from where the last pass stopped, as
     * CACHE_PRUNE_BUDGET fills (one at least), and the next pass goes on
     * from there; readdir's own order cannot be resumed. */
    /* a writer is between link and rename for microseconds: a temporary
     * name older than this is a killed writer's */
    removed += fileio_sweep(c->dfd, NULL, CACHE_STALE_TEMP_S);
    while ((e = readdir(d)) != NULL) {
        if (is_record_name(e->d_name, false))
            per_shard[prune_shard(e->d_name)]++;
        /* one lock file per user name was the rule before the stripes */
        else if (is_record_name(e->d_name, true) && unlinkat(c->dfd, e->d_name, 0) == 0)
            removed++;
    }
    for (width = 0; width < PRUNE_SHARDS; width++) {
        unsigned more = per_shard[(first + width) % PRUNE_SHARDS];

        if (width > 0 && reading + more > CACHE_PRUNE_BUDGET)
            break;
        reading += more;
    }
    rewinddir(d);
    while ((e = readdir(d)) != NULL)
        if (is_record_name(e->d_name, false) &&
            (prune_shard(e->d_name) + PRUNE_SHARDS - first) % PRUNE_SHARDS < width)
            removed += prune_one(c, e->d_name, now);
    closedir(d);
    prune_resume_next(stamp, first + width);
    close(stamp);
    return removed;
}

/* Calls @fn(name, record) for every record file. */
static void
each_record(struct cache *c,
            bool (*fn)(struct cache *, const char *, const struct cache_record *, void *),
            void *arg)
{
    /* a fresh descriptor: a dup would share (and inherit) the read offset */
    int fd = openat(c->dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    struct dirent *e;

    if (d == NULL) {
        if (fd >= 0)
            close(fd);
        return;
    }
    while ((e = readdir(d)) != NULL) {
        struct cache_record r;
        bool found;

        if (!is_record_name(e->d_name, false))
            continue;
        read_record(c, e->d_name, &r, &found);
        if (found && !fn(c, e->d_name, &r, arg)) {
            secmem_wipe(&r, sizeof(r));
            break;
        }
        secmem_wipe(&r, sizeof(r));
    }
    closedir(d);
}

struct walk_arg {
    bool (*fn)(const struct cache_record *, void *);
    void *arg;
};

static bool
walk_one(struct cache *c, const char *name, const struct cache_record *r, void *arg)
{
    struct walk_arg *w = arg;

    (void)c, (void)name;
    return w->fn(r, w->arg);
}

void
cache_walk(struct cache *c, bool (*fn)(const struct cache_record *r, void *arg), void *arg)
{
    struct walk_arg w = {fn, arg};

    each_record(c, walk_one, &w);
}

struct flush_arg {
    const char *user;
    unsigned removed;
    int failed_errno;
};

static bool
flush_one(struct cache *c, const char *name, const struct cache_record *r, void *arg)
{
    struct flush_arg *f = arg;

    if (f->user != NULL && (r->type == CACHE_SERVER || strcmp(r->user, f->user) != 0))
        return true;
    if (unlinkat(c->dfd, name, 0) == 0)
        f->removed++;
    else
        f->failed_errno = errno;
    return true;
}

int
cache_flush(struct cache *c, const char *user, unsigned *removed, char *err, size_t errlen)
{
    struct flush_arg f = {user, 0, 0};

    each_record(c, flush_one, &f);
    if (user == NULL)
        f.removed += fileio_sweep(c->dfd, NULL, 0);
    *removed = f.removed;
    if (f.failed_errno != 0) {
        snprintf(err, errlen, "cannot remove from %s: %s", c->dir, strerror(f.failed_errno));
        return REASON_CACHE;
    }
    return REASON_OK;
}
