/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * token_cmd.c - `crauth token add|list|remove|resync`: enrol and look after
 * the local backend's tokens without an editor.
 *
 * This file holds the dispatch, what the verbs share (token_cmd.h), and the
 * two small verbs, list and remove; add is in token_add.c, resync in
 * token_resync.c.  Every change goes through lib/core/tokens_edit, under
 * the lock the helper takes, so an edit never races a login.
 */
#include "tools/token_cmd.h"

#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/cli.h"
#include "lib/common/reason.h"
#include "lib/common/utf8.h"
#include "lib/core/conf.h"
#include "lib/core/fileio.h"
#include "lib/core/tokens.h"
#include "lib/core/tokens_edit.h"
#include "tools/verbs.h"

#ifndef CRAUTH_CONF_DEFAULT
#define CRAUTH_CONF_DEFAULT "/etc/security/crauth.conf"
#endif

static const char usage_token[] =
    "usage: crauth token add USER TYPE [--generate | --key-file F] [--force] [--issuer NAME]\n"
    "                        [--label TEXT] [--qr] [--tokens PATH] [--conf PATH]\n"
    "       crauth token add USER backup [--count N] [--tokens PATH] [--conf PATH]\n"
    "       crauth token list [USER] [--tokens PATH] [--conf PATH]\n"
    "       crauth token remove USER [--line N] [--tokens PATH] [--conf PATH]\n"
    "       crauth token resync USER [CODE1 CODE2] [--window N] [--store] [--time UNIX]\n"
    "                           [--tokens PATH] [--conf PATH]\n";
static const char usage_list[] = "usage: crauth token list [USER] [--tokens PATH] [--conf PATH]\n";
static const char usage_remove[] =
    "usage: crauth token remove USER [--line N] [--tokens PATH] [--conf PATH]\n";

int
token_fail(int status, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    cli_line_v("crauth token: ", fmt, ap, "");
    va_end(ap);
    return status;
}

void
token_note(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    cli_line_v("crauth token: ", fmt, ap, "");
    va_end(ap);
}

bool
token_user_ok(const char *user)
{
    size_t len = strlen(user);

    if (len == 0 || len > TOKENS_MAX_USER || user[0] == '#')
        return false;
    return strchr(user, ' ') == NULL && text_is_printable(user);
}

bool
token_parse_uint(const char *text, unsigned long max, unsigned long *out)
{
    char *end;
    unsigned long v;

    if (text[0] < '0' || text[0] > '9')
        return false;
    errno = 0;
    v = strtoul(text, &end, 10);
    if (errno != 0 || *end != '\0' || v < 1 || v > max)
        return false;
    *out = v;
    return true;
}

/* Root becomes _crauth when _crauth owns the file or the directory it is
 * in (the helper's, which writes every new version there): the file, its
 * replacement and its lock then belong to the helper's user, as the helper
 * needs, and the file is judged as the helper judges it (root:_crauth 0640
 * is readable to it; to root it would be "readable by its group"). */
static int
become_owner(const char *path)
{
    struct passwd *pw;
    struct stat st, dst;
    char dir[PATH_MAX];
    bool file = stat(path, &st) == 0;
    int stat_errno = errno; /* before getpwnam, which may change it */

    if (geteuid() != 0 || (pw = getpwnam("_crauth")) == NULL)
        return 0;
    fileio_dir_of(path, dir, sizeof(dir));
    if (!file && stat_errno != ENOENT)
        return 0; /* the edit itself reports the problem */
    if (!(file && st.st_uid == pw->pw_uid) && !(stat(dir, &dst) == 0 && dst.st_uid == pw->pw_uid))
        return 0;
    if (setgroups(0, NULL) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0)
        return token_fail(TOKEN_EXIT_FAILED, "cannot switch to _crauth, the owner of %s: %s", path,
                          strerror(errno));
    return 0;
}

