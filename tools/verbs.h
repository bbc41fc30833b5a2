/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * verbs.h - the CLI's verbs other than the soft tokens (softtoken.h).
 * Each takes argv[0] = the verb, returns the process exit status.
 */
#ifndef CRAUTH_VERBS_H
#define CRAUTH_VERBS_H

int cmd_cache(int argc, char **argv);
int cmd_check(int argc, char **argv);
/* tools/cms_respond.c: answer a key-possession challenge (x509 token) */
int cmd_cms_respond(int argc, char **argv);
int cmd_token(int argc, char **argv); /* tools/token_cmd.c */

#endif
