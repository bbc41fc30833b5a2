/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_soap_hostile.c - replies a broken or hostile server might send:
 * every malformed shape we know of, strict integers, text and count
 * limits, the size cap, nesting depth, and entity attacks, with inotify
 * proving that no file named by an entity or DTD is ever opened.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cmocka.h>
#include <expat.h>

#include "lib/remote/soap.h"
#include "soap_test.h"

#define ENV "<soapenv:Envelope xmlns:soapenv=\"" SOAP_NS_ENVELOPE "\">"
#define ATTR_CHALLENGE                                                                             \
    "<attributes><value>1</value><attributeID>CREDFLD_CHALLENGE</attributeID></attributes>"

static void
test_malformed_files(void **state)
{
    static const char *const cases[][2] = {
        {"not_xml.txt", "not well-formed XML at line 1, column 5: not well-formed (invalid token)"},
        {"malformed_xml.xml", "not well-formed XML at line 13, column 13: mismatched tag"},
        {"truncated.xml", "not well-formed XML at line 12, column 26: no element found"},
        {"wrong_root.xml", "root element {http://www.w3.org/2003/05/soap-envelope}Envelope is not"},
        {"wrong_namespace.xml", "unexpected {http://www.vasco.com/IdentikeyServer/IdentikeyTypes/"
                                "Administration}authUserResponse in Body"},
        {"body_two_children.xml", "Body holds 2 elements, not one"},
        {"duplicate_codes.xml", "reply: duplicate resultCodes in results"},
        {"missing_codes.xml", "reply: no resultCodes in results"},
        {"duplicate_challenge.xml", "reply: duplicate CREDFLD_CHALLENGE in resultAttribute"},
        {"element_in_value.xml", "reply: element b inside CREDFLD_CHALLENGE value"},
        {"doctype_entity.xml", "reply: DOCTYPE is not allowed"},
        {"doctype_external.xml", "reply: DOCTYPE is not allowed"},
        {"qualified_children.xml", "no authUserResults in authUserResponse (found {http"},
        {"must_understand.xml", "header {urn:example:security}Security must be understood"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *b = load(cases[i][0]);

        expect_malformed(b, cases[i][1]);
        free(b);
    }
}

static void
test_structure(void **state)
{
    static const char *const cases[][2] = {
        {ENV "<soapenv:Body/></soapenv:Envelope>", "Body holds 0 elements"},
        {"<soapenv:Envelope xmlns:soapenv=\"" SOAP_NS_ENVELOPE "\"/>", "no Body in Envelope"},
        {ENV "<soapenv:Body><x/></soapenv:Body>"
             "<soapenv:Body/></soapenv:Envelope>",
         "duplicate Body in Envelope"},
        {"<Envelope><Body/></Envelope>", "root element Envelope is not a SOAP 1.1 Envelope"},
        {ENV "<soapenv:Body><b\xc3\xa4r/>"
             "</soapenv:Body></soapenv:Envelope>",
         "unexpected b??r in Body"},
        {ENV "<soapenv:Body><x:y/>"
             "</soapenv:Body></soapenv:Envelope>",
         "namespace error at line 1, column 91: unbound prefix"},
        {HEAD TAIL, "no resultCodes in results"},
        {HEAD CODES_OK "</results><results>" CODES_OK TAIL, "duplicate results in authUserResults"},
        {HEAD CODES_OK "<resultAttribute/><resultAttribute/>" TAIL,
         "duplicate resultAttribute in results"},
        {HEAD CODES_OK "<resultAttribute><attributes><value>1</value></attributes>"
                       "</resultAttribute>" TAIL,
         "no attributeID in attributes"},
        {HEAD CODES_OK "<resultAttribute><attributes><attributeID>CREDFLD_CHALLENGE"
                       "</attributeID></attributes></resultAttribute>" TAIL,
         "no value in attributes"},
        {HEAD CODES_OK "<resultAttribute><attributes><attributeID>CREDFLD_HOST_CODE</attributeID>"
                       "<value/><value/></attributes></resultAttribute>" TAIL,
         "duplicate value in attributes"},
        {HEAD CODES_OK "<resultAttribute>" ATTR_CHALLENGE ATTR_CHALLENGE "</resultAttribute>" TAIL,
         "duplicate CREDFLD_CHALLENGE in resultAttribute"},
        {ENV "<soapenv:Body><aut:authUserResponse xmlns:aut=\"" SOAP_NS_AUTH "\"><authUserResults>"
             "<results>" CODES_OK "</results></authUserResults><results>" CODES_OK "</results>"
             "</aut:authUserResponse></soapenv:Body></soapenv:Envelope>",
         "both authUserResults and results in authUserResponse"},
        {ENV "<soapenv:Body><aut:authUserResponse xmlns:aut=\"" SOAP_NS_AUTH "\"><results>" CODES_OK
             "</results><results>" CODES_OK "</results>"
             "</aut:authUserResponse></soapenv:Body></soapenv:Envelope>",
         "duplicate results in authUserResponse"},
        {HEAD CODES_OK "<errorStack><errors><errorCode>x</errorCode></errors></errorStack>" TAIL,
         "errorCode 'x' is not an integer"},
        {HEAD "<resultCodes><returnCode>0</returnCode></resultCodes>" TAIL,
         "no statusCode in resultCodes"},
        {HEAD "<resultCodes><statusCode>0</statusCode></resultCodes>" TAIL,
         "no returnCode in resultCodes"},
        {HEAD "<resultCodes><returnCode>0</returnCode><statusCode>0</statusCode><statusCode>1"
              "</statusCode></resultCodes>" TAIL,
         "duplicate statusCode in resultCodes"},
        {HEAD "<resultCodes><returnCode>0</returnCode><statusCode>0</statusCode><returnCodeEnum>"
              "<x/></returnCodeEnum></resultCodes>" TAIL,
         "element x inside returnCodeEnum"},
        /* the protocol's names anywhere but their one place: an answer the
         * reading would not see, such as a challenge beside codes 0/0 */
        {HEAD CODES_OK "<extra><returnCode>9</returnCode></extra>" TAIL,
         "returnCode inside extra; the protocol has it, unqualified, only in resultCodes"},
        {HEAD CODES_OK "<c:resultAttribute xmlns:c=\"urn:c\"><attributes><attributeID>"
                       "CREDFLD_CHALLENGE</attributeID><value>123456</value></attributes>"
                       "</c:resultAttribute>" TAIL,
         "{urn:c}resultAttribute inside results"},
        {HEAD CODES_OK "<resultAttribute xmlns=\"urn:d\"><attributes><attributeID>"
                       "CREDFLD_CHALLENGE</attributeID><value>123456</value></attributes>"
                       "</resultAttribute>" TAIL,
         "{urn:d}resultAttribute inside results"},
        {HEAD CODES_OK "<attributes><attributeID>CREDFLD_CHALLENGE</attributeID><value>123456"
                       "</value></attributes>" TAIL,
         "attributes inside results; the protocol has it, unqualified, only in resultAttribute"},
        {HEAD CODES_OK "<resultAttribute><attributes><attributeID>CREDFLD_CHALLENGE"
                       "</attributeID><value>1</value><x><value>2</value></x></attributes>"
                       "</resultAttribute>" TAIL,
         "value inside x"},
        /* a second answer nested whole in an unknown element */
        {HEAD CODES_OK "<x><authUserResponse><results>" CODES_OK "<resultAttribute><attributes>"
                       "<attributeID>CREDFLD_CHALLENGE</attributeID><value>1</value>"
                       "</attributes></resultAttribute></results></authUserResponse></x>" TAIL,
         "authUserResponse inside x; the protocol has it only as the Body's element"},
    };
    struct soap_reply r;
    char err[256];
    char *b, *c;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        expect_malformed(cases[i][0], cases[i][1]);
    /* a NUL byte is not XML */
    expect_malformed("<a>\0</a>", "not well-formed");
    assert_int_equal(parse_len("<a>\0</a>", 8, &r, err), SOAP_MALFORMED);
    /* a header that need not be understood is ignored, extra elements with
     * names the protocol does not use too */
    b = load("success.xml");
    c = replace(b, "<soapenv:Header/>",
                "<soapenv:Header><h:x xmlns:h=\"urn:h\" soapenv:"
                "mustUnderstand=\"0\"/></soapenv:Header>");
    free(b);
    b = replace(c, "</results>", "<extra><note>9</note></extra></results>");
    free(c);
    assert_int_equal(parse(b, &r, err), SOAP_OK);
    assert_int_equal(r.return_code, 0);
    free(b);
}

static void
test_codes(void **state)
{
    static const struct {
        const char *text;
        int rc, value;
    } cases[] = {
        {"0", SOAP_OK, 0},
        {"-1", SOAP_OK, -1},
        {"+5", SOAP_OK, 5},
        {"007", SOAP_OK, 7},
        {"2147483647", SOAP_OK, 2147483647},
        {"-2147483648", SOAP_OK, -2147483647 - 1},
        {"<![CDATA[1]]>0", SOAP_OK, 10},
        {"&#49;", SOAP_OK, 1},
        {"1 ", SOAP_OK, 1},
        {"\n   -1\t\r\n ", SOAP_OK, -1},
        {"0x1", SOAP_MALFORMED, 0},
        {"1 2", SOAP_MALFORMED, 0},
        {"- 1", SOAP_MALFORMED, 0},
        {"\xc2\xa0"
         "1",
         SOAP_MALFORMED, 0},
        {"", SOAP_MALFORMED, 0},
        {"+", SOAP_MALFORMED, 0},
        {"-", SOAP_MALFORMED, 0},
        {"1.0", SOAP_MALFORMED, 0},
        {"99999999999", SOAP_MALFORMED, 0},
        {"2147483648", SOAP_MALFORMED, 0},
        {"-2147483649", SOAP_MALFORMED, 0},
        {"00000000000000000000000000000001", SOAP_MALFORMED, 0},
        {"1<x/>", SOAP_MALFORMED, 0},
    };
    struct soap_reply r;
    char err[256];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *codes = cat("<resultCodes><statusCode>3</statusCode><returnCode>", cases[i].text,
                          "</returnCode></resultCodes>", NULL);
        char *b = reply_doc(codes, "");
        int rc = parse(b, &r, err);

        if (rc != cases[i].rc)
            fail_msg("returnCode '%s': %d (%s), want %d", cases[i].text, rc, err, cases[i].rc);
        if (rc == SOAP_OK) {
            assert_int_equal(r.return_code, cases[i].value);
            assert_int_equal(r.status_code, 3);
        } else {
            assert_non_null(strstr(err, "returnCode"));
        }
        free(b);
        free(codes);
    }
}

