/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * log.c - the log sink switch and text sanitising.
 */
#include "lib/common/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/common/utf8.h"

#define LOG_LINE 1024
#define DEFER_MAX 16

static bool debug_on;
static log_sink_fn current_sink;
static void *current_arg;
static int mirror_priority = -1;
static int defer_depth;
static unsigned deferred_n;
static struct {
    int priority;
    char line[LOG_LINE];
} deferred[DEFER_MAX];

void
log_init(const char *ident, bool debug)
{
    openlog(ident, LOG_PID, LOG_AUTHPRIV);
    debug_on = debug;
}

void
log_set_sink(log_sink_fn sink, void *arg)
{
    current_sink = sink;
    current_arg = arg;
}

bool
log_debug_enabled(void)
{
    return debug_on;
}

void
log_set_mirror(int max_priority)
{
    mirror_priority = max_priority;
}

void
log_defer_begin(void)
{
    defer_depth++;
}

void
log_defer_end(void)
{
    if (defer_depth > 0 && --defer_depth > 0)
        return;
    for (unsigned i = 0; i < deferred_n; i++) {
        if (current_sink != NULL)
            current_sink(deferred[i].priority, deferred[i].line, current_arg);
        else
            syslog(LOG_AUTHPRIV | deferred[i].priority, "%s", deferred[i].line);
    }
    deferred_n = 0;
}

void
log_msg(int priority, const char *fmt, ...)
{
    char line[LOG_LINE];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (current_sink == NULL) {
        syslog(LOG_AUTHPRIV | priority, "%s", line);
        return;
    }
    if (priority <= mirror_priority)
        syslog(LOG_AUTHPRIV | priority, "%s", line);
    if (defer_depth == 0) {
        current_sink(priority, line, current_arg);
    } else if (deferred_n < DEFER_MAX) {
        deferred[deferred_n].priority = priority;
        memcpy(deferred[deferred_n].line, line, sizeof(line));
        deferred_n++;
    } else if (priority > mirror_priority) {
        syslog(LOG_AUTHPRIV | priority, "%s", line);
    }
}

void
log_direct(int priority, const char *fmt, ...)
{
    char line[LOG_LINE];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    syslog(LOG_AUTHPRIV | priority, "%s", line);
}

static void
sanitize(const char *in, char *out, unsigned long outsize, bool lines)
{
    size_t len = strlen(in), i = 0;
    unsigned long o = 0;

    if (outsize == 0)
        return;
    while (i < len) {
        uint32_t cp = 0;
        size_t n = utf8_next(in + i, len - i, &cp);

        if (n == 0 || (utf8_is_control(cp) && !(lines && cp == '\n'))) {
            /* control characters (C0, DEL, C1 such as the 8-bit CSI) and
             * broken UTF-8 become '?' so the output is always valid text */
            if (o + 1 >= outsize)
                break;
            out[o++] = '?';
            i += n > 0 ? n : 1;
            continue;
        }
        if (o + n >= outsize)
            break;
        memcpy(out + o, in + i, n);
        o += n;
        i += n;
    }
    out[o] = '\0';
}

void
log_sanitize(const char *in, char *out, unsigned long outsize)
{
    sanitize(in, out, outsize, false);
}

void
log_sanitize_lines(const char *in, char *out, unsigned long outsize)
{
    sanitize(in, out, outsize, true);
}
