/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cli.c - the CLI's shared manners (cli.h).
 */
#include "tools/cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/common/log.h"

bool
cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return false;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return true;
    }
    return false;
}

void
cli_line_v(const char *prefix, const char *fmt, va_list ap, const char *tail)
{
    char msg[1024], clean[1024];

    if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0)
        msg[0] = '\0';
    log_sanitize(msg, clean, sizeof(clean));
    fprintf(stderr, "%s%s%s\n", prefix, clean, tail);
}

static void
print_line(const char *verb, const char *fmt, va_list ap, const char *tail)
{
    char prefix[64];

    snprintf(prefix, sizeof(prefix), "crauth %s: ", verb);
    cli_line_v(prefix, fmt, ap, tail);
}

int
cli_error(const char *verb, int status, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    print_line(verb, fmt, ap, "");
    va_end(ap);
    return status;
}

int
cli_usage_error(const char *verb, const char *fmt, ...)
{
    char tail[96];
    va_list ap;

    snprintf(tail, sizeof(tail), "; see `crauth %s --help`", verb);
    va_start(ap, fmt);
    print_line(verb, fmt, ap, tail);
    va_end(ap);
    return CLI_USAGE;
}

int
cli_option_error(const char *verb, int c, int argc, char **argv)
{
    const char *opt = optind >= 1 && optind - 1 < argc ? argv[optind - 1] : "?";

    if (c == ':')
        return cli_usage_error(verb, "option %s needs a value", opt);
    return cli_usage_error(verb, "unknown option %s", opt);
}