static void
test_text_limits(void **state)
{
    char text[5000], enum_text[80];
    struct soap_reply r;
    char err[256];
    char *a, *b;

    (void)state;
    memset(text, 'c', sizeof(text));
    text[SOAP_MESSAGE - 1] = '\0';
    a = attr("CREDFLD_CHALLENGE_MESSAGE", text);
    b = reply_doc(CODES_OK, a);
    assert_int_equal(parse(b, &r, err), SOAP_OK);
    assert_int_equal(strlen(r.challenge_message), SOAP_MESSAGE - 1);
    free(a);
    free(b);

    text[SOAP_MESSAGE - 1] = 'c';
    text[SOAP_MESSAGE] = '\0';
    a = attr("CREDFLD_CHALLENGE_MESSAGE", text);
    b = reply_doc(CODES_OK, a);
    expect_malformed(b, "CREDFLD_CHALLENGE_MESSAGE value longer than 1023 bytes");
    free(a);
    free(b);

    /* the host code is a short text: over SOAP_TEXT it is malformed */
    text[SOAP_TEXT] = '\0';
    a = attr("CREDFLD_HOST_CODE", text);
    b = reply_doc(CODES_OK, a);
    expect_malformed(b, "CREDFLD_HOST_CODE value longer than 255 bytes");
    free(a);
    free(b);
    memset(text, 'c', sizeof(text));

    /* over the limit only once the pieces are put together */
    text[200] = '\0';
    a = cat("<attributes><attributeID>CREDFLD_CHALLENGE</attributeID><value>", text, "<![CDATA[",
            text, "]]></value></attributes>", NULL);
    b = reply_doc(CODES_OK, a);
    expect_malformed(b, "CREDFLD_CHALLENGE value longer than 255 bytes");
    free(a);
    free(b);

    /* an unknown attribute is not read, whatever its size */
    memset(text, 'p', sizeof(text));
    text[4000] = '\0';
    a = attr("CREDFLD_PADDING", text);
    b = reply_doc(CODES_OK, a);
    assert_int_equal(parse(b, &r, err), SOAP_OK);
    free(a);
    free(b);

    memset(enum_text, 'E', sizeof(enum_text));
    enum_text[63] = '\0';
    a = cat("<resultCodes><returnCode>0</returnCode><statusCode>0</statusCode><statusCodeEnum> ",
            enum_text, "\n</statusCodeEnum></resultCodes>", NULL);
    b = reply_doc(a, "");
    assert_int_equal(parse(b, &r, err), SOAP_OK);
    assert_string_equal(r.status_enum, enum_text);
    free(b);
    free(a);
    enum_text[63] = 'E';
    enum_text[64] = '\0';
    a = cat("<resultCodes><returnCode>0</returnCode><statusCode>0</statusCode><statusCodeEnum>",
            enum_text, "</statusCodeEnum></resultCodes>", NULL);
    b = reply_doc(a, "");
    expect_malformed(b, "statusCodeEnum longer than 63 bytes");
    free(b);
    free(a);
}

