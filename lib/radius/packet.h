/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * packet.h - RADIUS Access-Request packets and the strict check of their
 * replies (RFC 2865, with RFC 3579's Message-Authenticator).
 *
 * Pure functions over caller-owned buffers: no sockets, no clock, no
 * randomness (the caller draws the Identifier and Request Authenticator),
 * so the known-answer tests can feed the RFC's own numbers.  Every request
 * carries a Message-Authenticator as its first attribute, and a reply is
 * accepted only when its Identifier is ours, its Response Authenticator
 * verifies and (unless the caller relaxes it) it carries a valid
 * Message-Authenticator: the Blast-RADIUS mitigation (CVE-2024-3596), which
 * makes a forged reply require the shared secret, not an MD5 collision.
 *
 * Functions return a reason code (lib/common/reason.h) and write one line
 * into @err.  Nothing here logs; the shared secret and the password are
 * read, never copied anywhere but into wiped temporaries and the hidden
 * User-Password.
 */
#ifndef CRAUTH_RADIUS_PACKET_H
#define CRAUTH_RADIUS_PACKET_H

#include "lib/tier_helper_side.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RADIUS_HEADER_LEN 20    /* Code, Identifier, Length, Authenticator */
#define RADIUS_AUTH_LEN 16      /* an authenticator or a Message-Authenticator value */
#define RADIUS_MAX_PACKET 4096  /* RFC 2865 3 */
#define RADIUS_MAX_VALUE 253    /* an attribute's value: 255 minus Type and Length */
#define RADIUS_MAX_PASSWORD 128 /* RFC 2865 5.2 */
#define RADIUS_MESSAGE_SIZE 1024

enum radius_code {
    RADIUS_ACCESS_REQUEST = 1,
    RADIUS_ACCESS_ACCEPT = 2,
    RADIUS_ACCESS_REJECT = 3,
    RADIUS_ACCESS_CHALLENGE = 11,
};

enum radius_attr {
    RADIUS_ATTR_USER_NAME = 1,
    RADIUS_ATTR_USER_PASSWORD = 2,
    RADIUS_ATTR_NAS_IP_ADDRESS = 4,
    RADIUS_ATTR_REPLY_MESSAGE = 18,
    RADIUS_ATTR_STATE = 24,
    RADIUS_ATTR_CALLING_STATION_ID = 31,
    RADIUS_ATTR_NAS_IDENTIFIER = 32,
    RADIUS_ATTR_MESSAGE_AUTHENTICATOR = 80, /* RFC 3579 3.2 */
    RADIUS_ATTR_NAS_IPV6_ADDRESS = 95,      /* RFC 3162 2.1 */
};

/* A request as it goes on the wire.  The Identifier is data[1], the
 * Request Authenticator data[4..19]; both are needed to check the reply. */
struct radius_request {
    uint8_t data[RADIUS_MAX_PACKET];
    size_t len;
};

/* What goes into an Access-Request.  Strings are NUL-terminated. */
struct radius_request_attrs {
    const char *user;           /* User-Name, 1..253 bytes */
    const char *password;       /* User-Password, 0..128 bytes before hiding */
    const char *nas_identifier; /* NAS-Identifier, 1..253 bytes; or NULL: */
    const uint8_t *nas_address; /* 4 bytes: NAS-IP-Address, 16: NAS-IPv6-Address */
    size_t nas_address_len;
    const uint8_t *state; /* State echoed from a challenge, 1..253; or NULL */
    size_t state_len;
    const char *calling_station_id; /* Calling-Station-Id, 1..253; NULL or "": not sent */
};

/* The verdict of a reply that verified. */
struct radius_result {
    int code;                          /* RADIUS_ACCESS_ACCEPT, _REJECT or _CHALLENGE */
    uint8_t state[RADIUS_MAX_VALUE];   /* State, opaque, to echo in the next request */
    size_t state_len;                  /* 0: the reply had none */
    char message[RADIUS_MESSAGE_SIZE]; /* the Reply-Messages, raw bytes (meant as UTF-8)
                                          * joined by '\n', NUL-terminated; may hold NUL
                                          * and control bytes: sanitize before display */
    size_t message_len;                /* bytes in message before the terminator */
    bool message_truncated;            /* more Reply-Message text than message holds */
    bool message_authenticator;        /* the reply had a (valid) Message-Authenticator */
};

/* Build an Access-Request into @req: Message-Authenticator first, then
 * User-Name, User-Password hidden as in RFC 2865 5.2 with @authenticator,
 * NAS-Identifier (or NAS-IP-Address / NAS-IPv6-Address), State and
 * Calling-Station-Id when given; the Message-Authenticator is computed last
 * over the whole packet (RFC 3579 3.2).  @authenticator must be
 * unpredictable (RFC 2865 3): the caller draws it from a CSPRNG.
 * REASON_OK; REASON_CONFIG when an attribute is empty or too long, or
 * there is no NAS attribute; REASON_INTERNAL when the crypto fails. */
int radius_request_build(struct radius_request *req, uint8_t id,
                         const uint8_t authenticator[RADIUS_AUTH_LEN], const char *secret,
                         const struct radius_request_attrs *a, char *err, size_t errlen);

/* Check @buf (@len bytes, one datagram or one framed TLS record) as the
 * reply to @req, and fill @res only when it verifies:
 *   REASON_OK                 @res holds the code, State and Reply-Messages
 *   REASON_MALFORMED_REPLY    too short, Length disagrees with @len, an
 *                             attribute of impossible length, a repeated
 *                             State or Message-Authenticator, a code that is
 *                             not Accept, Reject or Challenge
 *   REASON_UNAUTHENTIC_REPLY  another Identifier, a Response Authenticator or
 *                             Message-Authenticator that does not verify, or
 *                             no Message-Authenticator while
 *                             @require_message_authenticator
 *   REASON_INTERNAL           the crypto failed
 * Octets after Length are padding and ignored (RFC 2865 3). */
int radius_reply_check(const uint8_t *buf, size_t len, const struct radius_request *req,
                       const char *secret, bool require_message_authenticator,
                       struct radius_result *res, char *err, size_t errlen);

/* User-Password hiding alone (RFC 2865 5.2), for the known-answer tests:
 * @password (0..128 bytes) padded to a multiple of 16 and hidden with
 * @secret and @authenticator into @out (RADIUS_MAX_PASSWORD bytes);
 * *outlen receives its length.  REASON_OK, REASON_CONFIG (too long) or
 * REASON_INTERNAL. */
int radius_password_hide(const char *password, const char *secret,
                         const uint8_t authenticator[RADIUS_AUTH_LEN],
                         uint8_t out[RADIUS_MAX_PASSWORD], size_t *outlen, char *err,
                         size_t errlen);

#endif
