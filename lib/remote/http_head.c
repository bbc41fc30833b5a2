/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * http_head.c - a strict reader for the head of an HTTP/1.x reply (RFC 9112:
 * status line, field lines, no obs-fold, bounded size), for the replies we
 * read from our own socket rather than through libcurl.  See http_head.h.
 */
#include "lib/remote/http_head.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/common/reason.h"

/* A malformed head: the detail for err, or NULL when the line is fine. */
#define MALFORMED(what) ("a malformed reply head: " what)

struct parse {
    struct http_head *h;
    enum http_head_auth auth;
    const char *why; /* set when a line is refused */
    bool oom;
    bool http10;     /* the status line says HTTP/1.0 */
    bool close;      /* a "close" connection option */
    bool keep_alive; /* a "keep-alive" connection option */
};

void
http_head_clear(struct http_head *h)
{
    ntlm_http_offers_clear(&h->offers);
    memset(h, 0, sizeof(*h));
}

/* RFC 9110 5.6.2 tchar */
static bool
is_tchar(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           (ch != '\0' && strchr("!#$%&'*+-.^_`|~", ch) != NULL);
}

/* RFC 9112 4: HTTP/1.x SP 3DIGIT SP reason-phrase */
static int
parse_status(const char *line, size_t len, struct parse *ps)
{
    if (len < 12 || strncmp(line, "HTTP/1.", 7) != 0 || (line[7] != '0' && line[7] != '1') ||
        line[8] != ' ' || line[9] < '1' || line[9] > '5' || line[10] < '0' || line[10] > '9' ||
        line[11] < '0' || line[11] > '9' || (len > 12 && line[12] != ' ')) {
        ps->why = MALFORMED("the status line is not HTTP/1.0 or HTTP/1.1 and a status code");
        return -1;
    }
    ps->h->status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
    ps->http10 = line[7] == '0';
    return 0;
}

static bool
value_is(const char *v, size_t vl, const char *word)
{
    return vl == strlen(word) && strncasecmp(v, word, vl) == 0;
}

/* RFC 9110 7.6.1: Connection = #connection-option, each a case-insensitive
 * token; Proxy-Connection (not standard, but sent by proxies) alike */
static void
connection_options(const char *v, size_t vl, struct parse *ps)
{
    const char *end = v + vl;

    while (v < end) {
        const char *comma = memchr(v, ',', (size_t)(end - v));
        const char *e = comma != NULL ? comma : end;

        while (v < e && (*v == ' ' || *v == '\t'))
            v++;
        while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        if (value_is(v, (size_t)(e - v), "close"))
            ps->close = true;
        else if (value_is(v, (size_t)(e - v), "keep-alive"))
            ps->keep_alive = true;
        v = comma != NULL ? comma + 1 : end;
    }
}

static bool
name_is(const char *name, size_t nl, const char *want)
{
    return nl == strlen(want) && strncasecmp(name, want, nl) == 0;
}

/* RFC 9112 6.3 (5): one Content-Length, digits only; a second is refused */
static int
parse_content_length(const char *v, size_t vl, struct parse *ps)
{
    long long n = 0;

    if (vl == 0 || vl > 12 || ps->h->content_length >= 0) {
        ps->why = MALFORMED("an empty, absurd or second Content-Length");
        return -1;
    }
    for (size_t i = 0; i < vl; i++) {
        if (v[i] < '0' || v[i] > '9') {
            ps->why = MALFORMED("a Content-Length that is not a number");
            return -1;
        }
        n = n * 10 + (v[i] - '0');
    }
    ps->h->content_length = n;
    return 0;
}

/* One field line (RFC 9112 5): field-name ":" OWS field-value OWS, the value
 * visible characters, SP and HTAB only. */
