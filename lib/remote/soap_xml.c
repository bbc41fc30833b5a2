/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * soap_xml.c - reading a reply document from a server that may be hostile
 * or broken, with expat, into the small tree soap_reply.c reads.
 *
 * The body is capped before expat sees it (soap_reply.c).  expat reads no
 * file and no network on its own, and nothing here asks it to: there is no
 * external entity handler and parameter entities are never parsed.  Any
 * DOCTYPE stops the parser as soon as its name is read, before an internal
 * subset is, so no entity is ever declared, let alone expanded or fetched.
 * While it parses, the nesting depth, the attributes of one tag, the
 * namespace declarations in scope and the length of a namespace name are
 * capped, and at most MAX_ELEMENT_TEXT bytes of an element's text are
 * kept: the tree grows with the body, never faster.  Names are read with
 * expat's namespace processing, so an element is its namespace name and
 * local name, whatever prefix the server chose.
 */
#include "lib/remote/soap_impl.h"

#include <malloc.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <expat.h>

#include "lib/common/secmem.h"
#include "lib/common/utf8.h"
#include "lib/remote/soap.h"

/* expat hands names over as "namespace-name SEP local-name".  U+001F
 * cannot appear in XML 1.0 (2.2 Char), not even as a character reference,
 * so no namespace name or local name ever holds it. */
#define SEP_STR "\x1f"
#define SEP '\x1f'
#define MUST_UNDERSTAND SOAP_NS_ENVELOPE SEP_STR "mustUnderstand"

#define CHUNK 16384  /* the tree's memory comes in blocks of at least this */
#define SHOWN_NS 120 /* bytes of another namespace's name kept for messages */

/* ------------------------------------------------------------- memory */

/* expat holds the whole reply in its buffers: they are wiped when freed or
 * moved, like everything else that held server data. */
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

struct reply_chunk {
    struct reply_chunk *next;
    size_t size, used;
    alignas(struct reply_el) unsigned char data[];
};

/* @n bytes from the document's blocks, aligned for a struct reply_el. */
static void *
doc_alloc(struct reply_doc *doc, size_t n)
{
    const size_t align = alignof(struct reply_el);
    struct reply_chunk *c = doc->chunks;
    size_t at, size;

    if (c != NULL) {
        at = (c->used + align - 1) & ~(align - 1);
        if (at <= c->size && n <= c->size - at) {
            c->used = at + n;
            return c->data + at;
        }
    }
    size = n > CHUNK ? n : CHUNK;
    c = malloc(sizeof(*c) + size);
    if (c == NULL)
        return NULL;
    c->next = doc->chunks;
    c->size = size;
    c->used = n;
    doc->chunks = c;
    return c->data;
}

