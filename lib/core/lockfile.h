/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lockfile.h - an exclusive flock with a timeout.
 *
 * flock(2) has no timeout; a stuck peer must cost a bounded wait, so the
 * lock is polled.  While a lock is held, log lines are queued rather than
 * written (log_defer_begin): a holder never waits on its caller's pipe, so
 * a caller that stops reading cannot stall everyone waiting for the lock.
 */
#ifndef CRAUTH_LOCKFILE_H
#define CRAUTH_LOCKFILE_H

#include "lib/tier_helper_side.h"

/* 0, or an errno value (EWOULDBLOCK on timeout). */
int lockfile_acquire(int fd, int timeout_ms);

/* Drop a lock lockfile_acquire took, closing @fd (-1: nothing to do). */
void lockfile_release(int fd);

#endif
