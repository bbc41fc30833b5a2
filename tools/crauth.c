/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * crauth.c - the admin CLI: dispatch to the verbs.
 *
 * Exit status 0 on success; otherwise one line on stderr saying what went
 * wrong, and a non-zero status.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/common/reason.h"
#include "tools/softtoken.h"
#include "tools/verbs.h"

static const char usage[] =
    "usage: crauth VERB [OPTIONS]\n"
    "  hotp --key HEX --counter N [--digits D]\n"
    "  totp --key HEX [--time UNIX] [--step S] [--digits D] [--hash sha1|sha256|sha512]\n"
    "  ocra --suite SUITE --key HEX [--question Q] [--counter N]\n"
    "       [--pin PIN | --pin-hash HEX] [--session HEX] [--time UNIX]\n"
    "       (hotp, totp, ocra also take --key-file PATH instead of --key)\n"
    "  explain CODE|NAME     what a reason code means and what to change\n"
    "  explain --all         the whole reason catalog\n"
    "  cache list|flush [--user U] [--conf PATH]\n"
    "  check [--conf PATH] [--user U]   test the configuration and every server\n"
    "  cms-respond --key-file KEY | --pkcs11 URI   answer an x509 key-possession challenge\n"

    "  token add USER TYPE [--generate | --key-file F] [--force] [--issuer NAME]\n"
    "        [--label TEXT] [--qr] [--tokens PATH]\n"
    "  token add USER backup [--count N] [--tokens PATH]\n"
    "  token list [USER] [--tokens PATH]\n"
    "  token remove USER [--line N] [--tokens PATH]\n"
    "  token resync USER CODE1 CODE2 [--window N] [--store] [--tokens PATH]\n"
    "        (token verbs also take --conf PATH; `crauth token add --help` and so on)\n";

static void
explain_one(const struct crauth_reason_info *r)
{
    printf("%d %s\n  %s\n  What to do: %s\n", r->code, r->name, r->summary, r->fix);
}

static int
cmd_explain(int argc, char **argv)
{
    const struct crauth_reason_info *r;

    if (argc != 2) {
        fprintf(stderr, "crauth explain: give one reason code or name, or --all\n");
        return 2;
    }
    if (strcmp(argv[1], "--all") == 0) {
        for (unsigned i = 0; (r = crauth_reason_at(i)) != NULL; i++)
            explain_one(r);
        return 0;
    }
    r = crauth_reason_find(argv[1]);
    if (r == NULL) {
        fprintf(stderr, "crauth explain: '%s' is not a reason code or name; "
                "`crauth explain --all` lists them\n", argv[1]);
        return 2;
    }
    explain_one(r);
    return 0;
}

/* root running `check` or `cache` on the live system looks with the
 * helper's eyes: its files belong to _crauth.  With --conf the caller is
 * testing a file of its own, so it stays who it is. */
static void
as_helper_user(int argc, char **argv)
{
    struct passwd *pw;

    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--conf") == 0 || strncmp(argv[i], "--conf=", 7) == 0)
            return;
    if (geteuid() != 0 || (pw = getpwnam("_crauth")) == NULL)
        return;
    if (setgroups(0, NULL) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) {
        fprintf(stderr, "crauth: cannot switch to _crauth: %s\n", strerror(errno));
        exit(1);
    }
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
        return argc < 2 ? 2 : 0;
    }
    for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
        if (strcmp(argv[1], verbs[i].name) != 0)
            continue;
        if (verbs[i].fn == cmd_check || verbs[i].fn == cmd_cache)
            as_helper_user(argc - 1, argv + 1);
        return verbs[i].fn(argc - 1, argv + 1);
    }
    fprintf(stderr, "crauth: unknown verb '%s'; `crauth --help` lists them\n", argv[1]);
    return 2;
}
