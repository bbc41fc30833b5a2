/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf_impl.h - what conf.c (reading and parsing) and conf_check.c
 * (defaults and the checks across keys) share; private to lib/core.
 */
#ifndef CRAUTH_CONF_IMPL_H
#define CRAUTH_CONF_IMPL_H

#include "lib/tier_helper_side.h"

#include <stddef.h>

#include "lib/core/conf.h"

/* The defaults, every string allocated; NULL without memory. */
struct crauth_config *config_defaults(const char *path);

/* The rules across keys, once every file is read.  0, or -1 with @err. */
int config_validate(const struct crauth_config *cfg, char *err, size_t errlen);

/* Open, now, every file a login will open later (CA files, client
 * certificates and keys): unreadable, it is a configuration error, never a
 * failure of the server that would open the emergency path. */
int config_check_files(const struct crauth_config *cfg, char *err, size_t errlen);

#endif
