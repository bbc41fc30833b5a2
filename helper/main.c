/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * main.c - crauth-helper: process hygiene, the request frames, the verdict.
 *
 * Contract with the module (as unix_chkpwd's with pam_unix): stdin and
 * stdout are pipes carrying frames (lib/common/wire.h), the environment is empty,
 * and the exit status is the reason code, 0 only after a success frame.
 * A tty on stdin means someone runs us by hand: refused.
 */
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/core/cache.h"
#include "lib/core/conf.h"
#include "lib/core/fileio.h"
#include "helper/conv.h"
#include "helper/hygiene.h"
#include "helper/plugin.h"
#include "helper/transport.h"
#include "lib/broker/protocol.h"
#include "helper/attempts.h"
#include "lib/common/log.h"
#include "helper/privs.h"
#include "lib/common/reason.h"
#include "helper/sandbox.h"
#include "lib/common/secmem.h"
#include "helper/session.h"
#include "lib/common/utf8.h"
#include "lib/common/wire.h"

#ifdef CRAUTH_SANITIZERS
#include <sanitizer/lsan_interface.h>
#endif

#ifndef CRAUTH_CONF_DEFAULT
#define CRAUTH_CONF_DEFAULT "/etc/security/crauth.conf"
#endif

#define REQUEST_TIMEOUT_MS 10000
#define LOCAL_BUDGET_MS 10000
/* what the module waits for one step at most (pam_module/relay.c) */
#define STEP_BUDGET_MAX_MS 600000
#define MISUSE_DELAY_S 2

struct request {
    char *item[W_ACCOUNT + 1]; /* indexed by frame type: W_USER..W_AUTHTOK, W_ACCOUNT */
    uint32_t flags;
};

static const size_t item_max[W_ACCOUNT + 1] = {
    [W_USER] = WIRE_MAX_NAME,      [W_SERVICE] = WIRE_MAX_NAME, [W_RHOST] = WIRE_MAX_PLACE,
    [W_TTY] = WIRE_MAX_PLACE,      [W_RUSER] = WIRE_MAX_NAME,   [W_CONF] = PATH_MAX - 1,
    [W_AUTHTOK] = WIRE_MAX_ANSWER, [W_ACCOUNT] = WIRE_MAX_NAME,
};

static bool
valid_user_name(const char *u)
{
    if (u[0] == '\0' || u[0] == '-' || u[0] == '+')
        return false;
    return strpbrk(u, " /:") == NULL && text_is_printable(u);
}

/* Frames from the module up to START.  Each item at most once. */
static int
read_request(struct request *req, char *detail, size_t dlen)
{
    int64_t deadline = wire_now_ms() + REQUEST_TIMEOUT_MS;
    struct wire_frame *f = malloc(sizeof(*f));
    int reason = REASON_PROTOCOL;

    if (f == NULL)
        return REASON_INTERNAL;
    for (;;) {
        const char *text;
        uint16_t version;
        int rc = wire_read(STDIN_FILENO, f, deadline);

        if (rc != WIRE_OK) {
            snprintf(detail, dlen, "reading the request failed (wire status %d)", rc);
            break;
        }
        if (f->type == W_START) {
            if (wire_get_start(f, &version, &req->flags) != WIRE_OK || version != WIRE_VERSION) {
                snprintf(detail, dlen, "START frame from a module of another version");
                break;
            }
            if (req->item[W_USER] == NULL || req->item[W_SERVICE] == NULL) {
                snprintf(detail, dlen, "START before USER and SERVICE");
                break;
            }
            reason = REASON_OK;
            break;
        }
        if (((f->type < W_USER || f->type > W_AUTHTOK) && f->type != W_ACCOUNT) ||
            req->item[f->type] != NULL) {
            snprintf(detail, dlen, "unexpected %s frame in the request", wire_type_name(f->type));
            break;
        }
        if (wire_text(f, item_max[f->type], &text) != WIRE_OK) {
            snprintf(detail, dlen, "%s frame is not valid text within %zu bytes",
                     wire_type_name(f->type), item_max[f->type]);
            break;
        }
        if ((req->item[f->type] = secmem_strdup(text)) == NULL) {
            reason = REASON_INTERNAL;
            break;
        }
    }
    wire_frame_wipe(f);
    free(f);
    /* not user-unknown: a roll-out stack ignores that, and such a name
     * may be a real account (a directory name with a space) */
    if (reason == REASON_OK && !valid_user_name(req->item[W_USER])) {
        snprintf(detail, dlen, "user name is not acceptable");
        reason = REASON_USER_NAME_REFUSED;
    }
    if (reason == REASON_OK && req->item[W_ACCOUNT] != NULL &&
        !valid_user_name(req->item[W_ACCOUNT])) {
        snprintf(detail, dlen, "ACCOUNT frame is not a user name");
        reason = REASON_PROTOCOL;
    }
    return reason;
}

/* A set-id helper serves a non-root caller only for its own account and
 * only with the system configuration, like unix_chkpwd. */
static int
check_caller(const struct request *req, const struct caller *caller, char *detail, size_t dlen)
{
    struct passwd *pw;

    if (!caller->restricted)
        return REASON_OK;
    if (req->item[W_CONF] != NULL) {
        snprintf(detail, dlen, "caller uid %u may not choose the configuration file",
                 (unsigned)caller->uid);
        return REASON_CALLER_NOT_ALLOWED;
    }
    pw = getpwuid(caller->uid);
    if (pw == NULL || strcmp(pw->pw_name, req->item[W_USER]) != 0) {
        snprintf(detail, dlen, "caller uid %u may authenticate only itself", (unsigned)caller->uid);
        return REASON_CALLER_NOT_ALLOWED;
    }
    return REASON_OK;
}

/* A non-root caller is not trusted to honour pam_fail_delay: the helper
 * waits itself, after the failure has been counted. */
static void
caller_delay(const struct caller *caller, const struct crauth_config *cfg, int reason)
{
    struct timespec ts;

    if (!caller->restricted || reason == REASON_OK || cfg == NULL)
        return;
    ts.tv_sec = cfg->fail_delay_ms / 1000;
    ts.tv_nsec = (cfg->fail_delay_ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* backend = server: crauth-broker when the configuration names one and it
 * answers now (no libcurl, expat or OpenSSL mapped here), else this
 * helper's own calls through crauth-remote.so.  A broker that does not
 * answer costs nothing but a warning: the login goes on without it. */
static int
server_transport(const struct crauth_config *cfg, bool set_id, const struct server_transport **t,
                 char *err, size_t errlen)
{
    char why[300];

    if (cfg->broker != NULL) {
        /* the module waits STEP_BUDGET_MAX_MS for a step at most: a broker
         * that may take longer for the url lines is not asked */
        if ((long)cfg->n_urls * broker_call_limit_ms(cfg) + LOCAL_BUDGET_MS + cfg->fail_delay_ms >
            STEP_BUDGET_MAX_MS)
            snprintf(why, sizeof(why),
                     "%u url(s) x (connect_timeout + 2 x timeout) is over the "
                     "%d s a step may take",
                     cfg->n_urls, STEP_BUDGET_MAX_MS / 1000);
        else if (transport_broker_usable(cfg, why, sizeof(why))) {
            *t = &transport_broker;
            return REASON_OK;
        }
        log_msg(LOG_WARNING, "crauth-broker %s not used: %s; this helper calls the servers itself",
                cfg->broker, why);
    }
    return plugin_load_transport(set_id, t, err, errlen);
}

/* How long the module should wait for our next frame after it answers:
 * the backend's time for its servers (every server in turn) and ours. */
static uint32_t
step_budget_ms(const struct crauth_config *cfg, const struct backend *b)
{
    /* a non-root caller's failure delay is served here, inside a step */
    long ms = LOCAL_BUDGET_MS + cfg->fail_delay_ms;

    if (b->step_budget_ms != NULL)
        ms += b->step_budget_ms(cfg);
    return ms > STEP_BUDGET_MAX_MS ? STEP_BUDGET_MAX_MS : (uint32_t)ms;
}

/* How long the helper may live once it knows its configuration: every
 * prompt may take prompt_timeout, every step its budget. */
static unsigned
lifetime_s(const struct crauth_config *cfg, const struct backend *b)
{
    long s = cfg->prompt_timeout * SESSION_MAX_PROMPTS + step_budget_ms(cfg, b) / 1000 * 2 + 60;

    return s > 4 * 3600 ? 4 * 3600 : (unsigned)s;
}

/* The attempt line, written by the helper itself when the caller is not
 * root: the caller's module could drop it (unix_chkpwd logs its own). */
static void
audit(const struct request *req, const struct caller *caller, int reason, const char *detail)
{
    char u[128], svc[64], d[600];

    if (!caller->restricted)
        return;
    log_sanitize(req->item[W_USER] ? req->item[W_USER] : "?", u, sizeof(u));
    log_sanitize(req->item[W_SERVICE] ? req->item[W_SERVICE] : "?", svc, sizeof(svc));
    log_sanitize(detail, d, sizeof(d));
    /* an unenrolled user is "not enrolled", at info, as the module logs it */
    log_direct(reason == REASON_OK || reason == REASON_USER_UNKNOWN ? LOG_INFO : LOG_NOTICE,
               "%s: user=%s service=%s caller_uid=%u reason=%d (%s) %s",
               reason == REASON_OK             ? "authenticated"
               : reason == REASON_USER_UNKNOWN ? "not enrolled"
                                               : "authentication failed",
               u, svc, (unsigned)caller->uid, reason, crauth_reason_name(reason), d);
}

int
main(int argc, char **argv)
{
    struct request req = {0};
    struct conv conv = {.in_fd = STDIN_FILENO, .out_fd = STDOUT_FILENO};
    struct session s = {0};
    struct crauth_config *cfg = NULL;
    struct caller caller;
    char detail[512] = "", limits[256] = "";
    uint8_t hello[10];
    int reason = REASON_INTERNAL, slot = -1;
    bool limits_ok;

    (void)argv;
    /* before anything is read or written */
    limits_ok = hygiene_setup(limits, sizeof(limits)) == 0;
    log_init("crauth-helper", false);
    if (privs_drop(&caller, detail, sizeof(detail)) != 0) {
        log_direct(LOG_ERR, "refused to run for uid %u: %s", (unsigned)getuid(), detail);
        reason = REASON_HELPER_PRIVILEGES;
        goto out;
    }
    if (argc != 1 || isatty(STDIN_FILENO)) {
        log_direct(LOG_WARNING,
                   "refused: run by uid %u from a terminal or with arguments; "
                   "crauth-helper is started by pam_crauth.so only",
                   (unsigned)caller.uid);
        fprintf(stderr, "crauth-helper is started by pam_crauth.so, not by hand.\n");
        return REASON_CALLER_NOT_ALLOWED;
    }
    if ((reason = read_request(&req, detail, sizeof(detail))) != REASON_OK)
        goto out;
    log_init("crauth-helper", (req.flags & WIRE_F_DEBUG) != 0);
    log_set_sink(conv_log_sink, &conv);
    if (caller.restricted)
        log_set_mirror(LOG_WARNING);
    if (!limits_ok) {
        snprintf(detail, sizeof(detail), "%s", limits);
        reason = REASON_RESOURCE_LIMIT;
        goto out;
    }
    if ((reason = check_caller(&req, &caller, detail, sizeof(detail))) != REASON_OK) {
        sleep(MISUSE_DELAY_S);
        goto out;
    }
    reason = config_load(req.item[W_CONF] ? req.item[W_CONF] : CRAUTH_CONF_DEFAULT,
                         req.item[W_CONF] != NULL, &cfg, detail, sizeof(detail));
    if (reason != REASON_OK)
        goto out;
    {
        char err[256];

        /* the failure limit lives in the cache: without it, no login that
         * the limit should cover (max_failures = 0 switches it off) */
        if (cache_open(cfg->cache_dir, &s.cache, err, sizeof(err)) != REASON_OK) {
            if (cfg->max_failures > 0 || cfg->single_prompt || caller.restricted) {
                snprintf(detail, sizeof(detail), "%s", err);
                reason = REASON_CACHE;
                goto out;
            }
            log_debug("cache unusable: %s", err);
        } else {
            /* what is over goes, so that a flood of user names leaves no
             * more behind than their windows hold (once a minute at most) */
            cache_prune(s.cache, (int64_t)time(NULL));
        }
    }
    if (caller.restricted && (reason = attempts_caller_slot(s.cache, caller.uid, &slot, detail,
                                                            sizeof(detail))) != REASON_OK)
        goto out;
    /* the server code is mapped only when the configuration asks for it */
    if (cfg->backend == BACKEND_LOCAL) {
        s.backend = &backend_local;
    } else if (cfg->backend == BACKEND_SERVER) {
        s.backend = &backend_server;
        if ((reason = server_transport(cfg, caller.set_id, &s.transport, detail, sizeof(detail))) !=
            REASON_OK)
            goto out;
    } else if ((reason = plugin_load(config_backend_name(cfg->backend), caller.set_id, &s.backend,
                                     detail, sizeof(detail))) != REASON_OK) {
        goto out;
    }
    hygiene_lifetime(lifetime_s(cfg, s.backend));
    wire_put_hello(hello, step_budget_ms(cfg, s.backend), (uint32_t)cfg->fail_delay_ms);
    if (wire_write(STDOUT_FILENO, W_HELLO, hello, sizeof(hello)) != WIRE_OK) {
        reason = REASON_PROTOCOL;
        goto out;
    }
    /* before anything from the network or the tokens file is parsed; the
     * names in refusals from here on come from the files (fileio.c) */
    fileio_names_from_files_only();
    switch (sandbox_enter(detail, sizeof(detail))) {
    case SANDBOX_ON:
        break;
    case SANDBOX_SKIPPED:
        log_debug("%s", detail);
        break;
    default:
        reason = REASON_INTERNAL;
        goto out;
    }
    detail[0] = '\0';
    conv.answer_timeout = cfg->prompt_timeout * 1000;
    s.cfg = cfg;
    s.conv = &conv;
    s.user = req.item[W_USER];
    /* the module's name service lookup; a caller that is not root may only
     * be itself (check_caller), so its word on another account is not taken */
    s.account = req.item[W_ACCOUNT] != NULL && !caller.restricted ? req.item[W_ACCOUNT] : s.user;
    s.service = req.item[W_SERVICE];
    s.rhost = req.item[W_RHOST];
    s.tty = req.item[W_TTY];
    s.ruser = req.item[W_RUSER];
    s.authtok = req.item[W_AUTHTOK];
    s.flags = req.flags;
    s.caller = caller.uid;
    s.set_id = caller.set_id;
    if (s.account != s.user && strcmp(s.account, s.user) != 0)
        session_note(&s, "account", s.account);
    if (cfg->embedded)
        session_note(&s, "config", "embedded-default");
    if (s.cache == NULL)
        session_note(&s, "cache", "off");
    reason = session_run(&s);
    snprintf(detail, sizeof(detail), "%s", s.detail);
    caller_delay(&caller, cfg, reason);
out:
    wire_write_result(STDOUT_FILENO, reason, detail);
    audit(&req, &caller, reason, detail);
    attempts_caller_release(slot);
    cache_close(s.cache);
    config_free(cfg);
    for (size_t i = 0; i <= W_ACCOUNT; i++)
        secmem_free_str(&req.item[i]);
        /* The module waits for our exit status before it gives its verdict:
     * skip the libraries' exit handlers (OpenSSL and libcurl clean-up
     * of memory the kernel is about to drop anyway).  Our own secrets are
     * wiped above; frames went out with write(2), no stdio buffer. */
#ifdef CRAUTH_SANITIZERS
    __lsan_do_leak_check();
#endif
    _exit(reason);
}
