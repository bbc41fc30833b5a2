/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pam_crauth.c - the PAM entry points.
 *
 * Thin on purpose: parse the arguments, start the helper, relay the
 * conversation, turn the helper's verdict into a PAM code, and write one log
 * line per attempt.  Nothing secret is decided or kept here.  Success needs
 * all three: a RESULT frame saying ok, exit status 0, and nothing else
 * having gone wrong on the way.
 */
#include <errno.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#define PAM_SM_AUTH
#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "pam_module/relay.h"
#include "lib/common/log.h"
#include "lib/common/pam_args.h"
#include "lib/common/reason.h"
#include "pam_module/spawn.h"
#include "lib/common/wire.h"

#ifndef CRAUTH_HELPER_PATH
#define CRAUTH_HELPER_PATH "/usr/libexec/crauth/crauth-helper"
#endif

#define EXIT_WAIT_MS 5000
#define DEFAULT_FAIL_DELAY_US 2000000

struct options {
    const char *conf;
    const char *helper;
    uint32_t flags; /* WIRE_F_* */
    bool debug;
};

static int
parse_options(pam_handle_t *pamh, int argc, const char **argv, struct options *opt)
{
    struct pam_args args;
    int bad = pam_args_parse(argc, argv, &args);

    if (bad >= 0) {
        /* `crauth check` reports the same line with its file and line */
        pam_syslog(pamh, LOG_ERR, "unknown or malformed argument '%s' (known: " PAM_ARGS_KNOWN ")",
                   argv[bad]);
        return -1;
    }
    opt->conf = args.conf;
    opt->helper = args.helper ? args.helper : CRAUTH_HELPER_PATH;
    opt->flags = args.flags;
    opt->debug = args.debug;
    return 0;
}

static const char *
item(pam_handle_t *pamh, int type)
{
    const void *v = NULL;

    if (pam_get_item(pamh, type, &v) != PAM_SUCCESS)
        return NULL;
    return v;
}

/* The account's own name when the name service knows @user by another
 * spelling (sssd with case_sensitive = false takes "ALICE" for alice), into
 * @buf; else NULL.  Asked here, where the application has its name service
 * loaded already (sshd, sudo and login looked the user up first), not in
 * the helper, which would load it for every login. */
static const char *
account_of(const char *user, char *buf, size_t size)
{
    struct passwd pwbuf, *pw = NULL;
    char scratch[4096];

    if (getpwnam_r(user, &pwbuf, scratch, sizeof(scratch), &pw) != 0 || pw == NULL ||
        strcmp(pw->pw_name, user) == 0 || !wire_text_fits(pw->pw_name, WIRE_MAX_NAME) ||
        (size_t)snprintf(buf, size, "%s", pw->pw_name) >= size)
        return NULL;
    return buf;
}

/* The request frames, in the order the helper expects. */
static int
send_request(const struct helper_proc *h, pam_handle_t *pamh, const char *user, const char *account,
             const struct options *opt)
{
    static const struct {
        int pam_item;
        uint8_t frame;
        size_t max;
    } items[] = {
        {PAM_SERVICE, W_SERVICE, WIRE_MAX_NAME},
        {PAM_RHOST, W_RHOST, WIRE_MAX_PLACE},
        {PAM_TTY, W_TTY, WIRE_MAX_PLACE},
        {PAM_RUSER, W_RUSER, WIRE_MAX_NAME},
    };
    uint8_t start[6];

    if (wire_write_text(h->to_helper, W_USER, user) != WIRE_OK ||
        (account != NULL && wire_write_text(h->to_helper, W_ACCOUNT, account) != WIRE_OK))
        return -1;
    for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
        const char *v = item(pamh, items[i].pam_item);

        /* an item the helper would not take (too long, not UTF-8) is left
         * out, as if the application had not set it */
        if (v != NULL && !wire_text_fits(v, items[i].max))
            v = NULL;
        if (items[i].frame == W_SERVICE && v == NULL)
            v = "unknown";
        if (v != NULL && wire_write_text(h->to_helper, items[i].frame, v) != WIRE_OK)
            return -1;
    }
    if (opt->conf != NULL && wire_write_text(h->to_helper, W_CONF, opt->conf) != WIRE_OK)
        return -1;
    if (opt->flags & (WIRE_F_USE_FIRST_PASS | WIRE_F_TRY_FIRST_PASS)) {
        const char *tok = item(pamh, PAM_AUTHTOK);

        if (tok != NULL && strlen(tok) <= WIRE_MAX_ANSWER &&
            wire_write_text(h->to_helper, W_AUTHTOK, tok) != WIRE_OK)
            return -1;
    }
    wire_put_start(start, opt->flags);
    return wire_write(h->to_helper, W_START, start, sizeof(start)) == WIRE_OK ? 0 : -1;
}

