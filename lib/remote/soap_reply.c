/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * soap_reply.c - what an authUser or getChallenge reply (or a SOAP Fault)
 * says, read from the document soap_xml.c parsed, along the fixed path of
 * doc/protocol.md 2.3 and 2.4: never by position and never recursively;
 * whatever the client acts on must be there exactly once, or the reply is
 * malformed.
 *
 * The tolerances are the variations real servers show, each kept narrow:
 * authUserResponse holds authUserResults/results or results (ifad/identikey
 * reads both; getChallengeResponse never has the wrapper), never both;
 * CREDFLD_CHALLENGE and CREDFLD_CHALLENGE_KEY lose XML white space at
 * their ends (pretty-printing servers); an unknown attribute need not have
 * a value; CREDFLD_STATUS_MESSAGE may come more than once (each different
 * text is kept).  Every other known attribute given twice is malformed.
 */
#include "lib/remote/soap.h"
#include "lib/common/secmem.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "lib/remote/soap_impl.h"

/* ------------------------------------------------------------- content */

static int
read_codes(struct parse *p, const struct reply_el *codes, struct soap_reply *r)
{
    const struct reply_el *rc, *sc, *re, *se;

    if (reply_need_one(p, codes, NS_NONE, "returnCode", &rc) != SOAP_OK ||
        reply_need_one(p, codes, NS_NONE, "statusCode", &sc) != SOAP_OK ||
        reply_find_one(p, codes, NS_NONE, "returnCodeEnum", &re) != SOAP_OK ||
        reply_find_one(p, codes, NS_NONE, "statusCodeEnum", &se) != SOAP_OK)
        return SOAP_MALFORMED;
    if (reply_int(p, rc, "returnCode", &r->return_code) != SOAP_OK ||
        reply_int(p, sc, "statusCode", &r->status_code) != SOAP_OK)
        return SOAP_MALFORMED;
    if (re != NULL && reply_text(p, re, "returnCodeEnum", r->return_enum, sizeof(r->return_enum),
                                 TEXT_TRIM) != SOAP_OK)
        return SOAP_MALFORMED;
    if (se != NULL && reply_text(p, se, "statusCodeEnum", r->status_enum, sizeof(r->status_enum),
                                 TEXT_TRIM) != SOAP_OK)
        return SOAP_MALFORMED;
    return SOAP_OK;
}

/* The attributes the client reads, where each goes and how. */
enum attribute_flags { ATTR_TRIM = 1, ATTR_REPEATABLE = 2 };

static const struct known_attribute {
    const char *id;
    size_t has;   /* offsetof the presence flag */
    size_t field; /* offsetof the text */
    size_t size;
    int flags;
} known[] = {
#define KNOWN(id, has, field, flags)                                                               \
    {                                                                                              \
        id, offsetof(struct soap_reply, has), offsetof(struct soap_reply, field),                  \
            sizeof(((struct soap_reply *)0)->field), flags                                         \
    }
    KNOWN("CREDFLD_CHALLENGE", has_challenge, challenge, ATTR_TRIM),
    KNOWN("CREDFLD_CHALLENGE_KEY", has_challenge_key, challenge_key, ATTR_TRIM),
    KNOWN("CREDFLD_CHALLENGE_MESSAGE", has_challenge_message, challenge_message, 0),
    KNOWN("CREDFLD_STATUS_MESSAGE", has_status_message, status_message, ATTR_REPEATABLE),
    KNOWN("CREDFLD_AUXILIARY_MESSAGE", has_auxiliary_message, auxiliary_message, 0),
    KNOWN("CREDFLD_NOTIFY_PASSWORD_EXPIRE_DATE", has_password_expire_date, password_expire_date, 0),
    KNOWN("CREDFLD_HOST_CODE", has_host_code, host_code, ATTR_TRIM),
#undef KNOWN
};

/* Is @text already one of the "; "-joined pieces of @joined? */
static bool
has_piece(const char *joined, const char *text)
{
    size_t n = strlen(text);

    for (const char *at = joined; (at = strstr(at, text)) != NULL; at++)
        if ((at == joined || (at - joined >= 2 && memcmp(at - 2, "; ", 2) == 0)) &&
            (at[n] == '\0' || memcmp(at + n, "; ", 2) == 0))
            return true;
    return false;
}

/* A repeated attribute (only CREDFLD_STATUS_MESSAGE may be): a text seen
 * before is one message; a different one is joined to them with "; ". */
