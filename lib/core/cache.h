/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cache.h - what must outlive one helper process, under [cache] dir:
 * outstanding challenge keys, servers that failed to connect, and each
 * user's recent failures.
 *
 * One small file per record, named by a hash (so no user-supplied byte
 * reaches a path), written to a temp file and renamed, read with a size cap
 * and strict parsing; a file that does not parse is logged and deleted.
 * The directory must belong to the helper's user and be writable by no one
 * else.  Updates for one user are serialised by a lock with a timeout:
 * one of CACHE_LOCK_STRIPES lock files, chosen by a hash of the name, so
 * that callers trying any number of user names make no more files; two
 * users share one rarely, and then only while a record is written.
 * Records whose time is over are removed by cache_prune, so a flood of
 * names leaves no more records than the last few minutes made.
 *
 * Functions return reason codes: REASON_OK, or REASON_CACHE with @err set
 * (the caller decides whether the login can go on without the cache).
 */
#ifndef CRAUTH_CACHE_H
#define CRAUTH_CACHE_H

#include "lib/tier_helper_side.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/core/cache_record.h"

#define CACHE_LOCK_TIMEOUT_MS 5000
#define CACHE_LOCK_STRIPES 256  /* "l-00.lock" .. "l-ff.lock" */
#define CACHE_PRUNE_EVERY_S 60  /* one pass over the directory a minute at most */
#define CACHE_PRUNE_BUDGET 2000 /* records a pass reads, about */

struct cache;

/* Open (creating it 0700 if missing and possible) and check the directory. */
int cache_open(const char *dir, struct cache **out, char *err, size_t errlen);
void cache_close(struct cache *c);

/* Remove the records that are over at @now: failure counts whose window
 * has passed, challenges expired an hour ago, and (older than any configuration keeps
 * them) servers marked down; and the per-user lock files of earlier
 * versions.  At most once every CACHE_PRUNE_EVERY_S (a stamp file says
 * when), so most logins only stat the stamp; a pass reads about
 * CACHE_PRUNE_BUDGET records at most, a slice of the names by their hash,
 * and the next pass goes on with the next slice (the stamp says which), so
 * a flood costs the login that prunes a bounded time and is gone after a
 * few passes.  Returns how many files went. */
unsigned cache_prune(struct cache *c, int64_t now);

/* The user's lock.  *fd stays -1 on failure. */
int cache_lock(struct cache *c, const char *user, int timeout_ms, int *fd, char *err,
               size_t errlen);
void cache_unlock(int fd);

/* Store a challenge record (replacing one for the same user, service and
 * rhost). */
int cache_put_challenge(struct cache *c, const struct cache_record *r, char *err, size_t errlen);

/* Remove and return the challenge for user+service+rhost: the key is
 * consumed before anyone can use it.  *found false if there is none. */
int cache_take_challenge(struct cache *c, const char *user, const char *service, const char *rhost,
                         struct cache_record *r, bool *found, char *err, size_t errlen);

/* Count one failure for @user in a window of @window seconds, unless
 * @max are counted already (REASON_RATE_LIMITED, nothing written).
 * *count is the number in the current window.  The caller holds the
 * user's lock. */
int cache_user_reserve(struct cache *c, const char *user, int64_t now, int64_t window, uint32_t max,
                       uint32_t *count, char *err, size_t errlen);
/* Take one failure back (an attempt that judged nothing). */
int cache_user_release(struct cache *c, const char *user, int64_t now, int64_t window, char *err,
                       size_t errlen);
/* Failures in the current window (0 if none or expired). */
uint32_t cache_user_failures(struct cache *c, const char *user, int64_t now, int64_t window);
int cache_user_succeeded(struct cache *c, const char *user, char *err, size_t errlen);

/* A lock file @name in the cache directory, taken without waiting: 0,
 * EWOULDBLOCK when another process holds it, or an errno value.  Held
 * until *fd is closed (or the process ends). */
int cache_slot_lock(struct cache *c, const char *name, int *fd);

/* Server health. */
int cache_server_down(struct cache *c, const char *url, int64_t now, char *err, size_t errlen);
void cache_server_up(struct cache *c, const char *url);
bool cache_server_is_down(struct cache *c, const char *url, int64_t now, int64_t dead_time);

/* Every record, for `crauth cache list`; @fn returns false to stop. */
void cache_walk(struct cache *c, bool (*fn)(const struct cache_record *r, void *arg), void *arg);

/* Delete every record (of @user when not NULL); *removed counts them. */
int cache_flush(struct cache *c, const char *user, unsigned *removed, char *err, size_t errlen);

#endif