int
token_resolve(const char *tokens_opt, const char *conf_opt, char *path, size_t size)
{
    struct crauth_config *cfg = NULL;
    char err[512];
    int n;

    if (tokens_opt != NULL) {
        n = snprintf(path, size, "%s", tokens_opt);
    } else {
        if (config_load(conf_opt ? conf_opt : CRAUTH_CONF_DEFAULT, conf_opt != NULL, &cfg, err,
                        sizeof(err)) != REASON_OK)
            return token_fail(TOKEN_EXIT_FAILED, "%s", err);
        n = snprintf(path, size, "%s", cfg->tokens);
        config_free(cfg);
    }
    if (n < 0 || (size_t)n >= size || path[0] == '\0')
        return token_fail(TOKEN_EXIT_FAILED, "the tokens path is empty or too long");
    return become_owner(path);
}

enum { OPT_TOKENS = 0x100, OPT_CONF, OPT_LINE };

/* A bad line's USER column is shown only when it is a known account or
 * the user asked for: a line with its columns shifted could have a key
 * there. */
static void
print_bad(const char *text, const struct tokens_entry *e, const char *user)
{
    char name[TOKENS_MAX_USER + 1] = "?";

    if (e->user_len > 0) {
        snprintf(name, sizeof(name), "%.*s", (int)e->user_len, text + e->user_start);
        if (user == NULL && getpwnam(name) == NULL)
            snprintf(name, sizeof(name), "?");
    }
    printf("%-16s %-28s line %-5d BAD: %s\n", name, "-", e->line, e->message);
}

static void
print_token(const char *text, const struct tokens_entry *e)
{
    const struct token *tok = &e->tok;
    char state[64];

    if (tok->kind == TOKEN_BACKUP)
        snprintf(state, sizeof(state), "%s", TOKEN_BACKUP_USED(tok) ? "used" : "unused");
    else if (tok->kind == TOKEN_X509)
        snprintf(state, sizeof(state), "certificate");
    else if (!tok->has_state)
        snprintf(state, sizeof(state), "state -");
    else if (tok->has_drift)
        snprintf(state, sizeof(state), "state %llu drift %lld", (unsigned long long)tok->state,
                 (long long)tok->drift);
    else
        snprintf(state, sizeof(state), "state %llu", (unsigned long long)tok->state);
    printf("%-16.*s %-28.*s line %-5d %s\n", (int)e->user_len, text + e->user_start,
           (int)e->type_len, text + e->type_start, e->line, state);
}

static int
cmd_token_list(int argc, char **argv)
{
    static const struct option opts[] = {
        {"tokens", required_argument, NULL, OPT_TOKENS},
        {"conf", required_argument, NULL, OPT_CONF},
        {NULL, 0, NULL, 0},
    };
    const char *tokens_opt = NULL, *conf_opt = NULL, *user = NULL;
    char path[PATH_MAX], err[512];
    struct tokens t;
    struct tokens_entry e;
    size_t pos = 0;
    unsigned shown = 0, bad = 0;
    int c, line = 0, rc;

    if (cli_wants_help(argc, argv)) {
        fputs(usage_list, stdout);
        return 0;
    }
    opterr = 0;
    optind = 0;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (c == OPT_TOKENS)
            tokens_opt = optarg;
        else if (c == OPT_CONF)
            conf_opt = optarg;
        else
            return token_fail(TOKEN_EXIT_USAGE, "list: bad option '%s'; %s", argv[optind - 1],
                              "see `crauth token list --help`");
    }
    if (argc - optind > 1)
        return token_fail(TOKEN_EXIT_USAGE, "list: give at most one USER");
    if (optind < argc)
        user = argv[optind];
    if ((rc = token_resolve(tokens_opt, conf_opt, path, sizeof(path))) != 0)
        return rc;
    /* NULL: keep nobody's keys; the lines are walked below */
    if (tokens_read(path, NULL, &t, err, sizeof(err)) != REASON_OK)
        return token_fail(TOKEN_EXIT_FAILED, "%s", err);
    while (tokens_next(t.text, t.len, &pos, &line, &e)) {
        if (e.kind != TOKENS_ENTRY_BLANK &&
            (user == NULL || tokens_entry_user_is(t.text, &e, user))) {
            if (e.kind == TOKENS_ENTRY_BAD) {
                print_bad(t.text, &e, user);
                bad++;
            } else {
                print_token(t.text, &e);
            }
            shown++;
        }
        tokens_entry_wipe(&e);
    }
    tokens_free(&t);
    if (shown == 0)
        token_note("no token%s%s in %s", user ? " for " : "", user ? user : "", path);
    else if (bad > 0)
        token_note("%u bad line%s in %s: fix or remove %s", bad, bad == 1 ? "" : "s", path,
                   bad == 1 ? "it" : "them");
    return fflush(stdout) == 0 ? 0 : TOKEN_EXIT_FAILED;
}

