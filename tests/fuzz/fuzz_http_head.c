/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_http_head.c - libFuzzer harness for http_head_parse(), the reader of
 * the proxy's replies to CONNECT: every byte of its input comes from the
 * proxy.  Besides the sanitizers, the contract traps when broken: a known
 * reason, err one printable line, a complete head ends in CRLF CRLF within
 * the cap, the fields in their ranges, offers trimmed and free of control
 * characters, and the reader incremental: every shorter prefix of a
 * complete head is "not yet", and a refusal stays a refusal as bytes arrive.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/common/reason.h"
#include "lib/remote/http_head.h"

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            __builtin_trap();                                                                      \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct run {
    int reason;
    size_t head_len;
    char err[200];
};

/* One parse of the first @len bytes, from an exact-size copy so that ASan
 * sees any read past them. */
static struct run
parse(const uint8_t *data, size_t len, enum http_head_auth auth, struct http_head *h)
{
    struct run r;
    char *copy = malloc(len > 0 ? len : 1);

    CHECK(copy != NULL);
    if (len > 0)
        memcpy(copy, data, len);
    memset(r.err, 0x5a, sizeof(r.err));
    r.reason = http_head_parse(copy, len, auth, h, &r.head_len, r.err, sizeof(r.err));
    free(copy);
    CHECK(r.reason == REASON_OK || r.reason == REASON_HTTP_ERROR || r.reason == REASON_INTERNAL);
    if (r.reason != REASON_OK) {
        CHECK(memchr(r.err, '\0', sizeof(r.err)) != NULL && r.err[0] != '\0');
        for (const char *c = r.err; *c != '\0'; c++)
            CHECK(*c >= 0x20 && *c <= 0x7e);
        CHECK(r.head_len == 0 && h->status == 0 && h->offers.n == 0);
    }
    return r;
}

static void
check_head(const uint8_t *data, size_t size, const struct run *r, const struct http_head *h)
{
    if (r->head_len == 0) { /* not complete: nothing reported */
        CHECK(h->status == 0 && h->offers.n == 0 && h->content_length == -1);
        return;
    }
    CHECK(r->head_len <= size && r->head_len <= HTTP_HEAD_MAX && r->head_len >= 16);
    CHECK(memcmp(data + r->head_len - 4, "\r\n\r\n", 4) == 0);
    CHECK(memcmp(data, "HTTP/1.", 7) == 0);
    CHECK(memchr(data, '\0', r->head_len) == NULL);
    CHECK(h->status >= 100 && h->status <= 599);
    CHECK(h->content_length >= -1 && h->content_length < 1000000000000LL);
    CHECK(h->offers.n <= NTLM_HTTP_MAX_OFFERS);
    CHECK(!h->offers.too_many || h->offers.n == NTLM_HTTP_MAX_OFFERS);
    for (size_t i = 0; i < h->offers.n; i++) {
        const char *v = h->offers.values[i];
        size_t vl = strlen(v);

        CHECK(vl < r->head_len);
        CHECK(vl == 0 || (v[0] != ' ' && v[0] != '\t' && v[vl - 1] != ' ' && v[vl - 1] != '\t'));
        for (size_t k = 0; k < vl; k++)
            CHECK((unsigned char)v[k] >= 0x20 ? v[k] != 0x7f : v[k] == '\t');
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* the last byte picks the field to keep; the rest is the reply */
    enum http_head_auth auth = size > 0 && (data[size - 1] & 1) ? HTTP_HEAD_WWW_AUTHENTICATE
                                                                : HTTP_HEAD_PROXY_AUTHENTICATE;
    struct http_head h = {0}, again = {0};
    struct run whole, part;

    if (size > 0)
        size--;
    whole = parse(data, size, auth, &h);
    check_head(data, size, &whole, &h);

    /* the same struct again: the same answer (and the old offers freed) */
    part = parse(data, size, auth, &again);
    part = parse(data, size, auth, &again);
    CHECK(part.reason == whole.reason && part.head_len == whole.head_len);
    CHECK(again.status == h.status && again.content_length == h.content_length);
    CHECK(again.closes == h.closes && again.chunked == h.chunked);
    CHECK(again.offers.n == h.offers.n && again.offers.too_many == h.offers.too_many);
    for (size_t i = 0; i < h.offers.n; i++)
        CHECK(strcmp(again.offers.values[i], h.offers.values[i]) == 0);

    if (whole.reason == REASON_OK && whole.head_len > 0) {
        /* exactly the head: the same; one byte short, and half: not yet */
        part = parse(data, whole.head_len, auth, &again);
        CHECK(part.reason == REASON_OK && part.head_len == whole.head_len);
        CHECK(again.status == h.status && again.offers.n == h.offers.n);
        part = parse(data, whole.head_len - 1, auth, &again);
        CHECK(part.reason == REASON_OK && part.head_len == 0);
        part = parse(data, whole.head_len / 2, auth, &again);
        CHECK(part.reason == REASON_OK && part.head_len == 0);
    } else if (size > 0) {
        /* a refusal or "not yet" of the first half never turns into a
         * different complete head later */
        part = parse(data, size / 2, auth, &again);
        if (part.reason == REASON_HTTP_ERROR)
            CHECK(whole.reason == REASON_HTTP_ERROR);
        CHECK(part.head_len == 0);
    }
    http_head_clear(&h);
    http_head_clear(&again);
    return 0;
}
