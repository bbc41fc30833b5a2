/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * check_radius.h - `crauth check`'s steps for backend = radius
 * (check_radius.c), called from check.c where the per-server steps start.
 */
#ifndef CRAUTH_CHECK_RADIUS_H
#define CRAUTH_CHECK_RADIUS_H

#include "lib/core/conf.h"

/* With backend = radius (nothing otherwise): per [radius] server the dns,
 * udp or tls, and secret or radius steps, and with @user (not NULL) an
 * Access-Request for @user.  Each failing step adds one to *failures and,
 * if *first_reason is still REASON_OK, sets it to its reason. */
void check_radius_servers(const struct crauth_config *cfg, const char *user, unsigned *failures,
                          int *first_reason);

#endif
