/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_soap_shapes.c - what real servers vary, read strictly: the reply
 * shapes of the reference server (tests/server, "Reply shapes": no
 * authUserResults wrapper, padded values, an attribute without a value, a
 * repeated status message, Latin-1 named only by HTTP, xsi:type on every
 * leaf, self-closed elements), the getChallenge request and reply, and the
 * messages a success carries.  Each tolerance is checked at its edge too.
 */
#include <iconv.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/remote/http_impl.h"
#include "lib/remote/soap.h"
#include "soap_test.h"

#define KEY "A-e321b6399e88303e74b0f462a65804cd"
#define GC_HEAD                                                                                    \
    "<soapenv:Envelope xmlns:soapenv=\"" SOAP_NS_ENVELOPE "\" xmlns:aut=\"" SOAP_NS_AUTH           \
    "\"><soapenv:Body><aut:getChallengeResponse><results>"
#define GC_TAIL "</results></aut:getChallengeResponse></soapenv:Body></soapenv:Envelope>"

static int
parse_file(enum soap_operation op, const char *name, const char *charset, struct soap_reply *r,
           char *err)
{
    char *b = load(name);
    int rc = parse_of(op, b, strlen(b), charset, r, err);

    free(b);
    return rc;
}

static void
expect_challenge(const struct soap_reply *r, const char *challenge, const char *key)
{
    assert_int_equal(r->return_code, 0);
    assert_int_equal(r->status_code, 0);
    assert_true(r->has_challenge && r->has_challenge_key && r->has_challenge_message);
    assert_string_equal(r->challenge, challenge);
    assert_string_equal(r->challenge_key, key);
}

/* ----------------------------------------------------------- requests */

static void
test_get_challenge_request(void **state)
{
    struct soap_request req = {.userid = "onestep",
                               .domain = "master",
                               .component = "PAM Client",
                               .password_format = 4,
                               .operation = SOAP_GET_CHALLENGE};
    struct soap_request bad;
    char *xml;
    size_t len;

    (void)state;
    assert_int_equal(soap_build_request(&req, &xml, &len), 0);
    assert_non_null(strstr(xml, "<aut:getChallenge><credentialAttributeSet>"));
    assert_null(strstr(xml, "authUser"));
    assert_null(strstr(xml, "CREDFLD_PASSWORD_FORMAT"));
    assert_non_null(strstr(xml, "<value xsi:type=\"xsd:string\">onestep</value><attributeID>"
                                "CREDFLD_USERID</attributeID>"));
    assert_non_null(strstr(xml, "CREDFLD_DOMAIN"));
    assert_non_null(strstr(xml, "CREDFLD_COMPONENT_TYPE"));
    soap_free_request(xml, len);

    /* nothing secret goes into a getChallenge, and no unknown operation */
    for (int i = 0; i < 6; i++) {
        bad = req;
        switch (i) {
        case 0:
            bad.password = "x";
            break;
        case 1:
            bad.static_password = "x";
            break;
        case 2:
            bad.challenge = "x";
            break;
        case 3:
            bad.challenge_key = "x";
            break;
        case 4:
            bad.request_host_code = "x";
            break;
        default:
            bad.operation = (enum soap_operation)7;
            break;
        }
        assert_int_equal(soap_build_request(&bad, &xml, &len), -1);
        assert_null(xml);
    }
}

/* ---------------------------------------------------- reference shapes */

