/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stall.h - was this process kept from running while it waited for a
 * server?  A caller can stop its own login (SIGSTOP, a cgroup freezer, a
 * CPU quota on the slice sudo runs in) while the server answers in time;
 * the deadline then passes with the answer unread, and the timeout would
 * read as "no server could be asked": the fallback path, and the server
 * marked down for every user.  A timeout counts against the server only
 * when this process was able to watch for the answer all along.
 */
#ifndef CRAUTH_STALL_H
#define CRAUTH_STALL_H

#include "lib/tier_helper_side.h"

#include <stddef.h>

/* A timeout is this host's when, during the wait, this process was kept
 * from running for more than STALL_LIMIT_MS in all and for more than a
 * quarter of the wait: well above what a loaded machine delays a thread
 * (a few ms a wake), well below the shortest timeout (1 s).  Summed, not
 * the longest stretch: a CPU quota throttles in many short periods. */
#define STALL_LIMIT_MS 500

/* Before a wait on the network, on the thread that will wait: start
 * watching it (a timer signalling that thread) and forget the stretches
 * of earlier waits. */
void stall_watch_begin(void);

/* After the wait, on the same thread: stop the timer (stall_blame_self
 * does it too). */
void stall_watch_end(void);

/* After a wait ran out: REASON_RESOURCE_LIMIT with one line in @err naming
 * @peer when, since stall_watch_begin, this process was kept from running
 * for long (STALL_LIMIT_MS), or no watch could be started (no timer:
 * then nothing tells a held helper from a silent server, and the timeout
 * fails closed); -1 when the silence was the peer's. */
int stall_blame_self(const char *peer, char *err, size_t errlen);

#endif
