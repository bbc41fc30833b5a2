/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * check_radius.c - `crauth check` for backend = radius: each [radius]
 * server step by step, the way a login goes, one line per step with the
 * reason code of a failure (check_step):
 *
 *   dns     the server's name, looked up within [radius] timeout
 *   udp     (transport udp) a reply came to an Access-Request for a probe
 *           user that does not exist (so no account is locked); servers
 *           drop requests they cannot verify, so silence may also mean a
 *           wrong secret, and the step says so
 *   secret  (udp) that reply verified: the shared secret matches, and the
 *           server signs its replies when require_message_authenticator
 *   tls     (transport tls) the TCP connection and the TLS handshake, the
 *           certificate verified; its subject and expiry
 *   radius  (tls) the probe user's Access-Request answered and verified
 *   user    with --user U: an Access-Request for U with the keyword, or
 *           else a password read from the terminal with echo off (or the
 *           first line of standard input when that is not a terminal),
 *           never from argv.  Sent to the first server whose probe passed
 *           and to no other, since a one-time code works once; a challenge
 *           is shown, not answered.
 *
 * The probe user's Access-Reject is the expected answer; a server that
 * accepts a user who does not exist is reported as a warning.
 */
#include "tools/check.h"

#include <netdb.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "lib/common/log.h"
#include "lib/common/reason.h"
#include "lib/common/secmem.h"
#include "lib/common/wire.h"
#include "lib/radius/client.h"
#include "lib/remote/net.h"

#define PROBE_USER "crauth-check-probe"
#define PROBE_PASSWORD "crauth-check-probe" /* no secret: the user does not exist */
#define PASSWORD_MAX 256

/* The name within the exchange's own lookup time, with its addresses. */
static bool
check_dns(struct check_report *rep, const char *where, const struct radius_endpoint *ep,
          long timeout_ms, int socktype)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = socktype,
                             .ai_flags = AI_ADDRCONFIG | AI_NUMERICSERV};
    struct addrinfo *res = NULL;
    char addrs[200] = "";
    size_t used = 0;
    int rc = resolve_bounded(ep->host, ep->port, &hints, wire_now_ms() + timeout_ms, &res);

    if (rc == RESOLVE_TIMED_OUT) {
        check_step(rep, where, "dns", REASON_SERVER_UNREACHABLE,
                   "%s: no answer within timeout (%ld "
                   "ms); check /etc/resolv.conf, or give an address",
                   ep->host, timeout_ms);
        return false;
    }
    if (rc == RESOLVE_LOCAL_FAILURE || rc == EAI_MEMORY) {
        check_step(rep, where, "dns", REASON_RESOURCE_LIMIT,
                   "%s: no thread or memory for the lookup", ep->host);
        return false;
    }
    if (rc != 0) {
        check_step(rep, where, "dns", REASON_SERVER_UNREACHABLE, "%s: %s", ep->host,
                   gai_strerror(rc));
        return false;
    }
    for (const struct addrinfo *ai = res; ai != NULL && used + 2 < sizeof(addrs);
         ai = ai->ai_next) {
        char a[NI_MAXHOST];

        if (getnameinfo(ai->ai_addr, ai->ai_addrlen, a, sizeof(a), NULL, 0, NI_NUMERICHOST) != 0)
            continue;
        used += (size_t)snprintf(addrs + used, sizeof(addrs) - used, "%s%s", used ? ", " : "", a);
    }
    freeaddrinfo(res);
    check_step(rep, where, "dns", REASON_OK, "%s -> %s", ep->host, addrs);
    return true;
}

static const char *
code_name(int code)
{
    switch (code) {
    case RADIUS_ACCESS_ACCEPT:
        return "Access-Accept";
    case RADIUS_ACCESS_REJECT:
        return "Access-Reject";
    case RADIUS_ACCESS_CHALLENGE:
        return "Access-Challenge";
    default:
        return "?";
    }
}

