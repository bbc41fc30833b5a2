/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rlimits.h - the resource limits a login needs, in one table.
 *
 * Linux keeps resource limits across a set-uid exec, and su and sudo keep
 * the calling user's limits while they authenticate, so the helper may
 * start with limits a hostile caller chose: a file size limit that stops
 * the failure record from being written, no file descriptors for the
 * server's socket, no thread for libcurl's resolver.  The helper raises
 * each soft limit to its hard limit and refuses to run when a hard limit is
 * below the table's minimum (a local reason, never "server unreachable");
 * the module's root child (the fork path for set-uid callers) raises the
 * hard limits themselves, as sudo does for its own process.
 *
 * The minimums, and why:
 *   RLIMIT_FSIZE   2 MiB   the tokens file (at most 1 MiB) is rewritten whole
 *   RLIMIT_NOFILE  64      pipes, syslog, tokens and lock files, cache
 *                          directory and locks, server sockets, CA file
 *   RLIMIT_NPROC   64      libcurl's resolver thread; counted per real uid,
 *                          which is _crauth, shared by concurrent logins
 *   RLIMIT_AS      512 MiB OpenSSL, libcurl and expat mapped, a thread's
 *   RLIMIT_DATA    512 MiB stack and malloc arena (measured peak: ~60 MiB)
 *   RLIMIT_STACK   1 MiB   frame buffers live on the stack
 *   RLIMIT_CPU     10 s    a login uses well under a second of CPU
 */
#ifndef CRAUTH_RLIMITS_H
#define CRAUTH_RLIMITS_H

#include <stddef.h>
#include <sys/resource.h>

struct rlimit_need {
    int resource;
    const char *name;
    rlim_t min;
};

/* Entry @i of the table, or NULL past its end. */
const struct rlimit_need *rlimits_need_at(size_t i);

/* In the helper: raise every soft limit of the table (and RLIMIT_CORE's
 * hard limit down to 0) as far as the hard limit allows.  0, or -1 with
 * @err naming the first hard limit below its minimum. */
int rlimits_raise(char *err, size_t errlen);

/* In a child that runs as root before it execs the helper: every limit of
 * the table at least its minimum, soft equal to hard.  Only system calls:
 * safe between fork and exec in a threaded application. */
void rlimits_reset_as_root(void);

#endif
