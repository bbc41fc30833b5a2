/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cache_cmd.c - `crauth cache list|flush [--user U] [--conf PATH]`.
 *
 * Lists what the helper keeps between attempts: outstanding challenges
 * (their text, never their keys), users' recent failures, servers marked
 * down.  Run as root it switches to _crauth, whose the cache is.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lib/core/cache.h"
#include "lib/core/conf.h"
#include "lib/common/reason.h"
#include "tools/cli.h"
#include "tools/verbs.h"

#ifndef CRAUTH_CONF_DEFAULT
#define CRAUTH_CONF_DEFAULT "/etc/security/crauth.conf"
#endif

static const char usage[] =
    "usage: crauth cache list|flush [--user USER] [--conf PATH]\n"
    "  list what the helper keeps between logins (challenges, failures, servers down),\n"
    "  or remove it (one user's records with --user)\n";

struct list_arg {
    const char *user;
    const struct crauth_config *cfg;
    int64_t now;
    unsigned shown;
};

static bool
print_record(const struct cache_record *r, void *arg)
{
    struct list_arg *a = arg;

    if (a->user != NULL && (r->type == CACHE_SERVER || strcmp(r->user, a->user) != 0))
        return true;
    a->shown++;
    switch (r->type) {
    case CACHE_CHALLENGE:
        printf("challenge user=%s service=%s rhost=%s tty=%s server=%s challenge=%s "
               "expires_in=%llds\n",
               r->user, r->service, r->rhost[0] ? r->rhost : "-", r->tty[0] ? r->tty : "-",
               r->server, r->text, (long long)(r->expires - a->now));
        break;
    case CACHE_USER:
        printf("failures  user=%s count=%u window_left=%llds\n", r->user, r->failures,
               (long long)(r->window_start + a->cfg->failure_window - a->now));
        break;
    case CACHE_SERVER:
        /* a RADIUS server's record is its line with "radius:" before it */
        printf("down      server=%s since=%llds_ago skipped_for=%llds\n", r->server,
               (long long)(a->now - r->down_since),
               (long long)(r->down_since - a->now +
                           (strncmp(r->server, "radius:", 7) == 0 ? a->cfg->radius_dead_time
                                                                  : a->cfg->dead_time)));
        break;
    }
    return true;
}

int
cmd_cache(int argc, char **argv)
{
    static const struct option opts[] = {
        {"user", required_argument, NULL, 'u'},
        {"conf", required_argument, NULL, 'c'},
        {NULL, 0, NULL, 0},
    };
    const char *user = NULL, *conf = NULL, *action;
    struct crauth_config *cfg = NULL;
    struct cache *cache = NULL;
    char err[512];
    int c, rc = 1;

    if (cli_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return 0;
    }
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (c == 'u')
            user = optarg;
        else if (c == 'c')
            conf = optarg;
        else
            return cli_option_error("cache", c, argc, argv);
    }
    if (optind == argc)
        return cli_usage_error("cache", "give list or flush");
    if (optind != argc - 1 ||
        (strcmp(argv[optind], "list") != 0 && strcmp(argv[optind], "flush") != 0))
        return cli_usage_error("cache", "unexpected argument '%s'; give list or flush",
                               argv[optind]);
    action = argv[optind];
    if (config_load(conf ? conf : CRAUTH_CONF_DEFAULT, conf != NULL, &cfg, err, sizeof(err)) !=
        REASON_OK) {
        return cli_error("cache", CLI_FAILED, "%s", err);
    }
    if (cache_open(cfg->cache_dir, &cache, err, sizeof(err)) != REASON_OK) {
        cli_error("cache", CLI_FAILED, "%s", err);
        goto out;
    }
    if (strcmp(action, "list") == 0) {
        struct list_arg a = {user, cfg, (int64_t)time(NULL), 0};

        cache_walk(cache, print_record, &a);
        if (a.shown == 0)
            printf("(nothing cached%s%s)\n", user ? " for " : "", user ? user : "");
        rc = 0;
    } else {
        unsigned removed = 0;

        if (cache_flush(cache, user, &removed, err, sizeof(err)) != REASON_OK) {
            cli_error("cache", CLI_FAILED, "%s", err);
            goto out;
        }
        printf("removed %u record%s\n", removed, removed == 1 ? "" : "s");
        rc = 0;
    }
out:
    cache_close(cache);
    config_free(cfg);
    return rc;
}