/* Did the reason come from a server that sent something back? */
static bool
replied(int reason)
{
    return reason == REASON_OK || reason == REASON_UNAUTHENTIC_REPLY ||
           reason == REASON_MALFORMED_REPLY;
}

/* The probe user's Access-Request: udp and secret, or radius over TLS. */
static bool
check_probe(struct check_report *rep, const char *where, const struct radius_params *p,
            const char *server)
{
    struct radius_result res;
    char err[512];
    int64_t start = wire_now_ms();
    int reason = radius_access_request(p, server, PROBE_USER, PROBE_PASSWORD, NULL, 0, NULL, &res,
                                       err, sizeof(err));
    long ms = (long)(wire_now_ms() - start);
    const char *verdict = p->transport == RADIUS_UDP ? "secret" : "radius";

    if (p->transport == RADIUS_UDP) {
        if (!replied(reason)) {
            /* a server drops what it cannot verify (RFC 2865 3, RFC 3579
             * 3.2): silence may be a wrong secret, not only a dead server */
            check_step(rep, where, "udp", reason, "%s%s", err,
                       strstr(err, "no reply") == NULL
                           ? ""
                           : " (a server that is up stays silent too when [radius] secret is wrong "
                             "or this host is not one of its clients: see its log)");
            return false;
        }
        check_step(rep, where, "udp", REASON_OK,
                   "a reply in %ld ms to an Access-Request for the probe "
                   "user %s",
                   ms, PROBE_USER);
    }
    if (reason == REASON_UNAUTHENTIC_REPLY) {
        check_step(rep, where, verdict, reason, "%s%s", err,
                   p->transport == RADIUS_UDP
                       ? " (is [radius] secret the server's secret for this host?)"
                       : "");
        return false;
    }
    if (reason != REASON_OK) {
        check_step(rep, where, verdict, reason, "%s", err);
        return false;
    }
    check_step(rep, where, verdict, REASON_OK, "%s for the probe user, verified%s%s",
               code_name(res.code), p->transport == RADIUS_UDP ? ": the shared secret matches" : "",
               res.message_authenticator ? "; Message-Authenticator present"
                                         : "; no Message-Authenticator (allowed by "
                                           "require_message_authenticator = no)");
    if (res.code == RADIUS_ACCESS_ACCEPT)
        check_step(rep, where, "probe", CHECK_WARN,
                   "the server accepted %s, a user that should not exist: "
                   "check its policy",
                   PROBE_USER);
    return true;
}

/* The keyword, or a password from the terminal (echo off) or standard
 * input.  0, or -1 with @err. */
static int
read_password(const char *user, char *buf, size_t size, char *err, size_t errlen)
{
    struct termios saved, quiet;
    bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
    size_t n;
    char *got;

    if (tty) {
        /* echo off before the prompt appears: what is typed after it is
         * never shown, and what was typed before it is dropped (getpass) */
        quiet = saved;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
        fprintf(stderr, "Password for %s (sent to the RADIUS server as User-Password): ", user);
        fflush(stderr);
    }
    got = fgets(buf, (int)size, stdin);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        fputc('\n', stderr);
    }
    if (got == NULL) {
        snprintf(err, errlen, "no password for %s on %s", user,
                 tty ? "the terminal" : "standard input");
        return -1;
    }
    n = strcspn(buf, "\r\n");
    if (buf[n] == '\0' && n + 1 == size) {
        snprintf(err, errlen,
                 "the password is over %d bytes, more than a RADIUS User-Password "
                 "holds",
                 RADIUS_MAX_PASSWORD);
        return -1;
    }
    buf[n] = '\0';
    if (n == 0 || n > RADIUS_MAX_PASSWORD) {
        snprintf(err, errlen,
                 n == 0 ? "the password for %s is empty"
                        : "the password for %s is over 128 bytes, more than a "
                          "RADIUS User-Password holds",
                 user);
        return -1;
    }
    return 0;
}

