/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * check.c - `crauth check [--conf PATH] [--user U]`: walk the configuration
 * and every server step by step, the way a login would, and say which step
 * fails, with its reason code and the fix.
 *
 * Steps: config, files, helper, cache; then per server dns, tcp, tls,
 * http (authentication and status), soap (a round trip for a probe user
 * that does not exist, so no account is locked); with --user, a live
 * challenge request for server-challenge (the response is never sent).
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/core/conf.h"
#include "lib/remote/http.h"
#include "lib/common/reason.h"
#include "lib/common/secmem.h"
#include "lib/remote/soap.h"
#include "lib/core/tokens.h"
#include "tools/verbs.h"
#include "lib/common/wire.h"

#ifndef CRAUTH_CONF_DEFAULT
#define CRAUTH_CONF_DEFAULT "/etc/security/crauth.conf"
#endif
#ifndef CRAUTH_HELPER_PATH
#define CRAUTH_HELPER_PATH "/usr/libexec/crauth/crauth-helper"
#endif

#define PROBE_USER "crauth-check-probe"

struct report {
    int first_reason; /* REASON_OK until a step fails */
    unsigned failures;
    const char *helper;
};

#define WARN (-1) /* a step that works but should be fixed */

static void __attribute__((format(printf, 5, 6)))
step(struct report *rep, const char *where, const char *name, int reason, const char *fmt, ...)
{
    char text[600];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    if (reason == REASON_OK || reason == WARN) {
        printf("  %-5s %-24s %-10s %s\n", reason == WARN ? "warn" : "ok", where, name, text);
        return;
    }
    printf("  FAIL  %-24s %-10s %s [reason %d %s]\n", where, name, text, reason,
           crauth_reason_name(reason));
    rep->failures++;
    if (rep->first_reason == REASON_OK)
        rep->first_reason = reason;
}

