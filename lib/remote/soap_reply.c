/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * soap_reply.c - reading an authUser reply (or a SOAP Fault) from a server
 * that may be hostile or broken.
 *
 * The body is capped before libxml2 sees it, and so are the attributes of
 * a tag and the namespaces in scope, which libxml2 2.9 handles in quadratic
 * time.  The parser never touches the network, and any DOCTYPE stops it
 * before the internal subset is read, so no entity is ever declared, let
 * alone expanded or fetched; its depth limit stays the default.  The tree is
 * then read by name and namespace along the fixed path of doc/protocol.md
 * 2.3, never by position and never recursively; whatever the client acts
 * on must be there exactly once, or the reply is malformed.
 */
#include "lib/remote/soap.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "lib/common/utf8.h"

/* XML_PARSE_NOENT, _DTDLOAD, _DTDATTR and _HUGE stay off on purpose. */
#define PARSE_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)

#define MAX_TAG_ATTRIBUTES 256
#define MAX_NAMESPACES 128 /* declarations in scope at once */

/* Room for any text we read; longer text does not fit any field. */
#define SCRATCH 1024

#if LIBXML_VERSION >= 21200
typedef const xmlError *xml_error_t;
#else
typedef xmlError *xml_error_t;
#endif

struct parse {
    char *err;
    size_t errlen;
    bool failed;    /* err holds the first problem found */
    bool doctype;   /* the document had a DOCTYPE; parsing was stopped */
    bool crowded;   /* too many namespaces in scope; parsing was stopped */
    bool xml_error; /* xml_msg / xml_line hold libxml2's first error */
    int xml_line;
    char xml_msg[200];
};

enum text_flags { TEXT_TRIM = 1, TEXT_CUT = 2 };

/* -------------------------------------------------------------- errors */

/* err is logged as one line: printable ASCII only, whatever the server
 * put in names or libxml2 in its messages. */
static void
sanitise(char *s)
{
    for (; *s != '\0'; s++) {
        if ((unsigned char)*s < 0x20)
            *s = ' ';
        else if ((unsigned char)*s > 0x7e)
            *s = '?';
    }
}

