/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * soap_impl.h - what the parts of the SOAP client share: soap_xml.c reads
 * a document from a server that may be hostile (expat, limits, no DTD, the
 * encoding) into a small tree of elements; soap_tree.c offers the strict
 * helpers soap_reply.c reads that tree with; soap.c escapes request
 * values.  Private to lib/remote; everyone else uses soap.h.
 */
#ifndef CRAUTH_SOAP_IMPL_H
#define CRAUTH_SOAP_IMPL_H

#include "lib/tier_helper_side.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Attributes (namespace declarations included) one tag may have; ours
 * have at most eight. */
#define MAX_TAG_ATTRIBUTES 256
/* Namespace declarations in scope at once; a reply has about seven. */
#define MAX_NAMESPACES 128
/* Elements nested in each other; a reply nests nine deep. */
#define MAX_DEPTH 256
/* Bytes of a namespace name (a URI); ours have at most 67. */
#define MAX_NAMESPACE_NAME 1024
/* Bytes of character data kept per element; longer text does not fit any
 * field, so only the fact that it was longer is kept. */
#define MAX_ELEMENT_TEXT 1024

/* One parse: the first problem found. */
struct parse {
    char *err;
    size_t errlen;
    bool failed; /* err holds the first problem found */
};

/* The namespaces the client tells apart; any other is NS_OTHER. */
enum reply_ns { NS_NONE, NS_ENVELOPE, NS_AUTH, NS_OTHER };

/* One element of the reply document.  What a reply means depends on
 * elements, their character data and one attribute only, so that is all
 * the tree keeps. */
struct reply_el {
    const char *name; /* local name */
    enum reply_ns ns;
    const char *other_ns; /* NS_OTHER: the namespace name, for messages (cut) */
    struct reply_el *parent;
    struct reply_el *children; /* child elements in document order */
    struct reply_el *last_child;
    struct reply_el *next; /* the next sibling element */
    const char *text;      /* leaf only: its character data (text, CDATA,
                                * references), comments and PIs left out; "" if none */
    bool text_long;        /* there was more than MAX_ELEMENT_TEXT - 1 bytes of it */
    bool must_understand;  /* soapenv:mustUnderstand is "1" or "true" (SOAP 1.1 4.2.3) */
};

/* A parsed document: its root element, and the memory its elements are in. */
struct reply_doc {
    struct reply_el *root;
    struct reply_chunk *chunks;
};

/* TEXT_TRIM: remove leading and trailing XML white space (XML 1.0 2.3 S:
 * space, tab, CR, LF), as the whiteSpace facet "collapse" of XML Schema
 * Part 2 4.3.6 does for the ends of an xsd:int.  TEXT_CUT: the field is for
 * logs only and may be cut at a character boundary instead of failing. */
enum text_flags { TEXT_TRIM = 1, TEXT_CUT = 2 };

/* Write "reply: ..." into err (printable ASCII, one line). */
void reply_say(struct parse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same for the first problem only; returns SOAP_MALFORMED. */
int reply_fail(struct parse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "{namespace}local" or "local", for messages. */
const char *reply_describe(const struct reply_el *n, char *buf, size_t size);

/* Parse @body into *doc (SOAP_OK; free it with reply_free_document) or
 * fail.  @charset: the charset parameter of the HTTP Content-Type, or NULL;
 * used only when the document names no encoding of its own (no byte order
 * mark, no encoding in an XML declaration; RFC 7303 3.2, XML 1.0 Appendix
 * F), and only when it is one of the ASCII-compatible charsets a reply may
 * use. */
int reply_read_document(struct parse *p, const char *body, size_t len, const char *charset,
                        struct reply_doc *doc);
/* Wipe and free what reply_read_document kept; a zeroed doc is fine. */
void reply_free_document(struct reply_doc *doc);

/* Is @n the element @ns:@name? */
bool reply_is_el(const struct reply_el *n, enum reply_ns ns, const char *name);
/* The child element @ns:@name of @parent into *out, NULL if there is none;
 * two of them make the reply malformed. */
int reply_find_one(struct parse *p, const struct reply_el *parent, enum reply_ns ns,
                   const char *name, const struct reply_el **out);
/* As reply_find_one, but it must be there. */
int reply_need_one(struct parse *p, const struct reply_el *parent, enum reply_ns ns,
                   const char *name, const struct reply_el **out);
/* The character data of @el into @out (see enum text_flags); an element
 * inside, or text longer than @size - 1 without TEXT_CUT, is malformed. */
int reply_text(struct parse *p, const struct reply_el *el, const char *what, char *out, size_t size,
               int flags);
/* An xsd:int: white space at the ends, an optional sign, digits, and it
 * fits an int. */
int reply_int(struct parse *p, const struct reply_el *el, const char *what, int *out);
/* Remove XML white space at both ends of @s, in place. */
void reply_trim(char *s);

/* @s escaped as XML 1.0 character data or a double-quoted attribute value:
 * & < > " become &amp; &lt; &gt; &quot;, every other character is copied.
 * Written to @out unless it is NULL (then only measured); returns the
 * length written (no NUL is added), or -1 when @s is not UTF-8 (RFC 3629)
 * or holds a character XML 1.0 (2.2) cannot carry: a C0 control other than
 * tab, LF and CR, U+FFFE or U+FFFF. */
ssize_t soap_escape(const char *s, char *out);

#endif
