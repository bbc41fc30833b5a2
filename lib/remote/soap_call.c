/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * soap_call.c - build, POST, parse: one server's answer to one request.
 */
#include <stdio.h>
#include <string.h>

#include "lib/common/reason.h"
#include "lib/remote/soap_call.h"

/* The parsed reply of one server, or why there is none.  HTTP 500 is read
 * only as a Fault (SOAP 1.1 section 6.2): a "success" under it is not one. */
static int
parse(const struct http_reply *hr, enum soap_operation operation, struct soap_reply *reply,
      char *err, size_t errlen)
{
    switch (soap_parse_reply_of(operation, hr->body, hr->len, hr->charset, reply, err, errlen)) {
    case SOAP_OK:
        if (hr->status != 200) {
            snprintf(err, errlen,
                     "HTTP %ld with a result instead of a SOAP Fault; not "
                     "taken as a verdict",
                     hr->status);
            return REASON_MALFORMED_REPLY;
        }
        if (reply->status_code < 0) {
            /* the server's own failure (notes: statusCode -13, "Fail to
             * retrieve storage key"): it judged nothing */
            snprintf(err, errlen, "server-side error %d/%d %s%s%s", reply->return_code,
                     reply->status_code, reply->status_enum, reply->error_desc[0] ? ": " : "",
                     reply->error_desc);
            return REASON_SERVER_ERROR;
        }
        return REASON_OK;
    case SOAP_FAULT:
        snprintf(err, errlen, "SOAP Fault %s: %s", reply->fault_code, reply->fault_string);
        return REASON_SOAP_FAULT;
    default:
        return REASON_MALFORMED_REPLY;
    }
}

int
soap_call(struct http *h, unsigned index, const struct soap_request *req, struct soap_reply *reply,
          char *err, size_t errlen)
{
    struct http_reply hr;
    char *xml = NULL;
    size_t xlen = 0;
    int reason;

    memset(reply, 0, sizeof(*reply));
    if (soap_build_request(req, &xml, &xlen) != 0) {
        snprintf(err, errlen, "cannot build the request (invalid text in a field)");
        return REASON_INTERNAL;
    }
    reason = http_post(h, index, xml, xlen, &hr, err, errlen);
    if (reason == REASON_OK) {
        reason = parse(&hr, req->operation, reply, err, errlen);
        http_reply_free(&hr);
    }
    soap_free_request(xml, xlen);
    return reason;
}