static int
add_repeat(struct parse *p, const struct known_attribute *k, char *field, const char *again)
{
    size_t used = strlen(field), more = strlen(again);

    if (more == 0 || has_piece(field, again))
        return SOAP_OK;
    if (used == 0) {
        memcpy(field, again, more + 1);
        return SOAP_OK;
    }
    if (used + 2 + more >= k->size)
        return reply_fail(p, "repeated %s longer than %zu bytes in all", k->id, k->size - 1);
    memcpy(field + used, "; ", 2);
    memcpy(field + used + 2, again, more + 1);
    return SOAP_OK;
}

/* Known attributes are copied; a known one given twice is malformed (which
 * of the two would the server mean?) unless it is repeatable; unknown ones
 * are skipped unread, with or without a value. */
static int
read_attributes(struct parse *p, const struct reply_el *set, struct soap_reply *r)
{
    char id[SOAP_TEXT], what[SOAP_TEXT + 8], text[SOAP_MESSAGE];
    const struct reply_el *idn, *value;
    unsigned count = 0;

    for (const struct reply_el *a = set->children; a != NULL; a = a->next) {
        const struct known_attribute *k = NULL;
        bool *has;
        char *field;

        if (!reply_is_el(a, NS_NONE, "attributes"))
            continue;
        if (++count > SOAP_MAX_ATTRIBUTES)
            return reply_fail(p, "more than %d attributes in resultAttribute", SOAP_MAX_ATTRIBUTES);
        if (reply_need_one(p, a, NS_NONE, "attributeID", &idn) != SOAP_OK ||
            reply_text(p, idn, "attributeID", id, sizeof(id), TEXT_TRIM) != SOAP_OK)
            return SOAP_MALFORMED;
        for (size_t i = 0; i < sizeof(known) / sizeof(known[0]) && k == NULL; i++)
            if (strcmp(id, known[i].id) == 0)
                k = &known[i];
        if (k == NULL)
            continue;
        if (reply_need_one(p, a, NS_NONE, "value", &value) != SOAP_OK)
            return SOAP_MALFORMED;
        has = (bool *)((char *)r + k->has);
        field = (char *)r + k->field;
        snprintf(what, sizeof(what), "%s value", id);
        if (*has && !(k->flags & ATTR_REPEATABLE))
            return reply_fail(p, "duplicate %s in resultAttribute", id);
        if (reply_text(p, value, what, text, k->size, (k->flags & ATTR_TRIM) ? TEXT_TRIM : 0) !=
            SOAP_OK)
            return SOAP_MALFORMED;
        if (*has) {
            if (add_repeat(p, k, field, text) != SOAP_OK)
                return SOAP_MALFORMED;
        } else {
            memcpy(field, text, strlen(text) + 1);
            *has = true;
        }
    }
    return SOAP_OK;
}

/* Only the first entry: the rest are for the server's own log. */
static int
read_errors(struct parse *p, const struct reply_el *stack, struct soap_reply *r)
{
    const struct reply_el *code, *desc;

    for (const struct reply_el *e = stack->children; e != NULL; e = e->next) {
        if (!reply_is_el(e, NS_NONE, "errors"))
            continue;
        if (reply_find_one(p, e, NS_NONE, "errorCode", &code) != SOAP_OK ||
            reply_find_one(p, e, NS_NONE, "errorDesc", &desc) != SOAP_OK)
            return SOAP_MALFORMED;
        if (code != NULL && reply_int(p, code, "errorCode", &r->error_code) != SOAP_OK)
            return SOAP_MALFORMED;
        if (desc != NULL && reply_text(p, desc, "errorDesc", r->error_desc, sizeof(r->error_desc),
                                       TEXT_TRIM | TEXT_CUT) != SOAP_OK)
            return SOAP_MALFORMED;
        break;
    }
    return SOAP_OK;
}

/* results: resultCodes (required), resultAttribute and errorStack. */
static int
read_results(struct parse *p, const struct reply_el *results, struct soap_reply *r)
{
    const struct reply_el *codes, *set, *stack;

    if (reply_need_one(p, results, NS_NONE, "resultCodes", &codes) != SOAP_OK ||
        reply_find_one(p, results, NS_NONE, "resultAttribute", &set) != SOAP_OK ||
        reply_find_one(p, results, NS_NONE, "errorStack", &stack) != SOAP_OK)
        return SOAP_MALFORMED;
    if (read_codes(p, codes, r) != SOAP_OK)
        return SOAP_MALFORMED;
    if (set != NULL && read_attributes(p, set, r) != SOAP_OK)
        return SOAP_MALFORMED;
    if (stack != NULL && read_errors(p, stack, r) != SOAP_OK)
        return SOAP_MALFORMED;
    return SOAP_OK;
}

