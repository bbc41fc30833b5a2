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
#include "lib/common/reason.h"

/* What a file was when its handle was made. */
struct file_id {
    bool present;
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime, ctime;
};

struct pool_entry {
    char *conf; /* the path the helper named */
    struct file_id conf_id, secrets_id;
    struct crauth_config *cfg;
    struct http *http;
    time_t idle_since;
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

/* Does @e still stand for the files at @conf? */
static bool
still_fits(const struct pool_entry *e, const char *conf, const struct file_id *conf_id, time_t now)
{
    struct file_id sid;

    if (strcmp(e->conf, conf) != 0 || !same_file(&e->conf_id, conf_id) ||
        now - e->idle_since > POOL_IDLE_S || now < e->idle_since)
        return false;
    sid = file_id_of(e->cfg->secrets_path);
    return same_file(&e->secrets_id, &sid);
}

int
pool_take(const char *conf, struct pool_entry **out, char *err, size_t errlen)
{
    struct file_id id = file_id_of(conf);
    time_t now = time(NULL);
    struct pool_entry *e = NULL, *stale[POOL_MAX_IDLE];
    size_t n_stale = 0;
    int reason;

    *out = NULL;
    pthread_mutex_lock(&lock);
    for (size_t i = n_idle; i-- > 0;) {
        if (still_fits(idle[i], conf, &id, now)) {
            if (e == NULL) {
                e = idle[i];
                idle[i] = idle[--n_idle];
            }
        } else if (strcmp(idle[i]->conf, conf) == 0 || now - idle[i]->idle_since > POOL_IDLE_S) {
            stale[n_stale++] = idle[i];
            idle[i] = idle[--n_idle];
        }
    }
    pthread_mutex_unlock(&lock);
    /* closing connections is done outside the lock */
    for (size_t i = 0; i < n_stale; i++)
        entry_free(stale[i]);
    if (e != NULL) {
        *out = e;
        return REASON_OK;
    }
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
    e->secrets_id = file_id_of(e->cfg->secrets_path);
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
    pthread_mutex_lock(&lock);
    if (keep && n_idle < POOL_MAX_IDLE) {
        idle[n_idle++] = e;
        e = NULL;
    }
    pthread_mutex_unlock(&lock);
    entry_free(e);
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
pool_clear(void)
{
    pthread_mutex_lock(&lock);
    while (n_idle > 0)
        entry_free(idle[--n_idle]);
    pthread_mutex_unlock(&lock);
}