/* 1000 attributes elements are fine, one more is malformed. */
static void
test_attribute_count(void **state)
{
    const char *unit = "<attributes><value>v</value><attributeID>CREDFLD_X</attributeID>"
                       "</attributes>";
    size_t ulen = strlen(unit);
    char *attrs = malloc(ulen * (SOAP_MAX_ATTRIBUTES + 1) + 1), *b;
    struct soap_reply r;
    char err[256];

    (void)state;
    assert_non_null(attrs);
    for (size_t i = 0; i < SOAP_MAX_ATTRIBUTES; i++)
        memcpy(attrs + i * ulen, unit, ulen);
    attrs[SOAP_MAX_ATTRIBUTES * ulen] = '\0';
    b = reply_doc(CODES_OK, attrs);
    assert_int_equal(parse(b, &r, err), SOAP_OK);
    free(b);
    memcpy(attrs + SOAP_MAX_ATTRIBUTES * ulen, unit, ulen + 1);
    b = reply_doc(CODES_OK, attrs);
    expect_malformed(b, "more than 1000 attributes in resultAttribute");
    free(b);
    free(attrs);
}

static void
test_size_and_depth(void **state)
{
    char *b = load("success.xml"), *deep, *nest;
    size_t n = strlen(b);
    struct soap_reply r;
    char err[256];

    (void)state;
    assert_int_equal(parse_len("", 0, &r, err), SOAP_MALFORMED);
    assert_string_equal(err, "reply: empty body");
    assert_int_equal(parse_len(NULL, 0, &r, err), SOAP_MALFORMED);
    /* trailing white space is allowed after the root: exactly at the cap */
    memset(b + n, ' ', SOAP_MAX_REPLY - n);
    assert_int_equal(parse_len(b, SOAP_MAX_REPLY, &r, err), SOAP_OK);
    b[SOAP_MAX_REPLY] = ' '; /* load() leaves room for one byte more */
    assert_int_equal(parse_len(b, SOAP_MAX_REPLY + 1, &r, err), SOAP_MALFORMED);
    assert_string_equal(err, "reply: body of 262145 bytes is over the limit of 262144");
    free(b);

    /* nesting is capped at 256 (libxml2's default, which this used to rely on) */
    nest = malloc(1000 * 7 + 1);
    assert_non_null(nest);
    for (int i = 0; i < 1000; i++)
        memcpy(nest + i * 3, "<a>", 3);
    for (int i = 0; i < 1000; i++)
        memcpy(nest + 3000 + i * 4, "</a>", 4);
    nest[7000] = '\0';
    deep = cat(ENV "<soapenv:Header>", nest, "</soapenv:Header><soapenv:Body/></soapenv:Envelope>",
               NULL);
    expect_malformed(deep, "reply: elements nested more than 256 deep");
    free(deep);
    /* at the edge: Envelope, Header and 254 more make 256; one more is too many */
    memmove(nest + 254 * 3, nest + 3000, 254 * 4);
    nest[254 * 7] = '\0';
    deep = cat(ENV "<soapenv:Header>", nest,
               "</soapenv:Header><soapenv:Body><x/></soapenv:Body>"
               "</soapenv:Envelope>",
               NULL);
    assert_int_equal(parse(deep, &r, err), SOAP_MALFORMED);
    assert_string_equal(err, "reply: unexpected x in Body (the request was authUser)");
    free(deep);
    deep = cat(ENV "<soapenv:Header><a>", nest,
               "</a></soapenv:Header><soapenv:Body><x/>"
               "</soapenv:Body></soapenv:Envelope>",
               NULL);
    expect_malformed(deep, "reply: elements nested more than 256 deep");
    free(deep);
    free(nest);
}

