/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * attempts.h - the session's use of the cache: challenges that outlive one
 * attempt (single_prompt, sudo's retries) and the per-user failure limit.
 *
 * Every function works without a cache (s->cache NULL) by doing nothing,
 * except those that say they need it.
 */
#ifndef CRAUTH_PENDING_H
#define CRAUTH_PENDING_H

#include "helper/tier_helper_only.h"

#include <stdbool.h>

#include "helper/session.h"

/* Take (and so consume) the outstanding challenge for this user, service
 * and rhost.  Returns true with @ch filled when one is usable; *expired is
 * set when one existed but its time was up. */
bool pending_take(struct session *s, struct challenge *ch, bool *expired);

/* Keep @ch for the next attempt (expiry: ch->expires, or now +
 * challenge_ttl for a fresh one).  REASON_OK or REASON_CACHE. */
int pending_keep(struct session *s, struct challenge *ch);

/* REASON_RATE_LIMITED when the user has used up the failures allowed in
 * the window, else REASON_OK. */
int pending_limit_check(struct session *s);

/* Count the attempt's outcome toward the limit (wrong codes count, a
 * success resets). */
void pending_limit_record(struct session *s, int reason);

#endif
