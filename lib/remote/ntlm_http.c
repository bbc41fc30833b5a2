/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ntlm_http.c - NTLM in HTTP authentication headers: credentials split,
 * header values built from ntlm.c's messages, and the CHALLENGE found in a
 * 401/407 strictly (one token per scheme, strict base64).  See ntlm_http.h.
 */
#include "lib/remote/ntlm_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "lib/common/log.h"
#include "lib/ntlm/ntlm.h"
#include "lib/common/reason.h"

/* One handshake: one NTLM client context. */
struct ntlm_http {
    struct ntlm_client *client;
    enum ntlm_http_scheme scheme;
    bool authenticating; /* the last value produced is the AUTHENTICATE */
    bool restarted;      /* already fell back from "NTLM" to "Negotiate" */
    char *identity;      /* "DOMAIN\user" as configured */
    char *user, *domain, *spn, *peer, *workstation;
    const char *password; /* the caller's (config) copy; only passed to ntlm.c */
};

static const char *const scheme_names[] = {"NTLM", "Negotiate"};

int
ntlm_http_offers_add(struct ntlm_http_offers *o, const char *value, size_t len)
{
    while (len > 0 && (*value == ' ' || *value == '\t'))
        value++, len--;
    while (len > 0 && (value[len - 1] == ' ' || value[len - 1] == '\t' || value[len - 1] == '\r' ||
                       value[len - 1] == '\n'))
        len--;
    if (o->n == NTLM_HTTP_MAX_OFFERS) {
        o->too_many = true;
        return 0;
    }
    if ((o->values[o->n] = strndup(value, len)) == NULL)
        return -1;
    o->n++;
    return 0;
}

void
ntlm_http_offers_clear(struct ntlm_http_offers *o)
{
    for (size_t i = 0; i < o->n; i++)
        free(o->values[i]);
    memset(o, 0, sizeof(*o));
}

/* ------------------------------------------------------------ challenges */

/* RFC 7230 3.2.6 tchar */
static bool
is_tchar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* RFC 7235 2.1 token68 characters before the '=' padding */
static bool
is_t68char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("-._~+/", c) != NULL);
}

/* Skip to the next top-level comma (quoted strings may hold commas). */
static const char *
skip_element(const char *p)
{
    bool quoted = false;

    for (; *p != '\0' && (quoted || *p != ','); p++) {
        if (quoted && *p == '\\' && p[1] != '\0')
            p++;
        else if (*p == '"')
            quoted = !quoted;
    }
    return p;
}

/* One challenge of a header value (RFC 7235 2.1: auth-scheme [ 1*SP (
 * token68 / #auth-param ) ], several separated by commas); the auth-params
 * of other schemes are skipped.  False at the end. */
static bool
next_challenge(const char **pp, const char **scheme, size_t *slen, const char **tok, size_t *tlen)
{
    const char *p = *pp, *q;

    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (*p == '\0')
            return false;
        for (q = p; is_tchar(*q); q++)
            ;
        if (q == p || *q == '=' || (*q == ' ' && q[strspn(q, " \t")] == '=')) {
            p = skip_element(q); /* an auth-param, or not a token at all */
            continue;
        }
        *scheme = p;
        *slen = (size_t)(q - p);
        *tok = NULL;
        *tlen = 0;
        p = q + strspn(q, " ");
        for (q = p; is_t68char(*q); q++)
            ;
        if (q > p) {
            const char *end = q + strspn(q, "=");
            const char *after = end + strspn(end, " \t");

            if (*after == '\0' || *after == ',') {
                *tok = p;
                *tlen = (size_t)(end - p);
                q = after;
            }
        }
        *pp = skip_element(q);
        return true;
    }
}

static void
survey(const struct ntlm_http_offers *o, struct ntlm_http_found *f)
{
    memset(f, 0, sizeof(*f));
    for (size_t i = 0; i < o->n; i++) {
        const char *p = o->values[i], *scheme, *tok;
        size_t slen, tlen;

        while (next_challenge(&p, &scheme, &slen, &tok, &tlen)) {
            int s = -1;

            for (int k = 0; k < 2; k++)
                if (slen == strlen(scheme_names[k]) &&
                    strncasecmp(scheme, scheme_names[k], slen) == 0)
                    s = k;
            if (s < 0) {
                size_t used = strlen(f->others);

                snprintf(f->others + used, sizeof(f->others) - used, "%s%.*s", used ? ", " : "",
                         (int)(slen < 32 ? slen : 32), scheme);
            } else if (tok == NULL) {
                f->bare[s]++;
            } else {
                f->tok[s] = tok;
                f->tlen[s] = tlen;
                f->tokens[s]++;
            }
        }
    }
}

