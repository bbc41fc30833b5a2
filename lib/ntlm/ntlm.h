/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ntlm.h - NTLMv2 client for HTTP authentication (MS-NLMP 2.2 wire format,
 * 3.1.5 client behaviour): NEGOTIATE, CHALLENGE parsing, AUTHENTICATE with
 * MIC, channel bindings (Extended Protection) and target name.
 *
 * Only NTLMv2 with extended session security is ever sent; a server that
 * does not agree is refused, never answered with NTLMv1/LM.  Sign, seal and
 * key exchange are not requested (HTTP does not use them), so the exported
 * session key is the session base key.  The spec's functions are in
 * ntlm_crypto.h, the primitives and base64 in crypto.h.
 *
 * Every int-returning function returns one of enum ntlm_result
 * (ntlm_base.h):
 *   NTLM_OK          done; outputs valid
 *   NTLM_ERR_DECODE  the CHALLENGE (or base64 text) is malformed; see ntlm_client_error()
 *   NTLM_ERR_FLAGS   the CHALLENGE lacks UNICODE, NTLM or EXTENDED_SESSIONSECURITY
 *   NTLM_ERR_CRYPTO  OpenSSL failed or MD4 is unavailable
 *   NTLM_ERR_ARG     NULL/oversized argument, or a call out of order
 *   NTLM_ERR_NOMEM   out of memory
 *   NTLM_ERR_UTF8    a credential or name is not strict UTF-8
 */
#ifndef CRAUTH_NTLM_H
#define CRAUTH_NTLM_H

#include "lib/tier_helper_side.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/ntlm/crypto.h"
#include "lib/ntlm/ntlm_base.h"
#include "lib/ntlm/ntlm_crypto.h"

#define NTLM_MAX_TARGET_INFO 4096 /* bytes of server AV pairs accepted (Windows sends < 300) */
#define NTLM_ERROR_SIZE 160       /* ntlm_client_error() text, NUL included */
#define NTLM_NEGOTIATE_LEN 40     /* our NEGOTIATE: 32-byte header + Version */

/* AV_PAIR AvId values (MS-NLMP 2.2.2.1) */
enum ntlm_av_id {
    MsvAvEOL = 0,
    MsvAvNbComputerName = 1,
    MsvAvNbDomainName = 2,
    MsvAvDnsComputerName = 3,
    MsvAvDnsDomainName = 4,
    MsvAvDnsTreeName = 5,
    MsvAvFlags = 6,
    MsvAvTimestamp = 7,
    MsvAvSingleHost = 8,
    MsvAvTargetName = 9,
    MsvAvChannelBindings = 10,
};

/* A decoded CHALLENGE_MESSAGE.  Pointers point into the decoded buffer and
 * live as long as it does; nothing here is allocated. */
struct ntlm_challenge {
    uint32_t flags; /* NegotiateFlags */
    uint8_t server_challenge[NTLM_CHALLENGE_LEN];
    const uint8_t *target_name; /* UTF-16LE, may be empty (NULL, 0) */
    size_t target_name_len;
    const uint8_t *target_info; /* AV pairs incl. EOL, may be empty */
    size_t target_info_len;
    bool has_version;
    uint8_t version[8];
    bool has_timestamp;   /* MsvAvTimestamp present */
    uint8_t timestamp[8]; /* FILETIME, little-endian as sent */
    bool has_av_flags;
    uint32_t av_flags; /* MsvAvFlags value */
};

/* Parse and validate a CHALLENGE_MESSAGE (also the fuzzing entry point): every
 * offset/length is bounds-checked, the AV list walked strictly (EOL required,
 * exact Flags/Timestamp sizes, no duplicates, at most NTLM_MAX_TARGET_INFO
 * bytes), the required flags checked.  On error a one-line reason goes to
 * @err (may be NULL) and the result is NTLM_ERR_DECODE, NTLM_ERR_FLAGS or
 * NTLM_ERR_ARG. */
int ntlm_challenge_decode(const uint8_t *msg, size_t len, struct ntlm_challenge *out, char *err,
                          size_t errsize);

struct ntlm_client;

/* Create a client.  @user and @password are required, @domain, @workstation and
 * @spn (e.g. "HTTP/host.example.com", sent as MsvAvTargetName) may be NULL or
 * empty.  All strings are UTF-8, at most NTLM_MAX_STRING bytes.  The password
 * is reduced at once to ResponseKeyNT (NTOWFv2; the NT hash is wiped right
 * away); key and names are wiped on free.  NTLM_ERR_UTF8 for invalid UTF-8. */
int ntlm_client_new(struct ntlm_client **out, const char *user, const char *domain,
                    const char *password_utf8, const char *workstation, const char *spn);

/* Bind to the TLS channel: @cert_der is the server's leaf certificate (DER).
 * Without this call no MsvAvChannelBindings is sent (servers treat an all-zero
 * value as a mismatch, an absent one as an unaware client). */
int ntlm_client_set_channel_binding(struct ntlm_client *c, const uint8_t *cert_der, size_t len);

/* First leg: a 40-byte NEGOTIATE_MESSAGE in *out (free with free()).  Only once
 * per client; the bytes are kept for the MIC. */
int ntlm_client_negotiate(struct ntlm_client *c, uint8_t **out, size_t *outlen);

/* Third leg: consume the server's CHALLENGE and produce the AUTHENTICATE_MESSAGE
 * in *out (free with free()).  Only once, after ntlm_client_negotiate(). */
int ntlm_client_authenticate(struct ntlm_client *c, const uint8_t *challenge, size_t len,
                             uint8_t **out, size_t *outlen);

/* One line describing the last error (e.g. what was wrong with the CHALLENGE);
 * "" if none.  Valid until the next call on @c. */
const char *ntlm_client_error(const struct ntlm_client *c);

/* Wipe and free; NULL is fine. */
void ntlm_client_free(struct ntlm_client *c);

/* Base64 for the HTTP headers: ntlm_b64_encode/ntlm_b64_decode in crypto.h.
 * What the tests add (fixed randomness, 4.2.4's form, SIGNKEY and SEALKEY):
 * ntlm_testing.h. */

#endif