static void say(struct parse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct parse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void vsay(struct parse *p, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void
vsay(struct parse *p, const char *fmt, va_list ap)
{
    int n;

    if (p->err == NULL || p->errlen == 0)
        return;
    n = snprintf(p->err, p->errlen, "reply: ");
    if (n > 0 && (size_t)n < p->errlen)
        vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
    sanitise(p->err);
}

static void
say(struct parse *p, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsay(p, fmt, ap);
    va_end(ap);
}

/* Record the first problem only: later ones are usually its echoes. */
static int
fail(struct parse *p, const char *fmt, ...)
{
    va_list ap;

    if (!p->failed) {
        p->failed = true;
        va_start(ap, fmt);
        vsay(p, fmt, ap);
        va_end(ap);
    }
    return SOAP_MALFORMED;
}

/* "{namespace}local" or "local", for messages. */
static const char *
describe(const xmlNode *n, char *buf, size_t size)
{
    if (n->ns != NULL && n->ns->href != NULL)
        snprintf(buf, size, "{%.120s}%.60s", (const char *)n->ns->href, (const char *)n->name);
    else
        snprintf(buf, size, "%.60s", (const char *)n->name);
    return buf;
}

/* ------------------------------------------------------------- parsing */

/* The structured handler of our own parser context, so concurrent parses
 * never share an error sink and nothing reaches stderr. */
static void
on_xml_error(void *ctx, xml_error_t e)
{
    struct parse *p = ((xmlParserCtxtPtr)ctx)->_private;
    size_t n;

    if (p == NULL || e == NULL || e->level < XML_ERR_ERROR || p->xml_error)
        return;
    p->xml_error = true;
    p->xml_line = e->line;
    snprintf(p->xml_msg, sizeof(p->xml_msg), "%s", e->message != NULL ? e->message : "?");
    n = strlen(p->xml_msg);
    while (n > 0 && (p->xml_msg[n - 1] == '\n' || p->xml_msg[n - 1] == ' '))
        p->xml_msg[--n] = '\0';
}

/* Called once the DOCTYPE's name and external id are read, before an
 * internal subset is: nothing of a DTD is parsed, declared or loaded. */
static void
on_doctype(void *ctx, const xmlChar *name, const xmlChar *external_id, const xmlChar *system_id)
{
    xmlParserCtxtPtr ctxt = ctx;
    struct parse *p = ctxt->_private;

    (void)name;
    (void)external_id;
    (void)system_id;
    p->doctype = true;
    xmlStopParser(ctxt);
}

/* libxml2 2.9 looks prefixes up by walking every declaration in scope, so
 * a deep pile of them makes each element expensive; ours have seven. */
static void
on_start(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
         int nb_namespaces, const xmlChar **namespaces, int nb_attributes, int nb_defaulted,
         const xmlChar **attributes)
{
    xmlParserCtxtPtr ctxt = ctx;
    struct parse *p = ctxt->_private;

    if (ctxt->nsNr / 2 > MAX_NAMESPACES) {
        p->crowded = true;
        xmlStopParser(ctxt);
        return;
    }
    xmlSAX2StartElementNs(ctx, localname, prefix, uri, nb_namespaces, namespaces, nb_attributes,
                          nb_defaulted, attributes);
}

static int
read_document(struct parse *p, const char *body, size_t len, xmlDocPtr *docp)
{
    xmlParserCtxtPtr ctxt;
    xmlDocPtr doc = NULL;
    int rc = SOAP_MALFORMED;

    /* The context's SAX handler is its own copy, so changing it here
     * touches no other parse. */
    ctxt = xmlNewParserCtxt();
    if (ctxt == NULL)
        return fail(p, "out of memory");
    ctxt->_private = p;
    ctxt->sax->serror = on_xml_error;
    ctxt->sax->internalSubset = on_doctype;
    ctxt->sax->startElementNs = on_start;
    doc = xmlCtxtReadMemory(ctxt, body, (int)len, NULL, NULL, PARSE_OPTIONS);
    if (p->doctype || (doc != NULL && (doc->intSubset != NULL || doc->extSubset != NULL))) {
        fail(p, "DOCTYPE is not allowed");
    } else if (p->crowded) {
        fail(p, "more than %d namespace declarations in scope", MAX_NAMESPACES);
    } else if (!ctxt->wellFormed || doc == NULL) {
        if (p->xml_error)
            fail(p, "not well-formed XML at line %d: %s", p->xml_line, p->xml_msg);
        else
            fail(p, "not well-formed XML");
    } else if (!ctxt->nsWellFormed) {
        fail(p, "namespace error at line %d: %s", p->xml_line,
             p->xml_error ? p->xml_msg : "?");
    } else {
        *docp = doc;
        doc = NULL;
        rc = SOAP_OK;
    }
    xmlFreeDoc(doc);
    xmlFreeParserCtxt(ctxt);
    return rc;
}

/* More than MAX_TAG_ATTRIBUTES attributes (namespace declarations
 * included) in one tag?  libxml2 2.9 checks for duplicate attributes in
 * quadratic time, so 256 KiB of one tag's attributes costs a second of CPU;
 * ours have at most eight.  One linear pass counts the '=' outside quotes
 * in each tag; comments, CDATA and PIs are skipped, anything unterminated
 * is left for the parser to report. */
static bool
crowded_tag(const char *body, size_t len)
{
    static const char *const skip[][2] = {{"<!--", "-->"}, {"<![CDATA[", "]]>"}, {"<?", "?>"}};
    const char *p = body, *end = body + len;

    while ((p = memchr(p, '<', (size_t)(end - p))) != NULL) {
        const char *close = NULL;
        unsigned eq = 0;
        char quote = 0;

        for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]) && close == NULL; i++)
            if ((size_t)(end - p) >= strlen(skip[i][0]) &&
                memcmp(p, skip[i][0], strlen(skip[i][0])) == 0)
                close = skip[i][1];
        if (close != NULL) {
            p = memmem(p, (size_t)(end - p), close, strlen(close));
            if (p == NULL)
                return false;
            continue;
        }
        for (p++; p < end && (quote != 0 || *p != '>'); p++) {
            if (quote != 0 && *p == quote)
                quote = 0;
            else if (quote == 0 && (*p == '"' || *p == '\''))
                quote = *p;
            else if (quote == 0 && *p == '=' && ++eq > MAX_TAG_ATTRIBUTES)
                return true;
        }
        if (p == end)
            return false;
    }
    return false;
}

