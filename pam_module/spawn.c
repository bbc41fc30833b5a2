/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * spawn.c - fork/exec of the helper and a bounded wait for its exit.
 *
 * Everything the child needs is prepared before fork(), so the child only
 * makes async-signal-safe calls: the PAM application may be threaded.
 */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "reason.h"
#include "wire.h"

static void
close_quietly(int *fd)
{
    if (*fd >= 0) {
        close(*fd);
        *fd = -1;
    }
}

static void
restore_sigchld(struct helper_proc *h)
{
    if (h->chld_saved) {
        sigaction(SIGCHLD, &h->saved_chld, NULL);
        h->chld_saved = false;
    }
}

int
helper_start(const char *path, struct helper_proc *h, char *err, size_t errlen)
{
    static char *const envp[] = {NULL};
    char *const argv[] = {(char *)"crauth-helper", NULL};
    struct sigaction dfl = {.sa_handler = SIG_DFL};
    int in[2] = {-1, -1}, out[2] = {-1, -1}, devnull = -1;
    struct stat st;

    h->pid = -1;
    h->to_helper = h->from_helper = -1;
    h->chld_saved = false;
    if (stat(path, &st) != 0) {
        snprintf(err, errlen, "helper %s: %s", path, strerror(errno));
        return REASON_HELPER_UNAVAILABLE;
    }
    if (!S_ISREG(st.st_mode) || (st.st_mode & 0111) == 0) {
        snprintf(err, errlen, "helper %s is not an executable file", path);
        return REASON_HELPER_UNAVAILABLE;
    }
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 ||
        (devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0) {
        snprintf(err, errlen, "cannot create pipes for the helper: %s", strerror(errno));
        goto fail;
    }
    sigemptyset(&dfl.sa_mask);
    if (sigaction(SIGCHLD, &dfl, &h->saved_chld) == 0)
        h->chld_saved = true;

    h->pid = fork();
    if (h->pid < 0) {
        snprintf(err, errlen, "cannot fork the helper: %s", strerror(errno));
        goto fail;
    }
    if (h->pid == 0) {
        if (dup2(in[0], STDIN_FILENO) < 0 || dup2(out[1], STDOUT_FILENO) < 0 ||
            dup2(devnull, STDERR_FILENO) < 0)
            _exit(127);
        if (syscall(SYS_close_range, 3U, ~0U, 0U) != 0) {
            for (int fd = 3; fd < 1024; fd++)
                close(fd);
        }
        /* A setuid caller (su, sudo) has euid 0 but a user's real uid; the
         * helper judges the caller by its real uid, so make it root too. */
        if (geteuid() == 0 && getuid() != 0 && setuid(0) != 0)
            _exit(127);
        execve(path, argv, envp);
        _exit(127);
    }
    close_quietly(&in[0]);
    close_quietly(&out[1]);
    close_quietly(&devnull);
    h->to_helper = in[1];
    h->from_helper = out[0];
    return REASON_OK;
fail:
    close_quietly(&in[0]);
    close_quietly(&in[1]);
    close_quietly(&out[0]);
    close_quietly(&out[1]);
    close_quietly(&devnull);
    restore_sigchld(h);
    return REASON_HELPER_UNAVAILABLE;
}

/* Wait for the child's exit until @deadline_ms without sleeping blind:
 * a pidfd becomes readable when the process exits. */
static bool
wait_exit(pid_t pid, int64_t deadline_ms, int *status)
{
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    bool exited = false;

    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);

        if (r == pid) {
            exited = true;
            break;
        }
        if (r < 0 && errno != EINTR)
            break;
        int64_t left = deadline_ms - wire_now_ms();
        if (left <= 0)
            break;
        if (pidfd >= 0) {
            struct pollfd pfd = {.fd = pidfd, .events = POLLIN};

            (void)poll(&pfd, 1, (int)(left > 1000 ? 1000 : left));
        } else {
            struct timespec ts = {0, 5 * 1000 * 1000};

            nanosleep(&ts, NULL);
        }
    }
    if (pidfd >= 0)
        close(pidfd);
    return exited;
}

bool
helper_finish(struct helper_proc *h, int64_t deadline_ms, int *status)
{
    bool exited;

    close_quietly(&h->to_helper);
    close_quietly(&h->from_helper);
    if (h->pid <= 0)
        return false;
    exited = wait_exit(h->pid, deadline_ms, status);
    if (!exited) {
        kill(h->pid, SIGKILL);
        while (waitpid(h->pid, status, 0) < 0 && errno == EINTR)
            ;
    }
    h->pid = -1;
    restore_sigchld(h);
    return exited;
}

void
helper_kill(struct helper_proc *h)
{
    int status;

    if (h->pid > 0) {
        kill(h->pid, SIGKILL);
        while (waitpid(h->pid, &status, 0) < 0 && errno == EINTR)
            ;
        h->pid = -1;
    }
    close_quietly(&h->to_helper);
    close_quietly(&h->from_helper);
    restore_sigchld(h);
}