static void
check_files(struct report *rep, const struct crauth_config *cfg, const char *user)
{
    struct passwd *pw = getpwnam("_crauth");
    uid_t owner = pw ? pw->pw_uid : geteuid();
    struct stat st;

    /* not set-id still works for root callers (sshd, sudo), as root: a
     * warning, not a failure */
    if (stat(rep->helper, &st) != 0)
        step(rep, "-", "helper", REASON_HELPER_UNAVAILABLE, "%s: %s", rep->helper,
             strerror(errno));
    else if (pw == NULL || st.st_uid != pw->pw_uid || (st.st_mode & 06000) != 06000)
        step(rep, "-", "helper", WARN, "%s is not set-uid/set-gid _crauth (mode %04o): it runs "
             "as its caller; run `make install-setuid` or install the package", rep->helper,
             (unsigned)(st.st_mode & 07777));
    else
        step(rep, "-", "helper", REASON_OK, "%s set-id _crauth", rep->helper);

    if (stat(cfg->cache_dir, &st) != 0)
        step(rep, "-", "cache", REASON_CACHE, "%s: %s (create it: see conf/crauth.tmpfiles)",
             cfg->cache_dir, strerror(errno));
    else if (!S_ISDIR(st.st_mode) || st.st_uid != owner || (st.st_mode & 022))
        step(rep, "-", "cache", REASON_CACHE, "%s must be a directory owned by uid %u, "
             "writable by no one else (it is uid %u, mode %04o)", cfg->cache_dir,
             (unsigned)owner, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
    else
        step(rep, "-", "cache", REASON_OK, "%s", cfg->cache_dir);

    if (cfg->backend == BACKEND_LOCAL) {
        struct tokens t;
        char err[300];

        if (tokens_read(cfg->tokens, user, &t, err, sizeof(err)) != REASON_OK) {
            step(rep, "-", "tokens", REASON_TOKENS_FILE, "%s: %s", cfg->tokens, err);
            return;
        }
        if (user == NULL)
            step(rep, "-", "tokens", REASON_OK, "%s parses", cfg->tokens);
        else if (!t.user_found)
            step(rep, "-", "tokens", REASON_USER_UNKNOWN, "no line for user %s in %s", user,
                 cfg->tokens);
        else
            step(rep, "-", "tokens", REASON_OK, "user %s has %zu token(s)", user, t.n);
        tokens_free(&t);
    }
}

/* DNS and a TCP connect within connect_timeout, to the server or proxy. */
static bool
check_network(struct report *rep, const char *where, const char *url, long timeout_s)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
    char host[256] = "", port[16] = "", addr[INET6_ADDRSTRLEN] = "";
    CURLU *u = curl_url();
    char *h = NULL, *p = NULL;
    bool ok = false;
    int rc, fd = -1;

    if (u == NULL || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &h, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_PORT, &p, CURLU_DEFAULT_PORT) != CURLUE_OK) {
        step(rep, where, "dns", REASON_CONFIG, "cannot parse url %s", url);
        goto out;
    }
    snprintf(host, sizeof(host), "%s", h[0] == '[' ? h + 1 : h);
    host[strcspn(host, "]")] = '\0';
    snprintf(port, sizeof(port), "%s", p);
    if ((rc = getaddrinfo(host, port, &hints, &res)) != 0) {
        step(rep, where, "dns", REASON_SERVER_UNREACHABLE, "%s: %s", host, gai_strerror(rc));
        goto out;
    }
    getnameinfo(res->ai_addr, res->ai_addrlen, addr, sizeof(addr), NULL, 0, NI_NUMERICHOST);
    step(rep, where, "dns", REASON_OK, "%s -> %s", host, addr);
    fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 || (connect(fd, res->ai_addr, res->ai_addrlen) != 0 && errno != EINPROGRESS)) {
        step(rep, where, "tcp", REASON_SERVER_UNREACHABLE, "%s port %s: %s", addr, port,
             strerror(errno));
        goto out;
    }
    {
        struct pollfd pfd = {.fd = fd, .events = POLLOUT};
        int soerr = 0;
        socklen_t len = sizeof(soerr);

        rc = poll(&pfd, 1, (int)(timeout_s * 1000));
        if (rc == 1)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
        if (rc != 1 || soerr != 0) {
            step(rep, where, "tcp", REASON_SERVER_UNREACHABLE, "%s port %s: %s", addr, port,
                 rc == 0 ? "no answer within connect_timeout" : strerror(soerr));
            goto out;
        }
    }
    step(rep, where, "tcp", REASON_OK, "%s port %s accepts connections", addr, port);
    ok = true;
out:
    if (fd >= 0)
        close(fd);
    if (res != NULL)
        freeaddrinfo(res);
    curl_free(h);
    curl_free(p);
    curl_url_cleanup(u);
    return ok;
}

/* One authUser or getChallenge request; the http and soap steps report on it. */
static bool
round_trip(struct report *rep, struct http *http, const struct crauth_config *cfg, unsigned i,
           const char *where, const struct soap_request *req, struct soap_reply *reply)
{
    struct http_reply hr;
    char *xml = NULL, err[512];
    size_t xlen = 0;
    int reason, parsed;

    if (soap_build_request(req, &xml, &xlen) != 0) {
        step(rep, where, "soap", REASON_INTERNAL, "cannot build the request");
        return false;
    }
    reason = http_post(http, i, xml, xlen, &hr, err, sizeof(err));
    soap_free_request(xml, xlen);
    if (reason != REASON_OK) {
        step(rep, where, "http", reason, "%s", err);
        return false;
    }
    step(rep, where, "http", REASON_OK, "HTTP %ld, XML reply%s%s", hr.status,
         cfg->http_auth == HTTP_AUTH_NONE ? "" : "; authenticated as ",
         cfg->http_auth == HTTP_AUTH_NONE ? "" : cfg->http_user);
    parsed = soap_parse_reply_of(req->operation, hr.body, hr.len, hr.charset, reply, err,
                                 sizeof(err));
    http_reply_free(&hr);
    if (parsed == SOAP_FAULT) {
        step(rep, where, "soap", REASON_SOAP_FAULT, "SOAP Fault %s: %s", reply->fault_code,
             reply->fault_string);
        return false;
    }
    if (parsed != SOAP_OK) {
        step(rep, where, "soap", REASON_MALFORMED_REPLY, "%s", err);
        return false;
    }
    return true;
}