int
ntlm_http_find_challenge(const struct ntlm_http_offers *o, const char *peer,
                         struct ntlm_http_found *f, enum ntlm_http_scheme *scheme, uint8_t **chal,
                         size_t *chal_len, char *err, size_t errlen)
{
    enum ntlm_http_scheme s;

    *chal = NULL;
    *chal_len = 0;
    memset(f, 0, sizeof(*f));
    if (o->too_many) {
        snprintf(err, errlen, "%s sent more than %d authentication headers; refused", peer,
                 NTLM_HTTP_MAX_OFFERS);
        return REASON_MALFORMED_REPLY;
    }
    survey(o, f);
    /* NTLM if offered, else Negotiate (both carry raw NTLMSSP here) */
    s = f->tokens[NTLM_HTTP_NTLM] ? NTLM_HTTP_NTLM : NTLM_HTTP_NEGOTIATE;
    *scheme = s;
    if (f->tokens[s] == 0)
        return REASON_OK;
    if (f->tokens[s] > 1) {
        snprintf(err, errlen, "%s sent %u %s challenges; refused as ambiguous", peer, f->tokens[s],
                 scheme_names[s]);
        return REASON_MALFORMED_REPLY;
    }
    if (ntlm_b64_decode(f->tok[s], f->tlen[s], chal, chal_len) != NTLM_OK) {
        snprintf(err, errlen,
                 "malformed NTLM CHALLENGE from %s: not base64 or longer than %d "
                 "bytes",
                 peer, NTLM_MAX_MESSAGE);
        *chal = NULL;
        *chal_len = 0;
        return REASON_MALFORMED_REPLY;
    }
    return REASON_OK;
}

/* ------------------------------------------------------------ handshake */

static int
encode_value(enum ntlm_http_scheme scheme, const uint8_t *msg, size_t len, char **authz)
{
    char *b64 = NULL;
    size_t n;
    int ret = -1;

    if (ntlm_b64_encode(msg, len, &b64) != NTLM_OK)
        goto out;
    n = strlen(scheme_names[scheme]) + 1 + strlen(b64) + 1;
    if ((*authz = malloc(n)) == NULL)
        goto out;
    snprintf(*authz, n, "%s %s", scheme_names[scheme], b64);
    ret = 0;
out:
    free(b64);
    return ret;
}

static int
client_error(const struct ntlm_http *n, int rc, const char *what, char *err, size_t errlen)
{
    switch (rc) {
    case NTLM_ERR_UTF8:
    case NTLM_ERR_ARG:
        snprintf(err, errlen,
                 "NTLM credentials for %s are not usable (%s: not UTF-8 or "
                 "longer than %d bytes)",
                 n->identity, what, NTLM_MAX_STRING);
        return REASON_CONFIG;
    case NTLM_ERR_CRYPTO:
        snprintf(err, errlen,
                 "NTLM crypto unavailable (%s; is the OpenSSL legacy provider, "
                 "for MD4, installed?)",
                 what);
        return REASON_INTERNAL;
    default:
        snprintf(err, errlen, "NTLM: out of memory (%s)", what);
        return REASON_INTERNAL;
    }
}

/* A new client context and its NEGOTIATE under @scheme. */
static int
negotiate(struct ntlm_http *n, enum ntlm_http_scheme scheme, char **authz, char *err, size_t errlen)
{
    uint8_t *msg = NULL;
    size_t len = 0;
    int rc, reason = REASON_INTERNAL;

    ntlm_client_free(n->client);
    n->client = NULL;
    rc = ntlm_client_new(&n->client, n->user, n->domain, n->password, n->workstation, n->spn);
    if (rc == NTLM_OK)
        rc = ntlm_client_negotiate(n->client, &msg, &len);
    if (rc != NTLM_OK) {
        reason = client_error(n, rc, "NEGOTIATE", err, errlen);
        goto out;
    }
    if (encode_value(scheme, msg, len, authz) != 0) {
        snprintf(err, errlen, "NTLM: out of memory");
        goto out;
    }
    n->scheme = scheme;
    n->authenticating = false;
    reason = REASON_OK;
out:
    free(msg);
    return reason;
}

