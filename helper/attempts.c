/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * attempts.c - the failure limit, kept challenges and caller slots, in the
 * cache (see attempts.h).
 *
 * The per-user lock is held only around each read-modify-write, never while
 * the user is typing, so a slow user never blocks another login; and while
 * it is held nothing is written to the caller (lockfile.h).
 */
#include "helper/attempts.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/common/log.h"
#include "lib/common/reason.h"
#include "lib/common/secmem.h"

int
attempts_check(struct cache *c, const char *user, const struct attempts_limit *l,
               uint32_t *failures)
{
    *failures = 0;
    if (c == NULL || l->max_failures == 0)
        return REASON_OK;
    *failures = cache_user_failures(c, user, time(NULL), l->window);
    return *failures < (uint32_t)l->max_failures ? REASON_OK : REASON_RATE_LIMITED;
}

int
attempts_reserve(struct cache *c, const char *user, const struct attempts_limit *l,
                 uint32_t *failures, char *err, size_t errlen)
{
    int lock, reason;

    *failures = 0;
    if (l->max_failures == 0)
        return REASON_OK;
    if (c == NULL) {
        snprintf(err, errlen, "the failure limit needs the cache directory");
        return REASON_CACHE;
    }
    if ((reason = cache_lock(c, user, CACHE_LOCK_TIMEOUT_MS, &lock, err, errlen)) != REASON_OK)
        return reason;
    reason = cache_user_reserve(c, user, time(NULL), l->window, (uint32_t)l->max_failures, failures,
                                err, errlen);
    cache_unlock(lock);
    return reason;
}

int
attempts_settle(struct cache *c, const char *user, const struct attempts_limit *l,
                enum attempts_outcome outcome, char *err, size_t errlen)
{
    int lock, reason = REASON_OK;

    if (c == NULL || outcome == ATTEMPT_FAILED)
        return 0;
    /* a success resets the count even without a limit: a limit switched
     * on later starts from a clean slate */
    if (l->max_failures == 0 && outcome == ATTEMPT_UNJUDGED)
        return 0;
    if (cache_lock(c, user, CACHE_LOCK_TIMEOUT_MS, &lock, err, errlen) != REASON_OK)
        return -1;
    if (outcome == ATTEMPT_SUCCEEDED)
        reason = cache_user_succeeded(c, user, err, errlen);
    else
        reason = cache_user_release(c, user, time(NULL), l->window, err, errlen);
    cache_unlock(lock);
    return reason == REASON_OK ? 0 : -1;
}

/* Copy @src into @dst if it fits whole; a cut key would be a wrong key. */
static bool
fits(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);

    if (n >= size)
        return false;
    memcpy(dst, src, n + 1);
    return true;
}

enum attempts_taken
attempts_take_challenge(struct cache *c, const struct attempts_place *place,
                        const struct attempts_servers *servers, struct challenge *ch)
{
    struct cache_record r;
    enum attempts_taken taken = TAKEN_NONE;
    char err[256];
    int lock, server = -1;
    bool found = false;

    if (c == NULL)
        return TAKEN_NONE;
    if (cache_lock(c, place->user, CACHE_LOCK_TIMEOUT_MS, &lock, err, sizeof(err)) != 0) {
        log_msg(LOG_WARNING, "cache: %s", err);
        return TAKEN_NONE;
    }
    if (cache_take_challenge(c, place->user, place->service, place->rhost ? place->rhost : "", &r,
                             &found, err, sizeof(err)) != REASON_OK)
        log_msg(LOG_WARNING, "cache: %s", err);
    cache_unlock(lock);
    if (!found)
        return TAKEN_NONE;
    /* the key is only worth sending to the server that issued it, which
     * must still be configured; "" is a challenge made here (1-step) */
    for (unsigned i = 0; i < servers->n; i++)
        if (strcmp(servers->names[i], r.server) == 0)
            server = (int)i;
    if (r.expires <= (int64_t)time(NULL)) {
        taken = TAKEN_EXPIRED;
    } else if ((server < 0 && r.server[0] != '\0') || !fits(ch->text, sizeof(ch->text), r.text) ||
               !fits(ch->key, sizeof(ch->key), r.key) ||
               !fits(ch->message, sizeof(ch->message), r.message)) {
        taken = TAKEN_UNUSABLE;
    } else {
        ch->server = server;
        ch->expires = r.expires;
        taken = TAKEN_OK;
    }
    secmem_wipe(&r, sizeof(r));
    return taken;
}

int
attempts_keep_challenge(struct cache *c, const struct attempts_place *place,
                        const struct attempts_servers *servers, long ttl, struct challenge *ch)
{
    struct cache_record r = {.type = CACHE_CHALLENGE};
    char err[256];
    int lock, reason;
    int64_t now = time(NULL);

    if (c == NULL)
        return REASON_CACHE;
    /* a key-possession secret lives in its attempt only (backend_local.c):
     * on disk it would outlast the envelope it was sealed in */
    if (ch->block[0] != '\0')
        return REASON_INTERNAL;
    if (ch->server >= 0 && (unsigned)ch->server >= servers->n) {
        log_msg(LOG_ERR, "a challenge from server %d of %u cannot be kept", ch->server, servers->n);
        return REASON_INTERNAL;
    }
    if (ch->expires == 0)
        ch->expires = now + ttl;
    snprintf(r.user, sizeof(r.user), "%s", place->user);
    snprintf(r.service, sizeof(r.service), "%s", place->service);
    snprintf(r.rhost, sizeof(r.rhost), "%s", place->rhost ? place->rhost : "");
    snprintf(r.tty, sizeof(r.tty), "%s", place->tty ? place->tty : "");
    snprintf(r.server, sizeof(r.server), "%s", ch->server >= 0 ? servers->names[ch->server] : "");
    snprintf(r.text, sizeof(r.text), "%s", ch->text);
    snprintf(r.key, sizeof(r.key), "%s", ch->key);
    snprintf(r.message, sizeof(r.message), "%s", ch->message);
    r.created = now;
    r.expires = ch->expires;
    reason = cache_lock(c, place->user, CACHE_LOCK_TIMEOUT_MS, &lock, err, sizeof(err));
    if (reason == REASON_OK) {
        reason = cache_put_challenge(c, &r, err, sizeof(err));
        cache_unlock(lock);
    }
    if (reason != REASON_OK)
        log_msg(LOG_WARNING, "cache: %s", err);
    secmem_wipe(&r, sizeof(r));
    return reason;
}

int
attempts_caller_slot(struct cache *c, uid_t uid, int *fd, char *err, size_t errlen)
{
    *fd = -1;
    if (c == NULL) {
        snprintf(err, errlen, "the cap on logins in flight needs the cache directory");
        return REASON_CACHE;
    }
    for (int i = 0; i < ATTEMPTS_CALLER_MAX; i++) {
        char name[64];
        int rc;

        snprintf(name, sizeof(name), "p-%u-%d.lock", (unsigned)uid, i);
        if ((rc = cache_slot_lock(c, name, fd)) == 0)
            return REASON_OK;
        if (rc != EWOULDBLOCK) {
            snprintf(err, errlen, "cache slot lock %s: %s", name, strerror(rc));
            return REASON_CACHE;
        }
    }
    snprintf(err, errlen, "caller uid %u already has %d logins in progress", (unsigned)uid,
             ATTEMPTS_CALLER_MAX);
    return REASON_CALLER_BUSY;
}

void
attempts_caller_release(int fd)
{
    if (fd >= 0)
        close(fd);
}
