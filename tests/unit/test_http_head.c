/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_http_head.c - the reply-head reader of the proxy tunnel
 * (lib/remote/http_head.c): well-formed heads taken a byte at a time,
 * line endings, obs-fold, Content-Length framing (RFC 9112 6.3), status
 * lines, the size cap, NUL bytes, many fields and the case of field names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/common/reason.h"
#include "lib/remote/http_head.h"

#define S407 "HTTP/1.1 407 Proxy Authentication Required\r\n"

struct result {
    int reason;
    size_t head_len;
    char err[200];
};

static struct result
parse_n(const char *buf, size_t len, enum http_head_auth auth, struct http_head *h)
{
    struct result r;
    char *copy = malloc(len > 0 ? len : 1); /* exact size: a read past it is an ASan error */

    assert_non_null(copy);
    memcpy(copy, buf, len);
    r.err[0] = '\0';
    r.reason = http_head_parse(copy, len, auth, h, &r.head_len, r.err, sizeof(r.err));
    free(copy);
    return r;
}

static struct result
parse(const char *text, struct http_head *h)
{
    return parse_n(text, strlen(text), HTTP_HEAD_PROXY_AUTHENTICATE, h);
}

/* @text is refused as malformed, with @why in the message, and @h emptied */
static void
expect_refused(const char *text, const char *why)
{
    struct http_head h = {0};
    struct result r = parse(text, &h);

    if (r.reason != REASON_HTTP_ERROR || strstr(r.err, why) == NULL)
        fail_msg("%s: reason %d, err '%s', wanted '%s'", text, r.reason, r.err, why);
    assert_int_equal(r.head_len, 0);
    assert_int_equal(h.status, 0);
    assert_int_equal(h.offers.n, 0);
    http_head_clear(&h);
}

/* @text is a complete head; returns its parse in @h */
static void
expect_ok(const char *text, struct http_head *h)
{
    struct result r = parse(text, h);

    if (r.reason != REASON_OK || r.head_len != strlen(text))
        fail_msg("%s: reason %d, head %zu of %zu, err '%s'", text, r.reason, r.head_len,
                 strlen(text), r.err);
}

static void
test_well_formed_407(void **state)
{
    static const char head[] = S407 "Server: squid/5.7\r\n"
                                    "Proxy-Authenticate: NTLM\r\n"
                                    "Proxy-Authenticate: Basic realm=\"proxy\"   \r\n"
                                    "Content-Length: 3\r\n"
                                    "Proxy-Connection: keep-alive\r\n\r\n";
    static const char body[] = "abc";
    char buf[sizeof(head) + sizeof(body)];
    struct http_head h = {0};
    struct result r;

    (void)state;
    memcpy(buf, head, sizeof(head) - 1);
    memcpy(buf + sizeof(head) - 1, body, sizeof(body));
    /* every prefix: not complete yet; the whole head with its body: complete */
    for (size_t n = 0; n < sizeof(head) - 1; n++) {
        r = parse_n(buf, n, HTTP_HEAD_PROXY_AUTHENTICATE, &h);
        assert_int_equal(r.reason, REASON_OK);
        assert_int_equal(r.head_len, 0);
        assert_int_equal(h.status, 0);
    }
    r = parse_n(buf, sizeof(buf) - 1, HTTP_HEAD_PROXY_AUTHENTICATE, &h);
    assert_int_equal(r.reason, REASON_OK);
    assert_int_equal(r.head_len, sizeof(head) - 1);
    assert_int_equal(h.status, 407);
    assert_int_equal(h.content_length, 3);
    assert_false(h.chunked);
    assert_false(h.closes);
    assert_int_equal(h.offers.n, 2);
    assert_false(h.offers.too_many);
    assert_string_equal(h.offers.values[0], "NTLM");
    assert_string_equal(h.offers.values[1], "Basic realm=\"proxy\"");
    /* the same struct again: the old offers are freed (ASan/valgrind), not kept */
    expect_ok("HTTP/1.1 200 Connection established\r\n\r\n", &h);
    assert_int_equal(h.status, 200);
    assert_int_equal(h.content_length, -1);
    assert_int_equal(h.offers.n, 0);
    http_head_clear(&h);
}

