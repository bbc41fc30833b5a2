/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * soap.h - the authUser and getChallenge SOAP 1.1 requests and their
 * replies (OneSpan/IDENTIKEY style).
 *
 * Building writes a fixed envelope with every value checked and escaped;
 * parsing (expat) treats the reply as hostile: size cap, no network, no
 * DTD, no entity expansion, caps on depth, attributes and namespaces,
 * elements found by name and namespace, never by position, and anything
 * repeated or missing that matters makes the reply malformed.
 *
 * Returns of soap_parse_reply / soap_parse_reply_of:
 *   SOAP_OK         a well-formed reply to the operation; see struct soap_reply
 *   SOAP_FAULT      a SOAP Fault; fault_code / fault_string are set
 *   SOAP_MALFORMED  anything else; @err says what is wrong in one line
 *
 * Below aut:authUserResponse, aut:getChallengeResponse and soapenv:Fault
 * the vendor sends elements in no namespace; only those are accepted (a
 * qualified authUserResults is not the authUserResults we look for, and the
 * reply is then malformed).  What real servers vary is tolerated, strictly:
 * authUserResponse with or without its authUserResults wrapper (but not
 * both), white space around xsd:int values and around the challenge and
 * key, an unknown attribute without a value, a repeated status message,
 * xsi:type on any element, and the HTTP charset of a document that names
 * none.
 */
#ifndef CRAUTH_SOAP_H
#define CRAUTH_SOAP_H

#include "lib/tier_helper_side.h"

#include <stdbool.h>
#include <stddef.h>

#define SOAP_MAX_REPLY (256 * 1024)
#define SOAP_NS_AUTH "http://www.vasco.com/IdentikeyServer/IdentikeyTypes/Authentication"
#define SOAP_NS_ENVELOPE "http://schemas.xmlsoap.org/soap/envelope/"
#define SOAP_MAX_VALUE 4096      /* bytes per request value */
#define SOAP_MAX_ATTRIBUTES 1000 /* resultAttribute/attributes per reply */

enum soap_result { SOAP_OK = 0, SOAP_FAULT = 1, SOAP_MALFORMED = 2 };

/* The two operations: authUser, and getChallenge (a 1-step server
 * challenge; its reply is getChallengeResponse/results, no wrapper). */
enum soap_operation { SOAP_AUTH_USER = 0, SOAP_GET_CHALLENGE = 1 };

/* One call.  NULL fields are not sent.  getChallenge sends CREDFLD_USERID,
 * CREDFLD_DOMAIN and CREDFLD_COMPONENT_TYPE only, and refuses the others. */
struct soap_request {
    const char *userid;            /* CREDFLD_USERID, required */
    const char *domain;            /* CREDFLD_DOMAIN */
    const char *component;         /* CREDFLD_COMPONENT_TYPE, required */
    unsigned password_format;      /* CREDFLD_PASSWORD_FORMAT, xsd:unsignedInt */
    const char *password;          /* CREDFLD_PASSWORD (OTP, response, or request) */
    const char *static_password;   /* CREDFLD_STATIC_PASSWORD */
    const char *challenge;         /* CREDFLD_CHALLENGE (1-step) */
    const char *challenge_key;     /* CREDFLD_CHALLENGE_KEY (2-step response) */
    const char *dp_response;       /* CREDFLD_DP_RESPONSE (the response, separate formats) */
    const char *request_host_code; /* CREDFLD_REQUEST_HOST_CODE */
    enum soap_operation operation;
};

#define SOAP_TEXT 256
#define SOAP_MESSAGE 1024 /* the server's messages for the user */

struct soap_reply {
    int return_code;      /* resultCodes/returnCode */
    int status_code;      /* resultCodes/statusCode */
    char return_enum[64]; /* resultCodes/returnCodeEnum, "" if absent */
    char status_enum[64]; /* resultCodes/statusCodeEnum, "" if absent */
    bool has_challenge;   /* CREDFLD_CHALLENGE present (white space trimmed) */
    char challenge[SOAP_TEXT];
    bool has_challenge_key; /* CREDFLD_CHALLENGE_KEY present (trimmed) */
    char challenge_key[SOAP_TEXT];
    bool has_challenge_message; /* CREDFLD_CHALLENGE_MESSAGE present */
    char challenge_message[SOAP_MESSAGE];
    bool has_status_message;           /* CREDFLD_STATUS_MESSAGE present; when */
    char status_message[SOAP_MESSAGE]; /* repeated, the different texts joined by "; " */
    bool has_auxiliary_message;        /* CREDFLD_AUXILIARY_MESSAGE present */
    char auxiliary_message[SOAP_MESSAGE];
    bool has_password_expire_date; /* CREDFLD_NOTIFY_PASSWORD_EXPIRE_DATE present */
    char password_expire_date[SOAP_TEXT];
    bool has_host_code; /* CREDFLD_HOST_CODE present (trimmed) */
    char host_code[SOAP_TEXT];
    int error_code;               /* first errorStack/errors/errorCode, 0 if none */
    char error_desc[SOAP_TEXT];   /* its errorDesc, "" if none */
    char fault_code[64];          /* SOAP_FAULT only */
    char fault_string[SOAP_TEXT]; /* SOAP_FAULT only */
};

/* Serialise @req into a new buffer (*xml, *len; NUL-terminated; free with
 * soap_free_request, which wipes it: it holds the response).  0 ok, -1 on a
 * missing or empty required field, a value that is not valid UTF-8, holds a
 * control character (C0, DEL, C1) or U+FFFE/U+FFFF, or is longer than
 * SOAP_MAX_VALUE bytes, or out of memory. */
int soap_build_request(const struct soap_request *req, char **xml, size_t *len);
void soap_free_request(char *xml, size_t len);

/* Parse a reply body to @operation.  Text fields are NUL-terminated;
 * values the client acts on (codes, enums, attributes) make the reply
 * malformed rather than being cut when too long.  Only the log-only texts
 * error_desc, fault_code and fault_string are cut, at a UTF-8 character
 * boundary.  @charset: the charset parameter of the HTTP Content-Type, or
 * NULL; it counts only when the document names no encoding itself, and
 * only UTF-8, US-ASCII, ISO-8859-1, ISO-8859-15 and windows-1252 are taken.
 * A document may name those and UTF-16 itself (a byte order mark, its XML
 * declaration); any other encoding makes it malformed.
 * @reply is all zero unless SOAP_OK (only the fault fields for SOAP_FAULT).
 * @err is "" on SOAP_OK and one printable-ASCII line otherwise, starting
 * "reply: ". */
int soap_parse_reply_of(enum soap_operation operation, const char *body, size_t len,
                        const char *charset, struct soap_reply *reply, char *err, size_t errlen);

/* soap_parse_reply_of for an authUser reply whose HTTP named no charset. */
int soap_parse_reply(const char *body, size_t len, struct soap_reply *reply, char *err,
                     size_t errlen);

#endif