/* A Header holding one entry whose start tag has @n attributes (the
 * namespace declaration included), then @inside. */
static char *
crowded_reply(int n, const char *inside)
{
    size_t size = (size_t)n * 16 + 64, at;
    char *tag = malloc(size), *success = load("success.xml"), *header, *out;

    assert_non_null(tag);
    at = (size_t)snprintf(tag, size, "<h:x xmlns:h=\"urn:h\"");
    for (int i = 1; i < n; i++)
        at += (size_t)snprintf(tag + at, size - at, " a%d='='", i);
    header = cat("<soapenv:Header>", tag, ">", inside, "</h:x></soapenv:Header>", NULL);
    out = replace(success, "<soapenv:Header/>", header);
    free(header);
    free(success);
    free(tag);
    return out;
}

/* Attributes are capped per tag, namespace declarations included; '=' in
 * quotes, comments, CDATA and PIs do not count. */
static void
test_crowded_tag(void **state)
{
    char eqs[301], *inside, *b;
    struct soap_reply r;
    char err[256];

    (void)state;
    memset(eqs, '=', 300);
    eqs[300] = '\0';
    inside = cat("<!--", eqs, "--><![CDATA[", eqs, "]]><?pi ", eqs, "?>", eqs, NULL);
    b = crowded_reply(256, inside);
    assert_int_equal(parse(b, &r, err), SOAP_OK);
    free(b);
    b = crowded_reply(257, "");
    expect_malformed(b, "reply: more than 256 attributes in one tag");
    free(b);
    free(inside);
}

