/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * spawn.h - running crauth-helper the way pam_unix runs unix_chkpwd.
 *
 * Fixed path, empty environment, stdin/stdout are our pipes, stderr is
 * /dev/null, every other descriptor closed.  While the helper runs, SIGCHLD
 * is at its default so the application cannot reap it behind our back.
 */
#ifndef CRAUTH_SPAWN_H
#define CRAUTH_SPAWN_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <security/pam_modules.h>

struct helper_proc {
    pid_t pid;
    int to_helper;   /* write end: frames to the helper */
    int from_helper; /* read end: frames from the helper */
    struct sigaction saved_chld;
    bool chld_saved;
};

/* Start the helper at @path.  REASON_OK, or REASON_HELPER_UNAVAILABLE with @err set. */
int helper_start(const char *path, struct helper_proc *h, char *err, size_t errlen);

/* Close our ends and collect the exit status, waiting until @deadline_ms
 * (CLOCK_MONOTONIC), then SIGKILL.  *status is the wait status; returns
 * false if the helper had to be killed. */
bool helper_finish(struct helper_proc *h, int64_t deadline_ms, int *status);

/* Kill the helper now and collect it. */
void helper_kill(struct helper_proc *h);

#endif
