/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net.h - getaddrinfo with a deadline.
 *
 * glibc's resolver waits as long as resolv.conf allows (timeout x attempts
 * x name servers: 30 s and more with dead servers), far past the
 * connect_timeout a login promises.  resolve_bounded runs the lookup on
 * glibc's getaddrinfo_a thread and stops waiting at the deadline.
 *
 * resolve_bounded returns:
 *   0                   *res holds the addresses (freeaddrinfo them)
 *   RESOLVE_TIMED_OUT   no answer by @deadline_ms (CLOCK_MONOTONIC ms)
 *   EAI_*               what getaddrinfo said (gai_strerror names it)
 */
#ifndef CRAUTH_RESOLVE_H
#define CRAUTH_RESOLVE_H

#include "lib/tier_helper_side.h"

#include <netdb.h>
#include <stdint.h>

#define RESOLVE_TIMED_OUT 1 /* EAI_* codes are negative */

int resolve_bounded(const char *host, const char *port, const struct addrinfo *hints,
                    int64_t deadline_ms, struct addrinfo **res);

#endif
