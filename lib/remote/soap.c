/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * soap.c - libxml2 set-up and the authUser and getChallenge requests (the
 * reply parser is in soap_reply.c and soap_xml.c).
 *
 * The request carries the user's response, so besides wiping the buffer we
 * hand out, soap_init() makes libxml2 wipe everything it frees: the text
 * writer escapes values into temporary strings and grows internal buffers
 * by reallocation, and neither can be reached from here to be wiped.
 */
#include "lib/remote/soap.h"

#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlmemory.h>
#include <libxml/xmlwriter.h>

#include "lib/common/secmem.h"
#include "lib/common/utf8.h"

#define NS_XSD "http://www.w3.org/2001/XMLSchema"
#define NS_XSI "http://www.w3.org/2001/XMLSchema-instance"

/* ------------------------------------------------------------ allocator */

static void
wipe_free(void *p)
{
    if (p == NULL)
        return;
    secmem_wipe(p, malloc_usable_size(p));
    free(p);
}

/* Always move, so the old block is wiped instead of being left behind by
 * an in-place shrink or a copy that realloc made on its own. */
static void *
wipe_realloc(void *p, size_t n)
{
    size_t old;
    void *q;

    if (p == NULL)
        return malloc(n);
    q = malloc(n > 0 ? n : 1);
    if (q == NULL)
        return NULL;
    old = malloc_usable_size(p);
    memcpy(q, p, old < n ? old : n);
    wipe_free(p);
    return q;
}

static char *
wipe_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);

    if (d != NULL)
        memcpy(d, s, n);
    return d;
}

/* libxml2 reports errors that have no parser context (encoding
 * conversion, I/O) through the generic channel, which prints to stderr;
 * the parser reports the same failure again through its context. */
