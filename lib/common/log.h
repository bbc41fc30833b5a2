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

void log_msg(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_debug(...)                                                                         \
    do {                                                                                       \
        if (log_debug_enabled())                                                               \
            log_msg(LOG_DEBUG, __VA_ARGS__);                                                   \
    } while (0)

/* Copy @in to @out replacing control characters (C0, DEL, C1) with '?', so
 * text from a server or a file cannot forge log lines or drive a terminal. */
void log_sanitize(const char *in, char *out, unsigned long outsize);

#endif