static void
test_reference_shapes(void **state)
{
    struct soap_reply r;
    char err[256];

    (void)state;
    assert_int_equal(parse_file(SOAP_AUTH_USER, "no_wrapper.xml", NULL, &r, err), SOAP_OK);
    expect_challenge(&r, "41826591", KEY);

    assert_int_equal(parse_file(SOAP_AUTH_USER, "padded_values.xml", NULL, &r, err), SOAP_OK);
    expect_challenge(&r, "41826591", KEY);

    assert_int_equal(parse_file(SOAP_AUTH_USER, "padded_failure.xml", NULL, &r, err), SOAP_OK);
    assert_int_equal(r.return_code, -1);
    assert_int_equal(r.status_code, 1012);
    assert_int_equal(r.error_code, 1012);
    assert_string_equal(r.status_enum, "STAT_OTP_INCORRECT");

    assert_int_equal(parse_file(SOAP_AUTH_USER, "valueless_attribute.xml", NULL, &r, err), SOAP_OK);
    assert_int_equal(r.status_code, 0);
    assert_false(r.has_challenge || r.has_status_message);

    assert_int_equal(parse_file(SOAP_AUTH_USER, "repeated_status_message.xml", NULL, &r, err),
                     SOAP_OK);
    assert_string_equal(r.status_message, "The One Time Password is incorrect");

    assert_int_equal(parse_file(SOAP_AUTH_USER, "typed_leaves.xml", NULL, &r, err), SOAP_OK);
    assert_int_equal(r.status_code, 1012);
    assert_string_equal(r.return_enum, "RET_FAILURE");

    /* the real reply ifad quotes: self-closed resultAttribute, -1/-13 */
    assert_int_equal(parse_file(SOAP_AUTH_USER, "self_closed.xml", NULL, &r, err), SOAP_OK);
    assert_int_equal(r.return_code, -1);
    assert_int_equal(r.status_code, -13);
    assert_string_equal(r.status_enum, "STAT_NOT_FOUND");
    assert_false(r.has_status_message);
    assert_int_equal(r.error_code, -13);
    assert_non_null(strstr(r.error_desc, "Fail to retrieve storage key"));

    assert_int_equal(parse_file(SOAP_AUTH_USER, "success_messages.xml", NULL, &r, err), SOAP_OK);
    assert_true(r.has_auxiliary_message && r.has_password_expire_date && r.has_host_code);
    assert_string_equal(r.auxiliary_message, "Maintenance on Sunday 02:00-04:00");
    assert_string_equal(r.password_expire_date, "2026-12-31");
    assert_string_equal(r.host_code, "502714");
    assert_false(r.has_status_message || r.has_challenge);

    assert_int_equal(parse_file(SOAP_AUTH_USER, "message_only.xml", NULL, &r, err), SOAP_OK);
    assert_true(r.has_challenge_message);
    assert_false(r.has_challenge || r.has_challenge_key);
    assert_string_equal(r.challenge_message, "An OTP has been sent to your phone");
}

static void
test_get_challenge_reply(void **state)
{
    struct soap_reply r;
    char err[256];
    char *b;

    (void)state;
    assert_int_equal(parse_file(SOAP_GET_CHALLENGE, "get_challenge.xml", NULL, &r, err), SOAP_OK);
    expect_challenge(&r, "73915046", "A-0c9f1e2d3b4a59687766554433221100");
    assert_int_equal(parse_file(SOAP_GET_CHALLENGE, "get_challenge_typed.xml", NULL, &r, err),
                     SOAP_OK);
    expect_challenge(&r, "73915046", "A-0c9f1e2d3b4a59687766554433221100");

    /* each reply element answers its own request only */
    assert_int_equal(parse_file(SOAP_AUTH_USER, "get_challenge.xml", NULL, &r, err),
                     SOAP_MALFORMED);
    assert_non_null(strstr(err, "getChallengeResponse in Body (the request was authUser)"));
    assert_int_equal(parse_file(SOAP_GET_CHALLENGE, "challenge.xml", NULL, &r, err),
                     SOAP_MALFORMED);
    assert_non_null(strstr(err, "authUserResponse in Body (the request was getChallenge)"));
    assert_int_equal(parse_file(SOAP_GET_CHALLENGE, "fault.xml", NULL, &r, err), SOAP_FAULT);

    /* no wrapper there: an authUserResults is not results */
    b = cat(GC_HEAD, CODES_OK, GC_TAIL, NULL);
    assert_int_equal(parse_of(SOAP_GET_CHALLENGE, b, strlen(b), NULL, &r, err), SOAP_OK);
    free(b);
    b = cat("<soapenv:Envelope xmlns:soapenv=\"" SOAP_NS_ENVELOPE "\" xmlns:aut=\"" SOAP_NS_AUTH
            "\"><soapenv:Body><aut:getChallengeResponse><authUserResults><results>",
            CODES_OK,
            "</results></authUserResults></aut:getChallengeResponse></soapenv:Body>"
            "</soapenv:Envelope>",
            NULL);
    assert_int_equal(parse_of(SOAP_GET_CHALLENGE, b, strlen(b), NULL, &r, err), SOAP_MALFORMED);
    assert_non_null(strstr(err, "no results in getChallengeResponse"));
    free(b);
    assert_int_equal(parse_of((enum soap_operation)9, "<a/>", 4, NULL, &r, err), SOAP_MALFORMED);
}

/* --------------------------------------------------------- white space */

