/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * crauth.c - the admin CLI: dispatch to the verbs.
 *
 * crauth(1) is the contract: exit status 0 on success, 1 when the work
 * failed, 2 for a command line a verb cannot use, each failure with one
 * line "crauth VERB: ..." on stderr; every verb answers --help (before it
 * parses anything else) on stdout with status 0; `crauth --version`.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/common/reason.h"
#include "tools/cli.h"
#include "tools/softtoken.h"
#include "tools/verbs.h"

static const char usage[] =
    "usage: crauth VERB [OPTIONS]   (crauth VERB --help: that verb's usage)\n"
    "  check [--conf PATH] [--user U] [--pamdir DIR]\n"
    "        test the configuration, the helper's files, the PAM stacks and every server\n"
    "  explain CODE|NAME     what a reason code means and what to change\n"
    "  explain --all         the whole reason catalog\n"
    "  cache list|flush [--user U] [--conf PATH]\n"
    "  token add USER TYPE [--generate | --key-file F] [--force] [--issuer NAME]\n"
    "        [--label TEXT] [--qr] [--tokens PATH]\n"
    "  token add USER backup [--count N] [--tokens PATH]\n"
    "  token list [USER] [--tokens PATH]\n"
    "  token remove USER [--line N] [--tokens PATH]\n"
    "  token resync USER [CODE1 CODE2] [--window N] [--store] [--time UNIX] [--tokens PATH]\n"
    "        (token verbs also take --conf PATH)\n"
    "  cms-respond --key-file KEY | --pkcs11 URI   answer an x509 key-possession challenge\n"
    "  hotp --key HEX --counter N [--digits D]\n"
    "  totp --key HEX [--time UNIX] [--step S] [--digits D] [--hash sha1|sha256|sha512]\n"
    "  ocra --suite SUITE --key HEX [--question Q] [--counter N]\n"
    "       [--pin PIN | --pin-hash HEX] [--session HEX] [--time UNIX]\n"
    "       (hotp, totp, ocra also take --key-file PATH instead of --key)\n"
    "  --version             the version of crauth\n";

static const char usage_explain[] =
    "usage: crauth explain CODE|NAME|--all\n"
    "  what a reason code of a log line means and what to change; --all: every one\n";

static void
explain_one(const struct crauth_reason_info *r)
{
    printf("%d %s\n  %s\n  What to do: %s\n", r->code, r->name, r->summary, r->fix);
}

static int
cmd_explain(int argc, char **argv)
{
    const struct crauth_reason_info *r;

    if (cli_wants_help(argc, argv)) {
        fputs(usage_explain, stdout);
        return 0;
    }
    if (argc != 2)
        return cli_usage_error("explain", "give one reason code or name, or --all");
    if (strcmp(argv[1], "--all") == 0) {
        for (unsigned i = 0; (r = crauth_reason_at(i)) != NULL; i++)
            explain_one(r);
        return 0;
    }
    r = crauth_reason_find(argv[1]);
    if (r == NULL)
        return cli_error("explain", CLI_USAGE,
                         "'%s' is not a reason code or name; "
                         "`crauth explain --all` lists them",
                         argv[1]);
    explain_one(r);
    return 0;
}

/* root running `check` or `cache` on the live system looks with the
 * helper's eyes: its files belong to _crauth.  With --conf the caller is
 * testing a file of its own, so it stays who it is. */
static void
as_helper_user(const char *verb, int argc, char **argv)
{
    struct passwd *pw;

    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--conf") == 0 || strncmp(argv[i], "--conf=", 7) == 0)
            return;
    if (cli_wants_help(argc, argv) || geteuid() != 0 || (pw = getpwnam("_crauth")) == NULL)
        return;
    if (setgroups(0, NULL) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0)
        exit(cli_error(verb, CLI_FAILED, "cannot switch to _crauth: %s", strerror(errno)));
}

int
main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } verbs[] = {
        {"hotp", cmd_hotp},
        {"totp", cmd_totp},
        {"ocra", cmd_ocra},
        {"explain", cmd_explain},
        {"cache", cmd_cache},
        {"check", cmd_check},
        {"cms-respond", cmd_cms_respond},
        {"token", cmd_token},
    };

    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("crauth %s\n", PACKAGE_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
        if (strcmp(argv[1], verbs[i].name) != 0)
            continue;
        if (verbs[i].fn == cmd_check || verbs[i].fn == cmd_cache)
            as_helper_user(verbs[i].name, argc - 1, argv + 1);
        return verbs[i].fn(argc - 1, argv + 1);
    }
    fprintf(stderr, "crauth: unknown verb '%s'; `crauth --help` lists them\n", argv[1]);
    return CLI_USAGE;
}
