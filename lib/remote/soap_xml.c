/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * soap_xml.c - reading a reply document from a server that may be hostile
 * or broken, and the strict tree helpers soap_reply.c reads it with.
 *
 * The body is capped before libxml2 sees it, and so are the attributes of
 * a tag and the namespaces in scope, which libxml2 2.9 handles in quadratic
 * time.  The parser never touches the network, and any DOCTYPE stops it
 * before the internal subset is read, so no entity is ever declared, let
 * alone expanded or fetched; its depth limit stays the default.  Elements
 * are found by name and namespace, never by position; whatever the client
 * acts on must be there exactly once.
 */
#include "lib/remote/soap_impl.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "lib/common/utf8.h"
#include "lib/remote/soap.h"

/* XML_PARSE_NOENT, _DTDLOAD, _DTDATTR and _HUGE stay off on purpose. */
#define PARSE_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)

#define MAX_NAMESPACES 128 /* declarations in scope at once */

/* Room for any text we read; longer text does not fit any field. */
#define SCRATCH 1024

#if LIBXML_VERSION >= 21200
typedef const xmlError *xml_error_t;
#else
typedef xmlError *xml_error_t;
#endif

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

void
reply_say(struct parse *p, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsay(p, fmt, ap);
    va_end(ap);
}

/* Record the first problem only: later ones are usually its echoes. */
int
reply_fail(struct parse *p, const char *fmt, ...)
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
const char *
reply_describe(const xmlNode *n, char *buf, size_t size)
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

/* Does the document say its own encoding: a byte order mark, the first
 * bytes of UTF-16 or UCS-4 "<" (XML 1.0 Appendix F.1), or an XML
 * declaration with an encoding?  Then it wins over HTTP, as libxml2 has it. */
static bool
names_own_encoding(const char *body, size_t len)
{
    const unsigned char *b = (const unsigned char *)body;
    const char *decl_end;

    if (len >= 2 && (b[0] == 0x00 || b[1] == 0x00 || (b[0] == 0xfe && b[1] == 0xff) ||
                     (b[0] == 0xff && b[1] == 0xfe)))
        return true;
    if (len >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf)
        return true;
    if (len < 6 || memcmp(body, "<?xml", 5) != 0 || strchr(" \t\r\n", body[5]) == NULL)
        return false;
    /* the declaration is short; one that does not end soon is not one */
    decl_end = memmem(body, len < 200 ? len : 200, "?>", 2);
    return decl_end != NULL && memmem(body, (size_t)(decl_end - body), "encoding", 8) != NULL;
}

/* The charsets a reply may be sent in when only HTTP names them: UTF-8 and
 * single-byte sets whose first 128 characters are ASCII, so that the cheap
 * byte-level checks before parsing (reply_crowded_tag) see what libxml2
 * will see.  NULL when @charset is not one of them. */
static const char *
reply_charset(const char *charset)
{
    static const char *const known[][2] = {
        {"utf-8", "UTF-8"},           {"us-ascii", "ASCII"},
        {"iso-8859-1", "ISO-8859-1"}, {"latin1", "ISO-8859-1"},
        {"iso-8859-15", "ISO-8859-15"}, {"windows-1252", "WINDOWS-1252"},
    };

    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (strcasecmp(charset, known[i][0]) == 0)
            return known[i][1];
    return NULL;
}

