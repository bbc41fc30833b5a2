/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ntlm.c - MS-NLMP wire layer for the NTLMv2 HTTP client: NEGOTIATE encoding,
 * strict CHALLENGE decoding (the attack surface: every byte comes from the
 * network or a proxy) and AUTHENTICATE encoding with AV pair rewriting and
 * MIC.  No OpenSSL here: the spec's functions are ntlm_crypto.c's, the
 * primitives and base64 crypto.c's.
 */
#include "lib/ntlm/ntlm.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/common/secmem.h"
#include "lib/ntlm/crypto.h"
#include "lib/ntlm/ntlm_testing.h"
#include "lib/ntlm/unicode.h"

static const uint8_t signature[8] = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0};

/* What we ask for in NEGOTIATE (and at most what AUTHENTICATE confirms).
 * Deliberately no SIGN/SEAL/KEY_EXCH (HTTP has no use for them, and KEY_EXCH
 * without them is read differently by Windows, MS-NLMP 3.2.5.2.2, and by
 * gss-ntlmssp: doc/protocol.md 4), no OEM (UNICODE only) and no VERSION
 * (its field is sent, zeroed). */
#define NEG_FLAGS                                                                                  \
    (NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_REQUEST_TARGET | NTLMSSP_NEGOTIATE_NTLM |                 \
     NTLMSSP_NEGOTIATE_ALWAYS_SIGN | NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY)
#define REQUIRED_FLAGS                                                                             \
    (NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_NEGOTIATE_NTLM |                                          \
     NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY)

#define AUTH_HDR_LEN 64      /* AUTHENTICATE fields up to and including NegotiateFlags */
#define AUTH_MIC_OFFSET 72   /* after the 8-byte Version */
#define MSV_AV_FLAG_MIC 0x2u /* MsvAvFlags: "the client is providing message integrity" */
#define FILETIME_UNIX_EPOCH 116444736000000000ull /* 1601-01-01 to 1970-01-01 in 100 ns */

struct u16 {
    uint8_t *p; /* UTF-16LE, NULL when empty */
    size_t len;
};

struct ntlm_client {
    uint8_t response_key[NTLM_KEY_LEN]; /* NTOWFv2 = LMOWFv2 (3.3.2) */
    struct u16 user;                    /* as typed: only NTOWFv2's copy is uppercased */
    struct u16 domain;
    struct u16 workstation;
    struct u16 spn;
    bool have_cb;
    uint8_t cb_hash[NTLM_KEY_LEN];
    int state; /* 0 new, 1 NEGOTIATE sent, 2 AUTHENTICATE built (or failed) */
    uint8_t negotiate[NTLM_NEGOTIATE_LEN];
    char err[NTLM_ERROR_SIZE];
    struct ntlm_testing testing; /* all zero but in tests (ntlm_testing.h) */
};

/* Bounded writer: a copy that would not fit sets `bad` instead of writing. */
struct wbuf {
    uint8_t *p;
    size_t cap;
    size_t pos;
    bool bad;
};