/* -------------------------------------------------------- tree helpers */

/* @ns NULL means "in no namespace", as the vendor sends everything below
 * the operation element. */
static bool
is_el(const xmlNode *n, const char *ns, const char *name)
{
    if (n->type != XML_ELEMENT_NODE || strcmp((const char *)n->name, name) != 0)
        return false;
    if (ns == NULL)
        return n->ns == NULL;
    return n->ns != NULL && n->ns->href != NULL && strcmp((const char *)n->ns->href, ns) == 0;
}

/* The child element @ns:@name of @parent into *out, NULL if there is none;
 * two of them make the reply malformed. */
static int
find_one(struct parse *p, const xmlNode *parent, const char *ns, const char *name, xmlNode **out)
{
    *out = NULL;
    if (parent == NULL)
        return fail(p, "no element to look for %s in", name);
    for (xmlNode *c = parent->children; c != NULL; c = c->next) {
        if (!is_el(c, ns, name))
            continue;
        if (*out != NULL)
            return fail(p, "duplicate %s in %.60s", name, (const char *)parent->name);
        *out = c;
    }
    return SOAP_OK;
}

/* As find_one, but it must be there.  A namesake in another namespace is
 * mentioned, since that is the likely mistake. */
static int
need_one(struct parse *p, const xmlNode *parent, const char *ns, const char *name, xmlNode **out)
{
    char what[200];

    if (find_one(p, parent, ns, name, out) != SOAP_OK || parent == NULL)
        return SOAP_MALFORMED;
    if (*out != NULL)
        return SOAP_OK;
    for (const xmlNode *c = parent->children; c != NULL; c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0)
            return fail(p, "no %s in %.60s (found %s)", name, (const char *)parent->name,
                        describe(c, what, sizeof(what)));
    return fail(p, "no %s in %.60s", name, (const char *)parent->name);
}

static void
trim(char *s)
{
    size_t start = strspn(s, " \t\r\n");
    size_t n = strlen(s + start);

    memmove(s, s + start, n + 1);
    while (n > 0 && strchr(" \t\r\n", s[n - 1]) != NULL)
        s[--n] = '\0';
}

/* The character data of @el, however the parser split it into text and
 * CDATA nodes (comments and processing instructions in between do not
 * count), into @out of @size bytes.  An element inside makes the reply
 * malformed; so does text that does not fit, unless TEXT_CUT says the
 * field is for logs only and may be cut at a character boundary. */
static int
get_text(struct parse *p, const xmlNode *el, const char *what, char *out, size_t size, int flags)
{
    char buf[SCRATCH];
    size_t used = 0, n;
    bool long_text = false;
    char name[200];

    for (const xmlNode *c = el->children; c != NULL; c = c->next) {
        if (c->type == XML_COMMENT_NODE || c->type == XML_PI_NODE)
            continue;
        if (c->type != XML_TEXT_NODE && c->type != XML_CDATA_SECTION_NODE) {
            if (c->type == XML_ELEMENT_NODE)
                return fail(p, "element %s inside %s", describe(c, name, sizeof(name)), what);
            return fail(p, "unexpected node inside %s", what);
        }
        n = c->content != NULL ? strlen((const char *)c->content) : 0;
        if (long_text || n == 0)
            continue;
        if (n > sizeof(buf) - 1 - used) {
            n = utf8_fit((const char *)c->content, n, sizeof(buf) - 1 - used);
            long_text = true;
        }
        memcpy(buf + used, c->content, n);
        used += n;
    }
    buf[used] = '\0';
    if (flags & TEXT_TRIM)
        trim(buf);
    n = strlen(buf);
    if (long_text || n >= size) {
        if (!(flags & TEXT_CUT))
            return fail(p, "%s longer than %zu bytes", what, size - 1);
        n = utf8_fit(buf, n, size - 1);
    }
    memcpy(out, buf, n);
    out[n] = '\0';
    return SOAP_OK;
}

