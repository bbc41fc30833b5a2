/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_soap.c - the authUser request (round trip through libxml2, exact
 * bytes, escaping, refused values) and the replies the reference server
 * sends (tests/server), read in any order and however the text is split;
 * plus the err buffer and concurrent parsing.  Hostile replies are in
 * test_soap_hostile.c.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "lib/remote/soap.h"
#include "soap_test.h"

/* ------------------------------------------------------------ request */

static char *
xpath_text(xmlXPathContextPtr ctx, const char *expr)
{
    xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, ctx);
    char *s;

    assert_non_null(o);
    s = (char *)xmlXPathCastToString(o);
    xmlXPathFreeObject(o);
    return s;
}

static void
expect_xpath(xmlXPathContextPtr ctx, const char *expr, const char *want)
{
    char *got = xpath_text(ctx, expr);

    if (strcmp(got, want) != 0)
        fail_msg("%s = '%s', want '%s'", expr, got, want);
    xmlFree(got);
}

static void
test_request_round_trip(void **state)
{
    static const char *const want[][3] = {
        {"CREDFLD_USERID", "xsd:string", "J\xc3\xbcrgen <&\"'> \xe6\x97\xa5\xe6\x9c\xac"},
        {"CREDFLD_DOMAIN", "xsd:string", "master"},
        {"CREDFLD_COMPONENT_TYPE", "xsd:string", "PAM Client"},
        {"CREDFLD_PASSWORD_FORMAT", "xsd:unsignedInt", "4294967295"},
        {"CREDFLD_PASSWORD", "xsd:string", "p<w>&amp;\"'"},
        {"CREDFLD_STATIC_PASSWORD", "xsd:string", "]]> stat"},
        {"CREDFLD_CHALLENGE", "xsd:string", "12345678"},
        {"CREDFLD_CHALLENGE_KEY", "xsd:string", "K-1"},
        {"CREDFLD_DP_RESPONSE", "xsd:string", "654321"},
        {"CREDFLD_REQUEST_HOST_CODE", "xsd:string", "Optional"},
    };
    struct soap_request req = {want[0][2], want[1][2], want[2][2], 4294967295u, want[4][2],
                               want[5][2], want[6][2], want[7][2], want[8][2], want[9][2],
                               SOAP_AUTH_USER};
    xmlXPathContextPtr ctx;
    xmlDocPtr doc;
    char expr[256];
    char *xml;
    size_t len;

    (void)state;
    assert_int_equal(soap_build_request(&req, &xml, &len), 0);
    assert_int_equal(strlen(xml), len);
    assert_non_null(strstr(xml, "p&lt;w&gt;&amp;amp;&quot;'"));
    doc = xmlReadMemory(xml, (int)len, NULL, NULL, XML_PARSE_NONET);
    assert_non_null(doc);
    ctx = xmlXPathNewContext(doc);
    xmlXPathRegisterNs(ctx, BAD_CAST "s", BAD_CAST SOAP_NS_ENVELOPE);
    xmlXPathRegisterNs(ctx, BAD_CAST "a", BAD_CAST SOAP_NS_AUTH);
    xmlXPathRegisterNs(ctx, BAD_CAST "xsi", BAD_CAST XSI);
    expect_xpath(ctx, "count(/s:Envelope/s:Header)", "1");
    expect_xpath(ctx, "count(/s:Envelope/s:Header/node())", "0");
    expect_xpath(ctx, "count(/s:Envelope/s:Body/*)", "1");
    expect_xpath(ctx, "count(/s:Envelope/s:Body/a:authUser/*)", "1");
    expect_xpath(ctx, "count(//credentialAttributeSet/*)", "10");
    expect_xpath(ctx, "count(//attributes[count(*) = 2 and *[1][self::value] and "
                      "*[2][self::attributeID]])", "10");
    for (size_t i = 0; i < 10; i++) {
        snprintf(expr, sizeof(expr), "//credentialAttributeSet/attributes[%zu]/attributeID", i + 1);
        expect_xpath(ctx, expr, want[i][0]);
        snprintf(expr, sizeof(expr), "//credentialAttributeSet/attributes[%zu]/value/@xsi:type",
                 i + 1);
        expect_xpath(ctx, expr, want[i][1]);
        snprintf(expr, sizeof(expr), "//credentialAttributeSet/attributes[%zu]/value", i + 1);
        expect_xpath(ctx, expr, want[i][2]);
    }
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    soap_free_request(xml, len);
}

