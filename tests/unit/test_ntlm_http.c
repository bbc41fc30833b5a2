/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_ntlm_http.c - finding the NTLM CHALLENGE in the WWW-Authenticate /
 * Proxy-Authenticate values of a 401/407 (ntlm_http_find_challenge):
 * several challenges in one value and across values, auth-params and
 * quoted strings that hide commas (RFC 9110 11.2, 11.6.1), scheme names
 * in any case, and tokens that are empty, not base64, too long or twice.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "lib/common/reason.h"
#include "lib/ntlm/ntlm_base.h"
#include "lib/remote/ntlm_http.h"

#define TOK "TlRMTVNTUAACAAAA" /* base64 of "NTLMSSP\0" 02 00 00 00 */
#define TOK2 "TlRMTVNTUAACAAAB"
#define PEER "the proxy p:3128"

struct outcome {
    int reason;
    enum ntlm_http_scheme scheme;
    uint8_t *chal;
    size_t chal_len;
    struct ntlm_http_found f;
    char err[256];
};

/* ntlm_http_find_challenge() on the header values @values (NULL-ended) */
static struct outcome
find(const char *const *values)
{
    struct ntlm_http_offers o = {0};
    struct outcome r;

    memset(&r, 0, sizeof(r));
    for (; *values != NULL; values++)
        assert_int_equal(ntlm_http_offers_add(&o, *values, strlen(*values)), 0);
    r.reason = ntlm_http_find_challenge(&o, PEER, &r.f, &r.scheme, &r.chal, &r.chal_len, r.err,
                                        sizeof(r.err));
    ntlm_http_offers_clear(&o);
    return r;
}

static struct outcome
find1(const char *value)
{
    const char *const values[] = {value, NULL};

    return find(values);
}

/* @value yields the token TOK under @scheme */
static void
expect_token(const char *value, enum ntlm_http_scheme scheme)
{
    static const uint8_t want[] = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0, 2, 0, 0, 0};
    struct outcome r = find1(value);

    if (r.reason != REASON_OK || r.chal == NULL || r.scheme != scheme)
        fail_msg("'%s': reason %d, token %s, scheme %d (%s)", value, r.reason,
                 r.chal != NULL ? "found" : "none", (int)r.scheme, r.err);
    assert_memory_equal(r.chal, want, sizeof(want));
    assert_int_equal(r.chal_len, sizeof(want));
    free(r.chal);
}

/* @value has no token of either scheme; @ntlm_bare and @neg_bare bare offers */
static void
expect_none(const char *value, unsigned ntlm_bare, unsigned neg_bare)
{
    struct outcome r = find1(value);

    if (r.reason != REASON_OK || r.chal != NULL || r.f.bare[NTLM_HTTP_NTLM] != ntlm_bare ||
        r.f.bare[NTLM_HTTP_NEGOTIATE] != neg_bare)
        fail_msg("'%s': reason %d, token %s, bare %u/%u (%s)", value, r.reason,
                 r.chal != NULL ? "found" : "none", r.f.bare[0], r.f.bare[1], r.err);
    assert_int_equal(r.f.tokens[NTLM_HTTP_NTLM] + r.f.tokens[NTLM_HTTP_NEGOTIATE], 0);
}

static void
expect_malformed(const char *const *values, const char *msg)
{
    struct outcome r = find(values);

    if (r.reason != REASON_MALFORMED_REPLY || strstr(r.err, msg) == NULL)
        fail_msg("'%s'...: reason %d, err '%s', wanted '%s'", values[0], r.reason, r.err, msg);
    assert_null(r.chal);
    assert_int_equal(r.chal_len, 0);
}

static void
test_one_challenge(void **state)
{
    (void)state;
    expect_token("NTLM " TOK, NTLM_HTTP_NTLM);
    expect_token("Negotiate " TOK, NTLM_HTTP_NEGOTIATE);
    expect_token("NTLM  " TOK, NTLM_HTTP_NTLM);              /* 1*SP */
    expect_token("NTLM " TOK "  ", NTLM_HTTP_NTLM);          /* OWS after */
    expect_token(" \t NTLM " TOK " \t\r\n", NTLM_HTTP_NTLM); /* trimmed by offers_add */
}