/* xsd:int, strictly: optional sign, digits, nothing else, and it fits. */
static int
get_int(struct parse *p, const xmlNode *el, const char *what, int *out)
{
    char text[32];
    const char *s = text;
    long long v = 0;
    bool neg = false;

    if (get_text(p, el, what, text, sizeof(text), 0) != SOAP_OK)
        return SOAP_MALFORMED;
    if (*s == '+' || *s == '-')
        neg = *s++ == '-';
    if (*s == '\0')
        return fail(p, "%s '%s' is not an integer", what, text);
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9')
            return fail(p, "%s '%s' is not an integer", what, text);
        v = v * 10 + (*s - '0');
        if (v > (long long)INT_MAX + 1)
            return fail(p, "%s '%s' is out of range", what, text);
    }
    if (neg)
        v = -v;
    if (v > INT_MAX)
        return fail(p, "%s '%s' is out of range", what, text);
    *out = (int)v;
    return SOAP_OK;
}

/* ------------------------------------------------------------- content */

static int
read_codes(struct parse *p, const xmlNode *codes, struct soap_reply *r)
{
    xmlNode *rc, *sc, *re, *se;

    if (need_one(p, codes, NULL, "returnCode", &rc) != SOAP_OK ||
        need_one(p, codes, NULL, "statusCode", &sc) != SOAP_OK ||
        find_one(p, codes, NULL, "returnCodeEnum", &re) != SOAP_OK ||
        find_one(p, codes, NULL, "statusCodeEnum", &se) != SOAP_OK)
        return SOAP_MALFORMED;
    if (get_int(p, rc, "returnCode", &r->return_code) != SOAP_OK ||
        get_int(p, sc, "statusCode", &r->status_code) != SOAP_OK)
        return SOAP_MALFORMED;
    if (re != NULL &&
        get_text(p, re, "returnCodeEnum", r->return_enum, sizeof(r->return_enum), TEXT_TRIM) !=
            SOAP_OK)
        return SOAP_MALFORMED;
    if (se != NULL &&
        get_text(p, se, "statusCodeEnum", r->status_enum, sizeof(r->status_enum), TEXT_TRIM) !=
            SOAP_OK)
        return SOAP_MALFORMED;
    return SOAP_OK;
}

static const char *const known_ids[] = {
    "CREDFLD_CHALLENGE",
    "CREDFLD_CHALLENGE_KEY",
    "CREDFLD_CHALLENGE_MESSAGE",
    "CREDFLD_STATUS_MESSAGE",
};

/* Where known attribute @k goes; *has is its presence flag, if it has one. */
static char *
known_field(struct soap_reply *r, size_t k, bool **has)
{
    switch (k) {
    case 0:
        *has = &r->has_challenge;
        return r->challenge;
    case 1:
        *has = &r->has_challenge_key;
        return r->challenge_key;
    case 2:
        *has = NULL;
        return r->challenge_message;
    default:
        *has = &r->has_status_message;
        return r->status_message;
    }
}

/* Known attributes are copied; a known one given twice is malformed (which
 * of the two would the server mean?); unknown ones are skipped unread. */
