/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * plugin_remote.c - crauth-remote.so's one exported symbol: the backends
 * that talk to servers (plugin.h).
 */
#include <string.h>

#include "helper/plugin.h"

const struct backend *crauth_plugin_backend(const char *name, unsigned abi);

const struct backend *
crauth_plugin_backend(const char *name, unsigned abi)
{
    if (abi != PLUGIN_ABI)
        return NULL;
    if (strcmp(name, "server") == 0)
        return &backend_server;
    if (strcmp(name, "radius") == 0)
        return &backend_radius;
    return NULL;
}