static char *
doc_strndup(struct reply_doc *doc, const char *s, size_t n)
{
    char *d = doc_alloc(doc, n + 1);

    if (d != NULL) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

void
reply_free_document(struct reply_doc *doc)
{
    struct reply_chunk *c = doc->chunks, *next;

    for (; c != NULL; c = next) {
        next = c->next;
        /* only the bytes handed out were ever written */
        secmem_wipe(c->data, c->used);
        free(c);
    }
    doc->chunks = NULL;
    doc->root = NULL;
}

/* ---------------------------------------------------------- encodings */

/* Does the document say its own encoding: a byte order mark, the first
 * bytes of UTF-16 or UCS-4 "<" (XML 1.0 Appendix F.1), or an XML
 * declaration with an encoding?  Then it wins over HTTP (RFC 7303 3.2). */
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
 * single-byte sets whose first 128 characters are ASCII.  The name expat
 * is given, or NULL when @charset is not one of them. */
static const char *
reply_charset(const char *charset)
{
    static const char *const known[][2] = {
        {"utf-8", "UTF-8"},       {"us-ascii", "US-ASCII"},       {"iso-8859-1", "ISO-8859-1"},
        {"latin1", "ISO-8859-1"}, {"iso-8859-15", "ISO-8859-15"}, {"windows-1252", "windows-1252"},
    };

    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (strcasecmp(charset, known[i][0]) == 0)
            return known[i][1];
    return NULL;
}

/* expat decodes UTF-8, UTF-16, ISO-8859-1 and US-ASCII itself; for any
 * other name, from HTTP or the XML declaration, it asks for a table of the
 * code point of each byte (-1: no character).  These two are the ones
 * libxml2 used to read for us, by the Unicode mapping files
 * MAPPINGS/VENDORS/MICSFT/WINDOWS/CP1252.TXT and MAPPINGS/ISO8859/8859-15.TXT:
 * windows-1252 differs from ISO-8859-1 at 0x80..0x9f, five of which are
 * unassigned; ISO-8859-15 at eight bytes.  Any other encoding is refused. */
static bool
single_byte_map(const char *name, int map[256])
{
    /* 0x80 to 0x9f, eight a row */
    /* clang-format off */
    static const uint16_t cp1252[32] = {
        0x20ac, 0,      0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
        0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017d, 0,
        0,      0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
        0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0,      0x017e, 0x0178,
    };
    /* clang-format on */
    static const uint16_t latin9[][2] = {
        {0xa4, 0x20ac}, {0xa6, 0x0160}, {0xa8, 0x0161}, {0xb4, 0x017d},
        {0xb8, 0x017e}, {0xbc, 0x0152}, {0xbd, 0x0153}, {0xbe, 0x0178},
    };

    for (int i = 0; i < 256; i++)
        map[i] = i;
    if (strcasecmp(name, "latin1") == 0)
        return true;
    if (strcasecmp(name, "windows-1252") == 0) {
        for (int i = 0; i < 32; i++)
            map[0x80 + i] = cp1252[i] != 0 ? cp1252[i] : -1;
        return true;
    }
    if (strcasecmp(name, "ISO-8859-15") == 0) {
        for (size_t i = 0; i < sizeof(latin9) / sizeof(latin9[0]); i++)
            map[latin9[i][0]] = latin9[i][1];
        return true;
    }
    return false;
}

/* ------------------------------------------------------- the document */

/* What the handlers share while expat reads one document. */
struct builder {
    struct parse *p;
    XML_Parser parser;
    struct reply_doc *doc;
    struct reply_el *current; /* the innermost open element */
    unsigned depth;
    unsigned namespaces;     /* declarations in scope */
    unsigned tag_namespaces; /* declarations on the tag being opened */
    const char *last_other;  /* the NS_OTHER name stored last, shared while it repeats */
    const char *given;       /* the encoding expat was given, or NULL */
    char declared[32];       /* the XML declaration's encoding, "" if none */
    char refused[32];        /* the encoding on_unknown_encoding had no table for */
    size_t text_len;
    bool text_long;
    char text[MAX_ELEMENT_TEXT]; /* the current element's character data so far */
};

/* Stop at the first problem.  expat may still report the rest of the tag
 * it is in, so every handler does nothing once parsing has failed. */
static void
halt(struct builder *b)
{
    XML_StopParser(b->parser, XML_FALSE);
}

/* Called once the DOCTYPE's name and identifiers are read, before any
 * internal subset is: nothing of a DTD is parsed, declared or loaded. */
static void
on_doctype(void *data, const XML_Char *name, const XML_Char *sysid, const XML_Char *pubid,
           int has_internal_subset)
{
    struct builder *b = data;

    (void)name;
    (void)sysid;
    (void)pubid;
    (void)has_internal_subset;
    reply_fail(b->p, "DOCTYPE is not allowed");
    halt(b);
}

static void
on_xml_decl(void *data, const XML_Char *version, const XML_Char *encoding, int standalone)
{
    struct builder *b = data;

    (void)version;
    (void)standalone;
    if (encoding != NULL)
        snprintf(b->declared, sizeof(b->declared), "%s", encoding);
}

static int
on_unknown_encoding(void *data, const XML_Char *name, XML_Encoding *info)
{
    struct builder *b = data;

    if (!single_byte_map(name, info->map)) {
        snprintf(b->refused, sizeof(b->refused), "%s", name);
        return XML_STATUS_ERROR;
    }
    info->data = NULL;
    info->convert = NULL;
    info->release = NULL;
    return XML_STATUS_OK;
}

static void
on_namespace_start(void *data, const XML_Char *prefix, const XML_Char *uri)
{
    struct builder *b = data;

    (void)prefix;
    b->namespaces++;
    b->tag_namespaces++;
    if (b->p->failed)
        return;
    if (b->namespaces > MAX_NAMESPACES) {
        reply_fail(b->p, "more than %d namespace declarations in scope", MAX_NAMESPACES);
        halt(b);
    } else if (uri != NULL && strlen(uri) > MAX_NAMESPACE_NAME) {
        /* expat hands it over again with every element in it */
        reply_fail(b->p, "namespace name longer than %d bytes", MAX_NAMESPACE_NAME);
        halt(b);
    }
}

static void
on_namespace_end(void *data, const XML_Char *prefix)
{
    struct builder *b = data;

    (void)prefix;
    b->namespaces--;
}

/* @name as expat gives it, "namespace-name SEP local" or "local", into @el. */
static bool
set_name(struct builder *b, struct reply_el *el, const char *name)
{
    const char *sep = strrchr(name, SEP);
    size_t ns_len, shown;

    el->ns = NS_NONE;
    if (sep != NULL) {
        ns_len = (size_t)(sep - name);
        if (ns_len == strlen(SOAP_NS_ENVELOPE) && memcmp(name, SOAP_NS_ENVELOPE, ns_len) == 0) {
            el->ns = NS_ENVELOPE;
        } else if (ns_len == strlen(SOAP_NS_AUTH) && memcmp(name, SOAP_NS_AUTH, ns_len) == 0) {
            el->ns = NS_AUTH;
        } else {
            el->ns = NS_OTHER;
            shown = utf8_fit(name, ns_len, SHOWN_NS);
            if (b->last_other == NULL || strlen(b->last_other) != shown ||
                memcmp(b->last_other, name, shown) != 0)
                b->last_other = doc_strndup(b->doc, name, shown);
            el->other_ns = b->last_other;
            if (el->other_ns == NULL)
                return false;
        }
        name = sep + 1;
    }
    el->name = doc_strndup(b->doc, name, strlen(name));
    return el->name != NULL;
}

/* soapenv:mustUnderstand, white space at its ends removed (its type,
 * xsd:boolean, collapses white space). */
static bool
must_understand(const XML_Char **atts)
{
    for (size_t i = 0; atts[i] != NULL; i += 2) {
        const char *v = atts[i + 1];
        size_t n;

        if (strcmp(atts[i], MUST_UNDERSTAND) != 0)
            continue;
        v += strspn(v, " \t\r\n");
        n = strlen(v);
        while (n > 0 && strchr(" \t\r\n", v[n - 1]) != NULL)
            n--;
        return (n == 1 && v[0] == '1') || (n == 4 && memcmp(v, "true", 4) == 0);
    }
    return false;
}

static void
on_start(void *data, const XML_Char *name, const XML_Char **atts)
{
    struct builder *b = data;
    struct reply_el *el, *parent = b->current;
    unsigned n = b->tag_namespaces;

    b->tag_namespaces = 0;
    if (b->p->failed)
        return;
    for (size_t i = 0; atts[i] != NULL; i += 2)
        n++;
    if (++b->depth > MAX_DEPTH) {
        reply_fail(b->p, "elements nested more than %d deep", MAX_DEPTH);
        halt(b);
        return;
    }
    if (n > MAX_TAG_ATTRIBUTES) {
        reply_fail(b->p, "more than %d attributes in one tag", MAX_TAG_ATTRIBUTES);
        halt(b);
        return;
    }
    el = doc_alloc(b->doc, sizeof(*el));
    if (el != NULL)
        memset(el, 0, sizeof(*el));
    if (el == NULL || !set_name(b, el, name)) {
        reply_fail(b->p, "out of memory");
        halt(b);
        return;
    }
    el->text = "";
    el->must_understand = must_understand(atts);
    el->parent = parent;
    if (parent == NULL)
        b->doc->root = el;
    else if (parent->last_child == NULL)
        parent->children = el;
    else
        parent->last_child->next = el;
    if (parent != NULL)
        parent->last_child = el;
    /* The parent's text is of no use now: an element with an element
     * inside has no text a reply could mean. */
    b->text_len = 0;
    b->text_long = false;
    b->current = el;
}

static void
on_end(void *data, const XML_Char *name)
{
    struct builder *b = data;
    struct reply_el *el = b->current;

    (void)name;
    if (b->p->failed || el == NULL)
        return;
    if (el->children == NULL) {
        el->text = doc_strndup(b->doc, b->text, b->text_len);
        el->text_long = b->text_long;
        if (el->text == NULL) {
            reply_fail(b->p, "out of memory");
            halt(b);
            return;
        }
    }
    b->text_len = 0;
    b->text_long = false;
    b->current = el->parent;
    b->depth--;
}

/* Text, CDATA and references alike, in as many pieces as expat likes. */
static void
on_text(void *data, const XML_Char *s, int len)
{
    struct builder *b = data;
    size_t room = sizeof(b->text) - 1 - b->text_len, n = (size_t)len;

    if (b->p->failed || b->current == NULL || b->current->children != NULL || b->text_long)
        return;
    if (n > room) {
        n = utf8_fit(s, n, room);
        b->text_long = true;
    }
    memcpy(b->text + b->text_len, s, n);
    b->text_len += n;
}

/* ------------------------------------------------------------ parsing */

/* expat's error, and where: one line.  A byte that is not in the encoding
 * the document is read in (a Latin-1 reply that names no charset is the
 * usual case) is named as such rather than as an "invalid token". */
static void
say_xml_error(struct builder *b, const char *body, size_t len)
{
    const unsigned char *u = (const unsigned char *)body;
    enum XML_Error code = XML_GetErrorCode(b->parser);
    unsigned long line = XML_GetCurrentLineNumber(b->parser);
    unsigned long column = XML_GetCurrentColumnNumber(b->parser) + 1;
    XML_Index at = XML_GetCurrentByteIndex(b->parser);
    const char *kind = "not well-formed XML", *encoding;
    bool utf16 = len >= 2 && (u[0] == 0x00 || u[1] == 0x00 || (u[0] == 0xfe && u[1] == 0xff) ||
                              (u[0] == 0xff && u[1] == 0xfe));

    encoding = b->given != NULL ? b->given : b->declared[0] != '\0' ? b->declared : "UTF-8";
    switch (code) {
    case XML_ERROR_NO_MEMORY:
        reply_fail(b->p, "out of memory");
        return;
    case XML_ERROR_UNKNOWN_ENCODING:
        if (b->refused[0] != '\0') {
            reply_fail(b->p,
                       "encoding '%s' is not supported (UTF-8, UTF-16, US-ASCII, "
                       "ISO-8859-1, ISO-8859-15, windows-1252)",
                       b->refused);
            return;
        }
        break;
    case XML_ERROR_INVALID_TOKEN:
        if (!utf16 && strncasecmp(encoding, "UTF-16", 6) != 0 && at >= 0 && (size_t)at < len &&
            u[at] >= 0x80) {
            reply_fail(b->p, "%s at line %lu, column %lu: not %s (byte 0x%02X)", kind, line, column,
                       encoding, u[at]);
            return;
        }
        break;
    case XML_ERROR_UNBOUND_PREFIX:
    case XML_ERROR_UNDECLARING_PREFIX:
    case XML_ERROR_RESERVED_PREFIX_XML:
    case XML_ERROR_RESERVED_PREFIX_XMLNS:
    case XML_ERROR_RESERVED_NAMESPACE_URI:
        kind = "namespace error";
        break;
    default:
        break;
    }
    reply_fail(b->p, "%s at line %lu, column %lu: %s", kind, line, column,
               XML_ErrorString(code) != NULL ? XML_ErrorString(code) : "?");
}

int
reply_read_document(struct parse *p, const char *body, size_t len, const char *charset,
                    struct reply_doc *doc)
{
    static const XML_Memory_Handling_Suite wiping = {malloc, wipe_realloc, wipe_free};
    struct builder b = {.p = p, .doc = doc};
    int rc = SOAP_MALFORMED;

    memset(doc, 0, sizeof(*doc));
    if (charset != NULL && charset[0] != '\0' && !names_own_encoding(body, len) &&
        (b.given = reply_charset(charset)) == NULL)
        return reply_fail(p,
                          "charset '%.40s' of the HTTP reply is not supported (UTF-8, "
                          "US-ASCII, ISO-8859-1, ISO-8859-15, windows-1252)",
                          charset);
    b.parser = XML_ParserCreate_MM(b.given, &wiping, SEP_STR);
    if (b.parser == NULL)
        return reply_fail(p, "out of memory");
    XML_SetUserData(b.parser, &b);
    /* Behind the DOCTYPE stop: no parameter entity is ever read, and
     * expat's own limit on entity amplification (2.4.0) is left on. */
    XML_SetParamEntityParsing(b.parser, XML_PARAM_ENTITY_PARSING_NEVER);
    XML_SetStartDoctypeDeclHandler(b.parser, on_doctype);
    XML_SetXmlDeclHandler(b.parser, on_xml_decl);
    XML_SetUnknownEncodingHandler(b.parser, on_unknown_encoding, &b);
    XML_SetNamespaceDeclHandler(b.parser, on_namespace_start, on_namespace_end);
    XML_SetElementHandler(b.parser, on_start, on_end);
    XML_SetCharacterDataHandler(b.parser, on_text);
    /* One call with the whole body, the last: nothing is deferred. */
    if (XML_Parse(b.parser, body, (int)len, XML_TRUE) == XML_STATUS_OK && !p->failed)
        rc = SOAP_OK;
    else if (!p->failed)
        say_xml_error(&b, body, len);
    XML_ParserFree(b.parser);
    secmem_wipe(&b, sizeof(b));
    if (rc != SOAP_OK)
        reply_free_document(doc);
    return rc;
}
