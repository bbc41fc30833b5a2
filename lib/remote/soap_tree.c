/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * soap_tree.c - the strict helpers soap_reply.c reads a reply's elements
 * with, and the one-line messages a malformed reply gets.
 *
 * Elements are found by name and namespace, never by position; whatever
 * the client acts on must be there exactly once; text that does not fit
 * its field makes the reply malformed unless the field is for logs only.
 */
#include "lib/remote/soap_impl.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/common/utf8.h"
#include "lib/remote/soap.h"

/* -------------------------------------------------------------- errors */

/* err is logged as one line: printable ASCII only, whatever the server
 * put in names or the parser in its messages. */
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
reply_describe(const struct reply_el *n, char *buf, size_t size)
{
    static const char *const known[] = {[NS_ENVELOPE] = SOAP_NS_ENVELOPE, [NS_AUTH] = SOAP_NS_AUTH};
    const char *ns = NULL;

    if (n->ns == NS_ENVELOPE || n->ns == NS_AUTH)
        ns = known[n->ns];
    else if (n->ns == NS_OTHER)
        ns = n->other_ns;
    if (ns != NULL)
        snprintf(buf, size, "{%.120s}%.60s", ns, n->name);
    else
        snprintf(buf, size, "%.60s", n->name);
    return buf;
}

/* -------------------------------------------------------- tree helpers */

bool
reply_is_el(const struct reply_el *n, enum reply_ns ns, const char *name)
{
    return n->ns == ns && ns != NS_OTHER && strcmp(n->name, name) == 0;
}

int
reply_find_one(struct parse *p, const struct reply_el *parent, enum reply_ns ns, const char *name,
               const struct reply_el **out)
{
    *out = NULL;
    if (parent == NULL)
        return reply_fail(p, "no element to look for %s in", name);
    for (const struct reply_el *c = parent->children; c != NULL; c = c->next) {
        if (!reply_is_el(c, ns, name))
            continue;
        if (*out != NULL)
            return reply_fail(p, "duplicate %s in %.60s", name, parent->name);
        *out = c;
    }
    return SOAP_OK;
}

/* A namesake in another namespace is mentioned, since that is the likely
 * mistake. */
int
reply_need_one(struct parse *p, const struct reply_el *parent, enum reply_ns ns, const char *name,
               const struct reply_el **out)
{
    char what[200];

    if (reply_find_one(p, parent, ns, name, out) != SOAP_OK || parent == NULL)
        return SOAP_MALFORMED;
    if (*out != NULL)
        return SOAP_OK;
    for (const struct reply_el *c = parent->children; c != NULL; c = c->next)
        if (strcmp(c->name, name) == 0)
            return reply_fail(p, "no %s in %.60s (found %s)", name, parent->name,
                              reply_describe(c, what, sizeof(what)));
    return reply_fail(p, "no %s in %.60s", name, parent->name);
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

/* The character data of @el, however the server split it into text, CDATA
 * sections and references (comments and processing instructions in between
 * do not count), into @out of @size bytes.  An element inside makes the
 * reply malformed; so does text that does not fit, unless TEXT_CUT says
 * the field is for logs only and may be cut at a character boundary. */
int
reply_text(struct parse *p, const struct reply_el *el, const char *what, char *out, size_t size,
           int flags)
{
    char buf[MAX_ELEMENT_TEXT];
    char name[200];
    size_t n;

    if (el->children != NULL)
        return reply_fail(p, "element %s inside %s",
                          reply_describe(el->children, name, sizeof(name)), what);
    snprintf(buf, sizeof(buf), "%s", el->text);
    if (flags & TEXT_TRIM)
        reply_trim(buf);
    n = strlen(buf);
    if (el->text_long || n >= size) {
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
reply_int(struct parse *p, const struct reply_el *el, const char *what, int *out)
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