static int
read_attributes(struct parse *p, const xmlNode *set, struct soap_reply *r)
{
    bool seen[sizeof(known_ids) / sizeof(known_ids[0])] = {false};
    char id[SOAP_TEXT], what[SOAP_TEXT + 8];
    xmlNode *idn, *value;
    unsigned count = 0;

    for (const xmlNode *a = set->children; a != NULL; a = a->next) {
        size_t k;
        bool *has;
        char *field;

        if (!is_el(a, NULL, "attributes"))
            continue;
        if (++count > SOAP_MAX_ATTRIBUTES)
            return fail(p, "more than %d attributes in resultAttribute", SOAP_MAX_ATTRIBUTES);
        if (need_one(p, a, NULL, "attributeID", &idn) != SOAP_OK ||
            need_one(p, a, NULL, "value", &value) != SOAP_OK ||
            get_text(p, idn, "attributeID", id, sizeof(id), TEXT_TRIM) != SOAP_OK)
            return SOAP_MALFORMED;
        for (k = 0; k < sizeof(known_ids) / sizeof(known_ids[0]); k++)
            if (strcmp(id, known_ids[k]) == 0)
                break;
        if (k == sizeof(known_ids) / sizeof(known_ids[0]))
            continue;
        if (seen[k])
            return fail(p, "duplicate %s in resultAttribute", id);
        seen[k] = true;
        field = known_field(r, k, &has);
        snprintf(what, sizeof(what), "%s value", id);
        if (get_text(p, value, what, field, SOAP_TEXT, 0) != SOAP_OK)
            return SOAP_MALFORMED;
        if (has != NULL)
            *has = true;
    }
    return SOAP_OK;
}

/* Only the first entry: the rest are for the server's own log. */
static int
read_errors(struct parse *p, const xmlNode *stack, struct soap_reply *r)
{
    xmlNode *code, *desc;

    for (const xmlNode *e = stack->children; e != NULL; e = e->next) {
        if (!is_el(e, NULL, "errors"))
            continue;
        if (find_one(p, e, NULL, "errorCode", &code) != SOAP_OK ||
            find_one(p, e, NULL, "errorDesc", &desc) != SOAP_OK)
            return SOAP_MALFORMED;
        if (code != NULL && get_int(p, code, "errorCode", &r->error_code) != SOAP_OK)
            return SOAP_MALFORMED;
        if (desc != NULL && get_text(p, desc, "errorDesc", r->error_desc,
                                     sizeof(r->error_desc), TEXT_TRIM | TEXT_CUT) != SOAP_OK)
            return SOAP_MALFORMED;
        break;
    }
    return SOAP_OK;
}

static int
read_response(struct parse *p, const xmlNode *op, struct soap_reply *r)
{
    xmlNode *wrapper, *results, *codes, *set, *stack;

    if (need_one(p, op, NULL, "authUserResults", &wrapper) != SOAP_OK ||
        need_one(p, wrapper, NULL, "results", &results) != SOAP_OK ||
        need_one(p, results, NULL, "resultCodes", &codes) != SOAP_OK ||
        find_one(p, results, NULL, "resultAttribute", &set) != SOAP_OK ||
        find_one(p, results, NULL, "errorStack", &stack) != SOAP_OK)
        return SOAP_MALFORMED;
    if (read_codes(p, codes, r) != SOAP_OK)
        return SOAP_MALFORMED;
    if (set != NULL && read_attributes(p, set, r) != SOAP_OK)
        return SOAP_MALFORMED;
    if (stack != NULL && read_errors(p, stack, r) != SOAP_OK)
        return SOAP_MALFORMED;
    return SOAP_OK;
}

/* faultcode and faultstring are required by SOAP 1.1, but a Fault is a
 * failure either way: a missing one just stays "". */
static int
read_fault(struct parse *p, const xmlNode *fault, struct soap_reply *r)
{
    xmlNode *code, *string;
    const int cut = TEXT_TRIM | TEXT_CUT;

    if (find_one(p, fault, NULL, "faultcode", &code) != SOAP_OK ||
        find_one(p, fault, NULL, "faultstring", &string) != SOAP_OK)
        return SOAP_MALFORMED;
    if (code != NULL &&
        get_text(p, code, "faultcode", r->fault_code, sizeof(r->fault_code), cut) != SOAP_OK)
        return SOAP_MALFORMED;
    if (string != NULL && get_text(p, string, "faultstring", r->fault_string,
                                   sizeof(r->fault_string), cut) != SOAP_OK)
        return SOAP_MALFORMED;
    say(p, "SOAP Fault %s: %s", r->fault_code, r->fault_string);
    return SOAP_FAULT;
}