static void
test_which_authenticate_field(void **state)
{
    static const char head[] = "HTTP/1.1 401 Unauthorized\r\n"
                               "WWW-Authenticate: Negotiate\r\n"
                               "Proxy-Authenticate: NTLM\r\n\r\n";
    struct http_head h = {0};
    struct result r;

    (void)state;
    r = parse_n(head, strlen(head), HTTP_HEAD_WWW_AUTHENTICATE, &h);
    assert_int_equal(r.reason, REASON_OK);
    assert_int_equal(h.offers.n, 1);
    assert_string_equal(h.offers.values[0], "Negotiate");
    r = parse_n(head, strlen(head), HTTP_HEAD_PROXY_AUTHENTICATE, &h);
    assert_int_equal(r.reason, REASON_OK);
    assert_int_equal(h.offers.n, 1);
    assert_string_equal(h.offers.values[0], "NTLM");
    http_head_clear(&h);
}

static void
test_connection_persistence(void **state)
{
    struct http_head h = {0};

    (void)state;
    expect_ok("HTTP/1.1 407 x\r\n\r\n", &h);
    assert_false(h.closes);
    expect_ok("HTTP/1.1 407 x\r\nConnection: close\r\n\r\n", &h);
    assert_true(h.closes);
    expect_ok("HTTP/1.1 407 x\r\nProxy-Connection: Close\r\n\r\n", &h);
    assert_true(h.closes);
    expect_ok("HTTP/1.0 407 x\r\n\r\n", &h);
    assert_true(h.closes); /* RFC 9112 9.3: HTTP/1.0 closes unless it says keep-alive */
    expect_ok("HTTP/1.0 407 x\r\nConnection: Keep-Alive\r\n\r\n", &h);
    assert_false(h.closes);
    /* Connection is a list (RFC 9110 7.6.1), and "close" wins wherever it
     * is (RFC 9112 9.3), whatever the order of the fields */
    expect_ok("HTTP/1.1 407 x\r\nConnection: close\r\nProxy-Connection: keep-alive\r\n\r\n", &h);
    assert_true(h.closes);
    expect_ok("HTTP/1.1 407 x\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n", &h);
    assert_true(h.closes);
    expect_ok("HTTP/1.1 407 x\r\nConnection: keep-alive,CLOSE\r\n\r\n", &h);
    assert_true(h.closes);
    expect_ok("HTTP/1.1 407 x\r\nConnection: Upgrade ,\t close \t, x\r\n\r\n", &h);
    assert_true(h.closes);
    expect_ok("HTTP/1.0 407 x\r\nConnection: , keep-alive, x-custom\r\n\r\n", &h);
    assert_false(h.closes);
    expect_ok("HTTP/1.0 407 x\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n", &h);
    assert_true(h.closes);
    expect_ok("HTTP/1.0 407 x\r\nConnection: keep-alive-ish, closed\r\n\r\n", &h);
    assert_true(h.closes); /* neither option: HTTP/1.0 closes */
    expect_ok("HTTP/1.1 407 x\r\nConnection: keep-alive-ish, closed\r\n\r\n", &h);
    assert_false(h.closes);
    expect_ok("HTTP/1.1 407 x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", &h);
    assert_true(h.chunked); /* the caller must not trust the length (RFC 9112 6.3 (3)) */
    http_head_clear(&h);
}

static void
test_line_endings(void **state)
{
    (void)state;
    expect_refused("HTTP/1.1 200 OK\nServer: x\r\n\r\n", "does not end in CRLF");
    expect_refused(S407 "Server: x\n\r\n\r\n", "does not end in CRLF");
    expect_refused(S407 "Server: a\rb\r\n\r\n", "control character"); /* bare CR: RFC 9112 2.2 */
    expect_refused(S407 "Server: x\r\r\n\r\n", "control character");
    expect_refused(S407 "\r\r\n\r\n", "without a field name");
    expect_refused("\r\nHTTP/1.1 200 OK\r\n\r\n", "no status line");
    expect_refused("\r\n\r\n", "no status line");
    /* a head in bare LFs has no CRLF CRLF to wait for: refused at its
     * first line, not when the deadline passes */
    expect_refused("HTTP/1.1 407 x\nContent-Length: 0\n\n", "does not end in CRLF");
    expect_refused("HTTP/1.1 407 x\n", "does not end in CRLF");
    expect_refused("\n", "does not end in CRLF");
    expect_refused(S407 "Server: x\n", "does not end in CRLF");
}

