/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * attempts.h - what one attempt leaves for the next ones, in the cache:
 * the per-user failure limit, challenges kept for a later attempt
 * (single_prompt, sudo's retries), and the cap on logins a caller may have
 * in flight.  Nothing here knows the session: callers pass what is needed.
 *
 * The limit counts first: a guess is reserved (counted as a failure) under
 * the per-user lock before it is judged, so any number of parallel
 * attempts judge at most max_failures guesses per window; a success resets
 * the count, an attempt that judged nothing gives its reservation back.
 * When the count cannot be written the guess is not judged (REASON_CACHE).
 */
#ifndef CRAUTH_ATTEMPTS_H
#define CRAUTH_ATTEMPTS_H

#include "helper/tier_helper_only.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "helper/challenge.h"
#include "lib/core/cache.h"

/* Logins one non-root caller may have in flight at once. */
#define ATTEMPTS_CALLER_MAX 4

struct attempts_limit {
    long max_failures; /* 0: no limit */
    long window;       /* seconds */
};

/* REASON_RATE_LIMITED (with *failures set) when the window's failures are
 * used up; REASON_OK otherwise, and when there is no cache or no limit.
 * Reads only: the authoritative check is attempts_reserve. */
int attempts_check(struct cache *c, const char *user, const struct attempts_limit *l,
                   uint32_t *failures);

/* Count one guess before it is judged.  REASON_OK, REASON_RATE_LIMITED or
 * REASON_CACHE (with @err). */
int attempts_reserve(struct cache *c, const char *user, const struct attempts_limit *l,
                     uint32_t *failures, char *err, size_t errlen);

enum attempts_outcome {
    ATTEMPT_SUCCEEDED, /* the user is authenticated: the count starts again */
    ATTEMPT_FAILED,    /* the guess was judged wrong: it stays counted */
    ATTEMPT_UNJUDGED,  /* nothing was judged (no server, cancelled): given back */
};

/* Settle a reservation.  0, or -1 with @err when the cache could not be
 * updated (the count then stays: it errs towards the limit). */
int attempts_settle(struct cache *c, const char *user, const struct attempts_limit *l,
                    enum attempts_outcome outcome, char *err, size_t errlen);

/* Where a kept challenge belongs. */
struct attempts_place {
    const char *user, *service, *rhost, *tty;
};

/* The servers a kept challenge may name as its issuer (challenge.h's
 * server is an index into them): the configured backend's list. */
struct attempts_servers {
    char *const *names;
    unsigned n;
};

enum attempts_taken {
    TAKEN_NONE,     /* there is none */
    TAKEN_OK,       /* @ch is filled and usable */
    TAKEN_EXPIRED,  /* there was one, its time was up */
    TAKEN_UNUSABLE, /* its issuing server is no longer configured, or it was too long */
};

/* Take (and so consume) the challenge kept for @place.  @servers are the
 * configured ones: a kept key is only worth sending to its issuer, so one
 * whose issuer is not among them is TAKEN_UNUSABLE. */
enum attempts_taken attempts_take_challenge(struct cache *c, const struct attempts_place *place,
                                            const struct attempts_servers *servers,
                                            struct challenge *ch);

/* Keep @ch for the next attempt until ch->expires (set to now + @ttl when
 * it is 0), naming its issuer ch->server of @servers.  REASON_OK, or
 * REASON_CACHE; REASON_INTERNAL when ch->server is not one of @servers. */
int attempts_keep_challenge(struct cache *c, const struct attempts_place *place,
                            const struct attempts_servers *servers, long ttl, struct challenge *ch);

/* One of ATTEMPTS_CALLER_MAX slots for @uid, held until release (or the
 * process's end).  REASON_OK with *fd set, REASON_CALLER_BUSY when all are
 * taken, REASON_CACHE without a usable cache. */
int attempts_caller_slot(struct cache *c, uid_t uid, int *fd, char *err, size_t errlen);
void attempts_caller_release(int fd);

#endif