/* The protocol's own element names and the parents doc/protocol.md 2.3
 * and 2.4 give them.  The reading above takes each from its one place; one
 * of these names anywhere else in the reply (another namespace, another
 * parent, nested in an unknown element) would be an answer the reading did
 * not see, such as a challenge beside codes 0/0, so the reply is
 * malformed rather than read without it. */
static const struct placed_name {
    const char *name;
    const char *parents; /* space-separated */
} placed[] = {
    /* the operations' own elements have no place below the one read */
    {"authUserResponse", ""},
    {"getChallengeResponse", ""},
    {"authUserResults", "authUserResponse"},
    {"results", "authUserResults authUserResponse getChallengeResponse"},
    {"resultCodes", "results"},
    {"returnCode", "resultCodes"},
    {"statusCode", "resultCodes"},
    {"returnCodeEnum", "resultCodes"},
    {"statusCodeEnum", "resultCodes"},
    {"resultAttribute", "results"},
    {"attributes", "resultAttribute"},
    {"attributeID", "attributes"},
    {"value", "attributes"},
    {"errorStack", "results"},
    {"errors", "errorStack"},
    {"errorCode", "errors"},
    {"errorDesc", "errors"},
};

static bool
is_word_of(const char *list, const char *word)
{
    size_t n = strlen(word);

    for (const char *at = list; (at = strstr(at, word)) != NULL; at += n)
        if ((at == list || at[-1] == ' ') && (at[n] == '\0' || at[n] == ' '))
            return true;
    return false;
}

/* Every element below @op (the operation's response element), in document
 * order, without recursion: the parser bounds the depth, this walk needs
 * no stack at all. */
static int
check_placement(struct parse *p, const struct reply_el *op)
{
    char what[200], where[200];
    const struct reply_el *e = op->children;

    while (e != NULL) {
        for (size_t i = 0; i < sizeof(placed) / sizeof(placed[0]); i++) {
            const struct reply_el *up = e->parent;

            if (strcmp(e->name, placed[i].name) != 0)
                continue;
            if (e->ns != NS_NONE || !is_word_of(placed[i].parents, up->name) ||
                (up != op && up->ns != NS_NONE))
                return reply_fail(p, "%s inside %s; the protocol has it%s%s",
                                  reply_describe(e, what, sizeof(what)),
                                  reply_describe(up, where, sizeof(where)),
                                  placed[i].parents[0] ? ", unqualified, only in "
                                                       : " only as the Body's element",
                                  placed[i].parents);
            break;
        }
        if (e->children != NULL) {
            e = e->children;
            continue;
        }
        while (e != op && e->next == NULL)
            e = e->parent;
        e = e == op ? NULL : e->next;
    }
    return SOAP_OK;
}

/* authUserResponse holds authUserResults/results (the documented layout)
 * or results itself (ifad/identikey's parse_response reads both); both at
 * once would leave two answers to choose from. */
static int
read_auth_user(struct parse *p, const struct reply_el *op, struct soap_reply *r)
{
    const struct reply_el *wrapper, *results;

    if (reply_find_one(p, op, NS_NONE, "authUserResults", &wrapper) != SOAP_OK ||
        reply_find_one(p, op, NS_NONE, "results", &results) != SOAP_OK)
        return SOAP_MALFORMED;
    if (wrapper != NULL && results != NULL)
        return reply_fail(p, "both authUserResults and results in authUserResponse");
    if (wrapper == NULL && results == NULL)
        return reply_need_one(p, op, NS_NONE, "authUserResults", &wrapper);
    if (wrapper != NULL && reply_need_one(p, wrapper, NS_NONE, "results", &results) != SOAP_OK)
        return SOAP_MALFORMED;
    if (read_results(p, results, r) != SOAP_OK)
        return SOAP_MALFORMED;
    return check_placement(p, op);
}

/* getChallengeResponse holds results directly (doc/protocol.md 2.4). */
static int
read_get_challenge(struct parse *p, const struct reply_el *op, struct soap_reply *r)
{
    const struct reply_el *results;

    if (reply_need_one(p, op, NS_NONE, "results", &results) != SOAP_OK ||
        read_results(p, results, r) != SOAP_OK)
        return SOAP_MALFORMED;
    return check_placement(p, op);
}

/* faultcode and faultstring are required by SOAP 1.1, but a Fault is a
 * failure either way: a missing one just stays "". */
