/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * spawn.c - starting the helper, and a bounded wait for its exit.
 *
 * posix_spawn when it can do everything the child needs: glibc starts the
 * child with CLONE_VM|CLONE_VFORK, so a large application (sshd with many
 * sessions) does not pay for copying its page tables on every login.  A
 * set-uid caller (su, sudo: euid 0, real uid the user's) also needs
 * setuid(0) in the child, which posix_spawn cannot do; it gets fork(), with
 * everything prepared before, so that the child makes only async-signal-
 * safe calls: the PAM application may be threaded.
 */
#include "pam_module/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/common/reason.h"
#include "lib/common/rlimits.h"
#include "lib/common/wire.h"

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

/* Pipes and /dev/null must not land on 0, 1 or 2 (an application that
 * closed its standard descriptors): dup2 onto themselves would keep
 * close-on-exec set, or one would overwrite another. */
static int
above_stdio(int *fd)
{
    int moved;

    if (*fd > STDERR_FILENO)
        return 0;
    if ((moved = fcntl(*fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1)) < 0)
        return -1;
    close(*fd);
    *fd = moved;
    return 0;
}

/* The helper's standard descriptors, no others; default signal handling
 * and an empty mask, whatever the application set. */
static int
spawn_helper(const char *path, char *const argv[], char *const envp[], int in_fd, int out_fd,
             int devnull, pid_t *pid)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    sigset_t none, all;
    int rc;

    if ((rc = posix_spawn_file_actions_init(&fa)) != 0)
        return rc;
    if ((rc = posix_spawnattr_init(&attr)) != 0) {
        posix_spawn_file_actions_destroy(&fa);
        return rc;
    }
    sigemptyset(&none);
    sigfillset(&all);
    if ((rc = posix_spawn_file_actions_adddup2(&fa, in_fd, STDIN_FILENO)) == 0 &&
        (rc = posix_spawn_file_actions_adddup2(&fa, out_fd, STDOUT_FILENO)) == 0 &&
        (rc = posix_spawn_file_actions_adddup2(&fa, devnull, STDERR_FILENO)) == 0 &&
        (rc = posix_spawn_file_actions_addclosefrom_np(&fa, STDERR_FILENO + 1)) == 0 &&
        (rc = posix_spawnattr_setsigmask(&attr, &none)) == 0 &&
        (rc = posix_spawnattr_setsigdefault(&attr, &all)) == 0 &&
        (rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)) == 0)
        rc = posix_spawn(pid, path, &fa, &attr, argv, envp);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&fa);
    return rc;
}

/* The caller's scheduling is inherited like its limits: `chrt --idle`,
 * `nice -n 19`, `ionice -c3` or `taskset` on a busy CPU before su or sudo
 * would slow the helper until a server's connect_timeout passes, and "no
 * server could be asked" opens the admin's fallback path.  As root, give
 * the helper the defaults (SCHED_OTHER, nice 0, every CPU, I/O class
 * none); the kernel keeps a cgroup's own CPU set and quota, which this
 * cannot undo.  Not root: it is the caller's own process to slow. */
#define IOPRIO_WHO_PROCESS 1 /* linux/ioprio.h, which glibc does not wrap */
static void
fair_share(pid_t pid)
{
    struct sched_param normal = {.sched_priority = 0};
    cpu_set_t every;

    if (geteuid() != 0)
        return;
    CPU_ZERO(&every);
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
        CPU_SET(cpu, &every);
    (void)sched_setscheduler(pid, SCHED_OTHER, &normal);
    (void)setpriority(PRIO_PROCESS, (id_t)pid, 0);
    (void)sched_setaffinity(pid, sizeof(every), &every);
    /* ionice -c3 would stall the fsync of the tokens file; 0 is "none",
     * the class that follows the CPU nice value (ioprio_set(2)) */
    (void)syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, (int)pid, 0);
}

/* The child of fork(): the same as spawn_helper's actions, plus setuid(0). */
static void
exec_helper_as_root(const char *path, char *const argv[], char *const envp[], int in_fd, int out_fd,
                    int devnull)
{
    sigset_t none;

    if (dup2(in_fd, STDIN_FILENO) < 0 || dup2(out_fd, STDOUT_FILENO) < 0 ||
        dup2(devnull, STDERR_FILENO) < 0)
        _exit(127);
    if (syscall(SYS_close_range, 3U, ~0U, 0U) != 0) {
        for (int fd = 3; fd < 1024; fd++)
            close(fd);
    }
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    /* The helper judges the caller by its real uid: make it root too.  su
     * and sudo run with the user's resource limits; as root the child can
     * give the helper the limits a login needs (lib/common/rlimits.h). */
    if (setuid(0) != 0)
        _exit(127);
    rlimits_reset_as_root();
    execve(path, argv, envp);
    _exit(127);
}

int
helper_start(const char *path, struct helper_proc *h, char *err, size_t errlen)
{
    static char *const envp[] = {NULL};
    char *const argv[] = {(char *)"crauth-helper", NULL};
    struct sigaction dfl = {.sa_handler = SIG_DFL};
    int in[2] = {-1, -1}, out[2] = {-1, -1}, devnull = -1, rc;
    bool setuid_caller = geteuid() == 0 && getuid() != 0;
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
        (devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0 || above_stdio(&in[0]) != 0 ||
        above_stdio(&in[1]) != 0 || above_stdio(&out[0]) != 0 || above_stdio(&out[1]) != 0 ||
        above_stdio(&devnull) != 0) {
        snprintf(err, errlen, "cannot create pipes for the helper: %s", strerror(errno));
        goto fail;
    }
    sigemptyset(&dfl.sa_mask);
    if (sigaction(SIGCHLD, &dfl, &h->saved_chld) == 0)
        h->chld_saved = true;

    if (!setuid_caller) {
        if ((rc = spawn_helper(path, argv, envp, in[0], out[1], devnull, &h->pid)) != 0) {
            h->pid = -1;
            snprintf(err, errlen, "cannot start the helper %s: %s", path, strerror(rc));
            goto fail;
        }
    } else {
        h->pid = fork();
        if (h->pid < 0) {
            snprintf(err, errlen, "cannot fork the helper: %s", strerror(errno));
            goto fail;
        }
        if (h->pid == 0)
            exec_helper_as_root(path, argv, envp, in[0], out[1], devnull);
    }
    fair_share(h->pid);
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
