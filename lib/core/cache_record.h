/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cache_record.h - the text form of one cache file.
 *
 *   crauth-cache 1
 *   type challenge
 *   user 616c696365
 *   created 1700000000
 *   ...
 *
 * One "name value" per line: text values in hex (so no byte of a user name
 * or a server's challenge can change the layout), numbers in decimal.  The
 * parser is strict: the header first, every field of the type exactly once,
 * nothing else, a size cap.  A file that does not parse is discarded, never
 * half-trusted.
 */
#ifndef CRAUTH_CACHE_RECORD_H
#define CRAUTH_CACHE_RECORD_H

#include "lib/tier_helper_side.h"

#include <stddef.h>
#include <stdint.h>

#define CACHE_MAX_FILE 8192
#define CACHE_TEXT 257     /* longest text field + NUL */
#define CACHE_KEY 513      /* a challenge key or RADIUS State (in hex) + NUL */
#define CACHE_MESSAGE 1025 /* a server's challenge message + NUL */

enum cache_type { CACHE_CHALLENGE = 1, CACHE_USER, CACHE_SERVER };

struct cache_record {
    enum cache_type type;
    /* CACHE_CHALLENGE: an outstanding server challenge */
    char user[CACHE_TEXT];
    char service[CACHE_TEXT];
    char rhost[CACHE_TEXT];
    char tty[CACHE_TEXT];
    char server[CACHE_TEXT];     /* the issuing server's url */
    char text[CACHE_TEXT];       /* the challenge as shown */
    char key[CACHE_KEY];         /* CHALLENGE_KEY or State: never shown, never logged */
    char message[CACHE_MESSAGE]; /* CREDFLD_CHALLENGE_MESSAGE, Reply-Message */
    int64_t created;             /* unix time */
    int64_t expires;             /* unix time */
    /* CACHE_USER: recent failures (user) */
    uint32_t failures;
    int64_t window_start;
    int64_t window; /* its length (s), for cache_prune; 0 in records of earlier versions */
    /* CACHE_SERVER: a server that failed to connect (server) */
    int64_t down_since;
};

/* Serialise @r into @buf.  Returns the length, or -1 if it does not fit or
 * a text field holds a control character (the parser would refuse it). */
int cache_record_format(const struct cache_record *r, char *buf, size_t size);

/* Parse @len bytes.  0 ok; -1 with one line in @err. */
int cache_record_parse(const char *buf, size_t len, struct cache_record *r, char *err,
                       size_t errlen);

#endif
