/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * params.c - the [radius] section of crauth.conf as the parameters of one
 * exchange, in one place for the helper's backend and `crauth check`.
 */
#include "lib/radius/client.h"

#include <string.h>

void
radius_params_from_config(const struct crauth_config *cfg, struct radius_params *p)
{
    memset(p, 0, sizeof(*p));
    p->transport = cfg->radius_transport == RADIUS_TRANSPORT_TLS ? RADIUS_TLS : RADIUS_UDP;
    p->secret = cfg->radius_secret;
    p->timeout_ms = cfg->radius_timeout * 1000;
    p->retries = (int)cfg->radius_retries;
    p->nas_identifier = cfg->nas_identifier;
    p->ca_file = cfg->radius_ca_file;
    p->client_cert = cfg->radius_client_cert;
    p->client_key = cfg->radius_client_key;
    p->require_message_authenticator = cfg->require_message_authenticator;
}