static void
test_obs_fold(void **state)
{
    (void)state;
    /* refused, not joined: see http_head.h */
    expect_refused(S407 "Proxy-Authenticate: NTLM\r\n TlRMTVNTUAACAAAA\r\n\r\n", "obs-fold");
    expect_refused(S407 "Proxy-Authenticate: NTLM\r\n\tTlRMTVNTUAACAAAA\r\n\r\n", "obs-fold");
    /* whitespace before the first field line (RFC 9112 2.2): refused as well */
    expect_refused(S407 " Proxy-Authenticate: NTLM\r\n\r\n", "obs-fold");
}

static void
test_content_length(void **state)
{
    struct http_head h = {0};

    (void)state;
    expect_ok(S407 "Content-Length: 0\r\n\r\n", &h);
    assert_int_equal(h.content_length, 0);
    expect_ok(S407 "content-length:\t 0042 \t\r\n\r\n", &h);
    assert_int_equal(h.content_length, 42);
    expect_ok(S407 "Content-Length: 999999999999\r\n\r\n", &h);
    assert_int_equal(h.content_length, 999999999999LL);
    http_head_clear(&h);
    /* RFC 9112 6.3 (5): an invalid length is an unrecoverable error; RFC 9110
     * 8.6 lets a recipient refuse repeated ones, even when they agree */
    expect_refused(S407 "Content-Length: 5\r\nContent-Length: 5\r\n\r\n", "second");
    expect_refused(S407 "Content-Length: 5\r\nContent-Length: 6\r\n\r\n", "second");
    expect_refused(S407 "Content-Length: 5, 5\r\n\r\n", "not a number");
    expect_refused(S407 "Content-Length: -1\r\n\r\n", "not a number");
    expect_refused(S407 "Content-Length: +1\r\n\r\n", "not a number");
    expect_refused(S407 "Content-Length: 1e3\r\n\r\n", "not a number");
    expect_refused(S407 "Content-Length: 0x10\r\n\r\n", "not a number");
    expect_refused(S407 "Content-Length: 4 2\r\n\r\n", "not a number");
    expect_refused(S407 "Content-Length: 1000000000000\r\n\r\n", "absurd");
    expect_refused(S407 "Content-Length: 18446744073709551617\r\n\r\n", "absurd");
    expect_refused(S407 "Content-Length: 9223372036854775808\r\n\r\n", "absurd");
    expect_refused(S407 "Content-Length:\r\n\r\n", "empty");
    expect_refused(S407 "Content-Length:   \r\n\r\n", "empty");
}

static void
test_status_lines(void **state)
{
    static const char *const good[][2] = {
        {"HTTP/1.1 200 Connection established\r\n\r\n", "200"},
        {"HTTP/1.0 200 OK\r\n\r\n", "200"},
        {"HTTP/1.1 200\r\n\r\n", "200"},  /* no SP: tolerated, the phrase is ignored anyway */
        {"HTTP/1.1 200 \r\n\r\n", "200"}, /* empty reason-phrase (RFC 9112 4) */
        {"HTTP/1.1 100 Continue\r\n\r\n", "100"},
        {"HTTP/1.1 599 x\r\n\r\n", "599"},
        {"HTTP/1.1 407 \x80\xff obs-text\r\n\r\n", "407"},
    };
    static const char *const bad[] = {
        /* RFC 9110 2.5 says a higher minor version SHOULD be read as 1.1;
         * refused here: no HTTP/1.2 exists, a proxy that says so is broken */
        "HTTP/1.2 200 OK\r\n\r\n",
        "HTTP/2 200\r\n\r\n",
        "HTTP/2.0 200 OK\r\n\r\n",
        "HTTP/0.9 200 OK\r\n\r\n",
        "HTTP/11 200 OK\r\n\r\n",
        "http/1.1 200 OK\r\n\r\n", /* HTTP-name is case-sensitive (RFC 9112 2.3) */
        "HTTP/1.1  200 OK\r\n\r\n",
        "HTTP/1.1\t200 OK\r\n\r\n",
        "HTTP/1.1 200\tOK\r\n\r\n",
        "HTTP/1.1 20 OK\r\n\r\n",
        "HTTP/1.1 2000 OK\r\n\r\n",
        "HTTP/1.1 2x0 OK\r\n\r\n",
        "HTTP/1.1 099 x\r\n\r\n",
        "HTTP/1.1 600 x\r\n\r\n",
        " HTTP/1.1 200 OK\r\n\r\n",
        "ICY 200 OK\r\n\r\n",
        "HTTP/1.1\r\n\r\n",
    };
    struct http_head h = {0};

    (void)state;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        expect_ok(good[i][0], &h);
        assert_int_equal(h.status, atoi(good[i][1]));
    }
    http_head_clear(&h);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_refused(bad[i], bad[i][0] == ' ' ? "obs-fold" : "status line");
}

