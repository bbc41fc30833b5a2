/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * plugin_x509.c - crauth-x509.so's one exported symbol: the x509 token's
 * functions (plugin.h), with OpenSSL started without openssl.cnf: a login
 * needs its defaults only, and the file is one more thing to parse.
 */
#include <openssl/crypto.h>

#include "helper/plugin.h"

const struct x509_ops *crauth_plugin_x509(unsigned abi);

const struct x509_ops *
crauth_plugin_x509(unsigned abi)
{
    static const struct x509_ops ops = {
        .load = x509_token_load,
        .summary = x509_token_summary,
        .challenge = x509_token_challenge,
        .response_ok = x509_token_response_ok,
        .free = x509_token_free,
    };

    if (abi != PLUGIN_ABI || OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL) != 1)
        return NULL;
    return &ops;
}
