/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * soap_test.h - helpers shared by the SOAP unit tests: building replies,
 * loading the canned ones, and parsing with the invariants every call of
 * soap_parse_reply_of must keep checked each time.  Include after cmocka.h.
 *
 * The canned replies are found in $SOAP_REPLIES_DIR, else in
 * $TOP_SRCDIR/tests/unit/soap_replies, else in tests/unit/soap_replies.
 */
#ifndef CRAUTH_SOAP_TEST_H
#define CRAUTH_SOAP_TEST_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/remote/soap.h"

#define UNUSED __attribute__((unused))

#define XSI "http://www.w3.org/2001/XMLSchema-instance"
#define HEAD                                                                                       \
    "<soapenv:Envelope xmlns:soapenv=\"" SOAP_NS_ENVELOPE "\" xmlns:xsi=\"" XSI                    \
    "\" xmlns:aut=\"" SOAP_NS_AUTH "\"><soapenv:Body><aut:authUserResponse><authUserResults>"      \
    "<results>"
#define TAIL "</results></authUserResults></aut:authUserResponse></soapenv:Body></soapenv:Envelope>"
#define CODES_OK "<resultCodes><returnCode>0</returnCode><statusCode>0</statusCode></resultCodes>"

/* The concatenation of the strings up to NULL, in a new buffer. */
UNUSED static char *
cat(const char *first, ...)
{
    va_list ap;
    size_t n = 0, at = 0;
    char *out;

    va_start(ap, first);
    for (const char *s = first; s != NULL; s = va_arg(ap, const char *))
        n += strlen(s);
    va_end(ap);
    out = malloc(n + 1);
    assert_non_null(out);
    va_start(ap, first);
    for (const char *s = first; s != NULL; s = va_arg(ap, const char *)) {
        memcpy(out + at, s, strlen(s));
        at += strlen(s);
    }
    va_end(ap);
    out[at] = '\0';
    return out;
}

/* @s with the first @from replaced by @to; @from must occur. */
UNUSED static char *
replace(const char *s, const char *from, const char *to)
{
    const char *at = strstr(s, from);
    char *head;
    char *out;

    assert_non_null(at);
    head = strndup(s, (size_t)(at - s));
    assert_non_null(head);
    out = cat(head, to, at + strlen(from), NULL);
    free(head);
    return out;
}

UNUSED static char *
load(const char *name)
{
    const char *dir = getenv("SOAP_REPLIES_DIR"), *top = getenv("TOP_SRCDIR");
    char path[4096];
    char *buf;
    size_t n;
    FILE *f;

    if (dir != NULL)
        snprintf(path, sizeof(path), "%s/%s", dir, name);
    else if (top != NULL)
        snprintf(path, sizeof(path), "%s/tests/unit/soap_replies/%s", top, name);
    else
        snprintf(path, sizeof(path), "tests/unit/soap_replies/%s", name);
    f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("cannot open %s", path);
    buf = malloc(SOAP_MAX_REPLY + 1);
    assert_non_null(buf);
    n = fread(buf, 1, SOAP_MAX_REPLY, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

UNUSED static char *
attr(const char *id, const char *value)
{
    return cat("<attributes><value xsi:type=\"xsd:string\">", value, "</value><attributeID>", id,
               "</attributeID></attributes>", NULL);
}

UNUSED static char *
reply_doc(const char *codes, const char *attrs)
{
    return cat(HEAD, codes, "<resultAttribute>", attrs, "</resultAttribute>", TAIL, NULL);
}

/* soap_parse_reply_of plus the invariants every call must keep: err is
 * one printable line, and nothing is left in @r unless the reply was good. */
UNUSED static int
parse_of(enum soap_operation op, const char *body, size_t len, const char *charset,
         struct soap_reply *r, char *err)
{
    struct soap_reply zero;
    int rc;

    memset(r, 0x5a, sizeof(*r));
    memset(err, 'x', 256);
    rc = soap_parse_reply_of(op, body, len, charset, r, err, 256);
    for (const char *c = err; *c != '\0'; c++)
        assert_true(*c >= 0x20 && *c <= 0x7e);
    assert_true(strlen(err) < 256);
    memset(&zero, 0, sizeof(zero));
    if (rc == SOAP_OK) {
        assert_string_equal(err, "");
    } else {
        assert_true(strncmp(err, "reply: ", 7) == 0);
        if (rc == SOAP_FAULT) {
            memcpy(zero.fault_code, r->fault_code, sizeof(zero.fault_code));
            memcpy(zero.fault_string, r->fault_string, sizeof(zero.fault_string));
        }
        assert_memory_equal(r, &zero, sizeof(zero));
    }
    return rc;
}

/* The same for an authUser reply that came without a charset. */
UNUSED static int
parse_len(const char *body, size_t len, struct soap_reply *r, char *err)
{
    return parse_of(SOAP_AUTH_USER, body, len, NULL, r, err);
}

UNUSED static int
parse(const char *body, struct soap_reply *r, char *err)
{
    return parse_len(body, strlen(body), r, err);
}

UNUSED static void
expect_malformed(const char *body, const char *why)
{
    struct soap_reply r;
    char err[256];

    assert_int_equal(parse(body, &r, err), SOAP_MALFORMED);
    if (strstr(err, why) == NULL)
        fail_msg("err '%s' does not contain '%s'", err, why);
}

#endif
