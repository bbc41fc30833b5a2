/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * privs.h - the helper's privilege boundary (doc/design.md 2, crauth-helper(8)).
 *
 * Installed setuid and setgid to _crauth, the helper starts with the
 * caller's real ids and _crauth's effective ids.  privs_drop() records the
 * caller, then makes every uid and gid _crauth for good (the caller can no
 * longer signal, trace or dump it), drops supplementary groups when root
 * called, and sets no-new-privs, not-dumpable and no core files.  Run
 * without the set-id bits (tests, a plain `make install`) it only hardens.
 */
#ifndef CRAUTH_PRIVS_H
#define CRAUTH_PRIVS_H

#include "helper/tier_helper_only.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct caller {
    uid_t uid;       /* real uid at start: who asked */
    bool set_id;     /* we ran set-uid/set-gid: the caller rules apply */
    bool restricted; /* set_id and the caller is not root */
};

/* 0, or -1 with @err set: the helper must then refuse to work. */
int privs_drop(struct caller *c, char *err, size_t errlen);

#endif
