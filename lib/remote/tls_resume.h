/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tls_resume.h - TLS 1.3 sessions that outlive one helper process.
 *
 * Every login is a new helper process, so libcurl's own session cache
 * (one process) never offers a session to the next login: each login made
 * a full handshake, the server signing and the helper checking the chain.
 * With [server] tls_resume = yes (crauth.conf(5)) the newest session ticket
 * a server sent (RFC 8446 4.6.1) is kept in the cache directory, one record
 * per url, and the next helper offers it (RFC 8446 2.2).  What keeps this
 * from weakening the check of the server:
 *  - TLS 1.3 only, whose resumption still runs an (EC)DHE exchange
 *    (psk_dhe_ke, what OpenSSL's client offers): a stolen record does not
 *    decrypt a recorded login;
 *  - a session is offered only to the url that issued it, and only while
 *    what verified it is unchanged: the record carries a binding, a
 *    SHA-256 of the url, ca_file (path and inode, size, times),
 *    pinned_pubkey, client_cert and client_key; a changed CA file or pin
 *    means a full handshake;
 *  - never past the ticket's lifetime, and never TLS_RESUME_MAX_AGE after
 *    the full handshake that verified the server: a resumed connection
 *    carries that verification forward (RFC 8446 2.2), and so do the
 *    tickets it brings, so the record keeps the full handshake's time;
 *  - a server that cannot or will not resume (new ticket keys, an impostor
 *    without them) gets a full handshake with every check, as always;
 *    libcurl checks the host name and pin on a resumed connection too;
 *  - `crauth check` never resumes: it makes its own, full handshake.
 * A record that does not parse, names another url or holds no usable
 * session is ignored (and, if corrupt, removed): the login goes on with a
 * full handshake.
 */
#ifndef CRAUTH_TLS_RESUME_H
#define CRAUTH_TLS_RESUME_H

#include "lib/tier_helper_side.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/core/cache.h"
#include "lib/core/conf.h"

/* The longest a stored session is offered, whatever lifetime the server
 * gives its tickets (RFC 8446 4.6.1 allows 7 days). */
#define TLS_RESUME_MAX_AGE 3600

struct tls_resume;

/* Sessions for @cfg's servers kept in @cache (both outlive the result). */
struct tls_resume *tls_resume_new(const struct crauth_config *cfg, struct cache *cache);
void tls_resume_free(struct tls_resume *r);

/* Make @curl's TLS connections offer and keep sessions.  false when
 * libcurl's TLS is not OpenSSL: then nothing changes. */
bool tls_resume_attach(struct tls_resume *r, CURL *curl);

/* The transfer about to run goes to @url (one of cfg->urls). */
void tls_resume_target(struct tls_resume *r, const char *url);

/* A transfer ended: store the newest session it received (a ticket is
 * offered once where it can be, RFC 8446 C.4), with the time of the full
 * handshake that verified the server. */
void tls_resume_store(struct tls_resume *r);

/* May a session made at @created, with lifetime @lifetime (s), be offered
 * at @now?  Not when the clock says it is from the future. */
bool tls_resume_fresh(int64_t created, int64_t lifetime, int64_t now);

#endif
