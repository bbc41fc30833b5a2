/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * check.c - `crauth check [--conf PATH] [--user U] [--pamdir DIR]`: walk the configuration
 * and every server step by step, the way a login would, and say which step
 * fails, with its reason code and the fix.
 *
 * Steps: config; helper, plugin, cache (check_files.c); tokens, lock,
 * x509 (check_tokens.c); pam (check_pam.c); broker, when configured; then
 * per server dns, tcp
 * (within connect_timeout, as a login), tls, http (authentication and
 * status), soap (a round trip for a probe user that does not exist, so no
 * account is locked); with --user, a live challenge request for
 * server-challenge (the response is never sent).  With backend = radius,
 * each [radius] server instead (check_radius.c).
 */
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/broker/client.h"
#include "lib/common/reason.h"
#include "lib/common/secmem.h"
#include "lib/common/wire.h"
#include "lib/core/conf.h"
#include "lib/remote/http.h"
#include "lib/remote/net.h"
#include "lib/remote/soap.h"
#include "tools/check.h"
#include "tools/cli.h"
#include "tools/verbs.h"

#ifndef CRAUTH_CONF_DEFAULT
#define CRAUTH_CONF_DEFAULT "/etc/security/crauth.conf"
#endif
#ifndef CRAUTH_HELPER_PATH
#define CRAUTH_HELPER_PATH "/usr/libexec/crauth/crauth-helper"
#endif

#define PROBE_USER "crauth-check-probe"
#define PAM_DIR_DEFAULT "/etc/pam.d"

static const char usage[] =
    "usage: crauth check [--conf PATH] [--user USER] [--pamdir DIR]\n"
    "  test the configuration, the helper's files, the PAM stacks and every server\n";