static void
test_trimmed_values(void **state)
{
    static const struct {
        const char *value, *want;
    } cases[] = {
        {" \t\r\n1234\n ", "1234"},
        {"12 34", "12 34"}, /* inside: kept */
        {"\xc2\xa0"
         "1234",
         "\xc2\xa0"
         "1234"}, /* NBSP is not XML white space */
        {"<![CDATA[ 12]]>34 ", "1234"},
    };
    struct soap_reply r;
    char err[256];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *a = attr("CREDFLD_CHALLENGE", cases[i].value);
        char *k = attr("CREDFLD_CHALLENGE_KEY", cases[i].value);
        char *both = cat(a, k, NULL);
        char *b = reply_doc(CODES_OK, both);

        assert_int_equal(parse(b, &r, err), SOAP_OK);
        assert_string_equal(r.challenge, cases[i].want);
        assert_string_equal(r.challenge_key, cases[i].want);
        free(a);
        free(k);
        free(both);
        free(b);
    }
    /* a message keeps its blanks: it is shown as sent */
    {
        char *a = attr("CREDFLD_CHALLENGE_MESSAGE", "  Enter it  ");
        char *b = reply_doc(CODES_OK, a);

        assert_int_equal(parse(b, &r, err), SOAP_OK);
        assert_string_equal(r.challenge_message, "  Enter it  ");
        free(a);
        free(b);
    }
}

/* ----------------------------------------------------- repeated message */

static void
test_repeated_status_message(void **state)
{
    struct soap_reply r;
    char err[256], big[600];
    char *a, *b, *c, *d, *all;

    (void)state;
    a = attr("CREDFLD_STATUS_MESSAGE", "first");
    b = attr("CREDFLD_STATUS_MESSAGE", "second");
    c = attr("CREDFLD_STATUS_MESSAGE", "");
    all = cat(a, b, a, c, b, NULL);
    d = reply_doc(CODES_OK, all);
    assert_int_equal(parse(d, &r, err), SOAP_OK);
    assert_true(r.has_status_message);
    assert_string_equal(r.status_message, "first; second");
    free(all);
    free(d);

    /* a piece that is only part of one already there is new */
    free(c);
    c = attr("CREDFLD_STATUS_MESSAGE", "fir");
    all = cat(a, c, NULL);
    d = reply_doc(CODES_OK, all);
    assert_int_equal(parse(d, &r, err), SOAP_OK);
    assert_string_equal(r.status_message, "first; fir");
    free(all);
    free(d);
    free(c);

    /* the joined text must fit, or the reply is malformed */
    memset(big, 'm', sizeof(big));
    big[sizeof(big) - 1] = '\0';
    c = attr("CREDFLD_STATUS_MESSAGE", big);
    big[0] = 'n';
    free(b);
    b = attr("CREDFLD_STATUS_MESSAGE", big);
    all = cat(c, b, NULL);
    d = reply_doc(CODES_OK, all);
    expect_malformed(d, "repeated CREDFLD_STATUS_MESSAGE longer than 1023 bytes in all");
    free(all);
    free(d);
    free(c);

    /* any other attribute given twice still is */
    c = attr("CREDFLD_CHALLENGE_MESSAGE", "x");
    all = cat(c, c, NULL);
    d = reply_doc(CODES_OK, all);
    expect_malformed(d, "duplicate CREDFLD_CHALLENGE_MESSAGE in resultAttribute");
    free(all);
    free(d);
    free(c);
    free(a);
    free(b);
}

/* ------------------------------------------------------------- charset */