/* A head of exactly @total bytes: S407, one field @name of 'p's, the empty line. */
static char *
padded_head(size_t total, const char *name)
{
    size_t pre = strlen(S407) + strlen(name) + 2;
    char *b = malloc(total + 1);

    assert_non_null(b);
    assert_true(total >= pre + 4);
    snprintf(b, total + 1, S407 "%s: ", name);
    memset(b + pre, 'p', total - pre - 4);
    memcpy(b + total - 4, "\r\n\r\n", 5);
    return b;
}

static void
test_size_cap(void **state)
{
    struct http_head h = {0};
    struct result r;
    char *b;

    (void)state;
    b = padded_head(HTTP_HEAD_MAX, "X-Pad"); /* at the cap: taken */
    r = parse_n(b, HTTP_HEAD_MAX, HTTP_HEAD_PROXY_AUTHENTICATE, &h);
    assert_int_equal(r.reason, REASON_OK);
    assert_int_equal(r.head_len, HTTP_HEAD_MAX);
    r = parse_n(b, HTTP_HEAD_MAX - 1, HTTP_HEAD_PROXY_AUTHENTICATE, &h); /* still arriving */
    assert_int_equal(r.reason, REASON_OK);
    assert_int_equal(r.head_len, 0);
    free(b);
    b = padded_head(HTTP_HEAD_MAX + 1, "X-Pad"); /* one over: refused once the cap is full */
    r = parse_n(b, HTTP_HEAD_MAX - 1, HTTP_HEAD_PROXY_AUTHENTICATE, &h);
    assert_int_equal(r.reason, REASON_OK);
    assert_int_equal(r.head_len, 0);
    r = parse_n(b, HTTP_HEAD_MAX, HTTP_HEAD_PROXY_AUTHENTICATE, &h);
    assert_int_equal(r.reason, REASON_HTTP_ERROR);
    assert_string_equal(r.err, "a reply head over 65536 bytes; refused");
    r = parse_n(b, HTTP_HEAD_MAX + 1, HTTP_HEAD_PROXY_AUTHENTICATE, &h);
    assert_int_equal(r.reason, REASON_HTTP_ERROR);
    free(b);
    /* one long line inside the cap is one value, whole */
    b = padded_head(HTTP_HEAD_MAX, "Proxy-Authenticate");
    r = parse_n(b, HTTP_HEAD_MAX, HTTP_HEAD_PROXY_AUTHENTICATE, &h);
    assert_int_equal(r.reason, REASON_OK);
    assert_int_equal(h.offers.n, 1);
    assert_int_equal(strlen(h.offers.values[0]),
                     HTTP_HEAD_MAX - strlen(S407 "Proxy-Authenticate: ") - 4);
    http_head_clear(&h);
    free(b);
}

static void
test_nul_bytes(void **state)
{
    static const char in_value[] = S407 "Server: a\0b\r\n\r\n";
    static const char in_status[] = "HTTP/1.1 407 a\0b\r\n\r\n";
    static const char early[] = "HTTP/1.1 4\0";
    static const char in_body[] = "HTTP/1.1 200 OK\r\n\r\n\0\0";
    struct http_head h = {0};
    struct result r;

    (void)state;
    r = parse_n(in_value, sizeof(in_value) - 1, HTTP_HEAD_PROXY_AUTHENTICATE, &h);
    assert_int_equal(r.reason, REASON_HTTP_ERROR);
    assert_string_equal(r.err, "a NUL in its reply head");
    r = parse_n(in_status, sizeof(in_status) - 1, HTTP_HEAD_PROXY_AUTHENTICATE, &h);
    assert_int_equal(r.reason, REASON_HTTP_ERROR);
    /* refused as soon as it arrives, not when the head is complete */
    r = parse_n(early, sizeof(early) - 1, HTTP_HEAD_PROXY_AUTHENTICATE, &h);
    assert_int_equal(r.reason, REASON_HTTP_ERROR);
    assert_string_equal(r.err, "a NUL in its reply head");
    /* what follows the head is not the head's business */
    r = parse_n(in_body, sizeof(in_body) - 1, HTTP_HEAD_PROXY_AUTHENTICATE, &h);
    assert_int_equal(r.reason, REASON_OK);
    assert_int_equal(r.head_len, sizeof(in_body) - 3);
    http_head_clear(&h);
}