static int
split_identity(struct ntlm_http *n, const char *user_spec, char *err, size_t errlen)
{
    const char *bs = strchr(user_spec, '\\');

    if (bs == NULL) {
        n->user = strdup(user_spec);
        n->domain = strdup("");
    } else {
        n->domain = strndup(user_spec, (size_t)(bs - user_spec));
        n->user = strdup(bs + 1);
    }
    if (n->user == NULL || n->domain == NULL) {
        snprintf(err, errlen, "NTLM: out of memory");
        return REASON_INTERNAL;
    }
    if (n->user[0] == '\0' || strchr(n->user, '\\') != NULL) {
        snprintf(err, errlen, "NTLM user '%s' is not DOMAIN\\user, user or user@domain", user_spec);
        return REASON_CONFIG;
    }
    return REASON_OK;
}

/* MS-NLMP 2.2.1.3 Workstation: the NetBIOS-like short host name. */
static char *
short_hostname(void)
{
    char host[256] = "";

    if (gethostname(host, sizeof(host) - 1) != 0)
        host[0] = '\0';
    host[strcspn(host, ".")] = '\0';
    return strdup(host);
}

static void ntlm_http_free(struct ntlm_http *n);

static int
ntlm_http_start(struct ntlm_http **out, const char *user_spec, const char *password,
                const char *spn, const char *peer, char **authz, char *err, size_t errlen)
{
    struct ntlm_http *n = calloc(1, sizeof(*n));
    int reason = REASON_INTERNAL;

    *out = NULL;
    *authz = NULL;
    if (n == NULL || (n->identity = strdup(user_spec)) == NULL || (n->spn = strdup(spn)) == NULL ||
        (n->peer = strdup(peer)) == NULL || (n->workstation = short_hostname()) == NULL) {
        snprintf(err, errlen, "NTLM: out of memory");
        goto out;
    }
    n->password = password;
    if ((reason = split_identity(n, user_spec, err, errlen)) != REASON_OK)
        goto out;
    reason = negotiate(n, NTLM_HTTP_NTLM, authz, err, errlen);
out:
    if (reason == REASON_OK)
        *out = n;
    else
        ntlm_http_free(n);
    return reason;
}

/* No token in the reply.  If we sent "NTLM" and "Negotiate" is offered,
 * the NEGOTIATE again under "Negotiate", once: some fronts take raw
 * NTLMSSP only there (RFC 4559 4.2 names both).  Else explain. */
static int
no_challenge(struct ntlm_http *n, const struct ntlm_http_found *f, char **authz, char *err,
             size_t errlen)
{
    if (n->scheme == NTLM_HTTP_NTLM && !n->restarted && f->bare[NTLM_HTTP_NEGOTIATE]) {
        n->restarted = true;
        log_debug("NTLM: %s gave no CHALLENGE under NTLM; sending the NEGOTIATE under "
                  "Negotiate",
                  n->peer);
        return negotiate(n, NTLM_HTTP_NEGOTIATE, authz, err, errlen);
    }
    if (f->bare[NTLM_HTTP_NTLM] || f->bare[NTLM_HTTP_NEGOTIATE])
        snprintf(err, errlen,
                 "%s rejected the NTLM NEGOTIATE for %s (it answered with a bare "
                 "offer instead of a CHALLENGE)",
                 n->peer, n->identity);
    else
        snprintf(err, errlen,
                 "%s answered the NTLM NEGOTIATE for %s with no NTLM or Negotiate "
                 "challenge (offered: %s)",
                 n->peer, n->identity, f->others[0] ? f->others : "nothing");
    return REASON_HTTP_AUTH_REFUSED;
}

