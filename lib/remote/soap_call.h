/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * soap_call.h - one SOAP call to one server: the request built, POSTed
 * (http.h) and its reply parsed (soap.h), for both places that talk to
 * servers: crauth-remote.so inside the helper, and crauth-broker.
 */
#ifndef CRAUTH_SOAP_CALL_H
#define CRAUTH_SOAP_CALL_H

#include "lib/tier_helper_side.h"

#include <stddef.h>

#include "lib/remote/http.h"
#include "lib/remote/soap.h"

/* Send @req to server @index.  REASON_OK with @reply filled, or a reason
 * with @err (one line): http_post's, or REASON_SOAP_FAULT (@reply's fault
 * fields set), REASON_MALFORMED_REPLY, REASON_SERVER_ERROR (the server's
 * own failure, a negative statusCode: it judged nothing), or
 * REASON_INTERNAL (a field soap_build_request refuses). */
int soap_call(struct http *h, unsigned index, const struct soap_request *req,
              struct soap_reply *reply, char *err, size_t errlen);

#endif