/* Namespace declarations in scope are capped. */
static void
test_namespaces_in_scope(void **state)
{
    char *open_tags = malloc(13 * 200), *inside, *b;
    struct soap_reply r;
    char err[256];
    size_t at = 0;

    (void)state;
    assert_non_null(open_tags);
    for (int depth = 0; depth < 13; depth++) {
        at += (size_t)snprintf(open_tags + at, 13 * 200 - at, "<n");
        for (int i = 0; i < 10; i++)
            at += (size_t)snprintf(open_tags + at, 13 * 200 - at, " xmlns:p%d_%d='u'", depth, i);
        at += (size_t)snprintf(open_tags + at, 13 * 200 - at, ">");
    }
    /* 1 (h) + 120 + the Envelope's 7 = 128: fine */
    open_tags[strstr(open_tags, "<n xmlns:p12_0") - open_tags] = '\0';
    inside = cat(open_tags, "<p0_0:z/>", "</n></n></n></n></n></n></n></n></n></n></n></n>", NULL);
    b = crowded_reply(1, inside);
    assert_int_equal(parse(b, &r, err), SOAP_OK);
    free(b);
    free(inside);
    /* one more */
    inside = cat(open_tags, "<z xmlns:q='u'/>", "</n></n></n></n></n></n></n></n></n></n></n></n>",
                 NULL);
    b = crowded_reply(1, inside);
    expect_malformed(b, "reply: more than 128 namespace declarations in scope");
    free(b);
    free(inside);
    free(open_tags);
}

