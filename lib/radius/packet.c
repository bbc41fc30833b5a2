/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * packet.c - building Access-Requests and checking their replies (RFC 2865,
 * RFC 3579 3.2), with MD5 and HMAC-MD5 from OpenSSL 3.
 *
 * MD5 and HMAC-MD5 are fetched from a library context of our own with only
 * the default provider loaded (as lib/ntlm does for its algorithms): RADIUS
 * is defined over MD5, so a system-wide OpenSSL configuration that leaves
 * MD5 out (a FIPS-only default) must not silently change what this file
 * computes; it either works as the RFCs say or fails with REASON_INTERNAL.
 *
 * A reply is checked in full before any of it is believed: the structure
 * (lengths, attributes), then the Identifier, the Response Authenticator
 * and the Message-Authenticator; only then are State and the Reply-Messages
 * copied out.
 */
#include "lib/radius/packet.h"

#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/provider.h>

#include "lib/common/reason.h"
#include "lib/common/secmem.h"

struct chunk {
    const uint8_t *p;
    size_t len;
};

static struct {
    OSSL_LIB_CTX *libctx;
    OSSL_PROVIDER *deflt;
    EVP_MD *md5;
    EVP_MAC *hmac;
} g;

static CRYPTO_ONCE g_once = CRYPTO_ONCE_STATIC_INIT;

/* Once per process; the algorithms live until exit. */
static void
crypto_setup(void)
{
    g.libctx = OSSL_LIB_CTX_new();
    if (g.libctx == NULL)
        return;
    g.deflt = OSSL_PROVIDER_load(g.libctx, "default");
    if (g.deflt == NULL)
        return;
    g.md5 = EVP_MD_fetch(g.libctx, "MD5", NULL);
    g.hmac = EVP_MAC_fetch(g.libctx, "HMAC", NULL);
}

static bool
crypto_ready(void)
{
    return CRYPTO_THREAD_run_once(&g_once, crypto_setup) && g.md5 != NULL && g.hmac != NULL;
}

/* MD5 over the concatenation of @n chunks. */
static bool
md5_chunks(const struct chunk *c, size_t n, uint8_t out[RADIUS_AUTH_LEN])
{
    EVP_MD_CTX *ctx;
    unsigned int outlen = 0;
    bool ok;

    if (!crypto_ready() || (ctx = EVP_MD_CTX_new()) == NULL)
        return false;
    ok = EVP_DigestInit_ex(ctx, g.md5, NULL) == 1;
    for (size_t i = 0; ok && i < n; i++)
        ok = EVP_DigestUpdate(ctx, c[i].p, c[i].len) == 1;
    ok = ok && EVP_DigestFinal_ex(ctx, out, &outlen) == 1 && outlen == RADIUS_AUTH_LEN;
    EVP_MD_CTX_free(ctx); /* cleanses its state */
    return ok;
}

/* HMAC-MD5 keyed with the shared secret (RFC 3579 3.2). */
static bool
hmac_md5(const char *secret, const uint8_t *data, size_t len, uint8_t out[RADIUS_AUTH_LEN])
{
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"MD5", 0),
        OSSL_PARAM_construct_end(),
    };
    EVP_MAC_CTX *ctx;
    size_t outlen = 0;
    bool ok;

    if (!crypto_ready() || (ctx = EVP_MAC_CTX_new(g.hmac)) == NULL)
        return false;
    ok = EVP_MAC_init(ctx, (const unsigned char *)secret, strlen(secret), params) == 1 &&
         EVP_MAC_update(ctx, data, len) == 1 &&
         EVP_MAC_final(ctx, out, &outlen, RADIUS_AUTH_LEN) == 1 && outlen == RADIUS_AUTH_LEN;
    EVP_MAC_CTX_free(ctx);
    return ok;
}

int
radius_password_hide(const char *password, const char *secret,
                     const uint8_t authenticator[RADIUS_AUTH_LEN], uint8_t out[RADIUS_MAX_PASSWORD],
                     size_t *outlen, char *err, size_t errlen)
{
    size_t plen = strlen(password);
    size_t padded = plen == 0 ? RADIUS_AUTH_LEN : (plen + 15) / 16 * 16;
    uint8_t b[RADIUS_AUTH_LEN];
    int reason = REASON_INTERNAL;

    *outlen = 0;
    if (plen > RADIUS_MAX_PASSWORD) {
        snprintf(err, errlen, "the password is %zu bytes; RADIUS carries at most %d", plen,
                 RADIUS_MAX_PASSWORD);
        return REASON_CONFIG;
    }
    memset(out, 0, padded);
    memcpy(out, password, plen);
    /* RFC 2865 5.2: b1 = MD5(S + RA), c(1) = p1 xor b1; bi = MD5(S + c(i-1)) */
    for (size_t off = 0; off < padded; off += RADIUS_AUTH_LEN) {
        struct chunk c[2] = {
            {(const uint8_t *)secret, strlen(secret)},
            {off == 0 ? authenticator : out + off - RADIUS_AUTH_LEN, RADIUS_AUTH_LEN},
        };

        if (!md5_chunks(c, 2, b)) {
            secmem_wipe(out, padded);
            snprintf(err, errlen, "MD5 is not available from OpenSSL (User-Password hiding)");
            goto out;
        }
        for (size_t i = 0; i < RADIUS_AUTH_LEN; i++)
            out[off + i] ^= b[i];
    }
    *outlen = padded;
    reason = REASON_OK;
out:
    secmem_wipe(b, sizeof(b));
    return reason;
}