int
reply_read_document(struct parse *p, const char *body, size_t len, const char *charset,
                    xmlDocPtr *docp)
{
    xmlParserCtxtPtr ctxt;
    xmlDocPtr doc = NULL;
    const char *encoding = NULL;
    int rc = SOAP_MALFORMED;

    if (charset != NULL && charset[0] != '\0' && !names_own_encoding(body, len) &&
        (encoding = reply_charset(charset)) == NULL)
        return reply_fail(p, "charset '%.40s' of the HTTP reply is not supported (UTF-8, "
                          "US-ASCII, ISO-8859-1, ISO-8859-15, windows-1252)", charset);
    /* The context's SAX handler is its own copy, so changing it here
     * touches no other parse. */
    ctxt = xmlNewParserCtxt();
    if (ctxt == NULL)
        return reply_fail(p, "out of memory");
    ctxt->_private = p;
    ctxt->sax->serror = on_xml_error;
    ctxt->sax->internalSubset = on_doctype;
    ctxt->sax->startElementNs = on_start;
    doc = xmlCtxtReadMemory(ctxt, body, (int)len, NULL, encoding, PARSE_OPTIONS);
    if (p->doctype || (doc != NULL && (doc->intSubset != NULL || doc->extSubset != NULL))) {
        reply_fail(p, "DOCTYPE is not allowed");
    } else if (p->crowded) {
        reply_fail(p, "more than %d namespace declarations in scope", MAX_NAMESPACES);
    } else if (!ctxt->wellFormed || doc == NULL) {
        if (p->xml_error)
            reply_fail(p, "not well-formed XML at line %d: %s", p->xml_line, p->xml_msg);
        else
            reply_fail(p, "not well-formed XML");
    } else if (!ctxt->nsWellFormed) {
        reply_fail(p, "namespace error at line %d: %s", p->xml_line,
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
bool
reply_crowded_tag(const char *body, size_t len)
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
bool
reply_is_el(const xmlNode *n, const char *ns, const char *name)
{
    if (n->type != XML_ELEMENT_NODE || strcmp((const char *)n->name, name) != 0)
        return false;
    if (ns == NULL)
        return n->ns == NULL;
    return n->ns != NULL && n->ns->href != NULL && strcmp((const char *)n->ns->href, ns) == 0;
}

/* The child element @ns:@name of @parent into *out, NULL if there is none;
 * two of them make the reply malformed. */
int
reply_find_one(struct parse *p, const xmlNode *parent, const char *ns, const char *name,
               xmlNode **out)
{
    *out = NULL;
    if (parent == NULL)
        return reply_fail(p, "no element to look for %s in", name);
    for (xmlNode *c = parent->children; c != NULL; c = c->next) {
        if (!reply_is_el(c, ns, name))
            continue;
        if (*out != NULL)
            return reply_fail(p, "duplicate %s in %.60s", name, (const char *)parent->name);
        *out = c;
    }
    return SOAP_OK;
}

/* As reply_find_one, but it must be there.  A namesake in another namespace is
 * mentioned, since that is the likely mistake. */
int
reply_need_one(struct parse *p, const xmlNode *parent, const char *ns, const char *name,
               xmlNode **out)
{
    char what[200];

    if (reply_find_one(p, parent, ns, name, out) != SOAP_OK || parent == NULL)
        return SOAP_MALFORMED;
    if (*out != NULL)
        return SOAP_OK;
    for (const xmlNode *c = parent->children; c != NULL; c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0)
            return reply_fail(p, "no %s in %.60s (found %s)", name, (const char *)parent->name,
                              reply_describe(c, what, sizeof(what)));
    return reply_fail(p, "no %s in %.60s", name, (const char *)parent->name);
}

/* XML white space (XML 1.0 2.3, production S): exactly these four. */
void
reply_trim(char *s)
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
int
reply_text(struct parse *p, const xmlNode *el, const char *what, char *out, size_t size,
           int flags)
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
                return reply_fail(p, "element %s inside %s",
                                  reply_describe(c, name, sizeof(name)), what);
            return reply_fail(p, "unexpected node inside %s", what);
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
        reply_trim(buf);
    n = strlen(buf);
    if (long_text || n >= size) {
        if (!(flags & TEXT_CUT))
            return reply_fail(p, "%s longer than %zu bytes", what, size - 1);
        n = utf8_fit(buf, n, size - 1);
    }
    memcpy(out, buf, n);
    out[n] = '\0';
    return SOAP_OK;
}

/* xsd:int, strictly: its whiteSpace facet is "collapse" (XML Schema
 * Part 2 3.3.17), so white space at the ends goes; then an optional sign,
 * digits, nothing else, and it fits. */
int
reply_int(struct parse *p, const xmlNode *el, const char *what, int *out)
{
    char text[32] = "";
    const char *s = text;
    long long v = 0;
    bool neg = false;

    if (reply_text(p, el, what, text, sizeof(text), TEXT_TRIM) != SOAP_OK)
        return SOAP_MALFORMED;
    if (*s == '+' || *s == '-')
        neg = *s++ == '-';
    if (*s == '\0')
        return reply_fail(p, "%s '%s' is not an integer", what, text);
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9')
            return reply_fail(p, "%s '%s' is not an integer", what, text);
        v = v * 10 + (*s - '0');
        if (v > (long long)INT_MAX + 1)
            return reply_fail(p, "%s '%s' is out of range", what, text);
    }
    if (neg)
        v = -v;
    if (v > INT_MAX)
        return reply_fail(p, "%s '%s' is out of range", what, text);
    *out = (int)v;
    return SOAP_OK;
}
