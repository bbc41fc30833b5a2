/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_sandbox.c - the helper's seccomp allow-list: what a login does
 * still works (files, sockets, randomness, a resolver thread), and what an
 * attacker inside the helper would try next is killed.  Each case runs in
 * a child, which enters the sandbox and tries one thing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "helper/sandbox.h"

#define CHILD_SANDBOX_MISSING 3
#define CHILD_WORK_FAILED 4

/* Run @fn in a child inside the sandbox; its wait status. */
static int
in_sandbox(void (*fn)(void))
{
    int status = 0;
    pid_t pid = fork();

    assert_true(pid >= 0);
    if (pid == 0) {
        char err[256];

        if (sandbox_enter(err, sizeof(err)) != SANDBOX_ON)
            _exit(CHILD_SANDBOX_MISSING);
        fn();
        _exit(0);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return status;
}

static void
assert_exited_ok(int status)
{
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void
assert_killed_by_seccomp(int status)
{
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGSYS);
}

static void *
resolve(void *arg)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
    int rc = getaddrinfo("localhost", "443", &hints, &res);

    if (rc == 0)
        freeaddrinfo(res);
    *(int *)arg = rc;
    return NULL;
}

static void
login_work(void)
{
    char path[] = "/tmp/crauth-sandbox-XXXXXX", moved[64], buf[8];
    unsigned char rnd[16];
    struct timespec ts;
    pthread_t thread;
    int fd, sock, rc = -1;

    /* the tokens file's and the cache's way of writing */
    if ((fd = mkstemp(path)) < 0 || write(fd, "x", 1) != 1 || fsync(fd) != 0 ||
        fchmod(fd, 0600) != 0 || lseek(fd, 0, SEEK_SET) != 0 || read(fd, buf, 1) != 1)
        _exit(CHILD_WORK_FAILED);
    close(fd);
    snprintf(moved, sizeof(moved), "%s.new", path);
    if (rename(path, moved) != 0 || unlink(moved) != 0)
        _exit(CHILD_WORK_FAILED);
    /* a TCP socket, randomness, the clock */
    if ((sock = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
        getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd) ||
        clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        _exit(CHILD_WORK_FAILED);
    close(sock);
    /* libcurl's threaded resolver: a thread that calls getaddrinfo */
    if (pthread_create(&thread, NULL, resolve, &rc) != 0 || pthread_join(thread, NULL) != 0 ||
        rc != 0)
        _exit(CHILD_WORK_FAILED);
}

static void
try_fork(void)
{
    pid_t pid = fork();

    if (pid == 0)
        _exit(0);
    _exit(CHILD_WORK_FAILED);
}

static void
try_exec(void)
{
    char *argv[] = {(char *)"/bin/true", NULL};
    char *envp[] = {NULL};

    execve(argv[0], argv, envp);
    _exit(CHILD_WORK_FAILED);
}

static void
try_ptrace(void)
{
    ptrace(PTRACE_TRACEME, 0, NULL, NULL);
    _exit(CHILD_WORK_FAILED);
}

static void
try_dumpable(void)
{
    prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
    _exit(CHILD_WORK_FAILED);
}

static void
try_core_limit(void)
{
    struct rlimit unlimited = {RLIM_INFINITY, RLIM_INFINITY};

    prlimit(0, RLIMIT_CORE, &unlimited, NULL);
    _exit(CHILD_WORK_FAILED);
}

static void
try_raw_socket(void)
{
    socket(AF_PACKET, SOCK_RAW, 0);
    _exit(CHILD_WORK_FAILED);
}

static void
try_tty_injection(void)
{
    char c = 'x';

    ioctl(STDERR_FILENO, TIOCSTI, &c);
    _exit(CHILD_WORK_FAILED);
}

/* glibc must see ENOSYS and fall back to clone, whose flags are checked */
static void
try_clone3(void)
{
    long rc = syscall(SYS_clone3, NULL, 0);

    _exit(rc == -1 && errno == ENOSYS ? 0 : CHILD_WORK_FAILED);
}

/* 0 when the filter loads here, 77 (automake SKIP) when this build means
 * to go without it, 1 when loading it fails. */
static int
sandbox_available(void)
{
    int status = 0;
    pid_t pid = fork();

    if (pid == 0) {
        char err[256];
        enum sandbox_result r = sandbox_enter(err, sizeof(err));

        if (r != SANDBOX_ON)
            fprintf(stderr, "%s\n", err);
        _exit(r == SANDBOX_ON ? 0 : r == SANDBOX_SKIPPED ? 77 : 1);
    }
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return 1;
    return WEXITSTATUS(status);
}

static void
test_login_work_allowed(void **s)
{
    (void)s;
    assert_exited_ok(in_sandbox(login_work));
}
static void
test_clone3_falls_back(void **s)
{
    (void)s;
    assert_exited_ok(in_sandbox(try_clone3));
}
static void
test_fork_killed(void **s)
{
    (void)s;
    assert_killed_by_seccomp(in_sandbox(try_fork));
}
static void
test_exec_killed(void **s)
{
    (void)s;
    assert_killed_by_seccomp(in_sandbox(try_exec));
}
static void
test_ptrace_killed(void **s)
{
    (void)s;
    assert_killed_by_seccomp(in_sandbox(try_ptrace));
}
static void
test_prctl_killed(void **s)
{
    (void)s;
    assert_killed_by_seccomp(in_sandbox(try_dumpable));
}
static void
test_setrlimit_killed(void **s)
{
    (void)s;
    assert_killed_by_seccomp(in_sandbox(try_core_limit));
}
static void
test_raw_socket_killed(void **s)
{
    (void)s;
    assert_killed_by_seccomp(in_sandbox(try_raw_socket));
}
static void
test_tiocsti_killed(void **s)
{
    (void)s;
    assert_killed_by_seccomp(in_sandbox(try_tty_injection));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_login_work_allowed), cmocka_unit_test(test_clone3_falls_back),
        cmocka_unit_test(test_fork_killed),        cmocka_unit_test(test_exec_killed),
        cmocka_unit_test(test_ptrace_killed),      cmocka_unit_test(test_prctl_killed),
        cmocka_unit_test(test_setrlimit_killed),   cmocka_unit_test(test_raw_socket_killed),
        cmocka_unit_test(test_tiocsti_killed),
    };

    int available = sandbox_available();

    if (available != 0)
        return available;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
