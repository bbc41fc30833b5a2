/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * token_cmd.h - what the `crauth token` verbs share: one-line errors,
 * the tokens path (--tokens, else the configuration's), running as the
 * file's owner, and reading a key file.
 */
#ifndef CRAUTH_TOKEN_CMD_H
#define CRAUTH_TOKEN_CMD_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

/* exit statuses */
#define TOKEN_EXIT_FAILED 1
#define TOKEN_EXIT_USAGE 2

/* How long an edit waits for the helper's lock (the helper's own bound). */
#define TOKEN_LOCK_TIMEOUT_MS 5000

/* "crauth token: ..." on stderr, control characters as '?'; returns @status. */
int token_fail(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A note for the admin on stderr (never on stdout, which scripts read). */
void token_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The tokens file: @tokens_opt, else [local] tokens of @conf_opt (or the
 * default configuration).  Then, when root, become the file's owner if that
 * is _crauth (or its directory's, for a file not made yet), so the file and
 * its lock keep the helper's owner; a root-owned file is edited as root.
 * 0, or an exit status after printing why. */
int token_resolve(const char *tokens_opt, const char *conf_opt, char *path, size_t size);

/* A USER the tokens file can hold: 1..256 bytes, no blank or control
 * character, not starting with '#'. */
bool token_user_ok(const char *user);

/* "123" into 1..@max.  false when it is not such a number. */
bool token_parse_uint(const char *text, unsigned long max, unsigned long *out);

int cmd_token_add(int argc, char **argv);
int cmd_token_resync(int argc, char **argv);

#endif
