/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * http_head.h - the head of an HTTP/1.x reply that we read from our own
 * socket (the proxy's replies to CONNECT, proxy.c): the status line and the
 * header fields that frame the message or carry authentication challenges,
 * read strictly (RFC 9112 2-6: lines end in CRLF, no obs-fold, no NUL, a
 * bounded size).  No I/O: the caller appends what it receives to one buffer
 * and asks again until the head is complete.
 */
#ifndef CRAUTH_HTTP_HEAD_H
#define CRAUTH_HTTP_HEAD_H

#include "lib/tier_helper_side.h"

#include <stdbool.h>
#include <stddef.h>

#include "lib/remote/ntlm_http.h"

/* the longest head taken: status line through the empty line */
#define HTTP_HEAD_MAX NTLM_HTTP_MAX_HEAD

/* Which authentication field to keep (RFC 9110 11.6.1, 11.7.1). */
enum http_head_auth {
    HTTP_HEAD_WWW_AUTHENTICATE,   /* a server's 401 */
    HTTP_HEAD_PROXY_AUTHENTICATE, /* a proxy's 407 */
};

/* What a reply head says.  Zero it before first use. */
struct http_head {
    int status;                     /* 100-599 */
    long long content_length;       /* -1: none */
    bool chunked;                   /* a Transfer-Encoding field, whatever its value */
    bool closes;                    /* the connection ends after this reply */
    struct ntlm_http_offers offers; /* the values of the kept authentication field */
};

/*
 * Parse the reply head at the start of @buf, of which @len bytes have
 * arrived (what follows the head, the body or a tunnel, is not looked at).
 * @h is emptied first (its offers freed), so it may hold an earlier head.
 *   REASON_OK, *head_len > 0   @h is the head, buf[0 .. *head_len)
 *   REASON_OK, *head_len == 0  the head has not ended yet: receive more
 *                              and call again with the whole buffer
 *   REASON_HTTP_ERROR          malformed, a NUL, or no end within
 *                              HTTP_HEAD_MAX bytes
 *   REASON_INTERNAL            out of memory
 * On failure @err holds one line that reads after "the proxy X sent ",
 * e.g. "a reply head over 65536 bytes; refused".
 */
int http_head_parse(const char *buf, size_t len, enum http_head_auth auth, struct http_head *h,
                    size_t *head_len, char *err, size_t errlen);

/* Free what @h holds and zero it. */
void http_head_clear(struct http_head *h);

#endif