static uint16_t
get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void
set16(uint8_t *p, size_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void
set32(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void
put(struct wbuf *w, const void *d, size_t n)
{
    if (w->bad || n > w->cap - w->pos) {
        w->bad = true;
    } else if (n != 0) {
        memcpy(w->p + w->pos, d, n);
        w->pos += n;
    }
}

static void
put_av(struct wbuf *w, uint16_t id, const uint8_t *v, size_t len)
{
    uint8_t hdr[4];

    set16(hdr, id);
    set16(hdr + 2, len);
    if (len > UINT16_MAX)
        w->bad = true;
    put(w, hdr, sizeof(hdr));
    put(w, v, len);
}

__attribute__((format(printf, 3, 4))) static void
set_err(char *err, size_t errsize, const char *fmt, ...)
{
    va_list ap;

    if (err != NULL && errsize != 0) {
        va_start(ap, fmt);
        (void)vsnprintf(err, errsize, fmt, ap);
        va_end(ap);
    }
}

/* A security buffer (len, maxlen, offset) of the CHALLENGE.  MaxLen is
 * ignored as the spec allows; the offset of an empty field is meaningless and
 * not checked.  off + len is computed in 64 bits (CVE-2018-16890, CVE-2023-25563). */
static int
decode_field(const uint8_t *msg, size_t len, size_t at, size_t hdrlen, const char *name,
             const uint8_t **p, size_t *flen, char *err, size_t errsize)
{
    uint16_t l = get16(msg + at);
    uint32_t off = get32(msg + at + 4);
    int ret = NTLM_ERR_DECODE;

    *p = NULL;
    *flen = 0;
    if (l == 0) {
        ret = NTLM_OK;
    } else if (off < hdrlen) {
        set_err(err, errsize, "CHALLENGE %s offset %u lies inside the %zu-byte header", name, off,
                hdrlen);
    } else if ((uint64_t)off + l > len) {
        set_err(err, errsize, "CHALLENGE %s (offset %u, length %u) runs past the %zu-byte message",
                name, off, (unsigned)l, len);
    } else {
        *p = msg + off;
        *flen = l;
        ret = NTLM_OK;
    }
    return ret;
}

/* Lengths fixed by MS-NLMP 2.2.2.1/2.2.2.2; names are UTF-16LE so even. */
static bool
av_len_ok(uint16_t id, uint16_t avlen)
{
    bool ok = true;

    if (id == MsvAvEOL)
        ok = avlen == 0;
    else if (id == MsvAvFlags)
        ok = avlen == 4;
    else if (id == MsvAvTimestamp)
        ok = avlen == 8;
    else if (id == MsvAvChannelBindings)
        ok = avlen == NTLM_KEY_LEN;
    else if (id == MsvAvSingleHost)
        ok = avlen >= 48;
    else if (id <= MsvAvDnsTreeName || id == MsvAvTargetName)
        ok = avlen % 2 == 0;
    return ok;
}

/* MS-NLMP 2.2.2.1: walk the AV_PAIR list with every read bounds-checked and
 * remember the pairs the client acts on.  Lengths are exact where the spec
 * fixes them (CVE-2023-25567 read a short MsvAvTimestamp out of bounds). */
static int
decode_av_pairs(struct ntlm_challenge *ch, char *err, size_t errsize)
{
    const uint8_t *ti = ch->target_info;
    size_t len = ch->target_info_len, pos = 0;
    uint16_t id = 0, avlen = 0;
    int ret = NTLM_ERR_DECODE;

    if (len > NTLM_MAX_TARGET_INFO) {
        set_err(err, errsize, "CHALLENGE TargetInfo is %zu bytes, more than the %d-byte limit", len,
                NTLM_MAX_TARGET_INFO);
        goto out;
    }
    for (;;) {
        if (len - pos < 4) {
            set_err(err, errsize, "CHALLENGE TargetInfo ends at byte %zu without MsvAvEOL", pos);
            goto out;
        }
        id = get16(ti + pos);
        avlen = get16(ti + pos + 2);
        pos += 4;
        if (avlen > len - pos) {
            set_err(err, errsize, "CHALLENGE AV pair %u at byte %zu has length %u, only %zu left",
                    id, pos - 4, avlen, len - pos);
            goto out;
        }
        if (!av_len_ok(id, avlen)) {
            set_err(err, errsize, "CHALLENGE AV pair %u at byte %zu has invalid length %u", id,
                    pos - 4, avlen);
            goto out;
        }
        if (id == MsvAvEOL)
            break;
        if ((id == MsvAvFlags && ch->has_av_flags) || (id == MsvAvTimestamp && ch->has_timestamp)) {
            set_err(err, errsize, "CHALLENGE AV pair %u appears twice", id);
            goto out;
        }
        if (id == MsvAvFlags) {
            ch->has_av_flags = true;
            ch->av_flags = get32(ti + pos);
        } else if (id == MsvAvTimestamp) {
            ch->has_timestamp = true;
            memcpy(ch->timestamp, ti + pos, 8);
        }
        pos += avlen;
    }
    ch->target_info_len = pos; /* bytes after MsvAvEOL are not AV pairs: drop them */
    ret = NTLM_OK;
out:
    return ret;
}

int
ntlm_challenge_decode(const uint8_t *msg, size_t len, struct ntlm_challenge *out, char *err,
                      size_t errsize)
{
    size_t hdrlen = 32; /* pre-NT4SP? servers stop after ServerChallenge */
    uint32_t missing;
    int ret = NTLM_ERR_ARG;

    set_err(err, errsize, "%s", "");
    if (msg == NULL || out == NULL) {
        set_err(err, errsize, "no CHALLENGE given");
        goto out;
    }
    memset(out, 0, sizeof(*out));
    ret = NTLM_ERR_DECODE;
    if (len < 32 || len > NTLM_MAX_MESSAGE) {
        set_err(err, errsize, "CHALLENGE is %zu bytes, not between 32 and %d", len,
                NTLM_MAX_MESSAGE);
        goto out;
    }
    if (memcmp(msg, signature, sizeof(signature)) != 0) {
        set_err(err, errsize, "CHALLENGE does not start with the NTLMSSP signature");
        goto out;
    }
    if (get32(msg + 8) != 2) {
        set_err(err, errsize, "message type %u is not 2 (CHALLENGE)", get32(msg + 8));
        goto out;
    }
    out->flags = get32(msg + 20);
    missing = REQUIRED_FLAGS & ~out->flags;
    if (missing != 0) {
        /* never fall back to OEM strings or NTLMv1/LM (CVE-2016-2110) */
        set_err(err, errsize, "CHALLENGE flags 0x%08x lack %s", out->flags,
                (missing & NTLMSSP_NEGOTIATE_UNICODE) ? "NEGOTIATE_UNICODE"
                : (missing & NTLMSSP_NEGOTIATE_NTLM)  ? "NEGOTIATE_NTLM"
                                                      : "NEGOTIATE_EXTENDED_SESSIONSECURITY");
        ret = NTLM_ERR_FLAGS;
        goto out;
    }
    memcpy(out->server_challenge, msg + 24, NTLM_CHALLENGE_LEN);
    if (len >= 48)
        hdrlen = 48;
    if (len >= 56 && (out->flags & NTLMSSP_NEGOTIATE_VERSION)) {
        hdrlen = 56;
        out->has_version = true;
        memcpy(out->version, msg + 48, 8);
    }
    ret = decode_field(msg, len, 12, hdrlen, "TargetName", &out->target_name, &out->target_name_len,
                       err, errsize);
    if (ret != NTLM_OK)
        goto out;
    if (out->target_name_len % 2 != 0) {
        set_err(err, errsize, "CHALLENGE TargetName has odd length %zu (UTF-16LE expected)",
                out->target_name_len);
        ret = NTLM_ERR_DECODE;
        goto out;
    }
    if (hdrlen >= 48) {
        ret = decode_field(msg, len, 40, hdrlen, "TargetInfo", &out->target_info,
                           &out->target_info_len, err, errsize);
        if (ret == NTLM_OK && out->target_info_len != 0)
            ret = decode_av_pairs(out, err, errsize);
    }
out:
    return ret;
}

int
ntlm_client_new(struct ntlm_client **out, const char *user, const char *domain,
                const char *password_utf8, const char *workstation, const char *spn)
{
    const char *src[4] = {user, domain, workstation, spn};
    struct ntlm_client *c = NULL;
    uint8_t nt_hash[NTLM_KEY_LEN];
    int ret = NTLM_ERR_ARG;

    if (out == NULL || user == NULL || user[0] == '\0' || password_utf8 == NULL)
        goto out;
    *out = NULL;
    ret = NTLM_ERR_NOMEM;
    c = calloc(1, sizeof(*c));
    if (c == NULL)
        goto out;
    ret = NTLM_OK;
    for (int i = 0; i < 4 && ret == NTLM_OK; i++) {
        struct u16 *dst[4] = {&c->user, &c->domain, &c->workstation, &c->spn};

        ret = ntlm_utf8_to_utf16le(src[i] ? src[i] : "", 0, &dst[i]->p, &dst[i]->len);
    }
    if (ret == NTLM_OK)
        ret = NTOWFv1(password_utf8, nt_hash);
    /* keep only ResponseKeyNT: the NT hash would be valid for any user name */
    if (ret == NTLM_OK)
        ret = NTOWFv2(nt_hash, user, domain ? domain : "", c->response_key);
    if (ret != NTLM_OK)
        goto out;
    *out = c;
    c = NULL;
out:
    secmem_wipe(nt_hash, sizeof(nt_hash));
    ntlm_client_free(c);
    return ret;
}

int
ntlm_client_set_channel_binding(struct ntlm_client *c, const uint8_t *cert_der, size_t len)
{
    int ret = NTLM_ERR_ARG;

    if (c == NULL)
        goto out;
    c->have_cb = false;
    ret = ntlm_cert_channel_bindings_hash(cert_der, len, c->cb_hash);
    if (ret == NTLM_OK)
        c->have_cb = true;
    else
        set_err(c->err, sizeof(c->err), "cannot compute tls-server-end-point channel binding");
out:
    return ret;
}

int
ntlm_client_negotiate(struct ntlm_client *c, uint8_t **out, size_t *outlen)
{
    uint8_t *m = NULL;
    int ret = NTLM_ERR_ARG;

    if (c == NULL || out == NULL || outlen == NULL)
        goto out;
    *out = NULL;
    m = c->negotiate;
    if (c->state != 0) {
        set_err(c->err, sizeof(c->err), "NEGOTIATE already sent on this context");
        goto out;
    }
    /* 40 bytes: fields are empty with offsets at the payload start; the
     * Version field is present but zero since VERSION is not requested. */
    memset(m, 0, NTLM_NEGOTIATE_LEN);
    memcpy(m, signature, sizeof(signature));
    set32(m + 8, 1);
    set32(m + 12, NEG_FLAGS);
    set32(m + 20, NTLM_NEGOTIATE_LEN); /* DomainNameFields offset */
    set32(m + 28, NTLM_NEGOTIATE_LEN); /* WorkstationFields offset */
    ret = NTLM_ERR_NOMEM;
    *out = malloc(NTLM_NEGOTIATE_LEN);
    if (*out == NULL)
        goto out;
    memcpy(*out, m, NTLM_NEGOTIATE_LEN);
    *outlen = NTLM_NEGOTIATE_LEN;
    c->state = 1;
    ret = NTLM_OK;
out:
    return ret;
}

/* MS-NLMP 3.1.5.1.2: the client's AV list is the server's, pair for pair and
 * byte for byte (Samba rejects any change), with MsvAvFlags gaining the MIC
 * bit, then our channel bindings and target name (replacing any the server
 * put there), then MsvAvEOL. */
static void
build_av_pairs(const struct ntlm_client *c, const struct ntlm_challenge *ch, bool mic,
               struct wbuf *w)
{
    const uint8_t *ti = ch->target_info;
    uint8_t flags[4];
    size_t pos = 0;

    set32(flags, (ch->has_av_flags ? ch->av_flags : 0) | MSV_AV_FLAG_MIC);
    while (ch->target_info_len - pos >= 4) { /* validated: ends with EOL */
        uint16_t id = get16(ti + pos), avlen = get16(ti + pos + 2);

        if (id == MsvAvEOL || avlen > ch->target_info_len - pos - 4)
            break;
        if (id == MsvAvFlags && mic)
            put_av(w, MsvAvFlags, flags, sizeof(flags));
        else if (id != MsvAvChannelBindings && !(id == MsvAvTargetName && c->spn.len != 0))
            put(w, ti + pos, 4 + (size_t)avlen);
        pos += 4 + (size_t)avlen;
    }
    if (mic && !ch->has_av_flags)
        put_av(w, MsvAvFlags, flags, sizeof(flags));
    if (c->have_cb)
        put_av(w, MsvAvChannelBindings, c->cb_hash, NTLM_KEY_LEN);
    if (c->spn.len != 0)
        put_av(w, MsvAvTargetName, c->spn.p, c->spn.len);
    put_av(w, MsvAvEOL, NULL, 0);
}

static void
filetime_now(const struct ntlm_client *c, uint8_t out[8])
{
    struct timespec ts = {0, 0};
    uint64_t ft;

    if (c->testing.filetime != NULL) {
        ft = c->testing.filetime(c->testing.arg);
    } else {
        (void)clock_gettime(CLOCK_REALTIME, &ts);
        ft = FILETIME_UNIX_EPOCH + (uint64_t)ts.tv_sec * 10000000u + (uint64_t)ts.tv_nsec / 100u;
    }
    for (int i = 0; i < 8; i++)
        out[i] = (uint8_t)(ft >> (8 * i));
}

static int
random_bytes(const struct ntlm_client *c, uint8_t *out, size_t len)
{
    if (c->testing.random_bytes != NULL)
        return c->testing.random_bytes(c->testing.arg, out, len);
    return ntlm_random_bytes(out, len);
}

/* Header security buffer at @at pointing to @len bytes at the writer's position. */
static void
put_field(struct wbuf *w, size_t at, const uint8_t *d, size_t len)
{
    if (len > UINT16_MAX || at + 8 > w->cap) {
        w->bad = true;
        return;
    }
    set16(w->p + at, len);
    set16(w->p + at + 2, len);
    set32(w->p + at + 4, w->pos);
    put(w, d, len);
}

/* One AUTHENTICATE_MESSAGE in the making: the options in force, then its parts. */
struct auth {
    uint32_t flags;
    bool mic;      /* MIC field present and MsvAvFlags 0x2 added */
    bool key_exch; /* tests only: HTTP never asks for KEY_EXCH */
    uint8_t version[8];
    uint8_t client_challenge[NTLM_CHALLENGE_LEN];
    uint8_t time[8];
    uint8_t exported_session_key[NTLM_KEY_LEN];
    uint8_t session_base_key[NTLM_KEY_LEN];
    uint8_t lm[NTLM_LMV2_LEN];
    uint8_t enc_key[NTLM_KEY_LEN];
    uint8_t *av; /* the client's AV pairs */
    size_t av_len;
    uint8_t *nt; /* NTProofStr ‖ temp */
    size_t nt_len;
};

static int
choose_opts(struct ntlm_client *c, const struct ntlm_challenge *ch, struct auth *a)
{
    int ret;

    /* confirm only what both sides named (3.1.5.1.2); VERSION is not among it
     * so the Version field stays zero, which gss-ntlmssp relies on to find the MIC */
    a->flags = ch->flags & (NEG_FLAGS | NTLMSSP_NEGOTIATE_TARGET_INFO);
    if (c->testing.spec_form) {
        a->flags = c->testing.flags;
        memcpy(a->version, c->testing.version, 8);
    }
    a->key_exch = (a->flags & NTLMSSP_NEGOTIATE_KEY_EXCH) != 0;
    a->mic = ch->has_timestamp;
    if (ch->has_timestamp)
        memcpy(a->time, ch->timestamp, 8);
    else
        filetime_now(c, a->time);
    ret = random_bytes(c, a->client_challenge, NTLM_CHALLENGE_LEN);
    /* 3.1.5.1.2: with KEY_EXCH the ExportedSessionKey is NONCE(16) */
    if (ret == NTLM_OK && a->key_exch)
        ret = random_bytes(c, a->exported_session_key, NTLM_KEY_LEN);
    return ret;
}

static int
compute_responses(struct ntlm_client *c, const struct ntlm_challenge *ch, struct auth *a)
{
    struct wbuf w = {0};
    uint8_t kxkey[NTLM_KEY_LEN];
    int ret = NTLM_ERR_NOMEM;

    /* server list + Flags(8) + ChannelBindings(20) + TargetName(4+spn) + EOL(4) */
    w.cap = ch->target_info_len + 8 + 20 + 4 + c->spn.len + 4;
    w.p = calloc(1, w.cap);
    if (w.p == NULL)
        goto out;
    build_av_pairs(c, ch, a->mic, &w);
    a->av = w.p;
    a->av_len = w.pos;
    ret = NTLM_ERR_ARG;
    if (w.bad)
        goto out;
    ret = NTLM_ERR_NOMEM;
    a->nt_len = NTLM_KEY_LEN + NTLM_TEMP_FIXED_LEN + a->av_len;
    a->nt = calloc(1, a->nt_len);
    if (a->nt == NULL)
        goto out;
    /* 3.3.2: with a MIC (server sent MsvAvTimestamp) the LM response is Z(24) */
    ret =
        ComputeResponse(c->response_key, ch->server_challenge, a->client_challenge, a->time, a->av,
                        a->av_len, a->nt, a->nt_len, a->mic ? NULL : a->lm, a->session_base_key);
    if (ret == NTLM_OK)
        ret = KXKEY(a->session_base_key, kxkey);
    if (ret == NTLM_OK && a->key_exch)
        ret = EncryptedRandomSessionKey(kxkey, a->exported_session_key, a->enc_key);
    else if (ret == NTLM_OK)
        memcpy(a->exported_session_key, kxkey, NTLM_KEY_LEN); /* 3.2.5.1.2: no KEY_EXCH */
out:
    secmem_wipe(kxkey, sizeof(kxkey));
    return ret;
}

static int
encode_authenticate(struct ntlm_client *c, const uint8_t *chal, size_t chal_len,
                    const struct ntlm_challenge *ch, uint8_t **out, size_t *outlen)
{
    struct auth a = {0};
    struct wbuf w = {0};
    int ret = choose_opts(c, ch, &a);

    if (ret == NTLM_OK)
        ret = compute_responses(c, ch, &a);
    if (ret != NTLM_OK)
        goto out;
    w.pos = a.mic ? AUTH_MIC_OFFSET + NTLM_KEY_LEN : AUTH_MIC_OFFSET;
    w.cap = w.pos + c->domain.len + c->user.len + c->workstation.len + NTLM_LMV2_LEN + a.nt_len +
            (a.key_exch ? NTLM_KEY_LEN : 0);
    ret = NTLM_ERR_ARG;
    if (w.cap > NTLM_MAX_MESSAGE) {
        set_err(c->err, sizeof(c->err), "AUTHENTICATE would be %zu bytes, too long", w.cap);
        goto out;
    }
    ret = NTLM_ERR_NOMEM;
    w.p = calloc(1, w.cap);
    if (w.p == NULL)
        goto out;
    memcpy(w.p, signature, sizeof(signature));
    set32(w.p + 8, 3);
    /* payload in the order of the 4.2.4 example */
    put_field(&w, 28, c->domain.p, c->domain.len);
    put_field(&w, 36, c->user.p, c->user.len);
    put_field(&w, 44, c->workstation.p, c->workstation.len);
    put_field(&w, 12, a.lm, NTLM_LMV2_LEN);
    put_field(&w, 20, a.nt, a.nt_len);
    put_field(&w, 52, a.enc_key, a.key_exch ? NTLM_KEY_LEN : 0);
    set32(w.p + 60, a.flags);
    memcpy(w.p + AUTH_HDR_LEN, a.version, 8);
    ret = NTLM_ERR_ARG;
    if (w.bad || w.pos != w.cap)
        goto out;
    ret = NTLM_OK;
    if (a.mic) /* over the exact bytes sent and received, MIC field still zero */
        ret = MIC(a.exported_session_key, c->negotiate, NTLM_NEGOTIATE_LEN, chal, chal_len, w.p,
                  w.pos, w.p + AUTH_MIC_OFFSET);
    if (ret != NTLM_OK)
        goto out;
    *out = w.p;
    *outlen = w.pos;
    w.p = NULL;
out:
    secmem_free(a.nt, a.nt_len);
    free(a.av);
    free(w.p);
    secmem_wipe(&a, sizeof(a));
    return ret;
}

int
ntlm_client_authenticate(struct ntlm_client *c, const uint8_t *challenge, size_t len, uint8_t **out,
                         size_t *outlen)
{
    struct ntlm_challenge ch;
    int ret = NTLM_ERR_ARG;

    if (c == NULL || out == NULL || outlen == NULL)
        goto out;
    *out = NULL;
    *outlen = 0;
    if (c->state != 1) {
        set_err(c->err, sizeof(c->err), "AUTHENTICATE needs exactly one NEGOTIATE before it");
        goto out;
    }
    c->state = 2;
    ret = ntlm_challenge_decode(challenge, len, &ch, c->err, sizeof(c->err));
    if (ret == NTLM_OK)
        ret = encode_authenticate(c, challenge, len, &ch, out, outlen);
    if (ret != NTLM_OK && c->err[0] == '\0')
        set_err(c->err, sizeof(c->err), "cannot build AUTHENTICATE (error %d)", ret);
out:
    return ret;
}

const char *
ntlm_client_error(const struct ntlm_client *c)
{
    return c != NULL ? c->err : "no NTLM context";
}

void
ntlm_client_free(struct ntlm_client *c)
{
    if (c != NULL) {
        secmem_free(c->user.p, c->user.len);
        secmem_free(c->domain.p, c->domain.len);
        secmem_free(c->workstation.p, c->workstation.len);
        secmem_free(c->spn.p, c->spn.len);
        secmem_free(c, sizeof(*c));
    }
}

int
ntlm_client_set_testing(struct ntlm_client *c, const struct ntlm_testing *t)
{
    int ret = NTLM_ERR_ARG;

    if (c != NULL && t != NULL) {
        c->testing = *t;
        ret = NTLM_OK;
    }
    return ret;
}