static void
test_several_in_one_value(void **state)
{
    struct outcome r;

    (void)state;
    expect_token("Basic realm=\"proxy\", NTLM " TOK ", Negotiate", NTLM_HTTP_NTLM);
    expect_token("Negotiate, NTLM " TOK, NTLM_HTTP_NTLM);
    expect_token("Negotiate " TOK ", NTLM", NTLM_HTTP_NEGOTIATE); /* the one with a token */
    expect_token("NTLM " TOK ", realm=x, Basic realm=y", NTLM_HTTP_NTLM);
    expect_token("NTLM " TOK "  , Basic", NTLM_HTTP_NTLM);
    /* empty list elements are skipped (RFC 9110 5.6.1.2) */
    expect_token(", ,NTLM " TOK ",, ,", NTLM_HTTP_NTLM);
    r = find1("Basic realm=\"x\", Digest realm=\"y\", nonce=\"z\", NTLM, Negotiate");
    assert_int_equal(r.reason, REASON_OK);
    assert_null(r.chal);
    assert_int_equal(r.f.bare[NTLM_HTTP_NTLM], 1);
    assert_int_equal(r.f.bare[NTLM_HTTP_NEGOTIATE], 1);
    assert_string_equal(r.f.others, "Basic, Digest");
}

static void
test_across_values(void **state)
{
    const char *const split[] = {"NTLM", "Basic realm=\"p\"", "Negotiate " TOK, NULL};
    const char *const both[] = {"Negotiate " TOK2, "NTLM " TOK, NULL};
    struct outcome r;

    (void)state;
    r = find(split);
    assert_int_equal(r.reason, REASON_OK);
    assert_int_equal(r.scheme, NTLM_HTTP_NEGOTIATE);
    assert_int_equal(r.chal_len, 12);
    assert_int_equal(r.f.bare[NTLM_HTTP_NTLM], 1);
    free(r.chal);
    r = find(both); /* NTLM preferred when both carry one */
    assert_int_equal(r.reason, REASON_OK);
    assert_int_equal(r.scheme, NTLM_HTTP_NTLM);
    assert_int_equal(r.chal[11], 0);
    assert_int_equal(r.f.tokens[NTLM_HTTP_NEGOTIATE], 1);
    free(r.chal);
}

static void
test_quoted_strings(void **state)
{
    (void)state;
    /* a comma and a challenge inside a quoted auth-param value are text */
    expect_token("Digest realm=\"a, NTLM " TOK2 "\", nonce=\"n\", NTLM " TOK, NTLM_HTTP_NTLM);
    expect_token("Basic realm=\"a\\\", NTLM " TOK2 "\", NTLM " TOK, NTLM_HTTP_NTLM);
    expect_token("Basic realm=\"a\\\\\", NTLM " TOK, NTLM_HTTP_NTLM); /* escaped backslash */
    expect_token("Basic realm = \"a, NTLM " TOK2 "\" , NTLM " TOK, NTLM_HTTP_NTLM); /* BWS */
    expect_token("Basic realm=\"\", Negotiate " TOK, NTLM_HTTP_NEGOTIATE);
    /* an unterminated quoted string swallows the rest */
    expect_none("Basic realm=\"a, NTLM " TOK, 0, 0);
    expect_none("Basic realm=\"a\\\", NTLM " TOK, 0, 0);
    /* a quoted string where a token68 would be is not one */
    expect_none("NTLM \"" TOK "\"", 1, 0);
}

static void
test_scheme_case(void **state)
{
    struct outcome r;

    (void)state;
    expect_token("ntlm " TOK, NTLM_HTTP_NTLM);
    expect_token("nTlM " TOK, NTLM_HTTP_NTLM);
    expect_token("NEGOTIATE " TOK, NTLM_HTTP_NEGOTIATE);
    expect_token("negotiate " TOK, NTLM_HTTP_NEGOTIATE);
    r = find1("NTLMv2 " TOK ", Negotiate2 " TOK ", XNTLM " TOK);
    assert_int_equal(r.reason, REASON_OK);
    assert_null(r.chal);
    assert_string_equal(r.f.others, "NTLMv2, Negotiate2, XNTLM");
    /* an auth-param named like the scheme is not a challenge */
    expect_none("Basic NTLM=" TOK, 0, 0);
    expect_none("Basic, NTLM =" TOK, 0, 0);
}

static void
test_empty_token(void **state)
{
    (void)state;
    expect_none("NTLM", 1, 0);
    expect_none("NTLM ", 1, 0);
    expect_none("NTLM ,", 1, 0);
    expect_none("Negotiate", 0, 1);
    expect_none("NTLM \"\"", 1, 0);
    expect_none("NTLM ====", 0, 0); /* "NTLM =": an auth-param (RFC 9110 11.2 BWS) */
    /* RFC 9110 11.2: 1*SP before the token68; a tab makes it no token */
    expect_none("NTLM\t" TOK, 1, 0);
    /* a token68 followed by more text is not a token68 */
    expect_none("NTLM " TOK " " TOK2, 1, 0);
    expect_none("NTLM TlRM=TVNT", 1, 0); /* padding inside */
    expect_none("NTLM TlRMTVNTUAACAA=A", 1, 0);
    expect_none("", 0, 0);
}

