/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hygiene.h - the process state a caller hands the helper, made safe before
 * anything is read or written (unix_chkpwd's setup_signals(), and more).
 *
 * Linux keeps ignored signals, the signal mask, the session and the
 * resource limits across a set-uid exec, so each of them is the caller's
 * choice until reset here.
 */
#ifndef CRAUTH_HYGIENE_H
#define CRAUTH_HYGIENE_H

#include "helper/tier_helper_only.h"

#include <stddef.h>

/* Seconds the helper may live until its configuration is read. */
#define HYGIENE_START_LIFETIME_S 60

/* Empty environment, umask 077, every signal at its default and none
 * blocked, then INT QUIT HUP TSTP TTIN TTOU PIPE XFSZ ignored; a session of
 * its own (no terminal can stop or interrupt it); descriptors above 2
 * closed; stdout non-blocking (frame writes get a deadline); a lifetime
 * (SIGALRM) the caller cannot cancel.  Returns 0, or -1 with @err when
 * the resource limits are below what a login needs. */
int hygiene_setup(char *err, size_t errlen);

/* Replace the lifetime: @seconds from now. */
void hygiene_lifetime(unsigned seconds);

#endif