static void
check_server(struct report *rep, struct http *http, const struct crauth_config *cfg, unsigned i,
             const char *user)
{
    struct soap_request req = {.userid = PROBE_USER, .domain = cfg->domain,
                               .component = cfg->component_type,
                               .password_format = (unsigned)cfg->password_format};
    struct soap_reply reply;
    char where[64], info[300], err[512];
    int reason;

    snprintf(where, sizeof(where), "%s", http_server_name(http, i));
    if (!check_network(rep, where, cfg->proxy ? cfg->proxy : cfg->urls[i], cfg->connect_timeout))
        return;
    if ((reason = http_probe(http, i, info, sizeof(info), err, sizeof(err))) != REASON_OK) {
        step(rep, where, "tls", reason, "%s", err);
        return;
    }
    step(rep, where, "tls", REASON_OK, "%s", info);
    if (!round_trip(rep, http, cfg, i, where, &req, &reply))
        return;
    step(rep, where, "soap", REASON_OK, "authUser answered %d/%d %s for the probe user",
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
        step(rep, where, "challenge", REASON_OK, "not tried: needs method = get-challenge, "
             "or server-challenge or auto with a keyword");
        return;
    }
    if (!round_trip(rep, http, cfg, i, where, &req, &reply))
        return;
    if (reply.has_challenge)
        step(rep, where, "challenge", REASON_OK, "user %s got challenge %s (no response sent)",
             user, reply.challenge);
    else
        step(rep, where, "challenge", reply.return_code == 0 ? REASON_METHOD_MISMATCH
                                                             : REASON_SERVER_REFUSED,
             "no challenge for user %s: %d/%d %s %s", user, reply.return_code,
             reply.status_code, reply.status_enum, reply.status_message);
    secmem_wipe(&reply, sizeof(reply));
}

int
cmd_check(int argc, char **argv)
{
    static const struct option opts[] = {
        {"conf", required_argument, NULL, 'c'},
        {"user", required_argument, NULL, 'u'},
        {"helper", required_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *conf = NULL, *user = NULL;
    struct crauth_config *cfg = NULL;
    struct report rep = {REASON_OK, 0, CRAUTH_HELPER_PATH};
    struct http *http = NULL;
    char err[512];
    int c, reason;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'c')
            conf = optarg;
        else if (c == 'u')
            user = optarg;
        else if (c == 'h')
            rep.helper = optarg;
        else
            return 2;
    }
    if (optind != argc) {
        fprintf(stderr, "crauth check: use `crauth check [--conf PATH] [--user U] "
                "[--helper PATH]`\n");
        return 2;
    }
    printf("crauth check: %s\n", conf ? conf : CRAUTH_CONF_DEFAULT);
    reason = config_load(conf ? conf : CRAUTH_CONF_DEFAULT, conf != NULL, &cfg, err, sizeof(err));
    if (reason != REASON_OK) {
        step(&rep, "-", "config", reason, "%s", err);
        goto summary;
    }
    step(&rep, "-", "config", REASON_OK, "%s: backend %s, method %s, %u server(s)",
         cfg->embedded ? "no file, embedded default" : "parsed",
         config_backend_name(cfg->backend), config_method_name(cfg->method), cfg->n_urls);
    check_files(&rep, cfg, user);
    if (cfg->backend == BACKEND_SERVER) {
        if ((http = http_new(cfg)) == NULL) {
            step(&rep, "-", "http", REASON_INTERNAL, "libcurl could not be set up");
            goto summary;
        }
        for (unsigned i = 0; i < cfg->n_urls; i++)
            check_server(&rep, http, cfg, i, user);
    }
summary:
    if (rep.failures == 0) {
        printf("all checks passed\n");
    } else {
        const struct crauth_reason_info *r = crauth_reason_lookup(rep.first_reason);

        printf("first failure: reason %d (%s): %s\n  fix: %s\n", rep.first_reason,
               crauth_reason_name(rep.first_reason), r ? r->summary : "",
               r ? r->fix : "see `crauth explain`");
    }
    http_free(http);
    config_free(cfg);
    return rep.failures == 0 ? 0 : 1;
}