static int
cmd_token_remove(int argc, char **argv)
{
    static const struct option opts[] = {
        {"tokens", required_argument, NULL, OPT_TOKENS},
        {"conf", required_argument, NULL, OPT_CONF},
        {"line", required_argument, NULL, OPT_LINE},
        {NULL, 0, NULL, 0},
    };
    const char *tokens_opt = NULL, *conf_opt = NULL, *user;
    char path[PATH_MAX], err[512];
    struct tokens_edit ed;
    unsigned long line = 0;
    unsigned removed = 0;
    int c, rc;

    if (cli_wants_help(argc, argv)) {
        fputs(usage_remove, stdout);
        return 0;
    }
    opterr = 0;
    optind = 0;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (c == OPT_TOKENS) {
            tokens_opt = optarg;
        } else if (c == OPT_CONF) {
            conf_opt = optarg;
        } else if (c == OPT_LINE) {
            if (!token_parse_uint(optarg, INT_MAX, &line))
                return token_fail(TOKEN_EXIT_USAGE, "remove: --line wants a line number, 1 or "
                                                    "more");
        } else {
            return token_fail(TOKEN_EXIT_USAGE, "remove: bad option '%s'; %s", argv[optind - 1],
                              "see `crauth token remove --help`");
        }
    }
    if (argc - optind != 1)
        return token_fail(TOKEN_EXIT_USAGE, "remove: give one USER; see `crauth token remove "
                                            "--help`");
    user = argv[optind];
    if (!token_user_ok(user))
        return token_fail(TOKEN_EXIT_USAGE, "remove: '%s' cannot be a USER of the tokens file",
                          user);
    if ((rc = token_resolve(tokens_opt, conf_opt, path, sizeof(path))) != 0)
        return rc;
    if (tokens_edit_begin(path, TOKEN_LOCK_TIMEOUT_MS, &ed, err, sizeof(err)) != REASON_OK)
        return token_fail(TOKEN_EXIT_FAILED, "%s", err);
    rc = TOKEN_EXIT_FAILED;
    if (tokens_edit_remove(&ed, user, (int)line, NULL, &removed, err, sizeof(err)) != REASON_OK)
        token_fail(rc, "%s: %s", path, err);
    else if (removed == 0)
        token_fail(rc, "%s has no line for user %s", path, user);
    else if (tokens_edit_commit(&ed, err, sizeof(err)) != REASON_OK)
        token_fail(rc, "%s", err);
    else
        rc = 0;
    tokens_edit_end(&ed);
    if (rc == 0)
        printf("removed %u line%s of %s from %s\n", removed, removed == 1 ? "" : "s", user, path);
    return rc;
}

int
cmd_token(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } verbs[] = {
        {"add", cmd_token_add},
        {"list", cmd_token_list},
        {"remove", cmd_token_remove},
        {"resync", cmd_token_resync},
    };

    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage_token, argc < 2 ? stderr : stdout);
        return argc < 2 ? TOKEN_EXIT_USAGE : 0;
    }
    for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
        if (strcmp(argv[1], verbs[i].name) == 0)
            return verbs[i].fn(argc - 1, argv + 1);
    return token_fail(TOKEN_EXIT_USAGE, "unknown verb '%s'; use add, list, remove or resync",
                      argv[1]);
}