void
check_step(struct check_report *rep, const char *where, const char *name, int reason,
           const char *fmt, ...)
{
    char text[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    /* text from files (PAM lines, names) must not drive the terminal */
    for (char *c = text; *c != '\0'; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = '?';
    if (reason == REASON_OK || reason == CHECK_WARN) {
        printf("  %-5s %-24s %-10s %s\n", reason == CHECK_WARN ? "warn" : "ok", where, name, text);
        return;
    }
    printf("  FAIL  %-24s %-10s %s [reason %d %s]\n", where, name, text, reason,
           crauth_reason_name(reason));
    rep->failures++;
    if (rep->first_reason == REASON_OK)
        rep->first_reason = reason;
}

/* The name lookup and the TCP connect to the server (or proxy), within
 * connect_timeout together, as a login's (lib/remote/net.h). */
static bool
check_network(struct check_report *rep, const char *where, const char *url, long timeout_s)
{
    struct net_url u;
    struct net_connect_info info;
    char what[300], err[512];
    int reason, fd = -1;

    if ((reason = net_url_split(url, &u, err, sizeof(err))) != REASON_OK) {
        check_step(rep, where, "dns", reason, "%s", err);
        return false;
    }
    snprintf(what, sizeof(what), "%s", u.name);
    reason = net_connect_bounded(u.host, u.port, what, wire_now_ms() + timeout_s * 1000, &fd, &info,
                                 err, sizeof(err));
    if (!info.resolved) {
        check_step(rep, where, "dns", reason, "%s", err);
        return false;
    }
    check_step(rep, where, "dns", REASON_OK, "%s -> %s", u.host, info.addr);
    if (reason != REASON_OK) {
        check_step(rep, where, "tcp", reason, "%s", err);
        return false;
    }
    close(fd);
    check_step(rep, where, "tcp", REASON_OK, "%s port %s accepts connections", info.addr, u.port);
    return true;
}

/* One authUser or getChallenge request; the http and soap steps report on it. */
static bool
round_trip(struct check_report *rep, struct http *http, const struct crauth_config *cfg, unsigned i,
           const char *where, const struct soap_request *req, struct soap_reply *reply)
{
    struct http_reply hr;
    char *xml = NULL, err[512];
    size_t xlen = 0;
    int reason, parsed;

    if (soap_build_request(req, &xml, &xlen) != 0) {
        check_step(rep, where, "soap", REASON_INTERNAL, "cannot build the request");
        return false;
    }
    reason = http_post(http, i, xml, xlen, &hr, err, sizeof(err));
    soap_free_request(xml, xlen);
    if (reason != REASON_OK) {
        check_step(rep, where, "http", reason, "%s", err);
        return false;
    }
    check_step(rep, where, "http", REASON_OK, "HTTP %ld, XML reply%s%s", hr.status,
               cfg->http_auth == HTTP_AUTH_NONE ? "" : "; authenticated as ",
               cfg->http_auth == HTTP_AUTH_NONE ? "" : cfg->http_user);
    parsed =
        soap_parse_reply_of(req->operation, hr.body, hr.len, hr.charset, reply, err, sizeof(err));
    http_reply_free(&hr);
    if (parsed == SOAP_FAULT) {
        check_step(rep, where, "soap", REASON_SOAP_FAULT, "SOAP Fault %s: %s", reply->fault_code,
                   reply->fault_string);
        return false;
    }
    if (parsed != SOAP_OK) {
        check_step(rep, where, "soap", REASON_MALFORMED_REPLY, "%s", err);
        return false;
    }
    return true;
}

static void
check_server(struct check_report *rep, struct http *http, const struct crauth_config *cfg,
             unsigned i, const char *user)
{
    struct soap_request req = {.userid = PROBE_USER,
                               .domain = cfg->domain,
                               .component = cfg->component_type,
                               .password_format = (unsigned)cfg->password_format};
    struct soap_reply reply;
    char where[64], info[300], err[512];
    int reason;

    snprintf(where, sizeof(where), "%s", http_server_name(http, i));
    if (!check_network(rep, where, cfg->proxy ? cfg->proxy : cfg->urls[i], cfg->connect_timeout))
        return;
    if ((reason = http_probe(http, i, info, sizeof(info), err, sizeof(err))) != REASON_OK) {
        check_step(rep, where, "tls", reason, "%s", err);
        return;
    }
    check_step(rep, where, "tls", REASON_OK, "%s", info);
    if (!round_trip(rep, http, cfg, i, where, &req, &reply))
        return;
    check_step(rep, where, "soap", REASON_OK, "authUser answered %d/%d %s for the probe user",
               reply.return_code, reply.status_code, reply.status_enum);
    if (user == NULL)
        return;
    req.userid = user;
    if (cfg->method == METHOD_GET_CHALLENGE) {
        /* a challenge for the user: asks nothing secret, judges nothing */
        req.operation = SOAP_GET_CHALLENGE;
    } else if ((cfg->method == METHOD_SERVER_CHALLENGE || cfg->method == METHOD_AUTO) &&
               cfg->keyword[0] != '\0') {
        if (cfg->password_format == 0)
            req.password = cfg->keyword;
        else
            req.static_password = cfg->keyword;
    } else {
        check_step(rep, where, "challenge", REASON_OK,
                   "not tried: needs method = get-challenge, "
                   "or server-challenge or auto with a keyword");
        return;
    }
    if (!round_trip(rep, http, cfg, i, where, &req, &reply))
        return;
    if (reply.has_challenge)
        check_step(rep, where, "challenge", REASON_OK,
                   "user %s got challenge %s (no response sent)", user, reply.challenge);
    else
        check_step(rep, where, "challenge",
                   reply.return_code == 0 ? REASON_METHOD_MISMATCH : REASON_SERVER_REFUSED,
                   "no challenge for user %s: %d/%d %s %s", user, reply.return_code,
                   reply.status_code, reply.status_enum, reply.status_message);
    secmem_wipe(&reply, sizeof(reply));
}

/* The broker the helper would hand its calls to: listened on by root or
 * the helper's user, speaking its protocol.  Not running is a warning:
 * the helper then calls the servers itself. */
static void
check_broker(struct check_report *rep, const struct crauth_config *cfg)
{
    struct sigaction ignore = {.sa_handler = SIG_IGN}, saved;
    char err[300];
    bool not_running, restore;
    int fd;

    if (cfg->broker == NULL)
        return;
    /* a busy broker closes without reading our HELLO: EPIPE, not SIGPIPE */
    restore = sigaction(SIGPIPE, &ignore, &saved) == 0;
    fd = broker_connect(cfg->broker, rep->owner.uid, &not_running, err, sizeof(err));
    if (restore)
        sigaction(SIGPIPE, &saved, NULL);
    if (fd >= 0) {
        close(fd);
        check_step(rep, "-", "broker", REASON_OK, "crauth-broker at %s answers; logins use it",
                   cfg->broker);
    } else if (not_running) {
        check_step(rep, "-", "broker", CHECK_WARN,
                   "crauth-broker at %s: %s; logins call the servers themselves "
                   "(systemctl enable --now crauth-broker.socket)",
                   cfg->broker, err);
    } else {
        check_step(rep, "-", "broker", REASON_BROKER,
                   "crauth-broker at %s: %s; logins do not use it", cfg->broker, err);
    }
}

int
cmd_check(int argc, char **argv)
{
    static const struct option opts[] = {
        {"conf", required_argument, NULL, 'c'},
        {"user", required_argument, NULL, 'u'},
        {"pamdir", required_argument, NULL, 'p'},
        /* for the test suite: a helper that is not installed */
        {"helper", required_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *conf = NULL, *user = NULL;
    struct crauth_config *cfg = NULL;
    struct check_report rep = {.first_reason = REASON_OK,
                               .helper = CRAUTH_HELPER_PATH,
                               .pamdir = PAM_DIR_DEFAULT};
    struct http *http = NULL;
    char err[512];
    int c, reason;

    if (cli_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return 0;
    }
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (c == 'c')
            conf = optarg;
        else if (c == 'u')
            user = optarg;
        else if (c == 'p')
            rep.pamdir = optarg;
        else if (c == 'h')
            rep.helper = optarg;
        else
            return cli_option_error("check", c, argc, argv);
    }
    if (optind != argc)
        return cli_usage_error("check", "unexpected argument '%s'", argv[optind]);
    printf("crauth check: %s\n", conf ? conf : CRAUTH_CONF_DEFAULT);
    check_find_owner(&rep);
    reason = config_load(conf ? conf : CRAUTH_CONF_DEFAULT, conf != NULL, &cfg, err, sizeof(err));
    if (reason != REASON_OK) {
        check_step(&rep, "-", "config", reason, "%s", err);
        goto summary;
    }
    check_step(&rep, "-", "config", REASON_OK, "%s: backend %s, method %s, %u server(s)",
               cfg->embedded ? "no file, embedded default" : "parsed",
               config_backend_name(cfg->backend), config_method_name(cfg->method),
               cfg->backend == BACKEND_RADIUS ? cfg->n_radius_servers : cfg->n_urls);
    check_files(&rep, cfg);
    check_tokens(&rep, cfg, user);
    check_pam(&rep);
    if (cfg->backend == BACKEND_SERVER) {
        check_broker(&rep, cfg);
        if ((http = http_new(cfg)) == NULL) {
            check_step(&rep, "-", "http", REASON_INTERNAL, "libcurl could not be set up");
            goto summary;
        }
        for (unsigned i = 0; i < cfg->n_urls; i++)
            check_server(&rep, http, cfg, i, user);
    }
    if (cfg->backend == BACKEND_RADIUS)
        check_radius(&rep, cfg, user);
summary:
    if (rep.failures == 0) {
        printf("all checks passed\n");
    } else {
        const struct crauth_reason_info *r = crauth_reason_lookup(rep.first_reason);

        printf("first failure: reason %d (%s): %s\n  fix: %s\n%u step(s) failed\n",
               rep.first_reason, crauth_reason_name(rep.first_reason), r ? r->summary : "",
               r ? r->fix : "see `crauth explain`", rep.failures);
    }
    http_free(http);
    config_free(cfg);
    return rep.failures == 0 ? 0 : 1;
}