/* Elements are their namespace and local name, whatever the prefixes; a
 * namespace name is capped in length. */
static void
test_namespace_names(void **state)
{
    char *b, *c, *uri;
    struct soap_reply r;
    char err[256];

    (void)state;
    b = cat("<S:Envelope xmlns:S=\"" SOAP_NS_ENVELOPE
            "\"><S:Header/><Body xmlns=\"" SOAP_NS_ENVELOPE
            "\"><authUserResponse xmlns=\"" SOAP_NS_AUTH "\"><authUserResults "
            "xmlns=\"\"><results>" CODES_OK "</results></authUserResults></authUserResponse>"
            "</Body></S:Envelope>",
            NULL);
    assert_int_equal(parse(b, &r, err), SOAP_OK);
    free(b);
    /* the default namespace reaches the children: they are no longer unqualified */
    b = cat("<S:Envelope xmlns:S=\"" SOAP_NS_ENVELOPE
            "\"><S:Body><authUserResponse xmlns=\"" SOAP_NS_AUTH
            "\"><authUserResults><results>" CODES_OK "</results></authUserResults>"
            "</authUserResponse></S:Body></S:Envelope>",
            NULL);
    expect_malformed(b, "no authUserResults in authUserResponse (found {" SOAP_NS_AUTH "}");
    free(b);

    uri = malloc(1026);
    assert_non_null(uri);
    memset(uri, 'u', 1025);
    memcpy(uri, "urn:", 4);
    uri[1024] = '\0';
    b = load("success.xml");
    c = replace(b, "<soapenv:Header/>", "<soapenv:Header><h:x xmlns:h=\"URI\"/></soapenv:Header>");
    free(b);
    b = replace(c, "URI", uri);
    assert_int_equal(parse(b, &r, err), SOAP_OK);
    free(b);
    uri[1024] = 'u';
    uri[1025] = '\0';
    b = replace(c, "URI", uri);
    expect_malformed(b, "reply: namespace name longer than 1024 bytes");
    free(b);
    /* an unknown namespace is named in messages, cut */
    uri[1024] = '\0';
    b = cat("<e:Envelope xmlns:e=\"", uri, "\"/>", NULL);
    assert_int_equal(parse(b, &r, err), SOAP_MALFORMED);
    assert_non_null(strstr(err, "root element {urn:uuuu"));
    assert_non_null(strstr(err, "uuuu}Envelope is not"));
    free(b);
    free(c);
    free(uri);
}

/* Only soapenv:mustUnderstand "1" or "true" (xsd:boolean, white space
 * collapsed) makes a header entry one we must understand. */
static void
test_must_understand(void **state)
{
    static const struct {
        const char *attribute;
        int rc;
    } cases[] = {
        {"soapenv:mustUnderstand=\"1\"", SOAP_MALFORMED},
        {"soapenv:mustUnderstand=\"true\"", SOAP_MALFORMED},
        {"soapenv:mustUnderstand=\" 1&#9;\"", SOAP_MALFORMED},
        {"s:mustUnderstand=\"1\" xmlns:s=\"" SOAP_NS_ENVELOPE "\"", SOAP_MALFORMED},
        {"soapenv:mustUnderstand=\"0\"", SOAP_OK},
        {"soapenv:mustUnderstand=\"false\"", SOAP_OK},
        {"soapenv:mustUnderstand=\"yes\"", SOAP_OK},
        {"soapenv:mustUnderstand=\"11\"", SOAP_OK},
        {"mustUnderstand=\"1\"", SOAP_OK},
        {"h:mustUnderstand=\"1\"", SOAP_OK},
    };
    struct soap_reply r;
    char err[256];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *entry = cat("<soapenv:Header><h:x xmlns:h=\"urn:h\" ", cases[i].attribute,
                          "/></soapenv:Header>", NULL);
        char *b = load("success.xml"), *c = replace(b, "<soapenv:Header/>", entry);
        int rc = parse(c, &r, err);

        if (rc != cases[i].rc)
            fail_msg("%s: %d (%s)", cases[i].attribute, rc, err);
        if (rc != SOAP_OK)
            assert_non_null(strstr(err, "header {urn:h}x must be understood"));
        free(entry);
        free(b);
        free(c);
    }
}

