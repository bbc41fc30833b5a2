/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * client.h - reaching crauth-broker from the helper (protocol.h).
 */
#ifndef CRAUTH_BROKER_CLIENT_H
#define CRAUTH_BROKER_CLIENT_H

#include "lib/tier_helper_side.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Connect to the broker's socket @path and exchange HELLO, within
 * BROKER_HELLO_MS.  The listener must be root or @helper_uid, the helper's
 * user (SO_PEERCRED): whoever else made a socket there is not asked.  The
 * connected descriptor (close-on-exec, non-blocking), or -1 with @err;
 * *not_running tells "nobody listens" from the other failures. */
int broker_connect(const char *path, uid_t helper_uid, bool *not_running, char *err, size_t errlen);

#endif