/* ------------------------------------------------------------ request */

static bool
put_attr(struct radius_request *req, uint8_t type, const void *value, size_t len)
{
    if (len > RADIUS_MAX_VALUE || req->len + 2 + len > RADIUS_MAX_PACKET)
        return false;
    req->data[req->len] = type;
    req->data[req->len + 1] = (uint8_t)(2 + len);
    memcpy(req->data + req->len + 2, value, len);
    req->len += 2 + len;
    return true;
}

/* A text attribute: 1..253 bytes. */
static int
check_text(const char *what, const char *value, char *err, size_t errlen)
{
    size_t len = strlen(value);

    if (len == 0 || len > RADIUS_MAX_VALUE) {
        snprintf(err, errlen, "the %s is %zu bytes; RADIUS carries 1 to %d", what, len,
                 RADIUS_MAX_VALUE);
        return REASON_CONFIG;
    }
    return REASON_OK;
}

int
radius_request_build(struct radius_request *req, uint8_t id,
                     const uint8_t authenticator[RADIUS_AUTH_LEN], const char *secret,
                     const struct radius_request_attrs *a, char *err, size_t errlen)
{
    uint8_t hidden[RADIUS_MAX_PASSWORD], mac[RADIUS_AUTH_LEN];
    uint8_t zero[RADIUS_AUTH_LEN] = {0};
    size_t hidden_len = 0;
    int reason;

    memset(req, 0, sizeof(*req));
    if ((reason = check_text("user name", a->user, err, errlen)) != REASON_OK ||
        (a->nas_identifier != NULL &&
         (reason = check_text("NAS-Identifier", a->nas_identifier, err, errlen)) != REASON_OK) ||
        (a->calling_station_id != NULL && a->calling_station_id[0] != '\0' &&
         (reason = check_text("Calling-Station-Id", a->calling_station_id, err, errlen)) !=
             REASON_OK))
        goto out;
    reason = REASON_CONFIG;
    if (a->nas_identifier == NULL && a->nas_address_len != 4 && a->nas_address_len != 16) {
        snprintf(err, errlen, "a request needs a NAS-Identifier or a NAS address (RFC 2865 4.1)");
        goto out;
    }
    if (a->state != NULL && (a->state_len == 0 || a->state_len > RADIUS_MAX_VALUE)) {
        snprintf(err, errlen, "the State to echo is %zu bytes; RADIUS carries 1 to %d",
                 a->state_len, RADIUS_MAX_VALUE);
        goto out;
    }
    if ((reason = radius_password_hide(a->password, secret, authenticator, hidden, &hidden_len, err,
                                       errlen)) != REASON_OK)
        goto out;

    req->data[0] = RADIUS_ACCESS_REQUEST;
    req->data[1] = id;
    memcpy(req->data + 4, authenticator, RADIUS_AUTH_LEN);
    req->len = RADIUS_HEADER_LEN;
    /* first, so that no attacker-chosen bytes precede it (Blast-RADIUS) */
    put_attr(req, RADIUS_ATTR_MESSAGE_AUTHENTICATOR, zero, sizeof(zero));
    put_attr(req, RADIUS_ATTR_USER_NAME, a->user, strlen(a->user));
    put_attr(req, RADIUS_ATTR_USER_PASSWORD, hidden, hidden_len);
    if (a->nas_identifier != NULL)
        put_attr(req, RADIUS_ATTR_NAS_IDENTIFIER, a->nas_identifier, strlen(a->nas_identifier));
    else
        put_attr(req,
                 a->nas_address_len == 4 ? RADIUS_ATTR_NAS_IP_ADDRESS
                                         : RADIUS_ATTR_NAS_IPV6_ADDRESS,
                 a->nas_address, a->nas_address_len);
    if (a->state != NULL)
        put_attr(req, RADIUS_ATTR_STATE, a->state, a->state_len);
    if (a->calling_station_id != NULL && a->calling_station_id[0] != '\0')
        put_attr(req, RADIUS_ATTR_CALLING_STATION_ID, a->calling_station_id,
                 strlen(a->calling_station_id));
    /* the attributes above are bounded to well under RADIUS_MAX_PACKET */
    req->data[2] = (uint8_t)(req->len >> 8);
    req->data[3] = (uint8_t)(req->len & 0xff);
    /* RFC 3579 3.2: HMAC-MD5 over the packet with the value zeroed */
    if (!hmac_md5(secret, req->data, req->len, mac)) {
        snprintf(err, errlen, "HMAC-MD5 is not available from OpenSSL (Message-Authenticator)");
        reason = REASON_INTERNAL;
        goto out;
    }
    memcpy(req->data + RADIUS_HEADER_LEN + 2, mac, RADIUS_AUTH_LEN);
    reason = REASON_OK;
out:
    secmem_wipe(hidden, sizeof(hidden));
    if (reason != REASON_OK)
        secmem_wipe(req, sizeof(*req));
    return reason;
}