/* --user: one Access-Request as the first answer of a login. */
static void
check_user(struct check_report *rep, const char *where, const struct crauth_config *cfg,
           const struct radius_params *p, const char *server, const char *user,
           const char *password)
{
    struct radius_result res;
    char err[512], raw[RADIUS_MESSAGE_SIZE], shown[RADIUS_MESSAGE_SIZE];
    int reason =
        radius_access_request(p, server, user, password, NULL, 0, NULL, &res, err, sizeof(err));

    if (reason != REASON_OK) {
        check_step(rep, where, "user", reason, "%s", err);
        return;
    }
    memcpy(raw, res.message, res.message_len);
    raw[res.message_len] = '\0';
    for (size_t i = 0; i < res.message_len; i++)
        if (raw[i] == '\0')
            raw[i] = '?';
    log_sanitize(raw, shown, sizeof(shown));
    if (res.code == RADIUS_ACCESS_ACCEPT)
        check_step(rep, where, "user", REASON_OK, "Access-Accept for %s", user);
    else if (res.code == RADIUS_ACCESS_REJECT)
        check_step(rep, where, "user", REASON_WRONG_RESPONSE,
                   "Access-Reject for %s: a wrong password "
                   "or code, or a user the server does not know%s%s",
                   user, shown[0] ? ": " : "", shown);
    else if (res.state_len == 0)
        check_step(rep, where, "user", REASON_METHOD_MISMATCH,
                   "Access-Challenge for %s without State: "
                   "crauth cannot answer it; make the server send State",
                   user);
    else if (cfg->method == METHOD_OTP)
        check_step(rep, where, "user", REASON_METHOD_MISMATCH,
                   "Access-Challenge for %s (\"%s\"): "
                   "method = otp refuses it; set method = auto",
                   user, shown);
    else
        check_step(rep, where, "user", REASON_OK, "Access-Challenge for %s (not answered): \"%s\"",
                   user, shown);
    secmem_wipe(&res, sizeof(res));
}

void
check_radius(struct check_report *rep, const struct crauth_config *cfg, const char *user)
{
    struct radius_params p;
    char password[PASSWORD_MAX], err[300];
    const char *sent_to = NULL;
    bool have_password = false;

    if (cfg->backend != BACKEND_RADIUS)
        return;
    radius_params_from_config(cfg, &p);
    if (user != NULL) {
        if (cfg->keyword[0] != '\0') {
            snprintf(password, sizeof(password), "%s", cfg->keyword);
            have_password = true;
        } else if (read_password(user, password, sizeof(password), err, sizeof(err)) == 0) {
            have_password = true;
        } else {
            check_step(rep, "-", "user", REASON_EMPTY_ANSWER, "%s; not tried", err);
        }
    }
    for (unsigned i = 0; i < cfg->n_radius_servers; i++) {
        const char *server = cfg->radius_servers[i];
        struct radius_endpoint ep;
        char where[64], info[400];
        int reason;

        snprintf(where, sizeof(where), "%s", server);
        if ((reason = radius_endpoint_parse(server, p.transport, &ep, err, sizeof(err))) !=
            REASON_OK) {
            check_step(rep, where, "dns", reason, "%s", err);
            continue;
        }
        if (!check_dns(rep, where, &ep, p.timeout_ms,
                       p.transport == RADIUS_TLS ? SOCK_STREAM : SOCK_DGRAM))
            continue;
        if (p.transport == RADIUS_TLS) {
            reason = radius_tls_probe(&p, server, info, sizeof(info), err, sizeof(err));
            if (reason != REASON_OK) {
                check_step(rep, where, "tls", reason, "%s", err);
                continue;
            }
            check_step(rep, where, "tls", REASON_OK, "%s", info);
        }
        if (!check_probe(rep, where, &p, server) || !have_password)
            continue;
        if (sent_to != NULL) {
            check_step(rep, where, "user", REASON_OK,
                       "not tried: sent to %s only (a one-time code "
                       "works once)",
                       sent_to);
            continue;
        }
        check_user(rep, where, cfg, &p, server, user, password);
        sent_to = server;
    }
    secmem_wipe(password, sizeof(password));
}
