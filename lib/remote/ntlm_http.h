/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ntlm_http.h - NTLM carried in HTTP authentication headers: the scheme
 * "NTLM" ([MS-NTHT] 2.2.1) and raw NTLMSSP tokens under "Negotiate" (what
 * IIS and mod_auth_gssapi accept without SPNEGO wrapping).  Builds the
 * Authorization / Proxy-Authorization values from lib/ntlm/ntlm.c's messages
 * and finds the server's CHALLENGE among the WWW-Authenticate /
 * Proxy-Authenticate values of a 401 / 407 (RFC 7235 2.1, 4.1, 4.3).
 *
 * No I/O here: the transport sends each leg through a callback; http.c
 * over libcurl to the server, proxy.c over its own socket to the proxy.
 * One handshake is one NTLM client context: NEGOTIATE, then AUTHENTICATE.
 *
 * Credentials: "DOMAIN\user" is DomainName DOMAIN and UserName user;
 * anything without a backslash ("user", or a UPN "user@dns.domain") is the
 * UserName as written with an empty DomainName, which is how Windows sends
 * a UPN logon.  The domain is sent exactly as written (acceptors such as
 * gss-ntlmssp compare it byte for byte).  The workstation is the short host
 * name.  The password is reduced to the NTOWFv2 key at once by ntlm.c and
 * not copied here.
 *
 * int results are reason codes (reason.h) with one line in @err that names
 * DOMAIN\user and @peer, never a secret.
 */
#ifndef CRAUTH_NTLM_HTTP_H
#define CRAUTH_NTLM_HTTP_H

#include "lib/tier_helper_side.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NTLM_HTTP_MAX_OFFERS 16 /* WWW-Authenticate headers kept from one reply */
/* one authentication header line: the longest base64 NTLM token and the name */
#define NTLM_HTTP_MAX_LINE (NTLM_HTTP_B64_MAX + 64)
#define NTLM_HTTP_B64_MAX ((16384 + 2) / 3 * 4) /* base64 of NTLM_MAX_MESSAGE */
#define NTLM_HTTP_MAX_HEAD (64 * 1024)          /* all header lines of one reply */

/* The authentication header values of one 401 or 407, as received. */
struct ntlm_http_offers {
    char *values[NTLM_HTTP_MAX_OFFERS];
    size_t n;
    bool too_many;
};

/* Keep a copy of one header value (leading/trailing whitespace trimmed).
 * -1 when out of memory; more than NTLM_HTTP_MAX_OFFERS sets too_many. */
int ntlm_http_offers_add(struct ntlm_http_offers *o, const char *value, size_t len);
void ntlm_http_offers_clear(struct ntlm_http_offers *o);

/* The schemes that carry NTLMSSP tokens here, NTLM preferred. */
enum ntlm_http_scheme { NTLM_HTTP_NTLM, NTLM_HTTP_NEGOTIATE };

/* What the challenges of one 401/407 offer (RFC 9110 11.6.1: each value a
 * comma-separated list of challenges, a scheme with a token68 or
 * auth-params; scheme names case-insensitive), by ntlm_http_scheme. */
struct ntlm_http_found {
    const char *tok[2]; /* a challenge's token68, inside the offers' values */
    size_t tlen[2];
    unsigned tokens[2]; /* challenges of the scheme with a token68 */
    unsigned bare[2];   /* challenges of the scheme without one */
    char others[96];    /* the other schemes offered, for messages */
};

/* Find the server's CHALLENGE in @o: the NTLM token if there is one, else
 * the Negotiate token.  REASON_OK with the decoded token in *chal (the
 * caller frees it) and its scheme in *scheme, or with *chal NULL when no
 * challenge of either scheme has a token (@f tells what was offered).
 * REASON_MALFORMED_REPLY, naming @peer in @err, for more than
 * NTLM_HTTP_MAX_OFFERS values, two tokens of the chosen scheme, or a token
 * that is not strict base64 of at most NTLM_MAX_MESSAGE bytes. */
int ntlm_http_find_challenge(const struct ntlm_http_offers *o, const char *peer,
                             struct ntlm_http_found *f, enum ntlm_http_scheme *scheme,
                             uint8_t **chal, size_t *chal_len, char *err, size_t errlen);

/* What the transport saw of the reply to one leg. */
struct ntlm_http_leg {
    long status;
    const struct ntlm_http_offers *offers; /* WWW-/Proxy-Authenticate of a 401/407 */
    const uint8_t *cert;                   /* TLS leaf certificate (DER) of the connection */
    size_t cert_len;                       /* the leg went on; NULL: plain http */
};

/* Send one leg with @authz as the (Proxy-)Authorization value and read the
 * reply head into @leg.  @final: @authz is the AUTHENTICATE, which must go
 * on the connection that carried the CHALLENGE (and the transport sends the
 * real request body with it); if that connection is gone the transport
 * fails with REASON_CONNECTION_LOST before sending anything. */
typedef int (*ntlm_http_send_fn)(void *arg, const char *authz, bool final,
                                 struct ntlm_http_leg *leg, char *err, size_t errlen);

struct ntlm_http_params {
    const char *user_spec; /* "DOMAIN\user", "user" or "user@domain" */
    const char *password;  /* passed to ntlm.c, not copied */
    const char *spn;       /* "HTTP/host", sent as MsvAvTargetName */
    const char *peer;      /* "the server host:port" / "the proxy host:port", for messages */
    long challenge_status; /* 401 (server) or 407 (proxy) */
    bool need_cert;        /* TLS: bind the AUTHENTICATE to the leg's certificate */
};

/* The legs: NEGOTIATE, CHALLENGE (NTLM picked if offered, else Negotiate;
 * when "NTLM" gets no CHALLENGE and a bare "Negotiate" is offered, the NEGOTIATE
 * again under "Negotiate", once), AUTHENTICATE bound to the certificate of
 * the connection that carried the CHALLENGE.  REASON_OK when the last reply
 * is not @challenge_status: *authenticated tells whether that was the reply
 * to our AUTHENTICATE (else the peer did not ask for authentication).
 * A @challenge_status after the AUTHENTICATE is REASON_HTTP_AUTH_REFUSED
 * ("@peer refused the NTLM credentials for DOMAIN\user"); a malformed
 * CHALLENGE REASON_MALFORMED_REPLY with ntlm_client_error()'s text; a
 * challenge status without any usable challenge REASON_HTTP_AUTH_REFUSED. */
int ntlm_http_handshake(const struct ntlm_http_params *p, ntlm_http_send_fn send, void *arg,
                        bool *authenticated, char *err, size_t errlen);

#endif
