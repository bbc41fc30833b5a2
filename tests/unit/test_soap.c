/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_soap.c - the authUser request (round trip through expat, exact
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
#include <expat.h>

#include "lib/remote/soap.h"
#include "lib/remote/soap_impl.h"
#include "soap_test.h"

/* ------------------------------------------------------------ request */

/* The request as a namespace-aware parser sees it: every element with its
 * parent, its xsi:type, its text, and how many elements and other nodes
 * it holds. */
struct seen {
    char name[160]; /* "namespace|local" or "local", as expat gives it */
    char type[32];
    char text[SOAP_MAX_VALUE + 1];
    int parent;
    int elements, nodes;
};

struct walk {
    struct seen el[64];
    int count, open[16], depth;
};

static void
walk_start(void *data, const XML_Char *name, const XML_Char **atts)
{
    struct walk *w = data;
    struct seen *e;

    assert_true(w->count < 64 && w->depth < 16);
    e = &w->el[w->count];
    memset(e, 0, sizeof(*e));
    snprintf(e->name, sizeof(e->name), "%s", name);
    e->parent = w->depth > 0 ? w->open[w->depth - 1] : -1;
    for (int i = 0; atts[i] != NULL; i += 2)
        if (strcmp(atts[i], XSI "|type") == 0)
            snprintf(e->type, sizeof(e->type), "%s", atts[i + 1]);
    if (e->parent >= 0) {
        w->el[e->parent].elements++;
        w->el[e->parent].nodes++;
    }
    w->open[w->depth++] = w->count++;
}

static void
walk_end(void *data, const XML_Char *name)
{
    struct walk *w = data;

    (void)name;
    w->depth--;
}

static void
walk_text(void *data, const XML_Char *s, int len)
{
    struct walk *w = data;
    struct seen *e = &w->el[w->open[w->depth - 1]];
    size_t at = strlen(e->text);

    assert_true(at + (size_t)len < sizeof(e->text));
    memcpy(e->text + at, s, (size_t)len);
    e->text[at + (size_t)len] = '\0';
    e->nodes++;
}

static void
walk_other(void *data, const XML_Char *a, const XML_Char *b)
{
    struct walk *w = data;

    (void)a;
    (void)b;
    if (w->depth > 0)
        w->el[w->open[w->depth - 1]].nodes++;
}

static void
walk_comment(void *data, const XML_Char *text)
{
    walk_other(data, text, NULL);
}

/* The children of @parent named @name, the first into *at. */
static int
children_named(const struct walk *w, int parent, const char *name, int *at)
{
    int n = 0;

    for (int i = 0; i < w->count; i++)
        if (w->el[i].parent == parent && strcmp(w->el[i].name, name) == 0 && n++ == 0)
            *at = i;
    return n;
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
    struct soap_request req = {want[0][2], want[1][2], want[2][2],    4294967295u,
                               want[4][2], want[5][2], want[6][2],    want[7][2],
                               want[8][2], want[9][2], SOAP_AUTH_USER};
    static struct walk w;
    XML_Parser parser;
    int header = -1, body = -1, op = -1, set = -1, n, child;
    char *xml;
    size_t len;

    (void)state;
    assert_int_equal(soap_build_request(&req, &xml, &len), 0);
    assert_int_equal(strlen(xml), len);
    assert_non_null(strstr(xml, "p&lt;w&gt;&amp;amp;&quot;'"));
    memset(&w, 0, sizeof(w));
    parser = XML_ParserCreateNS(NULL, '|');
    assert_non_null(parser);
    XML_SetUserData(parser, &w);
    XML_SetElementHandler(parser, walk_start, walk_end);
    XML_SetCharacterDataHandler(parser, walk_text);
    XML_SetProcessingInstructionHandler(parser, walk_other);
    XML_SetCommentHandler(parser, walk_comment);
    assert_int_equal(XML_Parse(parser, xml, (int)len, XML_TRUE), XML_STATUS_OK);
    XML_ParserFree(parser);

    assert_string_equal(w.el[0].name, SOAP_NS_ENVELOPE "|Envelope");
    assert_int_equal(children_named(&w, 0, SOAP_NS_ENVELOPE "|Header", &header), 1);
    assert_int_equal(w.el[header].nodes, 0);
    assert_int_equal(children_named(&w, 0, SOAP_NS_ENVELOPE "|Body", &body), 1);
    assert_int_equal(w.el[body].elements, 1);
    assert_int_equal(children_named(&w, body, SOAP_NS_AUTH "|authUser", &op), 1);
    assert_int_equal(w.el[op].elements, 1);
    assert_int_equal(children_named(&w, op, "credentialAttributeSet", &set), 1);
    assert_int_equal(w.el[set].elements, 10);
    n = 0;
    for (int i = 0; i < w.count; i++) {
        if (w.el[i].parent != set)
            continue;
        /* attributes: a value with its xsi:type, then the attributeID */
        assert_string_equal(w.el[i].name, "attributes");
        assert_int_equal(w.el[i].elements, 2);
        child = i + 1;
        assert_string_equal(w.el[child].name, "value");
        assert_string_equal(w.el[child].type, want[n][1]);
        assert_string_equal(w.el[child].text, want[n][2]);
        child++;
        assert_string_equal(w.el[child].name, "attributeID");
        assert_string_equal(w.el[child].text, want[n][0]);
        n++;
    }
    assert_int_equal(n, 10);
    soap_free_request(xml, len);
}

/* XML 1.0 escaping: & < > " become references, tab, LF and CR stay (XML
 * carries them), what XML cannot carry or is not UTF-8 is refused, and
 * measuring gives the length writing does. */
static void
test_escape(void **state)
{
    static const char *const cases[][2] = {
        {"", ""},
        {"plain", "plain"},
        {"a&b<c>d\"e'f", "a&amp;b&lt;c&gt;d&quot;e'f"},
        {"]]>", "]]&gt;"},
        {"&amp;", "&amp;amp;"},
        {"\t\n\r", "\t\n\r"},
        {"\x7f\xc2\x85", "\x7f\xc2\x85"}, /* DEL and C1: XML 1.0 carries them */
        {"\xef\xbf\xbd\xf0\x9f\x94\x91", "\xef\xbf\xbd\xf0\x9f\x94\x91"},
    };
    static const char *const refused[] = {
        "\x01", "a\x1f",    "\x0b",         "\x0c",     "\xef\xbf\xbe",     "\xef\xbf\xbf",
        "\xff", "\xc0\xaf", "\xed\xa0\x80", "\xe6\x97", "\xf4\x90\x80\x80", "a\x80",
    };
    char out[64];
    ssize_t n;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memset(out, 'x', sizeof(out));
        n = soap_escape(cases[i][0], out);
        assert_int_equal(n, strlen(cases[i][1]));
        assert_int_equal(soap_escape(cases[i][0], NULL), n);
        assert_memory_equal(out, cases[i][1], (size_t)n);
        assert_int_equal(out[n], 'x'); /* nothing past the length, no NUL */
    }
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        assert_int_equal(soap_escape(refused[i], NULL), -1);
        assert_int_equal(soap_escape(refused[i], out), -1);
    }
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
        "a\tb",
        "a\nb",
        "\r",
        "a\x1b[31m",
        "a\x7f",
        "a\xc2\x85",
        "a\xc2\x9f",
        "\xff",
        "\xc0\xaf",
        "\xe0\x80\xaf",
        "\xed\xa0\x80",
        "\xe6\x97",
        "\xf4\x90\x80\x80",
        "\xf8\x88\x80\x80\x80",
        "\xef\xbf\xbe",
        "\xef\xbf\xbf",
        "a\x80",
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
    /* the parser's error, where it is, and the byte that is not UTF-8 */
    expect_malformed("<a>\xe9</a>", "reply: not well-formed XML at line 1, column 4: not UTF-8 "
                                    "(byte 0xE9)");
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
    static const char *const files[] = {"malformed_xml.xml",  "truncated.xml",
                                        "challenge.xml",      "duplicate_codes.xml",
                                        "doctype_entity.xml", "fault.xml"};
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

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_round_trip),
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_request_exact),
        cmocka_unit_test(test_request_refused),
        cmocka_unit_test(test_reference_replies),
        cmocka_unit_test(test_reordered_and_split),
        cmocka_unit_test(test_fault),
        cmocka_unit_test(test_err_buffer),
        cmocka_unit_test(test_threads),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