/* SIGSYS is the helper's seccomp filter at work: say so, since the admin's
 * next step differs from a crash (the audit log names the system call). */
static const char *
signal_note(int sig)
{
    return sig == SIGSYS ? " (SIGSYS: a system call outside the helper's seccomp allow-list; "
                           "the kernel's audit log names it)"
                         : "";
}

/* Combine the helper's verdict with how it exited.  Disagreement is a
 * protocol error: a success needs both to say so. */
static int
judge(struct relay *r, int reason, bool exited, int status)
{
    if (!exited) {
        if (reason == REASON_OK || r->got_result)
            snprintf(r->detail, sizeof(r->detail), "helper did not exit after its verdict");
        return r->got_result ? REASON_HELPER_TIMEOUT : reason;
    }
    if (!r->got_result) {
        if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && !r->hello_seen) {
            snprintf(r->detail, sizeof(r->detail), "the helper could not be executed");
            return REASON_HELPER_UNAVAILABLE;
        }
        if (WIFSIGNALED(status)) {
            snprintf(r->detail, sizeof(r->detail), "the helper was killed by signal %d%s",
                     WTERMSIG(status), signal_note(WTERMSIG(status)));
            return REASON_HELPER_CRASHED;
        }
        return reason == REASON_OK ? REASON_PROTOCOL : reason;
    }
    if (WIFSIGNALED(status)) {
        snprintf(r->detail, sizeof(r->detail),
                 "the helper was killed by signal %d%s after "
                 "its verdict",
                 WTERMSIG(status), signal_note(WTERMSIG(status)));
        return REASON_HELPER_CRASHED;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != (reason & 0xff)) {
        snprintf(r->detail, sizeof(r->detail),
                 "the helper's verdict %d and exit status %d "
                 "disagree",
                 reason, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        return REASON_PROTOCOL;
    }
    return reason;
}

/* An unenrolled user is not an attack on anyone's token: under a roll-out
 * stack ([user_unknown=ignore]) the next module decides, so the line says
 * "not enrolled", at info.  Only the helper's verdict counts; a missing or
 * oversized user name stays a failure. */
static void
log_attempt(pam_handle_t *pamh, const char *user, int reason, bool verdict, const char *detail,
            int64_t started)
{
    const struct crauth_reason_info *info = crauth_reason_lookup(reason);
    int pam_code = crauth_reason_pam(reason);
    bool unenrolled = verdict && reason == REASON_USER_UNKNOWN;
    int prio = reason == REASON_OK || unenrolled                             ? LOG_INFO
               : (pam_code == PAM_SERVICE_ERR || pam_code == PAM_SYSTEM_ERR) ? LOG_ERR
                                                                             : LOG_NOTICE;
    const char *rhost = item(pamh, PAM_RHOST);
    const char *tty = item(pamh, PAM_TTY);
    char u[128], h[128], t[64];

    /* user and rhost come from the network: no control characters in logs;
     * login(1) sets PAM_RHOST to "", which would log as a bare "rhost=" */
    log_sanitize(user ? user : "?", u, sizeof(u));
    log_sanitize(rhost && rhost[0] ? rhost : "-", h, sizeof(h));
    log_sanitize(tty && tty[0] ? tty : "-", t, sizeof(t));
    /* and no space: a name such as "x reason=0 (ok)" would read as fields
     * to whatever parses the line (fail2ban, a SIEM) */
    for (char *p = u; (p = strchr(p, ' ')) != NULL;)
        *p = '?';
    pam_syslog(pamh, prio, "%s: user=%s rhost=%s tty=%s reason=%d (%s) %s duration_ms=%lld%s",
               reason == REASON_OK ? "authenticated"
               : unenrolled        ? "not enrolled"
                                   : "authentication failed",
               u, h, t, reason, crauth_reason_name(reason), detail,
               (long long)(wire_now_ms() - started), info ? "" : " (not in the catalog)");
}

