/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tls_resume.c - TLS 1.3 sessions kept in the cache directory (why, and
 * what keeps it safe: tls_resume.h).
 *
 * libcurl makes a new SSL_CTX for each connection and hands it to
 * CURLOPT_SSL_CTX_FUNCTION before it makes the SSL object; there we add two
 * OpenSSL callbacks: the info callback, at the start of the handshake,
 * offers the stored session (SSL_set_session: the ClientHello is not built
 * yet), and the new-session callback copies each ticket the server sends
 * (they arrive after the handshake, while the reply is read) before handing
 * it on to libcurl's own callback.  The record is written after the
 * transfer, never inside OpenSSL.
 */
#include "lib/remote/tls_resume.h"

#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>

#include "lib/common/hex.h"
#include "lib/common/log.h"
#include "lib/common/reason.h"
#include "lib/common/secmem.h"
#include "lib/core/cache_record.h"
#include "lib/core/digest.h"

struct tls_resume {
    const struct crauth_config *cfg;
    struct cache *cache;
    CURL *curl;
    const char *url; /* the transfer's server */
    char binding[CACHE_BINDING];
    bool offered;            /* a stored session went into this connection's ClientHello */
    int64_t offered_created; /* the full handshake its chain of resumptions began with */
    bool reused;             /* the server took it */
    uint8_t *fresh;          /* DER of the newest ticket received, NULL if none */
    size_t fresh_len;
    int (*next_new_session)(SSL *, SSL_SESSION *); /* libcurl's */
    void (*next_info)(const SSL *, int, int);
};

static int ex_index = -1;

bool
tls_resume_fresh(int64_t created, int64_t lifetime, int64_t now)
{
    int64_t limit = lifetime < TLS_RESUME_MAX_AGE ? lifetime : TLS_RESUME_MAX_AGE;

    /* no subtraction that a hostile record's time could overflow */
    return limit > 0 && created <= now && created > now - limit;
}

/* What libcurl verifies a server with, for @path: the name, and the
 * file's identity, so that a replaced or edited file changes it. */
static void
file_identity(const char *path, char *out, size_t size)
{
    struct stat st;

    if (path == NULL || stat(path, &st) != 0)
        snprintf(out, size, "-");
    else
        snprintf(out, size, "%llu:%llu:%lld:%lld.%09ld:%lld.%09ld", (unsigned long long)st.st_dev,
                 (unsigned long long)st.st_ino, (long long)st.st_size, (long long)st.st_mtim.tv_sec,
                 st.st_mtim.tv_nsec, (long long)st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
}

/* binding = hex SHA-256 of everything that decided whether this server was
 * trusted (tls_resume.h). */
static void
compute_binding(struct tls_resume *r)
{
    const struct crauth_config *c = r->cfg;
    const char *ca_file = c->ca_file, *ca_path = NULL;
    char ids[4][160];
    uint8_t md[DIGEST_MAX];
    struct iovec iov[9];
    const char *parts[9];
    size_t n = 0;

    /* no ca_file: libcurl's built-in CA bundle and directory */
    if (ca_file == NULL) {
        curl_easy_getinfo(r->curl, CURLINFO_CAINFO, &ca_file);
        curl_easy_getinfo(r->curl, CURLINFO_CAPATH, &ca_path);
    }
    file_identity(ca_file, ids[0], sizeof(ids[0]));
    file_identity(ca_path, ids[1], sizeof(ids[1]));
    file_identity(c->client_cert, ids[2], sizeof(ids[2]));
    file_identity(c->client_key, ids[3], sizeof(ids[3]));
    parts[n++] = r->url;
    parts[n++] = ca_file;
    parts[n++] = ids[0];
    parts[n++] = ca_path;
    parts[n++] = ids[1];
    parts[n++] = c->pinned_pubkey;
    parts[n++] = ids[2];
    parts[n++] = ids[3];
    parts[n++] = c->client_key;
    for (size_t i = 0; i < n; i++) {
        iov[i].iov_base = (void *)(parts[i] != NULL ? parts[i] : "");
        iov[i].iov_len = strlen(iov[i].iov_base) + 1; /* the NUL keeps the parts apart */
    }
    if (!digest_hash(DIGEST_SHA256, iov, n, md) ||
        hex_encode(md, digest_size(DIGEST_SHA256), r->binding, sizeof(r->binding)) != 0)
        r->binding[0] = '\0';
}

static struct tls_resume *
owner_of(const SSL *ssl)
{
    return ex_index < 0 ? NULL : SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ex_index);
}

/* The stored session for r->url, if it may be offered: NULL otherwise.
 * *created: when the server was last verified in full. */
static SSL_SESSION *
load_session(struct tls_resume *r, int64_t *created)
{
    struct cache_record *rec = calloc(1, sizeof(*rec));
    SSL_SESSION *sess = NULL;
    const unsigned char *p;
    bool found = false;

    if (rec == NULL || r->binding[0] == '\0')
        goto out;
    cache_get_tls(r->cache, r->url, rec, &found);
    /* a resumed connection carries the first one's verification forward
     * (RFC 8446 2.2), so its tickets are no younger than that: the chain
     * ends TLS_RESUME_MAX_AGE after the full handshake */
    if (!found || strcmp(rec->binding, r->binding) != 0 ||
        !tls_resume_fresh(rec->created, TLS_RESUME_MAX_AGE, time(NULL)))
        goto out;
    *created = rec->created;
    p = rec->session;
    sess = d2i_SSL_SESSION(NULL, &p, (long)rec->session_len);
    if (sess != NULL && (p != rec->session + rec->session_len ||
                         SSL_SESSION_get_protocol_version(sess) != TLS1_3_VERSION ||
                         !SSL_SESSION_is_resumable(sess) ||
                         !tls_resume_fresh(SSL_SESSION_get_time(sess),
                                           SSL_SESSION_get_timeout(sess), time(NULL)))) {
        SSL_SESSION_free(sess);
        sess = NULL;
    }
out:
    if (rec != NULL)
        secmem_free(rec, sizeof(*rec));
    return sess;
}

