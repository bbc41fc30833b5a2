/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * plugin_remote.c - crauth-remote.so's entry points: the radius backend
 * and the server backend's direct transport (plugin.h).
 */
#include <string.h>

#include "helper/plugin.h"

const struct backend *crauth_plugin_backend(const char *name, unsigned abi);

const struct backend *
crauth_plugin_backend(const char *name, unsigned abi)
{
    if (abi != PLUGIN_ABI)
        return NULL;
    if (strcmp(name, "radius") == 0)
        return &backend_radius;
    return NULL;
}

const struct server_transport *crauth_plugin_transport(unsigned abi);

const struct server_transport *
crauth_plugin_transport(unsigned abi)
{
    return abi == PLUGIN_ABI ? &transport_direct : NULL;
}