/* ------------------------------------------------------------ reply */

static const char *
code_name(int code)
{
    switch (code) {
    case RADIUS_ACCESS_ACCEPT:
        return "Access-Accept";
    case RADIUS_ACCESS_REJECT:
        return "Access-Reject";
    case RADIUS_ACCESS_CHALLENGE:
        return "Access-Challenge";
    default:
        return "?";
    }
}

/* Where the attributes of interest are, after the structure checked out. */
struct reply_layout {
    size_t ma_off;    /* offset of the Message-Authenticator value; 0: none */
    size_t state_off; /* offset of the State value; 0: none */
    size_t state_len;
};

static int
walk_attributes(const uint8_t *p, size_t len, struct reply_layout *l, char *err, size_t errlen)
{
    size_t off = RADIUS_HEADER_LEN;

    memset(l, 0, sizeof(*l));
    while (off < len) {
        uint8_t type = p[off];
        size_t alen;

        if (len - off < 2) {
            snprintf(err, errlen, "a lone byte after the last attribute at offset %zu", off);
            return REASON_MALFORMED_REPLY;
        }
        alen = p[off + 1];
        if (alen < 2 || alen > len - off) {
            snprintf(err, errlen, "attribute %u at offset %zu has length %zu (%zu bytes left)",
                     type, off, alen, len - off);
            return REASON_MALFORMED_REPLY;
        }
        switch (type) {
        case RADIUS_ATTR_MESSAGE_AUTHENTICATOR:
            if (alen != 2 + RADIUS_AUTH_LEN || l->ma_off != 0) {
                snprintf(err, errlen, "%s Message-Authenticator (length %zu)",
                         l->ma_off != 0 ? "a second" : "a malformed", alen);
                return REASON_MALFORMED_REPLY;
            }
            l->ma_off = off + 2;
            break;
        case RADIUS_ATTR_STATE:
            if (alen < 3 || l->state_off != 0) {
                snprintf(err, errlen, "%s State (length %zu)",
                         l->state_off != 0 ? "a second" : "an empty", alen);
                return REASON_MALFORMED_REPLY;
            }
            l->state_off = off + 2;
            l->state_len = alen - 2;
            break;
        case RADIUS_ATTR_REPLY_MESSAGE:
            if (alen < 3) {
                snprintf(err, errlen, "an empty Reply-Message at offset %zu", off);
                return REASON_MALFORMED_REPLY;
            }
            break;
        default:
            break;
        }
        off += alen;
    }
    return REASON_OK;
}

/* RFC 2865 3: MD5(Code+ID+Length+RequestAuth+Attributes+Secret). */
static int
verify_response_authenticator(const uint8_t *p, size_t len, const struct radius_request *req,
                              const char *secret, char *err, size_t errlen)
{
    uint8_t want[RADIUS_AUTH_LEN];
    struct chunk c[4] = {
        {p, 4},
        {req->data + 4, RADIUS_AUTH_LEN},
        {p + RADIUS_HEADER_LEN, len - RADIUS_HEADER_LEN},
        {(const uint8_t *)secret, strlen(secret)},
    };

    if (!md5_chunks(c, 4, want)) {
        snprintf(err, errlen, "MD5 is not available from OpenSSL (Response Authenticator)");
        return REASON_INTERNAL;
    }
    if (CRYPTO_memcmp(want, p + 4, RADIUS_AUTH_LEN) != 0) {
        snprintf(err, errlen,
                 "the %s's Response Authenticator does not verify (the shared "
                 "secret differs, or the reply is forged)",
                 code_name(p[0]));
        return REASON_UNAUTHENTIC_REPLY;
    }
    return REASON_OK;
}

