/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * soap_impl.h - what the two halves of the reply parser share: soap_xml.c
 * reads a document from a server that may be hostile (limits, no DTD, the
 * encoding) and offers strict tree helpers; soap_reply.c reads what the
 * reply says with them.  Private to lib/remote; everyone else uses soap.h.
 */
#ifndef CRAUTH_SOAP_IMPL_H
#define CRAUTH_SOAP_IMPL_H

#include "lib/tier_helper_side.h"

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

/* Attributes (namespace declarations included) one tag may have; ours
 * have at most eight. */
#define MAX_TAG_ATTRIBUTES 256

/* One parse: the first problem found, and libxml2's own first error. */
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
const char *reply_describe(const xmlNode *n, char *buf, size_t size);

/* More attributes in one tag than any reply needs?  A cheap pass over the
 * raw bytes, before libxml2 (whose duplicate check is quadratic). */
bool reply_crowded_tag(const char *body, size_t len);

/* Parse @body into *docp (SOAP_OK) or fail.  @charset: the charset
 * parameter of the HTTP Content-Type, or NULL; used only when the document
 * names no encoding of its own (no byte order mark, no encoding in an XML
 * declaration; RFC 7303 3.2, XML 1.0 Appendix F), and only when it is one
 * of the ASCII-compatible charsets a reply may use. */
int reply_read_document(struct parse *p, const char *body, size_t len, const char *charset,
                        xmlDocPtr *docp);

/* Is @n the element @ns:@name (@ns NULL: in no namespace)? */
bool reply_is_el(const xmlNode *n, const char *ns, const char *name);
/* The child element @ns:@name of @parent into *out, NULL if there is none;
 * two of them make the reply malformed. */
int reply_find_one(struct parse *p, const xmlNode *parent, const char *ns, const char *name,
                   xmlNode **out);
/* As reply_find_one, but it must be there. */
int reply_need_one(struct parse *p, const xmlNode *parent, const char *ns, const char *name,
                   xmlNode **out);
/* The character data of @el into @out (see enum text_flags); an element
 * inside, or text longer than @size - 1 without TEXT_CUT, is malformed. */
int reply_text(struct parse *p, const xmlNode *el, const char *what, char *out, size_t size,
               int flags);
/* An xsd:int: white space at the ends, an optional sign, digits, and it
 * fits an int. */
int reply_int(struct parse *p, const xmlNode *el, const char *what, int *out);
/* Remove XML white space at both ends of @s, in place. */
void reply_trim(char *s);

#endif
