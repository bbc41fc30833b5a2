/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * log.h - log lines from the helper and the CLI.
 *
 * Lines go to a sink: syslog (LOG_AUTHPRIV) by default.  The helper points
 * the sink at the module, which writes them with pam_syslog under the PAM
 * application's name, so an admin finds every line of an attempt in one
 * place.  Never pass a secret to these functions, at any level.
 */
#ifndef CRAUTH_LOG_H
#define CRAUTH_LOG_H

#include <stdbool.h>
#include <syslog.h>

typedef void (*log_sink_fn)(int priority, const char *line, void *arg);

void log_init(const char *ident, bool debug);
void log_set_sink(log_sink_fn sink, void *arg); /* NULL: back to syslog */
bool log_debug_enabled(void);

/* Lines at @max_priority or more severe also go straight to syslog, not
 * only to the sink: a helper serving an untrusted caller logs its own
 * refusals and warnings, as unix_chkpwd does (-1: off). */
void log_set_mirror(int max_priority);

/* While deferred (calls nest), lines for the sink are queued and handed
 * over when the last log_defer_end runs: code that holds a lock others
 * wait for never blocks on the sink (a caller that stops reading the
 * helper's pipe).  Lines beyond the queue go to syslog. */
void log_defer_begin(void);
void log_defer_end(void);

/* Straight to syslog, never to the sink: for what the caller must not
 * learn (a matching code whose new state could not be stored). */
void log_direct(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void log_msg(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_debug(...)                                                                             \
    do {                                                                                           \
        if (log_debug_enabled())                                                                   \
            log_msg(LOG_DEBUG, __VA_ARGS__);                                                       \
    } while (0)

/* Copy @in to @out replacing control characters (C0, DEL, C1) with '?', so
 * text from a server or a file cannot forge log lines or drive a terminal. */
void log_sanitize(const char *in, char *out, unsigned long outsize);

/* The same, keeping line feeds: for text shown to the user, where a
 * challenge may span lines (a CMS envelope in PEM). */
void log_sanitize_lines(const char *in, char *out, unsigned long outsize);

#endif