/* No server could be asked (the emergency path's reasons): say so in one
 * line the user sees.  PAM_ERROR_MSG, because sudo authenticates with
 * PAM_SILENT and would otherwise show only "Sorry, try again". */
static void
tell_unreachable(pam_handle_t *pamh)
{
    (void)pam_error(pamh, "%s", "The authentication server could not be reached.");
}

PAM_EXTERN int
pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
    struct options opt;
    struct helper_proc helper = {.pid = -1, .to_helper = -1, .from_helper = -1};
    struct relay relay = {.pamh = pamh, .helper = &helper};
    const char *user = NULL;
    char account[WIRE_MAX_NAME + 1];
    const char *account_name;
    sigset_t pipe_set, saved_mask, pending;
    bool pipe_was_pending = false, exited = false;
    int64_t started = wire_now_ms();
    int reason = REASON_INTERNAL, status = 0, retval = PAM_AUTH_ERR;

    if (parse_options(pamh, argc, argv, &opt) != 0) {
        reason = REASON_CONFIG;
        snprintf(relay.detail, sizeof(relay.detail), "bad module arguments in the PAM stack");
        goto out;
    }
    relay.silent = (flags & PAM_SILENT) != 0;
    if (pam_get_user(pamh, &user, NULL) != PAM_SUCCESS || user == NULL || user[0] == '\0') {
        reason = REASON_USER_UNKNOWN;
        snprintf(relay.detail, sizeof(relay.detail), "no user name");
        goto out;
    }
    if (!wire_text_fits(user, WIRE_MAX_NAME)) {
        /* a remote sshd client chooses it; not user-unknown, which a
         * roll-out stack ignores (reason.c) */
        reason = REASON_USER_NAME_REFUSED;
        snprintf(relay.detail, sizeof(relay.detail), "user name longer than %d bytes, or not UTF-8",
                 WIRE_MAX_NAME);
        goto out;
    }

    /* A write to a helper that died must not kill sshd or sudo with
     * SIGPIPE; block it in this thread and swallow one we caused. */
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigpending(&pending);
    pipe_was_pending = sigismember(&pending, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &saved_mask);

    /* before the helper starts its request timer: a slow name service
     * delays the login, not the helper's reading of the request */
    account_name = account_of(user, account, sizeof(account));
    reason = helper_start(opt.helper, &helper, relay.detail, sizeof(relay.detail));
    if (reason == REASON_OK) {
        int64_t grace;

        /* If this fails the helper went away early: the frame loop below
         * reads whatever verdict it left and judges its exit.  Our end
         * closed, a helper still waiting for the request sees EOF at once. */
        if (send_request(&helper, pamh, user, account_name, &opt) != 0) {
            close(helper.to_helper);
            helper.to_helper = -1;
        }
        reason = relay_run(&relay);
        /* After a verdict or EOF the helper is exiting: give it a moment.
         * After a timeout or a bad frame it is killed at once. */
        grace = relay.got_result ? EXIT_WAIT_MS : reason == REASON_HELPER_CRASHED ? 1000 : 0;
        exited = helper_finish(&helper, wire_now_ms() + grace, &status);
        reason = judge(&relay, reason, exited, status);
    }

    sigpending(&pending);
    if (!pipe_was_pending && sigismember(&pending, SIGPIPE)) {
        struct timespec zero = {0, 0};

        while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
            ;
    }
    pthread_sigmask(SIG_SETMASK, &saved_mask, NULL);
out:
    retval = crauth_reason_pam(reason);
    if (reason == REASON_OK && retval != PAM_SUCCESS)
        retval = PAM_AUTH_ERR;
    if (retval != PAM_SUCCESS)
        pam_fail_delay(pamh,
                       relay.hello_seen ? relay.fail_delay_ms * 1000u : DEFAULT_FAIL_DELAY_US);
    if (retval == PAM_AUTHINFO_UNAVAIL && relay.got_result)
        tell_unreachable(pamh);
    log_attempt(pamh, user, reason, relay.got_result, relay.detail, started);
    return retval;
}

PAM_EXTERN int
pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
    (void)pamh, (void)flags, (void)argc, (void)argv;
    /* No credentials to set; success keeps sshd and login happy. */
    return PAM_SUCCESS;
}

PAM_EXTERN int
pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
    (void)pamh, (void)flags, (void)argc, (void)argv;
    return PAM_IGNORE;
}