/* RFC 3579 3.2: HMAC-MD5 over the reply with the Request Authenticator in
 * place of the Response Authenticator and the value zeroed. */
static int
verify_message_authenticator(const uint8_t *p, size_t len, size_t ma_off,
                             const struct radius_request *req, const char *secret, char *err,
                             size_t errlen)
{
    uint8_t copy[RADIUS_MAX_PACKET], want[RADIUS_AUTH_LEN];

    memcpy(copy, p, len);
    memcpy(copy + 4, req->data + 4, RADIUS_AUTH_LEN);
    memset(copy + ma_off, 0, RADIUS_AUTH_LEN);
    if (!hmac_md5(secret, copy, len, want)) {
        snprintf(err, errlen, "HMAC-MD5 is not available from OpenSSL (Message-Authenticator)");
        return REASON_INTERNAL;
    }
    if (CRYPTO_memcmp(want, p + ma_off, RADIUS_AUTH_LEN) != 0) {
        snprintf(err, errlen,
                 "the %s's Message-Authenticator does not verify (the shared "
                 "secret differs, or the reply is forged)",
                 code_name(p[0]));
        return REASON_UNAUTHENTIC_REPLY;
    }
    return REASON_OK;
}

/* Append one Reply-Message to res->message, '\n' between messages. */
static void
add_message(struct radius_result *res, const uint8_t *text, size_t len)
{
    size_t room = sizeof(res->message) - 1 - res->message_len;

    if (res->message_len > 0) {
        if (room == 0) {
            res->message_truncated = true;
            return;
        }
        res->message[res->message_len++] = '\n';
        room--;
    }
    if (len > room) {
        len = room;
        res->message_truncated = true;
    }
    memcpy(res->message + res->message_len, text, len);
    res->message_len += len;
    res->message[res->message_len] = '\0';
}

int
radius_reply_check(const uint8_t *buf, size_t len, const struct radius_request *req,
                   const char *secret, bool require_message_authenticator,
                   struct radius_result *res, char *err, size_t errlen)
{
    struct reply_layout l;
    size_t declared;
    int reason;

    memset(res, 0, sizeof(*res));
    if (len < RADIUS_HEADER_LEN) {
        snprintf(err, errlen, "a reply of %zu bytes, shorter than a RADIUS header", len);
        return REASON_MALFORMED_REPLY;
    }
    declared = (size_t)buf[2] << 8 | buf[3];
    if (declared < RADIUS_HEADER_LEN || declared > RADIUS_MAX_PACKET || declared > len) {
        snprintf(err, errlen,
                 "the reply's Length field says %zu bytes, but %zu arrived "
                 "(RFC 2865 3 allows %d to %d)",
                 declared, len, RADIUS_HEADER_LEN, RADIUS_MAX_PACKET);
        return REASON_MALFORMED_REPLY;
    }
    len = declared; /* the rest is padding (RFC 2865 3) */
    if (buf[0] != RADIUS_ACCESS_ACCEPT && buf[0] != RADIUS_ACCESS_REJECT &&
        buf[0] != RADIUS_ACCESS_CHALLENGE) {
        snprintf(err, errlen, "a reply with code %u, not Access-Accept, -Reject or -Challenge",
                 buf[0]);
        return REASON_MALFORMED_REPLY;
    }
    if ((reason = walk_attributes(buf, len, &l, err, errlen)) != REASON_OK)
        return reason;
    if (buf[1] != req->data[1]) {
        snprintf(err, errlen, "a reply with Identifier %u, but our request was %u", buf[1],
                 req->data[1]);
        return REASON_UNAUTHENTIC_REPLY;
    }
    if ((reason = verify_response_authenticator(buf, len, req, secret, err, errlen)) != REASON_OK)
        return reason;
    if (l.ma_off != 0) {
        if ((reason = verify_message_authenticator(buf, len, l.ma_off, req, secret, err, errlen)) !=
            REASON_OK)
            return reason;
    } else if (require_message_authenticator) {
        snprintf(err, errlen,
                 "the %s has no Message-Authenticator; it is required (Blast-RADIUS, "
                 "CVE-2024-3596: the server must send one in every reply)",
                 code_name(buf[0]));
        return REASON_UNAUTHENTIC_REPLY;
    }

    res->code = buf[0];
    res->message_authenticator = l.ma_off != 0;
    if (l.state_off != 0) {
        memcpy(res->state, buf + l.state_off, l.state_len);
        res->state_len = l.state_len;
    }
    for (size_t off = RADIUS_HEADER_LEN; off < len; off += buf[off + 1])
        if (buf[off] == RADIUS_ATTR_REPLY_MESSAGE)
            add_message(res, buf + off + 2, (size_t)buf[off + 1] - 2);
    return REASON_OK;
}
