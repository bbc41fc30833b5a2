/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * attempts.c - outstanding challenges and attempt limits, kept in the cache.
 *
 * The per-user lock is held only around each read-modify-write, never while
 * the user is typing, so a slow user never blocks another login.
 */
#include "helper/attempts.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lib/core/cache.h"
#include "lib/common/log.h"
#include "lib/common/reason.h"
#include "lib/common/secmem.h"

static const char *
rhost_of(const struct session *s)
{
    return s->rhost ? s->rhost : "";
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

bool
pending_take(struct session *s, struct challenge *ch, bool *expired)
{
    struct cache_record r;
    char err[256];
    int lock, server = -1;
    bool found = false;

    *expired = false;
    if (s->cache == NULL)
        return false;
    if (cache_lock(s->cache, s->user, CACHE_LOCK_TIMEOUT_MS, &lock, err, sizeof(err)) != 0) {
        log_msg(LOG_WARNING, "cache: %s", err);
        return false;
    }
    if (cache_take_challenge(s->cache, s->user, s->service, rhost_of(s), &r, &found, err,
                             sizeof(err)) != REASON_OK)
        log_msg(LOG_WARNING, "cache: %s", err);
    cache_unlock(lock);
    if (!found)
        return false;
    /* the key is only worth sending to the server that issued it, which
     * must still be configured; "" is a challenge made here (1-step) */
    for (unsigned i = 0; i < s->cfg->n_urls; i++)
        if (strcmp(s->cfg->urls[i], r.server) == 0)
            server = (int)i;
    if (r.expires <= (int64_t)time(NULL)) {
        *expired = true;
        session_note(s, "cached_challenge", "expired");
    } else if (server < 0 && r.server[0] != '\0') {
        session_note(s, "cached_challenge", "issuing server no longer configured");
    } else if (!fits(ch->text, sizeof(ch->text), r.text) ||
               !fits(ch->key, sizeof(ch->key), r.key) ||
               !fits(ch->message, sizeof(ch->message), r.message)) {
        session_note(s, "cached_challenge", "fields too long; discarded");
    } else {
        ch->server = server;
        ch->expires = r.expires;
        session_note(s, "cached_challenge", "taken");
        found = true;
        goto out;
    }
    found = false;
out:
    secmem_wipe(&r, sizeof(r));
    return found;
}

int
pending_keep(struct session *s, struct challenge *ch)
{
    struct cache_record r = {.type = CACHE_CHALLENGE};
    char err[256];
    int lock, reason;
    int64_t now = time(NULL);

    if (s->cache == NULL)
        return REASON_CACHE;
    if (ch->expires == 0)
        ch->expires = now + s->cfg->challenge_ttl;
    snprintf(r.user, sizeof(r.user), "%s", s->user);
    snprintf(r.service, sizeof(r.service), "%s", s->service);
    snprintf(r.rhost, sizeof(r.rhost), "%s", rhost_of(s));
    snprintf(r.tty, sizeof(r.tty), "%s", s->tty ? s->tty : "");
    snprintf(r.server, sizeof(r.server), "%s", ch->server >= 0 ? s->cfg->urls[ch->server] : "");
    snprintf(r.text, sizeof(r.text), "%s", ch->text);
    snprintf(r.key, sizeof(r.key), "%s", ch->key);
    snprintf(r.message, sizeof(r.message), "%s", ch->message);
    r.created = now;
    r.expires = ch->expires;
    reason = cache_lock(s->cache, s->user, CACHE_LOCK_TIMEOUT_MS, &lock, err, sizeof(err));
    if (reason == REASON_OK) {
        reason = cache_put_challenge(s->cache, &r, err, sizeof(err));
        cache_unlock(lock);
    }
    if (reason != REASON_OK)
        log_msg(LOG_WARNING, "cache: %s", err);
    secmem_wipe(&r, sizeof(r));
    return reason;
}

int
pending_limit_check(struct session *s)
{
    uint32_t failures;

    if (s->cache == NULL || s->cfg->max_failures == 0)
        return REASON_OK;
    failures = cache_user_failures(s->cache, s->user, time(NULL), s->cfg->failure_window);
    if (failures < (uint32_t)s->cfg->max_failures)
        return REASON_OK;
    {
        char n[16];

        snprintf(n, sizeof(n), "%u", failures);
        session_note(s, "recent_failures", n);
    }
    return REASON_RATE_LIMITED;
}

void
pending_limit_record(struct session *s, int reason)
{
    char err[256];
    uint32_t count;
    int lock;

    if (s->cache == NULL || (reason != REASON_OK && reason != REASON_WRONG_RESPONSE &&
                             reason != REASON_REPLAYED))
        return;
    if (cache_lock(s->cache, s->user, CACHE_LOCK_TIMEOUT_MS, &lock, err, sizeof(err)) != 0) {
        log_msg(LOG_WARNING, "cache: %s", err);
        return;
    }
    if (reason == REASON_OK) {
        if (cache_user_succeeded(s->cache, s->user, err, sizeof(err)) != REASON_OK)
            log_msg(LOG_WARNING, "cache: %s", err);
    } else if (cache_user_failed(s->cache, s->user, time(NULL), s->cfg->failure_window, &count,
                                 err, sizeof(err)) != REASON_OK) {
        log_msg(LOG_WARNING, "cache: %s", err);
    }
    cache_unlock(lock);
}
