/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stall.h - was the helper (or crauth-broker's thread making a call for
 * it) held while its thread waited for a server?  A
 * caller can stop its own login (SIGSTOP, a cgroup freezer, a CPU quota on
 * the slice sudo runs in; on the whole helper or on one of its threads)
 * while the server answers in time; the deadline then passes with the
 * answer unread, and the failure would read as "no server could be
 * asked": the fallback path, and the server marked down for every user.
 * A server not reached counts against it only when the waiting thread was
 * able to watch for the answer all along.
 */
#ifndef CRAUTH_STALL_H
#define CRAUTH_STALL_H

#include "lib/tier_helper_side.h"

#include <stddef.h>

/* A wait that ran out is this host's when the waiting thread was held for
 * more than STALL_LIMIT_MS in all and for more than a quarter of the wait:
 * well above what a loaded machine delays a thread (a few ms a wake), well
 * below the shortest timeout (1 s).  Summed, not the longest stretch: a
 * CPU quota throttles in many short periods. */
#define STALL_LIMIT_MS 500

/* Before a wait on the network, on the thread that will wait: start
 * watching it and forget the stretches of earlier waits.  Each waiting
 * thread has its own timer and account, made on its first watch (the
 * helper's main thread, the only one of the helper that waits for
 * servers; each of crauth-broker's call threads). */
void stall_watch_begin(void);

/* A thread that watched and is about to end: its timer goes.  (The
 * helper's thread lives as long as the process and need not call it.) */
void stall_thread_done(void);

/* After the wait, on the same thread: stop the timer (stall_blame_self
 * does it too). */
void stall_watch_end(void);

/* After a server was not reached (any such reason, not only a timeout):
 * REASON_RESOURCE_LIMIT with one line in @err naming @peer when, since
 * stall_watch_begin, the waiting thread was held for long (the tick's
 * lateness or its cgroups' throttled time; STALL_LIMIT_MS and a quarter of
 * the wait), or the helper's threads are not all in one cgroup (one moved
 * alone, whatever the time held), or no timer could be made (then nothing
 * tells a held helper from a silent server, and it fails closed); -1 when
 * the failure was the peer's. */
int stall_blame_self(const char *peer, char *err, size_t errlen);

#endif
