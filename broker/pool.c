/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pool.c - idle handles per configuration file (pool.h).
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "broker/pool.h"
#include "lib/common/log.h"
#include "lib/common/reason.h"

/* What a file was when its handle was made. */
struct file_id {
    bool present;
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime, ctime;
};

/* The files a handle was made from, besides the configuration: what the
 * TLS layer loaded (a session resumed on a replaced CA file would skip the
 * new trust) and the secrets file. */
enum { F_SECRETS, F_CA, F_CERT, F_KEY, F_PIN, N_FILES };

struct pool_entry {
    char *conf; /* the path the helper named */
    struct file_id conf_id, file_id[N_FILES];
    struct crauth_config *cfg;
    struct http *http;
    time_t made, idle_since;
    bool reused; /* taken from the idle list, not made for this call */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct pool_entry *idle[POOL_MAX_IDLE];
static size_t n_idle;

static struct file_id
file_id_of(const char *path)
{
    struct file_id id = {0};
    struct stat st;

    if (path != NULL && stat(path, &st) == 0) {
        id.present = true;
        id.dev = st.st_dev;
        id.ino = st.st_ino;
        id.size = st.st_size;
        id.mtime = st.st_mtim;
        id.ctime = st.st_ctim;
    }
    return id;
}

static bool
same_file(const struct file_id *a, const struct file_id *b)
{
    return a->present == b->present && a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
           a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec &&
           a->ctime.tv_sec == b->ctime.tv_sec && a->ctime.tv_nsec == b->ctime.tv_nsec;
}

static void
entry_free(struct pool_entry *e)
{
    if (e == NULL)
        return;
    http_free(e->http);
    config_free(e->cfg);
    free(e->conf);
    free(e);
}

static const char *
file_path(const struct crauth_config *cfg, int i)
{
    switch (i) {
    case F_SECRETS:
        return cfg->secrets_path;
    case F_CA:
        return cfg->ca_file;
    case F_CERT:
        return cfg->client_cert;
    case F_KEY:
        return cfg->client_key;
    default:
        /* pinned_pubkey is a file when it is a path, else sha256// hashes */
        return cfg->pinned_pubkey != NULL && cfg->pinned_pubkey[0] == '/' ? cfg->pinned_pubkey
                                                                          : NULL;
    }
}

/* Is @e too old, or idle too long, at @now? */
static bool
expired(const struct pool_entry *e, time_t now)
{
    return now < e->idle_since || now - e->idle_since > POOL_IDLE_S ||
           now - e->made > POOL_MAX_AGE_S;
}

/* Does @e still stand for the files at @conf, and is its connection, if
 * it keeps one, silent? */
static bool
still_fits(struct pool_entry *e, const char *conf, const struct file_id *conf_id, time_t now)
{
    if (strcmp(e->conf, conf) != 0 || !same_file(&e->conf_id, conf_id) || expired(e, now))
        return false;
    for (int i = 0; i < N_FILES; i++) {
        struct file_id id = file_id_of(file_path(e->cfg, i));

        if (!same_file(&e->file_id[i], &id))
            return false;
    }
    return http_connection_clean(e->http);
}

int
pool_take(const char *conf, struct pool_entry **out, char *err, size_t errlen)
{
    struct file_id id = file_id_of(conf);
    time_t now = time(NULL);
    struct pool_entry *e = NULL, *stale[POOL_MAX_IDLE];
    size_t n_stale = 0;

    *out = NULL;
    pthread_mutex_lock(&lock);
    for (size_t i = n_idle; i-- > 0;) {
        struct pool_entry *x = idle[i];
        bool same = strcmp(x->conf, conf) == 0;

        if (same && e == NULL && still_fits(x, conf, &id, now)) {
            e = x;
            idle[i] = idle[--n_idle];
        } else if ((same && e == NULL) || expired(x, now)) {
            /* one of this file's that no longer fits, or anyone's too old */
            stale[n_stale++] = x;
            idle[i] = idle[--n_idle];
        }
    }
    pthread_mutex_unlock(&lock);
    /* closing connections is done outside the lock */
    for (size_t i = 0; i < n_stale; i++)
        entry_free(stale[i]);
    if (e != NULL) {
        e->reused = true;
        *out = e;
        return REASON_OK;
    }
    return pool_take_new(conf, out, err, errlen);
}

int
pool_take_new(const char *conf, struct pool_entry **out, char *err, size_t errlen)
{
    struct file_id id = file_id_of(conf);
    struct pool_entry *e;
    int reason;

    *out = NULL;
    if ((e = calloc(1, sizeof(*e))) == NULL || (e->conf = strdup(conf)) == NULL) {
        free(e);
        snprintf(err, errlen, "out of memory");
        return REASON_INTERNAL;
    }
    /* the identity is taken before the read: a file edited in between is
     * read again by the next call */
    e->conf_id = id;
    if ((reason = config_load(conf, true, &e->cfg, err, errlen)) != REASON_OK) {
        entry_free(e);
        return reason;
    }
    for (int i = 0; i < N_FILES; i++)
        e->file_id[i] = file_id_of(file_path(e->cfg, i));
    e->made = time(NULL);
    if ((e->http = http_new(e->cfg)) == NULL) {
        entry_free(e);
        snprintf(err, errlen, "libcurl could not be initialised");
        return REASON_INTERNAL;
    }
    *out = e;
    return REASON_OK;
}

void
pool_give(struct pool_entry *e, int keep)
{
    if (e == NULL)
        return;
    e->idle_since = time(NULL);
    /* bytes or an end after the reply, before any next request: a reply
     * sent twice or late would answer the next login */
    if (keep && !http_connection_clean(e->http)) {
        log_debug("%s: the server sent more after its reply, or closed: its connection goes",
                  e->conf);
        keep = 0;
    }
    pthread_mutex_lock(&lock);
    if (keep && n_idle < POOL_MAX_IDLE) {
        idle[n_idle++] = e;
        e = NULL;
    }
    pthread_mutex_unlock(&lock);
    entry_free(e);
}

bool
pool_reused(const struct pool_entry *e)
{
    return e->reused;
}

const struct crauth_config *
pool_config(const struct pool_entry *e)
{
    return e->cfg;
}

struct http *
pool_http(const struct pool_entry *e)
{
    return e->http;
}

void
pool_expire(void)
{
    time_t now = time(NULL);
    struct pool_entry *stale[POOL_MAX_IDLE];
    size_t n_stale = 0;

    pthread_mutex_lock(&lock);
    for (size_t i = n_idle; i-- > 0;)
        if (expired(idle[i], now)) {
            stale[n_stale++] = idle[i];
            idle[i] = idle[--n_idle];
        }
    pthread_mutex_unlock(&lock);
    for (size_t i = 0; i < n_stale; i++)
        entry_free(stale[i]);
}

void
pool_clear(void)
{
    pthread_mutex_lock(&lock);
    while (n_idle > 0)
        entry_free(idle[--n_idle]);
    pthread_mutex_unlock(&lock);
}
