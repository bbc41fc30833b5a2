/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cli.h - the manners every verb of the crauth CLI shares (crauth(1)):
 * --help before any other parsing, one error line "crauth VERB: ..." on
 * standard error (control characters shown as '?'), and the exit status: 0 success, 1 the work failed, 2 a
 * command line the verb cannot use.
 */
#ifndef CRAUTH_TOOLS_CLI_H
#define CRAUTH_TOOLS_CLI_H

#include <stdarg.h>
#include <stdbool.h>

#define CLI_FAILED 1 /* the work failed */
#define CLI_USAGE 2  /* a command line the verb cannot use */

/* Is --help or -h among @argv[1..] (before a "--")?  Checked before the
 * options are parsed, so help works whatever else the line holds
 * (`crauth check --helper --help`). */
bool cli_wants_help(int argc, char **argv);

/* One line "crauth VERB: TEXT" on stderr (control characters and broken
 * UTF-8 shown as '?'); returns @status. */
int cli_error(const char *verb, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* @prefix, the formatted text, then @tail, as one line on stderr.  The text
 * has control characters and broken UTF-8 made '?' (log_sanitize), so echoed
 * input keeps the message on one line and cannot drive the terminal. */
void cli_line_v(const char *prefix, const char *fmt, va_list ap, const char *tail)
    __attribute__((format(printf, 2, 0)));

/* cli_error(verb, CLI_USAGE, "TEXT; see `crauth VERB --help`"). */
int cli_usage_error(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* What getopt_long (optstring starting with ':', opterr 0) returned as @c
 * for an option it could not use: '?' unknown, ':' without its value.
 * One usage line naming the option; returns CLI_USAGE. */
int cli_option_error(const char *verb, int c, int argc, char **argv);

#endif
