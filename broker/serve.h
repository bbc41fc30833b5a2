/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * serve.h - one helper's call, on its own connection and thread.
 */
#ifndef CRAUTH_BROKER_SERVE_H
#define CRAUTH_BROKER_SERVE_H

#include "lib/tier_helper_side.h"

/* HELLO, the call, the server, the outcome; closes @fd.  Every wait on the
 * helper is bounded (protocol.h); the server's by its configuration. */
void serve_connection(int fd);

#endif