/* Byte for byte the envelope of doc/protocol.md 2.2; unset fields are left out. */
static void
test_request_exact(void **state)
{
    struct soap_request req = {.userid = "jdoe", .component = "PAM Client", .password = "123456"};
    const char *want =
        "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" "
        "xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" "
        "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
        "xmlns:aut=\"http://www.vasco.com/IdentikeyServer/IdentikeyTypes/Authentication\">"
        "<soapenv:Header/><soapenv:Body><aut:authUser><credentialAttributeSet>"
        "<attributes><value xsi:type=\"xsd:string\">jdoe</value>"
        "<attributeID>CREDFLD_USERID</attributeID></attributes>"
        "<attributes><value xsi:type=\"xsd:string\">PAM Client</value>"
        "<attributeID>CREDFLD_COMPONENT_TYPE</attributeID></attributes>"
        "<attributes><value xsi:type=\"xsd:unsignedInt\">0</value>"
        "<attributeID>CREDFLD_PASSWORD_FORMAT</attributeID></attributes>"
        "<attributes><value xsi:type=\"xsd:string\">123456</value>"
        "<attributeID>CREDFLD_PASSWORD</attributeID></attributes>"
        "</credentialAttributeSet></aut:authUser></soapenv:Body></soapenv:Envelope>";
    char *xml;
    size_t len;

    (void)state;
    assert_int_equal(soap_build_request(&req, &xml, &len), 0);
    assert_string_equal(xml, want);
    soap_free_request(xml, len);
    soap_free_request(NULL, 0);
}

static void
expect_refused(const struct soap_request *req)
{
    char *xml = (char *)"x";
    size_t len = 7;

    assert_int_equal(soap_build_request(req, &xml, &len), -1);
    assert_null(xml);
    assert_int_equal(len, 0);
}

static void
test_request_refused(void **state)
{
    static const char *const bad[] = {
        "a\tb", "a\nb", "\r", "a\x1b[31m", "a\x7f", "a\xc2\x85", "a\xc2\x9f", "\xff",
        "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xe6\x97", "\xf4\x90\x80\x80",
        "\xf8\x88\x80\x80\x80",
        "\xef\xbf\xbe", "\xef\xbf\xbf", "a\x80",
    };
    static char big[SOAP_MAX_VALUE + 2];
    struct soap_request ok = {.userid = "u", .component = "c"};
    struct soap_request req;
    char *xml;
    size_t len;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        req = ok;
        req.userid = bad[i];
        expect_refused(&req);
        req = ok;
        req.password = bad[i];
        expect_refused(&req);
        req = ok;
        req.challenge_key = bad[i];
        expect_refused(&req);
    }
    expect_refused(NULL);
    req = ok;
    req.userid = NULL;
    expect_refused(&req);
    req.userid = "";
    expect_refused(&req);
    req = ok;
    req.component = NULL;
    expect_refused(&req);
    req.component = "";
    expect_refused(&req);
    assert_int_equal(soap_build_request(&ok, NULL, &len), -1);
    assert_int_equal(soap_build_request(&ok, &xml, NULL), -1);

    memset(big, 'x', SOAP_MAX_VALUE);
    req = ok;
    req.password = big;
    assert_int_equal(soap_build_request(&req, &xml, &len), 0);
    soap_free_request(xml, len);
    big[SOAP_MAX_VALUE] = 'x';
    expect_refused(&req);
    /* the edges of what is allowed: NBSP, U+FFFD, a 4-byte character, "" */
    req = ok;
    req.password = "\xc2\xa0\xef\xbf\xbd\xf0\x9f\x94\x91";
    req.domain = "";
    assert_int_equal(soap_build_request(&req, &xml, &len), 0);
    assert_non_null(strstr(xml, "\xc2\xa0\xef\xbf\xbd\xf0\x9f\x94\x91"));
    soap_free_request(xml, len);
}