static void
on_info(const SSL *ssl, int where, int ret)
{
    struct tls_resume *r = owner_of(ssl);

    if (r != NULL && r->next_info != NULL)
        r->next_info(ssl, where, ret);
    if (r == NULL || r->url == NULL)
        return;
    /* libcurl's own cache (a second connection in this process) goes first */
    if ((where & SSL_CB_HANDSHAKE_START) && SSL_get0_session(ssl) == NULL && !r->offered) {
        int64_t created = 0;
        SSL_SESSION *sess = load_session(r, &created);

        /* the SSL is libcurl's and not const; OpenSSL's callback type is */
        if (sess != NULL && SSL_set_session((SSL *)ssl, sess) == 1) {
            r->offered = true;
            r->offered_created = created;
        }
        SSL_SESSION_free(sess);
    }
    if (where & SSL_CB_HANDSHAKE_DONE)
        r->reused = SSL_session_reused(ssl) == 1;
}

static int
on_new_session(SSL *ssl, SSL_SESSION *sess)
{
    struct tls_resume *r = owner_of(ssl);
    int len;

    if (r != NULL && SSL_SESSION_get_protocol_version(sess) == TLS1_3_VERSION &&
        SSL_SESSION_is_resumable(sess) && (len = i2d_SSL_SESSION(sess, NULL)) > 0 &&
        len <= CACHE_TLS_SESSION) {
        uint8_t *der = malloc((size_t)len), *p = der;

        if (der != NULL && i2d_SSL_SESSION(sess, &p) == len) {
            if (r->fresh != NULL)
                secmem_free(r->fresh, r->fresh_len);
            r->fresh = der;
            r->fresh_len = (size_t)len;
        } else {
            free(der);
        }
    }
    /* libcurl's callback decides who keeps the reference */
    return r != NULL && r->next_new_session != NULL ? r->next_new_session(ssl, sess) : 0;
}

static CURLcode
on_ssl_ctx(CURL *curl, void *ssl_ctx, void *arg)
{
    struct tls_resume *r = arg;
    SSL_CTX *ctx = ssl_ctx;

    (void)curl;
    if (ex_index < 0 && (ex_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL)) < 0)
        return CURLE_OK; /* no resumption, the connection goes on */
    if (SSL_CTX_set_ex_data(ctx, ex_index, r) != 1)
        return CURLE_OK;
    r->next_new_session = SSL_CTX_sess_get_new_cb(ctx);
    r->next_info = SSL_CTX_get_info_callback(ctx);
    /* a client's new-session callback runs only with client caching on */
    SSL_CTX_set_session_cache_mode(ctx, SSL_CTX_get_session_cache_mode(ctx) |
                                            SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL);
    SSL_CTX_sess_set_new_cb(ctx, on_new_session);
    SSL_CTX_set_info_callback(ctx, on_info);
    return CURLE_OK;
}

struct tls_resume *
tls_resume_new(const struct crauth_config *cfg, struct cache *cache)
{
    struct tls_resume *r = calloc(1, sizeof(*r));

    if (r != NULL) {
        r->cfg = cfg;
        r->cache = cache;
    }
    return r;
}

void
tls_resume_free(struct tls_resume *r)
{
    if (r == NULL)
        return;
    if (r->fresh != NULL)
        secmem_free(r->fresh, r->fresh_len);
    free(r);
}

bool
tls_resume_attach(struct tls_resume *r, CURL *curl)
{
    r->curl = curl;
    return curl_easy_setopt(curl, CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx) == CURLE_OK &&
           curl_easy_setopt(curl, CURLOPT_SSL_CTX_DATA, r) == CURLE_OK;
}

void
tls_resume_target(struct tls_resume *r, const char *url)
{
    if (r->url == NULL || strcmp(r->url, url) != 0) {
        r->url = url;
        r->offered = r->reused = false;
        compute_binding(r);
    }
}

void
tls_resume_store(struct tls_resume *r)
{
    struct cache_record *rec;
    char err[256];

    if (r->fresh == NULL || r->url == NULL || r->binding[0] == '\0')
        return;
    if (strlen(r->url) < sizeof(rec->server) && (rec = calloc(1, sizeof(*rec))) != NULL) {
        rec->type = CACHE_TLS;
        rec->created = r->offered && r->reused ? r->offered_created : time(NULL);
        snprintf(rec->server, sizeof(rec->server), "%s", r->url);
        snprintf(rec->binding, sizeof(rec->binding), "%s", r->binding);
        memcpy(rec->session, r->fresh, r->fresh_len);
        rec->session_len = r->fresh_len;
        if (cache_put_tls(r->cache, rec, err, sizeof(err)) != REASON_OK)
            log_msg(LOG_WARNING, "TLS session for %s not kept: %s", r->url, err);
        secmem_free(rec, sizeof(*rec));
    }
    secmem_free(r->fresh, r->fresh_len);
    r->fresh = NULL;
}
