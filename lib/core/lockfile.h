/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lockfile.h - an exclusive flock with a timeout.
 *
 * flock(2) has no timeout; a stuck peer must cost a bounded wait, so the
 * lock is polled.  Returns 0, or an errno value (EWOULDBLOCK on timeout).
 */
#ifndef CRAUTH_LOCKFILE_H
#define CRAUTH_LOCKFILE_H

#include "lib/tier_helper_side.h"

int lockfile_acquire(int fd, int timeout_ms);

#endif