/* -------------------------------------------------------------- replies */

static void
test_reference_replies(void **state)
{
    struct soap_reply r;
    char err[256];
    char *b;

    (void)state;
    b = load("success.xml");
    assert_int_equal(parse(b, &r, err), SOAP_OK);
    assert_int_equal(r.return_code, 0);
    assert_int_equal(r.status_code, 0);
    assert_string_equal(r.return_enum, "RET_SUCCESS");
    assert_string_equal(r.status_enum, "STAT_SUCCESS");
    assert_false(r.has_challenge || r.has_challenge_key || r.has_status_message);
    assert_int_equal(r.error_code, 0);
    free(b);

    b = load("challenge.xml");
    assert_int_equal(parse(b, &r, err), SOAP_OK);
    assert_true(r.has_challenge && r.has_challenge_key);
    assert_string_equal(r.challenge, "41826591");
    assert_string_equal(r.challenge_key, "A-e321b6399e88303e74b0f462a65804cd");
    assert_string_equal(r.challenge_message, "Enter challenge 41826591 into your token");
    free(b);

    b = load("failure.xml");
    assert_int_equal(parse(b, &r, err), SOAP_OK);
    assert_int_equal(r.return_code, -1);
    assert_int_equal(r.status_code, 1000);
    assert_string_equal(r.status_enum, "STAT_INVCREDENTIALS");
    assert_true(r.has_status_message);
    assert_string_equal(r.status_message, "Invalid credentials");
    assert_int_equal(r.error_code, 1000);
    assert_string_equal(r.error_desc, "Invalid credentials: wrong or replayed OTP");
    free(b);

    b = load("masked.xml");
    assert_int_equal(parse(b, &r, err), SOAP_OK);
    assert_int_equal(r.status_code, 0);
    assert_false(r.has_status_message);
    free(b);

    b = load("success_with_message.xml");
    assert_int_equal(parse(b, &r, err), SOAP_OK);
    assert_true(r.has_status_message);
    assert_string_equal(r.status_message, "The password is incorrect");
    free(b);
}

static void
test_reordered_and_split(void **state)
{
    struct soap_reply r;
    char err[256];
    char *b;

    (void)state;
    b = load("reordered.xml");
    assert_int_equal(parse(b, &r, err), SOAP_OK);
    assert_string_equal(r.return_enum, "RET_SUCCESS");
    assert_string_equal(r.challenge, "41826591");
    assert_string_equal(r.challenge_key, "1481259140");
    assert_string_equal(r.challenge_message, "Enter challenge 41826591 into your token");
    assert_int_equal(r.error_code, -7);
    assert_string_equal(r.error_desc, "first description");
    free(b);

    /* text + CDATA + comment + character reference; padded attributeID;
     * an empty value still counts as present */
    b = load("split_text.xml");
    assert_int_equal(parse(b, &r, err), SOAP_OK);
    assert_string_equal(r.challenge, "41826591");
    assert_true(r.has_challenge_key);
    assert_string_equal(r.challenge_message, "");
    free(b);

    b = reply_doc(CODES_OK, "<attributes><value/><attributeID>CREDFLD_STATUS_MESSAGE</attributeID>"
                            "</attributes>");
    assert_int_equal(parse(b, &r, err), SOAP_OK);
    assert_true(r.has_status_message);
    assert_string_equal(r.status_message, "");
    free(b);
}