/* A permissive parse: parameter entities and the external subset are read,
 * and every external entity is loaded from the file its system identifier
 * names, as a careless client would.  It proves the documents name the file
 * and that inotify sees its opening. */
static int
load_external(XML_Parser parser, const XML_Char *context, const XML_Char *base,
              const XML_Char *system_id, const XML_Char *public_id)
{
    char buf[64];
    XML_Parser sub;
    ssize_t n;
    int fd, rc;

    (void)base;
    (void)public_id;
    if (system_id == NULL || strncmp(system_id, "file://", 7) != 0)
        return XML_STATUS_ERROR;
    fd = open(system_id + 7, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return XML_STATUS_ERROR;
    n = read(fd, buf, sizeof(buf));
    close(fd);
    sub = XML_ExternalEntityParserCreate(parser, context, NULL);
    if (sub == NULL)
        return XML_STATUS_ERROR;
    rc = XML_Parse(sub, buf, n > 0 ? (int)n : 0, XML_TRUE);
    XML_ParserFree(sub);
    return rc;
}

static void
permissive_parse(const char *doc)
{
    XML_Parser parser = XML_ParserCreate(NULL);

    assert_non_null(parser);
    XML_SetParamEntityParsing(parser, XML_PARAM_ENTITY_PARSING_ALWAYS);
    XML_SetExternalEntityRefHandler(parser, load_external);
    XML_Parse(parser, doc, (int)strlen(doc), XML_TRUE);
    XML_ParserFree(parser);
}

/* inotify sees every open of the file: an entity or DTD naming it must not
 * cause one. */
static void
test_external_entities_not_read(void **state)
{
    char path[] = "/tmp/test_soap_xxe_XXXXXX";
    char events[4096];
    char *docs[3], *value;
    struct soap_reply r;
    char err[256];
    int fd, in;

    (void)state;
    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "XXE-SECRET", 10), 10);
    close(fd);
    in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    assert_true(in >= 0);
    assert_true(inotify_add_watch(in, path, IN_OPEN | IN_ACCESS) >= 0);

    value = reply_doc(CODES_OK, "<attributes><value>&xxe;</value><attributeID>CREDFLD_CHALLENGE"
                                "</attributeID></attributes>");
    docs[0] = cat("<!DOCTYPE soapenv:Envelope [<!ENTITY xxe SYSTEM \"file://", path, "\">]>", value,
                  NULL);
    docs[1] = cat("<!DOCTYPE soapenv:Envelope SYSTEM \"file://", path, "\">", value, NULL);
    docs[2] = cat("<!DOCTYPE soapenv:Envelope [<!ENTITY % p SYSTEM \"file://", path, "\"> %p;]>",
                  value, NULL);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(parse(docs[i], &r, err), SOAP_MALFORMED);
        assert_string_equal(err, "reply: DOCTYPE is not allowed");
    }
    assert_int_equal(read(in, events, sizeof(events)), -1);

    for (int i = 0; i < 3; i++) {
        permissive_parse(docs[i]);
        assert_true(read(in, events, sizeof(events)) > 0);
    }

    for (int i = 0; i < 3; i++)
        free(docs[i]);
    free(value);
    close(in);
    unlink(path);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_malformed_files),
        cmocka_unit_test(test_structure),
        cmocka_unit_test(test_codes),
        cmocka_unit_test(test_text_limits),
        cmocka_unit_test(test_attribute_count),
        cmocka_unit_test(test_size_and_depth),
        cmocka_unit_test(test_crowded_tag),
        cmocka_unit_test(test_namespaces_in_scope),
        cmocka_unit_test(test_namespace_names),
        cmocka_unit_test(test_must_understand),
        cmocka_unit_test(test_external_entities_not_read),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
