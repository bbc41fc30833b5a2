/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * transport_direct.c - the server backend's calls made by this helper
 * itself, with libcurl and expat (transport.h); in crauth-remote.so.
 */
#include <stdio.h>

#include "helper/plugin.h"
#include "helper/transport.h"
#include "lib/common/reason.h"
#include "lib/remote/http.h"
#include "lib/remote/soap_call.h"

static int
direct_open(const struct crauth_config *cfg, void **data, char *err, size_t errlen)
{
    if ((*data = http_new(cfg)) == NULL) {
        snprintf(err, errlen, "libcurl could not be initialised");
        return REASON_INTERNAL;
    }
    return REASON_OK;
}

static void
direct_close(void *data)
{
    http_free(data);
}

static int
direct_call(void *data, unsigned index, const struct soap_request *req, struct soap_reply *reply,
            char *err, size_t errlen)
{
    return soap_call(data, index, req, reply, err, errlen);
}

static const char *
direct_server_name(void *data, unsigned index)
{
    return http_server_name(data, index);
}

const struct server_transport transport_direct = {
    .name = "direct",
    .open = direct_open,
    .close = direct_close,
    .call = direct_call,
    .server_name = direct_server_name,
};