static void
test_bad_base64(void **state)
{
    static const char *const bad[] = {
        "NTLM TlRMTVNTUAACAAA",                           /* not a multiple of 4 */
        "NTLM TlRM-VNTUAACAAAA",                          /* base64url alphabet */
        "NTLM TlRM_VNTUAACAAAA", "NTLM TlRM.VNTUAACAAAA", /* token68 characters, not base64 */
        "NTLM TlRM~VNTUAACAAAA", "NTLM A===",
        "Negotiate T===",        "NTLM TlRMTVNTUAACAAAA====",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *const values[] = {bad[i], NULL};

        expect_malformed(values, "malformed NTLM CHALLENGE from " PEER ": not base64");
    }
}

static void
test_token_length(void **state)
{
    static uint8_t msg[NTLM_MAX_MESSAGE + 1];
    static char value[5 + (NTLM_MAX_MESSAGE + 3) / 3 * 4 + 1];
    struct outcome r;

    (void)state;
    memcpy(msg, "NTLMSSP", 8);
    for (size_t len = NTLM_MAX_MESSAGE; len <= NTLM_MAX_MESSAGE + 1; len++) {
        memcpy(value, "NTLM ", 5);
        /* OpenSSL's encoder: ntlm_b64_encode refuses more than the limit */
        assert_true(EVP_EncodeBlock((unsigned char *)value + 5, msg, (int)len) > 0);
        r = find1(value);
        if (len == NTLM_MAX_MESSAGE) { /* at the limit: taken */
            assert_int_equal(r.reason, REASON_OK);
            assert_int_equal(r.chal_len, NTLM_MAX_MESSAGE);
            assert_memory_equal(r.chal, msg, NTLM_MAX_MESSAGE);
            free(r.chal);
        } else {
            assert_int_equal(r.reason, REASON_MALFORMED_REPLY);
            assert_non_null(strstr(r.err, "longer than 16384 bytes"));
        }
    }
}

static void
test_ambiguous_and_too_many(void **state)
{
    const char *const twice[] = {"NTLM " TOK, "NTLM " TOK2, NULL};
    const char *const same[] = {"NTLM " TOK ", ntlm " TOK, NULL};
    const char *const neg_twice[] = {"Negotiate " TOK, "Negotiate " TOK2, NULL};
    const char *many[NTLM_HTTP_MAX_OFFERS + 2];
    struct outcome r;

    (void)state;
    expect_malformed(twice, PEER " sent 2 NTLM challenges; refused as ambiguous");
    expect_malformed(same, "sent 2 NTLM challenges");
    expect_malformed(neg_twice, "sent 2 Negotiate challenges");
    /* two Negotiate tokens do not matter when NTLM has exactly one */
    {
        const char *const values[] = {"Negotiate " TOK2, "Negotiate " TOK2, "NTLM " TOK, NULL};

        r = find(values);
        assert_int_equal(r.reason, REASON_OK);
        assert_int_equal(r.scheme, NTLM_HTTP_NTLM);
        free(r.chal);
    }
    for (int i = 0; i <= NTLM_HTTP_MAX_OFFERS; i++)
        many[i] = "Basic";
    many[NTLM_HTTP_MAX_OFFERS] = "NTLM " TOK; /* the 17th: not kept, and the set refused */
    many[NTLM_HTTP_MAX_OFFERS + 1] = NULL;
    expect_malformed(many, PEER " sent more than 16 authentication headers; refused");
    many[NTLM_HTTP_MAX_OFFERS] = NULL;
    many[0] = "NTLM " TOK;
    r = find(many); /* 16 is fine */
    assert_int_equal(r.reason, REASON_OK);
    assert_non_null(r.chal);
    free(r.chal);
}

static void
test_others_bounded(void **state)
{
    char value[4096];
    size_t used = 0;
    struct outcome r;

    (void)state;
    for (int i = 0; i < 100; i++)
        used += (size_t)snprintf(value + used, sizeof(value) - used, "%sScheme%02d%s",
                                 i ? ", " : "", i, i == 50 ? " realm=x" : "");
    snprintf(value + used, sizeof(value) - used, ", %040d", 0); /* a 40-char scheme name */
    r = find1(value);
    assert_int_equal(r.reason, REASON_OK);
    assert_null(r.chal);
    assert_true(strlen(r.f.others) < sizeof(r.f.others));
    assert_memory_equal(r.f.others, "Scheme00, Scheme01, ", 20);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_challenge),
        cmocka_unit_test(test_several_in_one_value),
        cmocka_unit_test(test_across_values),
        cmocka_unit_test(test_quoted_strings),
        cmocka_unit_test(test_scheme_case),
        cmocka_unit_test(test_empty_token),
        cmocka_unit_test(test_bad_base64),
        cmocka_unit_test(test_token_length),
        cmocka_unit_test(test_ambiguous_and_too_many),
        cmocka_unit_test(test_others_bounded),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