static int
authenticate(struct ntlm_http *n, const uint8_t *chal, size_t chal_len,
             enum ntlm_http_scheme scheme, const uint8_t *cert, size_t cert_len, char **authz,
             char *err, size_t errlen)
{
    uint8_t *msg = NULL;
    size_t len = 0;
    int rc, reason = REASON_INTERNAL;

    if (cert != NULL &&
        (rc = ntlm_client_set_channel_binding(n->client, cert, cert_len)) != NTLM_OK) {
        /* RFC 5929 4.1 defines no binding for e.g. Ed25519 certificates:
         * then we are an "unaware" client (MS-NLMP 3.1.5.1.2 sends none) */
        if (rc != NTLM_ERR_ARG && rc != NTLM_ERR_DECODE)
            return client_error(n, rc, "channel binding", err, errlen);
        log_msg(LOG_WARNING,
                "NTLM to %s: no tls-server-end-point binding is defined for its "
                "certificate; sending none",
                n->peer);
    }
    rc = ntlm_client_authenticate(n->client, chal, chal_len, &msg, &len);
    if (rc == NTLM_ERR_DECODE) {
        snprintf(err, errlen, "malformed NTLM CHALLENGE from %s: %s", n->peer,
                 ntlm_client_error(n->client));
        reason = REASON_MALFORMED_REPLY;
    } else if (rc == NTLM_ERR_FLAGS) {
        snprintf(err, errlen, "%s does not agree to NTLMv2 with extended session security: %s",
                 n->peer, ntlm_client_error(n->client));
        reason = REASON_HTTP_AUTH_REFUSED;
    } else if (rc != NTLM_OK) {
        reason = client_error(n, rc, "AUTHENTICATE", err, errlen);
    } else if (encode_value(scheme, msg, len, authz) != 0) {
        snprintf(err, errlen, "NTLM: out of memory");
    } else {
        n->scheme = scheme;
        n->authenticating = true;
        reason = REASON_OK;
    }
    free(msg);
    return reason;
}

static int
ntlm_http_step(struct ntlm_http *n, const struct ntlm_http_offers *offers, const uint8_t *cert_der,
               size_t cert_len, char **authz, char *err, size_t errlen)
{
    struct ntlm_http_found f;
    enum ntlm_http_scheme s;
    uint8_t *chal = NULL;
    size_t chal_len = 0;
    int reason;

    *authz = NULL;
    if (n->authenticating) {
        snprintf(err, errlen, "NTLM: a second CHALLENGE from %s", n->peer);
        return REASON_INTERNAL;
    }
    reason = ntlm_http_find_challenge(offers, n->peer, &f, &s, &chal, &chal_len, err, errlen);
    if (reason != REASON_OK)
        return reason;
    if (chal == NULL)
        return no_challenge(n, &f, authz, err, errlen);
    reason = authenticate(n, chal, chal_len, s, cert_der, cert_len, authz, err, errlen);
    free(chal);
    return reason;
}

int
ntlm_http_handshake(const struct ntlm_http_params *p, ntlm_http_send_fn send, void *arg,
                    bool *authenticated, char *err, size_t errlen)
{
    struct ntlm_http *n = NULL;
    struct ntlm_http_leg leg;
    char *authz = NULL;
    int reason;

    *authenticated = false;
    reason = ntlm_http_start(&n, p->user_spec, p->password, p->spn, p->peer, &authz, err, errlen);
    /* at most: NEGOTIATE, NEGOTIATE again under "Negotiate", AUTHENTICATE */
    for (int i = 0; reason == REASON_OK; i++) {
        bool final = n->authenticating;

        if (i == 3) {
            snprintf(err, errlen, "%s did not finish NTLM in three legs", p->peer);
            reason = REASON_HTTP_AUTH_REFUSED;
            break;
        }
        memset(&leg, 0, sizeof(leg));
        if ((reason = send(arg, authz, final, &leg, err, errlen)) != REASON_OK)
            break;
        free(authz);
        authz = NULL;
        if (leg.status != p->challenge_status) { /* the transport judges it */
            *authenticated = final;
            if (final)
                log_debug("NTLM: %s accepted %s (%s)", p->peer, n->identity,
                          scheme_names[n->scheme]);
            break;
        }
        if (final) {
            snprintf(err, errlen, "%s refused the NTLM credentials for %s (HTTP %ld)", p->peer,
                     n->identity, leg.status);
            reason = REASON_HTTP_AUTH_REFUSED;
        } else if (p->need_cert && leg.cert == NULL) {
            snprintf(err, errlen,
                     "cannot read the TLS certificate of %s for NTLM channel "
                     "binding",
                     p->peer);
            reason = REASON_INTERNAL;
        } else {
            reason = ntlm_http_step(n, leg.offers, leg.cert, leg.cert_len, &authz, err, errlen);
        }
    }
    free(authz);
    ntlm_http_free(n);
    return reason;
}

static void
ntlm_http_free(struct ntlm_http *n)
{
    if (n == NULL)
        return;
    ntlm_client_free(n->client);
    free(n->identity);
    free(n->user);
    free(n->domain);
    free(n->spn);
    free(n->peer);
    free(n->workstation);
    free(n);
}
