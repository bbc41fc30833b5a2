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
 *   RESOLVE_LOCAL_FAILURE  this machine could not run the lookup (no thread,
 *                       no memory, a system error): not the network's fault
 *   EAI_*               what getaddrinfo said (gai_strerror names it)
 */
#ifndef CRAUTH_RESOLVE_H
#define CRAUTH_RESOLVE_H

#include "lib/tier_helper_side.h"

#include <netdb.h>
#include <stdbool.h>
#include <stdint.h>

#define RESOLVE_TIMED_OUT 1     /* EAI_* codes are negative */
#define RESOLVE_LOCAL_FAILURE 2


int resolve_bounded(const char *host, const char *port, const struct addrinfo *hints,
                    int64_t deadline_ms, struct addrinfo **res);

/* Is @err_no (of socket(2) or connect(2)) a shortage of this machine
 * (descriptors, memory, buffers) rather than the network's answer? */
bool net_errno_is_local(int err_no);

#endif
