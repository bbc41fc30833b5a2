/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pool.h - the broker's open connections: per configuration file, idle
 * libcurl handles (each with its own copy of the configuration), so that
 * the next call to a server goes over a connection that is already open,
 * TLS done and NTLM authenticated.
 *
 * A handle is taken for one call and given back after it.  It is kept only
 * while the configuration, its secrets file and the TLS files it names
 * (ca_file, client_cert, client_key, a pinned_pubkey file) are the files it was made from
 * (device, inode, size, modification and change times), for at most
 * POOL_IDLE_S idle and POOL_MAX_AGE_S in all, POOL_MAX_IDLE handles in
 * all, and only while its connection is silent between calls: a byte or
 * an end the server sent after its reply (a reply sent twice, a late one)
 * would otherwise be read as the answer to the next login's request.  An
 * edited configuration takes effect with the next call.
 */
#ifndef CRAUTH_BROKER_POOL_H
#define CRAUTH_BROKER_POOL_H

#include "lib/tier_helper_side.h"

#include <stdbool.h>
#include <stddef.h>

#include "lib/core/conf.h"
#include "lib/remote/http.h"

#define POOL_IDLE_S 30
#define POOL_MAX_AGE_S 300
#define POOL_MAX_IDLE 32

struct pool_entry;

/* A handle for the configuration file @conf: an idle one that still fits,
 * or a new one (the file read as the helper reads it, config_load).
 * REASON_OK with *out, or the reason with @err. */
int pool_take(const char *conf, struct pool_entry **out, char *err, size_t errlen);

/* A new handle for @conf, whatever is idle: for a call retried after a
 * kept connection failed. */
int pool_take_new(const char *conf, struct pool_entry **out, char *err, size_t errlen);

/* After a call: kept for the next one (when @keep and its connection is
 * silent), or freed. */
void pool_give(struct pool_entry *e, int keep);

/* Was @e taken from the idle handles (its connection made for an earlier
 * call)? */
bool pool_reused(const struct pool_entry *e);

const struct crauth_config *pool_config(const struct pool_entry *e);
struct http *pool_http(const struct pool_entry *e);

/* Free the idle handles that are too old (the listener's idle moments). */
void pool_expire(void);

/* Free every idle handle (at exit). */
void pool_clear(void);

#endif
