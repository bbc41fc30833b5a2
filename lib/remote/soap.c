/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * soap.c - the authUser and getChallenge requests (the reply parser is in
 * soap_reply.c, soap_tree.c and soap_xml.c).
 *
 * The envelope is fixed text; only the values vary, and each is checked
 * and escaped on its way in.  The request carries the user's response, so
 * it is measured first and written once into a buffer of its exact size:
 * no copy is left behind by a buffer that grew, and soap_free_request
 * wipes the one there is.
 */
#include "lib/remote/soap.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/common/secmem.h"
#include "lib/common/utf8.h"
#include "lib/remote/soap_impl.h"

#define NS_XSD "http://www.w3.org/2001/XMLSchema"
#define NS_XSI "http://www.w3.org/2001/XMLSchema-instance"

/* ------------------------------------------------------------- escaping */

/* XML 1.0 2.2: Char is tab, LF, CR, U+0020..U+D7FF, U+E000..U+FFFD and
 * U+10000..U+10FFFF; the surrogates are not UTF-8 (RFC 3629 3) already. */
static bool
xml_char(uint32_t cp)
{
    if (cp < 0x20)
        return cp == '\t' || cp == '\n' || cp == '\r';
    return cp != 0xfffe && cp != 0xffff;
}

ssize_t
soap_escape(const char *s, char *out)
{
    size_t len = strlen(s), at = 0, used = 0, n;
    const char *ref;
    uint32_t cp;

    while (at < len) {
        n = utf8_next(s + at, len - at, &cp);
        if (n == 0 || !xml_char(cp))
            return -1;
        /* 2.4: & and < always; > so that "]]>" never appears; " for
         * attribute values.  The rest stands for itself. */
        switch (cp) {
        case '&':
            ref = "&amp;";
            break;
        case '<':
            ref = "&lt;";
            break;
        case '>':
            ref = "&gt;";
            break;
        case '"':
            ref = "&quot;";
            break;
        default:
            ref = NULL;
            break;
        }
        if (ref != NULL) {
            if (out != NULL)
                memcpy(out + used, ref, strlen(ref));
            used += strlen(ref);
        } else {
            if (out != NULL)
                memcpy(out + used, s + at, n);
            used += n;
        }
        at += n;
    }
    return (ssize_t)used;
}

/* ------------------------------------------------------------- request */

/* What a credential may hold, stricter than XML: UTF-8 as RFC 3629 has it,
 * no control character at all (C0 with tab, LF and CR, which XML would
 * carry but a server would normalise; DEL; C1), and nothing XML 1.0 (2.2
 * Characters) cannot carry: U+FFFE and U+FFFF. */
static bool
valid_value(const char *s)
{
    size_t len = strlen(s);

    return len <= SOAP_MAX_VALUE && utf8_valid(s, len) && text_is_printable(s) &&
           soap_escape(s, NULL) >= 0;
}

struct field {
    const char *id;
    const char *type;
    const char *value;
};

/* The envelope of doc/protocol.md 2.2: no XML declaration, the four
 * prefixes on the Envelope, an empty Header, unqualified children, one
 * attributes element per field that is set.  Each piece of fixed text
 * below goes out as it is; values are escaped. */
static const char envelope_head[] =
    "<soapenv:Envelope xmlns:soapenv=\"" SOAP_NS_ENVELOPE "\" xmlns:xsd=\"" NS_XSD
    "\" xmlns:xsi=\"" NS_XSI "\" xmlns:aut=\"" SOAP_NS_AUTH "\"><soapenv:Header/><soapenv:Body>";
static const char set_head[] = "<credentialAttributeSet>";
static const char value_head[] = "<attributes><value xsi:type=\"";
static const char value_type_end[] = "\">";
static const char value_tail[] = "</value><attributeID>";
static const char attribute_tail[] = "</attributeID></attributes>";
static const char set_tail[] = "</credentialAttributeSet>";
static const char envelope_tail[] = "</soapenv:Body></soapenv:Envelope>";

/* Append @s (fixed text) at *at, unless only measuring (@out NULL). */
static void
put(char *out, size_t *at, const char *s)
{
    size_t n = strlen(s);

    if (out != NULL)
        memcpy(out + *at, s, n);
    *at += n;
}

/* The whole request into @out, or its length when @out is NULL.  The
 * values were checked: escaping cannot fail here. */
static size_t
write_envelope(char *out, const char *operation, const struct field *fields, size_t n)
{
    size_t at = 0;

    put(out, &at, envelope_head);
    put(out, &at, "<");
    put(out, &at, operation);
    put(out, &at, ">");
    put(out, &at, set_head);
    for (size_t i = 0; i < n; i++) {
        if (fields[i].value == NULL)
            continue;
        put(out, &at, value_head);
        put(out, &at, fields[i].type);
        put(out, &at, value_type_end);
        at += (size_t)soap_escape(fields[i].value, out != NULL ? out + at : NULL);
        put(out, &at, value_tail);
        put(out, &at, fields[i].id);
        put(out, &at, attribute_tail);
    }
    put(out, &at, set_tail);
    put(out, &at, "</");
    put(out, &at, operation);
    put(out, &at, ">");
    put(out, &at, envelope_tail);
    return at;
}

int
soap_build_request(const struct soap_request *req, char **xml, size_t *len)
{
    char format[16];
    const char *operation;
    bool getchallenge;
    char *out;
    size_t n;

    if (xml != NULL)
        *xml = NULL;
    if (len != NULL)
        *len = 0;
    if (req == NULL || xml == NULL || len == NULL)
        return -1;
    snprintf(format, sizeof(format), "%u", req->password_format);
    getchallenge = req->operation == SOAP_GET_CHALLENGE;
    operation = getchallenge ? "aut:getChallenge" : "aut:authUser";

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

    n = write_envelope(NULL, operation, fields, nfields);
    out = malloc(n + 1);
    if (out == NULL)
        return -1;
    write_envelope(out, operation, fields, nfields);
    out[n] = '\0';
    *xml = out;
    *len = n;
    return 0;
}

void
soap_free_request(char *xml, size_t len)
{
    secmem_free(xml, len);
}