static void
test_charset(void **state)
{
    static const char latin1_doc[] = "<soapenv:Envelope xmlns:soapenv=\"" SOAP_NS_ENVELOPE
                                     "\" xmlns:aut=\"" SOAP_NS_AUTH "\"><soapenv:Body>"
                                     "<aut:authUserResponse><results>" CODES_OK
                                     "<resultAttribute><attributes><value>gr\xfc\xdf</value>"
                                     "<attributeID>CREDFLD_STATUS_MESSAGE</attributeID>"
                                     "</attributes></resultAttribute>"
                                     "</results>"
                                     "</aut:authUserResponse></soapenv:Body></soapenv:Envelope>";
    struct soap_reply r;
    char err[256];
    char *b;

    (void)state;
    assert_int_equal(parse_file(SOAP_AUTH_USER, "latin1.xml", "ISO-8859-1", &r, err), SOAP_OK);
    assert_non_null(strstr(r.status_message, "ung\xc3\xbcltige Anmeldung"));
    assert_int_equal(parse_file(SOAP_AUTH_USER, "latin1.xml", NULL, &r, err), SOAP_MALFORMED);
    assert_non_null(strstr(err, "not UTF-8 (byte 0xFC)"));
    assert_int_equal(parse_file(SOAP_AUTH_USER, "latin1.xml", "utf-8", &r, err), SOAP_MALFORMED);
    assert_int_equal(parse_file(SOAP_AUTH_USER, "latin1.xml", "KOI8-R", &r, err), SOAP_MALFORMED);
    assert_non_null(strstr(err, "charset 'KOI8-R' of the HTTP reply is not supported"));
    /* UTF-16 or UTF-7 would hide markup from the byte-level checks */
    assert_int_equal(parse_file(SOAP_AUTH_USER, "latin1.xml", "UTF-7", &r, err), SOAP_MALFORMED);

    assert_int_equal(parse_of(SOAP_AUTH_USER, latin1_doc, strlen(latin1_doc), "latin1", &r, err),
                     SOAP_OK);
    assert_string_equal(r.status_message, "gr\xc3\xbc\xc3\x9f");
    assert_int_equal(parse_of(SOAP_AUTH_USER, latin1_doc, strlen(latin1_doc), "windows-1252", &r,
                              err),
                     SOAP_OK);
    assert_string_equal(r.status_message, "gr\xc3\xbc\xc3\x9f");

    /* a document that names its encoding wins over HTTP: the declaration */
    b = cat("<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            "<soapenv:Envelope xmlns:soapenv=\"" SOAP_NS_ENVELOPE "\" xmlns:aut=\"" SOAP_NS_AUTH
            "\"><soapenv:Body>"
            "<aut:authUserResponse><results>" CODES_OK "<resultAttribute><attributes><value>"
            "gr\xc3\xbc\xc3\x9f</value><attributeID>CREDFLD_STATUS_MESSAGE</attributeID>"
            "</attributes></resultAttribute></results></aut:authUserResponse></soapenv:Body>"
            "</soapenv:Envelope>",
            NULL);
    assert_int_equal(parse_of(SOAP_AUTH_USER, b, strlen(b), "ISO-8859-1", &r, err), SOAP_OK);
    assert_string_equal(r.status_message, "gr\xc3\xbc\xc3\x9f");
    /* even an unsupported HTTP charset is then beside the point */
    assert_int_equal(parse_of(SOAP_AUTH_USER, b, strlen(b), "KOI8-R", &r, err), SOAP_OK);
    free(b);
    /* ... and so does a byte order mark */
    b = cat("\xef\xbb\xbf", latin1_doc, NULL);
    assert_int_equal(parse_of(SOAP_AUTH_USER, b, strlen(b), "ISO-8859-1", &r, err), SOAP_MALFORMED);
    free(b);
    /* a declaration without an encoding names none: HTTP's counts */
    b = cat("<?xml version=\"1.0\"?>", latin1_doc, NULL);
    assert_int_equal(parse_of(SOAP_AUTH_USER, b, strlen(b), "ISO-8859-1", &r, err), SOAP_OK);
    assert_string_equal(r.status_message, "gr\xc3\xbc\xc3\x9f");
    free(b);
}

/* A status message of @value, in a document that starts with @head. */
static char *
message_doc(const char *head, const char *value)
{
    char *a = attr("CREDFLD_STATUS_MESSAGE", value);
    char *b = reply_doc(CODES_OK, a);
    char *c = cat(head, b, NULL);

    free(a);
    free(b);
    return c;
}

/* @s (UTF-8) in UTF-16LE, in a new buffer of *len bytes. */
static char *
utf16le(const char *s, size_t *len)
{
    size_t in = strlen(s), room = 4 * in + 4, left = room;
    char *out = malloc(room), *from = (char *)s, *to = out;
    iconv_t cd = iconv_open("UTF-16LE", "UTF-8");

    assert_non_null(out);
    assert_true(cd != (iconv_t)-1);
    assert_int_equal(iconv(cd, &from, &in, &to, &left), 0);
    iconv_close(cd);
    *len = room - left;
    return out;
}

/* What expat does not decode itself comes from our tables (windows-1252,
 * ISO-8859-15), whether HTTP or the document names them; any other
 * encoding a document names is refused; UTF-16 is read when the document
 * says so. */
