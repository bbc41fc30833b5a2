/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * otpauth.c - building otpauth:// URIs (see otpauth.h).
 */
#include "lib/core/otpauth.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "lib/core/base32.h"
#include "lib/common/reason.h"
#include "lib/common/secmem.h"

/* A growing string that remembers when it ran out of room. */
struct out {
    char *buf;
    size_t size, len;
    bool full;
};

static void
put(struct out *o, const char *s, size_t n)
{
    if (o->full || o->len + n >= o->size) {
        o->full = true;
        return;
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
    o->buf[o->len] = '\0';
}

static void
puts_(struct out *o, const char *s)
{
    put(o, s, strlen(s));
}

/* RFC 3986 2.1 and 2.3: unreserved bytes as they are, the rest as %XX. */
static void
put_encoded(struct out *o, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";

    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        char esc[3] = {'%', hex[*p >> 4], hex[*p & 15]};

        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~')
            put(o, (const char *)p, 1);
        else
            put(o, esc, 3);
    }
}

static bool
label_part_ok(const char *what, const char *s, char *err, size_t errlen)
{
    if (s == NULL || s[0] == '\0') {
        snprintf(err, errlen, "the %s is empty", what);
        return false;
    }
    if (strchr(s, ':') != NULL) {
        snprintf(err, errlen, "the %s contains ':', which the otpauth label cannot carry", what);
        return false;
    }
    return true;
}

int
otpauth_uri(const struct otpauth *p, char *out, size_t outsize, char *err, size_t errlen)
{
    static const char *const algorithms[] = {"SHA1", "SHA256", "SHA512"};
    char secret[2 * OTP_MAX_KEY + 8], num[64];
    struct out o = {out, outsize, 0, outsize == 0};
    int reason = REASON_CONFIG;

    if (outsize > 0)
        out[0] = '\0';
    if (!label_part_ok("issuer", p->issuer, err, errlen) ||
        !label_part_ok("account", p->account, err, errlen))
        return REASON_CONFIG;
    if (p->keylen == 0 || p->keylen > OTP_MAX_KEY ||
        !base32_encode(p->key, p->keylen, false, secret, sizeof(secret))) {
        snprintf(err, errlen, "the key must be 1..%d bytes", OTP_MAX_KEY);
        return REASON_CONFIG;
    }
    puts_(&o, p->totp ? "otpauth://totp/" : "otpauth://hotp/");
    put_encoded(&o, p->issuer);
    puts_(&o, ":");
    put_encoded(&o, p->account);
    puts_(&o, "?secret=");
    puts_(&o, secret);
    puts_(&o, "&issuer=");
    put_encoded(&o, p->issuer);
    puts_(&o, "&algorithm=");
    puts_(&o, algorithms[p->hash]);
    if (p->totp)
        snprintf(num, sizeof(num), "&digits=%u&period=%u", p->digits, p->period);
    else
        snprintf(num, sizeof(num), "&digits=%u&counter=%" PRIu64, p->digits, p->counter);
    puts_(&o, num);
    if (o.full) {
        snprintf(err, errlen, "the URI is longer than %zu characters", outsize - 1);
        secmem_wipe(out, outsize);
    } else {
        reason = REASON_OK;
    }
    secmem_wipe(secret, sizeof(secret));
    return reason;
}