static void
quiet(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

static void
init_once(void)
{
    /* Must come before anything else allocates through libxml2; blocks
     * allocated earlier are plain malloc blocks, which wipe_free handles. */
    xmlMemSetup(wipe_free, malloc, wipe_realloc, wipe_strdup);
    xmlInitParser();
    xmlThrDefSetGenericErrorFunc(NULL, quiet);
    xmlSetGenericErrorFunc(NULL, quiet);
}

void
soap_init(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;

    pthread_once(&once, init_once);
}

/* ------------------------------------------------------------- request */

/* UTF-8 as RFC 3629 has it, no control character (C0, DEL, C1), and
 * nothing else XML 1.0 (2.2 Characters) cannot carry: U+FFFE and U+FFFF. */
static bool
valid_value(const char *s)
{
    size_t len = strlen(s);

    return len <= SOAP_MAX_VALUE && utf8_valid(s, len) && text_is_printable(s) &&
           strstr(s, "\xef\xbf\xbe") == NULL && strstr(s, "\xef\xbf\xbf") == NULL;
}

struct field {
    const char *id;
    const char *type;
    const char *value;
};

static int
write_attribute(xmlTextWriterPtr w, const struct field *f)
{
    const xmlChar *id = BAD_CAST f->id;

    if (xmlTextWriterStartElement(w, BAD_CAST "attributes") < 0 ||
        xmlTextWriterStartElement(w, BAD_CAST "value") < 0 ||
        xmlTextWriterWriteAttribute(w, BAD_CAST "xsi:type", BAD_CAST f->type) < 0 ||
        xmlTextWriterWriteString(w, BAD_CAST f->value) < 0 || xmlTextWriterEndElement(w) < 0 ||
        xmlTextWriterWriteElement(w, BAD_CAST "attributeID", id) < 0 ||
        xmlTextWriterEndElement(w) < 0)
        return -1;
    return 0;
}

/* The envelope of doc/protocol.md 2.2: no XML declaration, the four
 * prefixes on the Envelope, an empty Header, unqualified children. */
static int
write_envelope(xmlTextWriterPtr w, const char *operation, const struct field *fields, size_t n)
{
    static const char *const ns[][2] = {
        {"xmlns:soapenv", SOAP_NS_ENVELOPE},
        {"xmlns:xsd", NS_XSD},
        {"xmlns:xsi", NS_XSI},
        {"xmlns:aut", SOAP_NS_AUTH},
    };

    if (xmlTextWriterStartElement(w, BAD_CAST "soapenv:Envelope") < 0)
        return -1;
    for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++)
        if (xmlTextWriterWriteAttribute(w, BAD_CAST ns[i][0], BAD_CAST ns[i][1]) < 0)
            return -1;
    if (xmlTextWriterStartElement(w, BAD_CAST "soapenv:Header") < 0 ||
        xmlTextWriterEndElement(w) < 0 ||
        xmlTextWriterStartElement(w, BAD_CAST "soapenv:Body") < 0 ||
        xmlTextWriterStartElement(w, BAD_CAST operation) < 0 ||
        xmlTextWriterStartElement(w, BAD_CAST "credentialAttributeSet") < 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (fields[i].value != NULL && write_attribute(w, &fields[i]) < 0)
            return -1;
    /* credentialAttributeSet, the operation, Body, Envelope */
    for (int i = 0; i < 4; i++)
        if (xmlTextWriterEndElement(w) < 0)
            return -1;
    return 0;
}

int
soap_build_request(const struct soap_request *req, char **xml, size_t *len)
{
    char format[16];
    bool getchallenge;
    xmlBufferPtr buf = NULL;
    xmlTextWriterPtr w = NULL;
    char *out = NULL;
    size_t n;
    int rc = -1;

    if (xml != NULL)
        *xml = NULL;
    if (len != NULL)
        *len = 0;
    if (req == NULL || xml == NULL || len == NULL)
        return -1;
    snprintf(format, sizeof(format), "%u", req->password_format);
    getchallenge = req->operation == SOAP_GET_CHALLENGE;

    /* The order of doc/protocol.md 2.2; PASSWORD_FORMAT is always sent with
     * authUser (the server requires it), the rest only when set.
     * getChallenge takes the user, domain and component only (OneSpan SDK,
     * "getChallenge command"). */
    const struct field fields[] = {
        {"CREDFLD_USERID", "xsd:string", req->userid},
        {"CREDFLD_DOMAIN", "xsd:string", req->domain},
        {"CREDFLD_COMPONENT_TYPE", "xsd:string", req->component},
        {"CREDFLD_PASSWORD_FORMAT", "xsd:unsignedInt", getchallenge ? NULL : format},
        {"CREDFLD_PASSWORD", "xsd:string", req->password},
        {"CREDFLD_STATIC_PASSWORD", "xsd:string", req->static_password},
        {"CREDFLD_CHALLENGE", "xsd:string", req->challenge},
        {"CREDFLD_CHALLENGE_KEY", "xsd:string", req->challenge_key},
        {"CREDFLD_DP_RESPONSE", "xsd:string", req->dp_response},
        {"CREDFLD_REQUEST_HOST_CODE", "xsd:string", req->request_host_code},
    };
    const size_t nfields = sizeof(fields) / sizeof(fields[0]);

    /* An empty user or component is as good as none: the server would
     * only refuse it later with a less telling answer. */
    if (req->userid == NULL || req->userid[0] == '\0' || req->component == NULL ||
        req->component[0] == '\0')
        return -1;
    if (req->operation != SOAP_AUTH_USER && !getchallenge)
        return -1;
    for (size_t i = 0; i < nfields; i++) {
        if (fields[i].value == NULL)
            continue;
        /* a secret in a getChallenge would be a caller's mistake */
        if (getchallenge && i > 2)
            return -1;
        if (!valid_value(fields[i].value))
            return -1;
    }

    buf = xmlBufferCreate();
    if (buf == NULL)
        goto out;
    w = xmlNewTextWriterMemory(buf, 0);
    if (w == NULL ||
        write_envelope(w, getchallenge ? "aut:getChallenge" : "aut:authUser", fields, nfields) < 0)
        goto out;
    /* Freeing the writer flushes its output buffer into buf. */
    xmlFreeTextWriter(w);
    w = NULL;
    n = (size_t)xmlBufferLength(buf);
    out = malloc(n + 1);
    if (out == NULL)
        goto out;
    memcpy(out, xmlBufferContent(buf), n);
    out[n] = '\0';
    *xml = out;
    *len = n;
    rc = 0;
out:
    if (w != NULL)
        xmlFreeTextWriter(w);
    if (buf != NULL) {
        /* wipe_free clears the block too, but only once soap_init ran. */
        secmem_wipe((void *)xmlBufferContent(buf), (size_t)xmlBufferLength(buf));
        xmlBufferFree(buf);
    }
    return rc;
}

void
soap_free_request(char *xml, size_t len)
{
    secmem_free(xml, len);
}