static int
parse_field(const char *line, size_t len, struct parse *ps)
{
    const char *colon = memchr(line, ':', len), *v, *end = line + len;
    const char *auth =
        ps->auth == HTTP_HEAD_PROXY_AUTHENTICATE ? "Proxy-Authenticate" : "WWW-Authenticate";
    size_t nl, vl;

    if (colon == NULL || colon == line) {
        ps->why = MALFORMED("a header line without a field name and colon");
        return -1;
    }
    for (const char *q = line; q < colon; q++) {
        if (!is_tchar(*q)) { /* also whitespace before the colon (RFC 9112 5.1) */
            ps->why = MALFORMED("a header field name with a character outside tchar");
            return -1;
        }
    }
    for (const char *q = colon + 1; q < end; q++) {
        if ((unsigned char)*q < 0x20 ? *q != '\t' : *q == 0x7f) {
            ps->why = MALFORMED("a control character in a header field value");
            return -1;
        }
    }
    nl = (size_t)(colon - line);
    for (v = colon + 1; v < end && (*v == ' ' || *v == '\t'); v++)
        ;
    while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    vl = (size_t)(end - v);
    if (name_is(line, nl, auth)) {
        if (ntlm_http_offers_add(&ps->h->offers, v, vl) != 0) {
            ps->oom = true;
            return -1;
        }
    } else if (name_is(line, nl, "Content-Length")) {
        return parse_content_length(v, vl, ps);
    } else if (name_is(line, nl, "Transfer-Encoding")) {
        ps->h->chunked = true;
    } else if (name_is(line, nl, "Connection") || name_is(line, nl, "Proxy-Connection")) {
        connection_options(v, vl, ps);
    }
    return 0;
}

/* The lines of a complete head (through its empty line). */
static int
parse_lines(const char *head, size_t len, struct parse *ps)
{
    const char *p = head, *end = head + len;
    bool first = true;

    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));

        if (eol == NULL || eol == p || eol[-1] != '\r') {
            ps->why = MALFORMED("a line that does not end in CRLF");
            return -1;
        }
        if (eol - 1 == p) {
            if (!first)
                return 0; /* the empty line */
            ps->why = MALFORMED("no status line");
            return -1;
        }
        if (*p == ' ' || *p == '\t') {
            ps->why = MALFORMED("a line that starts with whitespace (obs-fold, RFC 9112 5.2)");
            return -1;
        }
        if (first ? parse_status(p, (size_t)(eol - 1 - p), ps)
                  : parse_field(p, (size_t)(eol - 1 - p), ps))
            return -1;
        first = false;
        p = eol + 1;
    }
    ps->why = MALFORMED("no empty line at its end");
    return -1;
}

int
http_head_parse(const char *buf, size_t len, enum http_head_auth auth, struct http_head *h,
                size_t *head_len, char *err, size_t errlen)
{
    size_t scan = len < HTTP_HEAD_MAX ? len : HTTP_HEAD_MAX;
    const char *blank = memmem(buf, scan, "\r\n\r\n", 4);
    struct parse ps = {.h = h, .auth = auth};
    size_t n;
    int reason = REASON_HTTP_ERROR;

    http_head_clear(h);
    h->content_length = -1;
    *head_len = 0;
    n = blank == NULL ? scan : (size_t)(blank - buf) + 4;
    if (memchr(buf, '\0', n) != NULL) {
        snprintf(err, errlen, "a NUL in its reply head");
        goto out;
    }
    if (blank == NULL) {
        /* RFC 9112 2.2 lets a recipient take a bare LF as a line end; we
         * do not, and say so now rather than wait for a CRLF CRLF that a
         * server ending its lines in LF never sends */
        for (const char *lf = memchr(buf, '\n', n); lf != NULL;
             lf = memchr(lf + 1, '\n', n - (size_t)(lf + 1 - buf))) {
            if (lf == buf || lf[-1] != '\r') {
                snprintf(err, errlen, "%s", MALFORMED("a line that does not end in CRLF"));
                goto out;
            }
        }
        if (len < HTTP_HEAD_MAX)
            return REASON_OK; /* not all there yet */
        snprintf(err, errlen, "a reply head over %d bytes; refused", HTTP_HEAD_MAX);
        goto out;
    }
    if (parse_lines(buf, n, &ps) != 0) {
        reason = ps.oom ? REASON_INTERNAL : REASON_HTTP_ERROR;
        snprintf(err, errlen, "%s", ps.oom ? "a reply head we had no memory for" : ps.why);
        goto out;
    }
    /* RFC 9112 9.3: "close" anywhere ends the connection; else HTTP/1.1
     * persists, and HTTP/1.0 only with "keep-alive" */
    h->closes = ps.close || (ps.http10 && !ps.keep_alive);
    *head_len = n;
    reason = REASON_OK;
out:
    if (reason != REASON_OK) {
        http_head_clear(h);
        h->content_length = -1;
    }
    return reason;
}
