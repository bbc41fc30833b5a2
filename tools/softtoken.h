/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * softtoken.h - the soft-token verbs of the crauth CLI: "hotp", "totp" and
 * "ocra" compute the code a hardware token would show, from a hex key given
 * on the command line or (better, since argv is visible to other users) in a
 * file.  tools/crauth.c dispatches to these; each takes the verb's own
 * argc/argv (argv[0] is the verb name), prints the code on stdout, and
 * returns the process exit status: 0 on success, else after one
 * "crauth <verb>: ..." line on stderr 2 for a command line it cannot use
 * (an option missing, unknown, repeated or out of range) and 1 when the
 * work failed (a key file, the output).  --help is handled first.
 */
#ifndef CRAUTH_SOFTTOKEN_H
#define CRAUTH_SOFTTOKEN_H

int cmd_hotp(int argc, char **argv);
int cmd_totp(int argc, char **argv);
int cmd_ocra(int argc, char **argv);

#endif