static void
test_encodings(void **state)
{
    static const struct {
        const char *head, *charset, *value, *want;
    } good[] = {
        /* the euro sign, typographic quotes, S caron; 0xa4 is the currency sign */
        {"", "windows-1252", "\x80 \x93q\x94 \x8a \xa4",
         "\xe2\x82\xac \xe2\x80\x9cq\xe2\x80\x9d "
         "\xc5\xa0 \xc2\xa4"},
        {"", "ISO-8859-15", "\xa4 \xbd \xe9", "\xe2\x82\xac \xc5\x93 \xc3\xa9"},
        {"", "iso-8859-1", "\xa4 \x80", "\xc2\xa4 \xc2\x80"},
        {"", "US-ASCII", "plain", "plain"},
        {"<?xml version=\"1.0\" encoding=\"windows-1252\"?>", NULL, "\x80", "\xe2\x82\xac"},
        {"<?xml version=\"1.0\" encoding=\"iso-8859-15\"?>", "utf-8", "\xa4", "\xe2\x82\xac"},
        {"<?xml version=\"1.0\" encoding=\"latin1\"?>", NULL, "\xa4", "\xc2\xa4"},
    };
    static const struct {
        const char *head, *charset, *value, *why;
    } bad[] = {
        /* 0x81 is unassigned in windows-1252 */
        {"", "windows-1252", "\x81", "not windows-1252 (byte 0x81)"},
        {"<?xml version=\"1.0\" encoding=\"KOI8-R\"?>", NULL, "x",
         "encoding 'KOI8-R' is not supported"},
        {"<?xml version=\"1.0\" encoding=\"UTF-7\"?>", "utf-8", "x",
         "encoding 'UTF-7' is not supported"},
        {"<?xml version=\"1.0\" encoding=\"EBCDIC-US\"?>", NULL, "x", "is not supported"},
    };
    struct soap_reply r;
    char err[256];
    char *b, *wide;
    size_t n;

    (void)state;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        b = message_doc(good[i].head, good[i].value);
        if (parse_of(SOAP_AUTH_USER, b, strlen(b), good[i].charset, &r, err) != SOAP_OK)
            fail_msg("%zu: %s", i, err);
        assert_string_equal(r.status_message, good[i].want);
        free(b);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        b = message_doc(bad[i].head, bad[i].value);
        assert_int_equal(parse_of(SOAP_AUTH_USER, b, strlen(b), bad[i].charset, &r, err),
                         SOAP_MALFORMED);
        if (strstr(err, bad[i].why) == NULL)
            fail_msg("%zu: '%s' does not contain '%s'", i, err, bad[i].why);
        free(b);
    }

    /* UTF-16LE with a byte order mark, whatever HTTP says */
    b = message_doc("\xef\xbb\xbf", "gr\xc3\xbc\xc3\x9f \xf0\x9f\x94\x91");
    wide = utf16le(b, &n);
    assert_int_equal(parse_of(SOAP_AUTH_USER, wide, n, "ISO-8859-1", &r, err), SOAP_OK);
    assert_string_equal(r.status_message, "gr\xc3\xbc\xc3\x9f \xf0\x9f\x94\x91");
    free(wide);
    free(b);
}

static void
test_content_charset(void **state)
{
    static const char *const cases[][2] = {
        {"text/xml; charset=ISO-8859-1", "ISO-8859-1"},
        {"text/xml;charset=\"utf-8\"", "utf-8"},
        {"text/xml; foo=bar; CharSet=latin1", "latin1"},
        {"text/xml; foo=\"a;charset=x\"; charset=utf-8", "utf-8"},
        {"text/xml;\tcharset=utf-8 ; x=y", "utf-8"},
        {"text/xml", ""},
        {"text/xml; charset", ""},
        {"text/xml; charset=", ""},
        {"text/xml; xcharset=utf-8", ""},
        {"text/xml; charset=0123456789012345678901234567890123456789xyz",
         "012345678901234567890123456789012345678"},
    };
    char out[40];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memset(out, 'x', sizeof(out));
        http_content_charset(cases[i][0], out, sizeof(out));
        if (strcmp(out, cases[i][1]) != 0)
            fail_msg("'%s': '%s', want '%s'", cases[i][0], out, cases[i][1]);
    }
    http_content_charset(NULL, out, sizeof(out));
    assert_string_equal(out, "");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get_challenge_request),
        cmocka_unit_test(test_reference_shapes),
        cmocka_unit_test(test_get_challenge_reply),
        cmocka_unit_test(test_trimmed_values),
        cmocka_unit_test(test_repeated_status_message),
        cmocka_unit_test(test_charset),
        cmocka_unit_test(test_encodings),
        cmocka_unit_test(test_content_charset),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