static void
test_many_fields(void **state)
{
    size_t cap = 60000, used;
    char *b = malloc(cap);
    struct http_head h = {0};
    struct result r;

    (void)state;
    assert_non_null(b);
    used = (size_t)snprintf(b, cap, S407);
    for (int i = 0; i < 2000; i++)
        used += (size_t)snprintf(b + used, cap - used, "X-Field-%d: %d\r\n", i, i);
    used += (size_t)snprintf(b + used, cap - used, "\r\n");
    assert_true(used < cap);
    r = parse_n(b, used, HTTP_HEAD_PROXY_AUTHENTICATE, &h);
    assert_int_equal(r.reason, REASON_OK);
    assert_int_equal(h.offers.n, 0);
    /* more challenges than are kept: marked, for ntlm_http to refuse */
    used = (size_t)snprintf(b, cap, S407);
    for (int i = 0; i < NTLM_HTTP_MAX_OFFERS + 1; i++)
        used += (size_t)snprintf(b + used, cap - used, "Proxy-Authenticate: S%d\r\n", i);
    used += (size_t)snprintf(b + used, cap - used, "\r\n");
    r = parse_n(b, used, HTTP_HEAD_PROXY_AUTHENTICATE, &h);
    assert_int_equal(r.reason, REASON_OK);
    assert_int_equal(h.offers.n, NTLM_HTTP_MAX_OFFERS);
    assert_true(h.offers.too_many);
    assert_string_equal(h.offers.values[NTLM_HTTP_MAX_OFFERS - 1], "S15");
    http_head_clear(&h);
    free(b);
}

static void
test_field_names(void **state)
{
    struct http_head h = {0};

    (void)state;
    /* field names are case-insensitive (RFC 9110 5.1) */
    expect_ok(S407 "proxy-authenticate: NTLM a\r\nPROXY-AUTHENTICATE: NTLM b\r\n"
                   "pRoXy-AuThEnTiCaTe: NTLM c\r\nCONTENT-LENGTH: 7\r\nCONNECTION: CLOSE\r\n\r\n",
              &h);
    assert_int_equal(h.offers.n, 3);
    assert_string_equal(h.offers.values[2], "NTLM c");
    assert_int_equal(h.content_length, 7);
    assert_true(h.closes);
    /* near misses are other fields */
    expect_ok(S407 "Proxy-Authenticate-X: NTLM\r\nX-Proxy-Authenticate: NTLM\r\n"
                   "Content-Lengths: x\r\n\r\n",
              &h);
    assert_int_equal(h.offers.n, 0);
    assert_int_equal(h.content_length, -1);
    http_head_clear(&h);
    expect_refused(S407 "Proxy-Authenticate : NTLM\r\n\r\n", "outside tchar"); /* RFC 9112 5.1 */
    expect_refused(S407 "Proxy Authenticate: NTLM\r\n\r\n", "outside tchar");
    expect_refused(S407 "Proxy-(Authenticate): NTLM\r\n\r\n", "outside tchar");
    expect_refused(S407 "Pr\xc3\xb6xy: NTLM\r\n\r\n", "outside tchar");
    expect_refused(S407 ": NTLM\r\n\r\n", "without a field name");
    expect_refused(S407 "Proxy-Authenticate NTLM\r\n\r\n", "without a field name");
    expect_refused(S407 "Server: a\x7f\r\n\r\n", "control character");
    expect_refused(S407 "Server: a\x01\r\n\r\n", "control character");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_well_formed_407),
        cmocka_unit_test(test_which_authenticate_field),
        cmocka_unit_test(test_connection_persistence),
        cmocka_unit_test(test_line_endings),
        cmocka_unit_test(test_obs_fold),
        cmocka_unit_test(test_content_length),
        cmocka_unit_test(test_status_lines),
        cmocka_unit_test(test_size_cap),
        cmocka_unit_test(test_nul_bytes),
        cmocka_unit_test(test_many_fields),
        cmocka_unit_test(test_field_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