static void
test_fault(void **state)
{
    char long_text[400];
    struct soap_reply r;
    char err[256];
    char *b, *v;

    (void)state;
    b = load("fault.xml");
    assert_int_equal(parse(b, &r, err), SOAP_FAULT);
    assert_string_equal(r.fault_code, "soapenv:Server");
    assert_string_equal(r.fault_string, "Internal server error (injected fault)");
    assert_non_null(strstr(err, "SOAP Fault soapenv:Server"));

    /* log-only text is cut at a character boundary: 254 x + a 2-byte char */
    memset(long_text, 'x', 254);
    memcpy(long_text + 254, "\xc3\xa9 and more", 12);
    v = replace(b, "Internal server error (injected fault)", long_text);
    assert_int_equal(parse(v, &r, err), SOAP_FAULT);
    assert_int_equal(strlen(r.fault_string), 254);
    free(v);
    v = replace(b, "<faultstring>Internal server error (injected fault)</faultstring>", "");
    assert_int_equal(parse(v, &r, err), SOAP_FAULT);
    assert_string_equal(r.fault_string, "");
    free(v);
    v = replace(b, "<faultcode>", "<faultcode>a</faultcode><faultcode>");
    expect_malformed(v, "duplicate faultcode in Fault");
    free(v);
    free(b);
}

static void
test_err_buffer(void **state)
{
    char *b = load("duplicate_codes.xml");
    struct soap_reply r;
    char err[16];

    (void)state;
    memset(err, 'x', sizeof(err));
    assert_int_equal(soap_parse_reply(b, strlen(b), &r, err, 10), SOAP_MALFORMED);
    assert_string_equal(err, "reply: du");
    err[0] = 'x';
    assert_int_equal(soap_parse_reply(b, strlen(b), &r, err, 0), SOAP_MALFORMED);
    assert_int_equal(err[0], 'x');
    assert_int_equal(soap_parse_reply(b, strlen(b), &r, NULL, 100), SOAP_MALFORMED);
    assert_int_equal(soap_parse_reply(b, strlen(b), NULL, err, sizeof(err)), SOAP_MALFORMED);
    free(b);
    /* libxml2's message has a newline in the middle: it stays one line */
    expect_malformed("<a>\xe9</a>", "Input is not proper UTF-8, indicate encoding ! Bytes: 0xE9");
}

struct worker {
    const char *body;
    int rc;
    char err[256];
    int mismatches;
};

static void *
work(void *arg)
{
    struct worker *w = arg;
    struct soap_reply r;
    char err[256];

    for (int i = 0; i < 300; i++)
        if (soap_parse_reply(w->body, strlen(w->body), &r, err, sizeof(err)) != w->rc ||
            strcmp(err, w->err) != 0)
            w->mismatches++;
    return NULL;
}

/* Errors are collected per parse: concurrent parses never see each
 * other's messages. */
static void
test_threads(void **state)
{
    static const char *const files[] = {"malformed_xml.xml", "truncated.xml", "challenge.xml",
                                        "duplicate_codes.xml", "doctype_entity.xml", "fault.xml"};
    enum { N = sizeof(files) / sizeof(files[0]) };
    struct worker w[N];
    pthread_t t[N];
    struct soap_reply r;
    char *bodies[N];

    (void)state;
    for (int i = 0; i < N; i++) {
        bodies[i] = load(files[i]);
        w[i].body = bodies[i];
        w[i].mismatches = 0;
        w[i].rc = soap_parse_reply(bodies[i], strlen(bodies[i]), &r, w[i].err, sizeof(w[i].err));
    }
    for (int i = 0; i < N; i++)
        assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
    for (int i = 0; i < N; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(w[i].mismatches, 0);
        free(bodies[i]);
    }
}

static int
setup(void **state)
{
    (void)state;
    soap_init();
    soap_init();
    return 0;
}


int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_round_trip),
        cmocka_unit_test(test_request_exact),
        cmocka_unit_test(test_request_refused),
        cmocka_unit_test(test_reference_replies),
        cmocka_unit_test(test_reordered_and_split),
        cmocka_unit_test(test_fault),
        cmocka_unit_test(test_err_buffer),
        cmocka_unit_test(test_threads),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