/* SOAP 1.1 says a header entry with mustUnderstand="1" that the receiver
 * does not know must not be ignored, and we know none. */
static int
check_header(struct parse *p, const xmlNode *header)
{
    char what[200];

    for (xmlNode *h = header->children; h != NULL; h = h->next) {
        xmlChar *mu;
        bool must;

        if (h->type != XML_ELEMENT_NODE)
            continue;
        mu = xmlGetNsProp(h, BAD_CAST "mustUnderstand", BAD_CAST SOAP_NS_ENVELOPE);
        if (mu == NULL)
            continue;
        trim((char *)mu);
        must = strcmp((char *)mu, "1") == 0 || strcmp((char *)mu, "true") == 0;
        xmlFree(mu);
        if (must)
            return fail(p, "header %s must be understood", describe(h, what, sizeof(what)));
    }
    return SOAP_OK;
}

static int
read_envelope(struct parse *p, xmlDocPtr doc, struct soap_reply *r)
{
    xmlNode *root = xmlDocGetRootElement(doc), *header, *body, *op = NULL;
    char what[200];
    unsigned n = 0;

    if (root == NULL)
        return fail(p, "no root element");
    if (!is_el(root, SOAP_NS_ENVELOPE, "Envelope"))
        return fail(p, "root element %s is not a SOAP 1.1 Envelope",
                    describe(root, what, sizeof(what)));
    if (find_one(p, root, SOAP_NS_ENVELOPE, "Header", &header) != SOAP_OK ||
        (header != NULL && check_header(p, header) != SOAP_OK) ||
        need_one(p, root, SOAP_NS_ENVELOPE, "Body", &body) != SOAP_OK || body == NULL)
        return SOAP_MALFORMED;
    for (xmlNode *c = body->children; c != NULL; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (op == NULL)
            op = c;
        n++;
    }
    if (n != 1)
        return fail(p, "Body holds %u elements, not one", n);
    if (is_el(op, SOAP_NS_ENVELOPE, "Fault"))
        return read_fault(p, op, r);
    if (is_el(op, SOAP_NS_AUTH, "authUserResponse"))
        return read_response(p, op, r);
    return fail(p, "unexpected %s in Body", describe(op, what, sizeof(what)));
}

int
soap_parse_reply(const char *body, size_t len, struct soap_reply *reply, char *err,
                 size_t errlen)
{
    struct parse p = {.err = err, .errlen = errlen};
    struct soap_reply r;
    xmlDocPtr doc = NULL;
    int rc;

    memset(&r, 0, sizeof(r));
    if (err != NULL && errlen > 0)
        err[0] = '\0';
    if (reply != NULL)
        memset(reply, 0, sizeof(*reply));
    if (reply == NULL || (body == NULL && len > 0))
        return fail(&p, "invalid arguments");
    if (len == 0)
        return fail(&p, "empty body");
    if (len > SOAP_MAX_REPLY)
        return fail(&p, "body of %zu bytes is over the limit of %d", len, SOAP_MAX_REPLY);

    if (crowded_tag(body, len))
        return fail(&p, "more than %d attributes in one tag", MAX_TAG_ATTRIBUTES);
    rc = read_document(&p, body, len, &doc);
    if (rc == SOAP_OK)
        rc = read_envelope(&p, doc, &r);
    /* Nothing half-read leaves here: the caller gets all or nothing. */
    if (rc == SOAP_OK) {
        *reply = r;
    } else if (rc == SOAP_FAULT) {
        memcpy(reply->fault_code, r.fault_code, sizeof(r.fault_code));
        memcpy(reply->fault_string, r.fault_string, sizeof(r.fault_string));
    }
    xmlFreeDoc(doc);
    return rc;
}
