/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_auth_header.c - libFuzzer harness for the WWW-/Proxy-Authenticate
 * splitter: ntlm_http_offers_add() and ntlm_http_find_challenge(), which
 * a hostile server or proxy feeds.  Each input line is one header value.
 * Besides the sanitizers, the contract traps when broken: a known reason,
 * err one printable line, a token found only when exactly one challenge of
 * its scheme carries one, the token inside the values and decoding to at
 * most NTLM_MAX_MESSAGE bytes, nothing decoded on a refusal, and the list
 * of other schemes terminated and printable.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/common/reason.h"
#include "lib/ntlm/ntlm_base.h"
#include "lib/remote/ntlm_http.h"

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            __builtin_trap();                                                                      \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
printable(const char *s, size_t cap)
{
    if (memchr(s, '\0', cap) == NULL)
        return false;
    for (; *s != '\0'; s++)
        if (*s < 0x20 || *s > 0x7e)
            return false;
    return true;
}

/* @p .. @p + @len lies inside one of the values of @o */
static bool
inside_a_value(const struct ntlm_http_offers *o, const char *p, size_t len)
{
    for (size_t i = 0; i < o->n; i++) {
        const char *v = o->values[i];

        if (p >= v && p + len <= v + strlen(v))
            return true;
    }
    return false;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ntlm_http_offers o = {0};
    struct ntlm_http_found f;
    enum ntlm_http_scheme scheme = NTLM_HTTP_NTLM;
    const char *p = (const char *)data, *end = p + size;
    uint8_t *chal = (uint8_t *)1;
    size_t chal_len = 1;
    char err[256];
    int reason;

    /* one value per line; a NUL ends one too (both transports refuse a
     * NUL in a head: curl, and http_head.c) */
    while (p < end) {
        const char *e = p;

        while (e < end && *e != '\n' && *e != '\0')
            e++;

        CHECK(ntlm_http_offers_add(&o, p, (size_t)(e - p)) == 0);
        p = e + 1;
    }
    CHECK(o.n <= NTLM_HTTP_MAX_OFFERS);
    for (size_t i = 0; i < o.n; i++) {
        size_t vl = strlen(o.values[i]);

        CHECK(vl == 0 || (o.values[i][0] != ' ' && o.values[i][0] != '\t'));
        CHECK(vl == 0 || strchr(" \t\r\n", o.values[i][vl - 1]) == NULL);
    }

    memset(err, 0x5a, sizeof(err));
    reason = ntlm_http_find_challenge(&o, "the proxy p:1", &f, &scheme, &chal, &chal_len, err,
                                      sizeof(err));
    CHECK(reason == REASON_OK || reason == REASON_MALFORMED_REPLY);
    CHECK(printable(f.others, sizeof(f.others)));
    for (int s = 0; s < 2; s++)
        if (f.tokens[s] > 0)
            CHECK(f.tok[s] != NULL && f.tlen[s] > 0 && inside_a_value(&o, f.tok[s], f.tlen[s]));
    if (reason == REASON_OK) {
        CHECK(o.too_many == false);
        if (chal == NULL) {
            CHECK(chal_len == 0 && f.tokens[0] == 0 && f.tokens[1] == 0);
        } else {
            /* NTLM's token if it has one, else Negotiate's; only one */
            CHECK(scheme == (f.tokens[NTLM_HTTP_NTLM] ? NTLM_HTTP_NTLM : NTLM_HTTP_NEGOTIATE));
            CHECK(f.tokens[scheme] == 1);
            CHECK(chal_len > 0 && chal_len <= NTLM_MAX_MESSAGE);
            CHECK(f.tlen[scheme] % 4 == 0 && chal_len <= f.tlen[scheme] / 4 * 3);
            CHECK(chal_len + 2 >= f.tlen[scheme] / 4 * 3);
        }
    } else {
        CHECK(chal == NULL && chal_len == 0);
        CHECK(printable(err, sizeof(err)) && err[0] != '\0');
    }
    free(chal);
    ntlm_http_offers_clear(&o);
    return 0;
}
