/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * reason.h - the catalog of ways an authentication attempt can end.
 *
 * Every outcome has a stable number and a short name (like OFTP2's end-session
 * reason codes).  The numbers are a contract: log readers, `crauth explain`
 * and scripts depend on them, so a code is never renumbered or reused; new
 * ones are appended.  The helper reports one in its result frame and as its
 * exit status; the module maps it to a PAM return code here, in one place.
 */
#ifndef CRAUTH_REASON_H
#define CRAUTH_REASON_H

#include <stdbool.h>

enum crauth_reason {
    REASON_OK = 0, /* authenticated */

    /* the user's answer */
    REASON_WRONG_RESPONSE = 10,    /* the response or one-time code is not right */
    REASON_REPLAYED = 11,          /* a code that was already used */
    REASON_CHALLENGE_EXPIRED = 12, /* the challenge outlived its lifetime */
    REASON_CHALLENGE_UNKNOWN = 13, /* the challenge key is unknown or already used */
    REASON_USER_UNKNOWN = 14,      /* no such user at the backend */
    REASON_LOCKED = 15,            /* the account is locked at the backend */
    REASON_RATE_LIMITED = 16,      /* too many attempts for this user, locally */
    REASON_CANCELLED = 17,         /* the user or the application ended the conversation */
    REASON_ANSWER_TIMEOUT = 18,    /* no answer to a prompt within prompt_timeout */
    REASON_SAME_ANSWER = 19,       /* the client gave the same answer to every prompt */
    REASON_EMPTY_ANSWER = 20,      /* an empty answer where a code was needed */
    REASON_CHALLENGE_ISSUED = 21,  /* single_prompt: a challenge was shown; answer it next time */
    REASON_ACCOUNT_DISABLED = 22,  /* the account is disabled at the backend */
    REASON_INVALID_CHALLENGE_RESPONSE = 23, /* the key-possession response does not match */
    REASON_USER_NAME_REFUSED = 24, /* a user name crauth cannot carry (length, UTF-8, characters) */

    /* the server */
    REASON_SERVER_UNREACHABLE = 30, /* no server could be connected to */
    REASON_SERVER_TIMEOUT = 31,    /* a server accepted the connection but did not answer in time */
    REASON_TLS_FAILURE = 32,       /* TLS handshake or certificate verification failed */
    REASON_HTTP_AUTH_REFUSED = 33, /* HTTP (basic/NTLM) or proxy authentication refused */
    REASON_HTTP_ERROR = 34,        /* unexpected HTTP status, content type or redirect */
    REASON_MALFORMED_REPLY = 35,   /* the reply is not a well-formed authUser response */
    REASON_SOAP_FAULT = 36,        /* the server answered with a SOAP Fault */
    REASON_METHOD_MISMATCH = 37,   /* the server's answer does not fit the configured method */
    REASON_SERVER_REFUSED = 38,    /* the server refused for a reason with no code of its own */
    REASON_CONNECTION_LOST = 39,   /* the server closed or reset the connection mid-request */
    REASON_SERVER_ERROR = 40,      /* the server answered with an error of its own (no verdict) */
    REASON_UNAUTHENTIC_REPLY = 41, /* replies arrived, but none verified (RADIUS authenticators) */
    REASON_SERVER_UNAVAILABLE = 42, /* HTTP 502/503/504: the server or its gateway cannot serve */

    /* this machine */
    REASON_CONFIG = 50,             /* the configuration is missing, unreadable or invalid */
    REASON_TOKENS_FILE = 51,        /* the local tokens file is unreadable, invalid or unwritable */
    REASON_SECRETS_FILE = 52,       /* the secrets file is unreadable or too widely readable */
    REASON_CACHE = 53,              /* the cache directory is unusable */
    REASON_CALLER_NOT_ALLOWED = 54, /* the calling user may not make this request */
    REASON_NO_TOKEN = 55,           /* the user has no token usable with the configured method */
    REASON_RESOURCE_LIMIT = 56,     /* a resource limit or shortage here, or a held helper */
    REASON_CALLER_BUSY = 57,        /* the calling user has too many logins in flight */
    REASON_CERT_EXPIRED = 58,       /* the user's certificate is not yet valid or has expired */
    REASON_CERT_UNTRUSTED = 59,     /* the user's certificate does not verify against x509_ca */
    REASON_CERT_INVALID = 60,       /* the certificate (or the key answering for it) is unusable */
    REASON_HELPER_PRIVILEGES = 61,  /* crauth-helper is not installed with its privileges */
    REASON_BROKER = 62,             /* crauth-broker failed a call it had taken */

    /* module <-> helper */
    REASON_HELPER_UNAVAILABLE = 70, /* the helper could not be started */
    REASON_HELPER_CRASHED = 71,     /* the helper died or exited without a verdict */
    REASON_HELPER_TIMEOUT = 72,     /* the helper did not answer in time and was killed */
    REASON_PROTOCOL = 73, /* a frame was malformed, unexpected, or contradicted the exit status */

    REASON_INTERNAL = 99, /* a bug or resource failure inside crauth */
};

struct crauth_reason_info {
    int code;
    const char *name;    /* short, stable, kebab-case: "wrong-response" */
    int pam_code;        /* what pam_sm_authenticate returns for it */
    const char *summary; /* one line: what happened */
    const char *fix;     /* one or more sentences: what to change */
};

/* The entry for @code, or NULL if @code is not in the catalog. */
const struct crauth_reason_info *crauth_reason_lookup(int code);

/* The entry whose name is @name (or whose number @name spells), or NULL. */
const struct crauth_reason_info *crauth_reason_find(const char *name);

/* The name of @code; "unknown-reason" when it is not in the catalog. */
const char *crauth_reason_name(int code);

/* The PAM code for @code; PAM_AUTH_ERR for codes not in the catalog so an
 * unknown code can never turn into a success. */
int crauth_reason_pam(int code);

/* Does @code say a server could not be reached (refused, timed out, no
 * such name, TLS, reset, 502-504): the outcomes that, when every server
 * gives one, mean "no server could be asked"?  helper/failover.h's
 * FAILOVER_UNREACHED class; crauth-broker asks it too. */
bool crauth_reason_server_unreached(int code);

/* Walk the catalog: entry @i, or NULL past the end. */
const struct crauth_reason_info *crauth_reason_at(unsigned i);

#endif