static int
read_fault(struct parse *p, const struct reply_el *fault, struct soap_reply *r)
{
    const struct reply_el *code, *string;
    const int cut = TEXT_TRIM | TEXT_CUT;

    if (reply_find_one(p, fault, NS_NONE, "faultcode", &code) != SOAP_OK ||
        reply_find_one(p, fault, NS_NONE, "faultstring", &string) != SOAP_OK)
        return SOAP_MALFORMED;
    if (code != NULL &&
        reply_text(p, code, "faultcode", r->fault_code, sizeof(r->fault_code), cut) != SOAP_OK)
        return SOAP_MALFORMED;
    if (string != NULL && reply_text(p, string, "faultstring", r->fault_string,
                                     sizeof(r->fault_string), cut) != SOAP_OK)
        return SOAP_MALFORMED;
    reply_say(p, "SOAP Fault %s: %s", r->fault_code, r->fault_string);
    return SOAP_FAULT;
}

/* SOAP 1.1 (4.2.3) says a header entry with mustUnderstand="1" that the
 * receiver does not know must not be ignored, and we know none. */
static int
check_header(struct parse *p, const struct reply_el *header)
{
    char what[200];

    for (const struct reply_el *h = header->children; h != NULL; h = h->next)
        if (h->must_understand)
            return reply_fail(p, "header %s must be understood",
                              reply_describe(h, what, sizeof(what)));
    return SOAP_OK;
}

static int
read_envelope(struct parse *p, const struct reply_el *root, enum soap_operation operation,
              struct soap_reply *r)
{
    static const char *const reply_names[] = {
        [SOAP_AUTH_USER] = "authUserResponse",
        [SOAP_GET_CHALLENGE] = "getChallengeResponse",
    };
    const struct reply_el *header, *body, *op = NULL;
    char what[200];
    unsigned n = 0;

    if (root == NULL)
        return reply_fail(p, "no root element");
    if (!reply_is_el(root, NS_ENVELOPE, "Envelope"))
        return reply_fail(p, "root element %s is not a SOAP 1.1 Envelope",
                          reply_describe(root, what, sizeof(what)));
    if (reply_find_one(p, root, NS_ENVELOPE, "Header", &header) != SOAP_OK ||
        (header != NULL && check_header(p, header) != SOAP_OK) ||
        reply_need_one(p, root, NS_ENVELOPE, "Body", &body) != SOAP_OK || body == NULL)
        return SOAP_MALFORMED;
    for (const struct reply_el *c = body->children; c != NULL; c = c->next) {
        if (op == NULL)
            op = c;
        n++;
    }
    if (n != 1)
        return reply_fail(p, "Body holds %u elements, not one", n);
    if (reply_is_el(op, NS_ENVELOPE, "Fault"))
        return read_fault(p, op, r);
    if (reply_is_el(op, NS_AUTH, reply_names[operation]))
        return operation == SOAP_AUTH_USER ? read_auth_user(p, op, r)
                                           : read_get_challenge(p, op, r);
    return reply_fail(p, "unexpected %s in Body (the request was %s)",
                      reply_describe(op, what, sizeof(what)),
                      operation == SOAP_AUTH_USER ? "authUser" : "getChallenge");
}

int
soap_parse_reply_of(enum soap_operation operation, const char *body, size_t len,
                    const char *charset, struct soap_reply *reply, char *err, size_t errlen)
{
    struct parse p = {.err = err, .errlen = errlen};
    struct soap_reply r;
    struct reply_doc doc = {0};
    int rc;

    memset(&r, 0, sizeof(r));
    if (err != NULL && errlen > 0)
        err[0] = '\0';
    if (reply != NULL)
        memset(reply, 0, sizeof(*reply));
    if (reply == NULL || (body == NULL && len > 0) ||
        (operation != SOAP_AUTH_USER && operation != SOAP_GET_CHALLENGE))
        return reply_fail(&p, "invalid arguments");
    if (len == 0)
        return reply_fail(&p, "empty body");
    if (len > SOAP_MAX_REPLY)
        return reply_fail(&p, "body of %zu bytes is over the limit of %d", len, SOAP_MAX_REPLY);

    rc = reply_read_document(&p, body, len, charset, &doc);
    if (rc == SOAP_OK)
        rc = read_envelope(&p, doc.root, operation, &r);
    /* Nothing half-read leaves here: the caller gets all or nothing. */
    if (rc == SOAP_OK) {
        *reply = r;
    } else if (rc == SOAP_FAULT) {
        memcpy(reply->fault_code, r.fault_code, sizeof(r.fault_code));
        memcpy(reply->fault_string, r.fault_string, sizeof(r.fault_string));
    }
    secmem_wipe(&r, sizeof(r));
    reply_free_document(&doc);
    return rc;
}

int
soap_parse_reply(const char *body, size_t len, struct soap_reply *reply, char *err, size_t errlen)
{
    return soap_parse_reply_of(SOAP_AUTH_USER, body, len, NULL, reply, err, errlen);
}
