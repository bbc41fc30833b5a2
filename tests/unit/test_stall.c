/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_stall.c - lib/remote/stall: a wait in which this process was kept
 * from running is told from one in which it only slept or only computed.
 * A child process stops and continues the test (SIGSTOP/SIGCONT), as a
 * caller with a debugger, a cgroup freezer or a CPU quota can stop its
 * own login; the child's sleeps are the stimulus (time passing while the
 * test is stopped), and the test waits for the child to exit.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/common/reason.h"
#include "lib/common/wire.h"
#include "lib/remote/stall.h"

static void
sleep_ms(long ms)
{
    struct timespec t = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

    while (nanosleep(&t, &t) != 0)
        ;
}

/* A child that stops this process @times times for @stop_ms, letting it
 * run @run_ms in between; returns once the child has exited. */
static void
stopped_by_child(int times, long stop_ms, long run_ms)
{
    pid_t parent = getpid(), pid = fork();
    int status;

    assert_true(pid >= 0);
    if (pid == 0) {
        for (int i = 0; i < times; i++) {
            kill(parent, SIGSTOP);
            sleep_ms(stop_ms);
            kill(parent, SIGCONT);
            sleep_ms(run_ms);
        }
        _exit(0);
    }
    while (waitpid(pid, &status, 0) != pid)
        ;
    assert_true(WIFEXITED(status));
}

static void
test_one_long_stop_is_ours(void **state)
{
    char err[300] = "";

    (void)state;
    stall_watch_begin();
    stopped_by_child(1, 1500, 10);
    assert_int_equal(stall_blame_self("the peer", err, sizeof(err)), REASON_RESOURCE_LIMIT);
    assert_non_null(strstr(err, "kept from running"));
    assert_non_null(strstr(err, "the peer"));
}

static void
test_many_short_stops_are_ours(void **state)
{
    char err[300] = "";

    (void)state;
    /* a CPU quota: no stretch near STALL_LIMIT_MS, most of the wait in all */
    stall_watch_begin();
    stopped_by_child(12, 150, 20);
    assert_int_equal(stall_blame_self("the peer", err, sizeof(err)), REASON_RESOURCE_LIMIT);
}

static void
test_sleeping_is_the_peers(void **state)
{
    char err[300] = "";

    (void)state;
    stall_watch_begin();
    sleep_ms(1200); /* poll(2) on a silent server */
    assert_int_equal(stall_blame_self("the peer", err, sizeof(err)), -1);
}

static void
test_computing_is_the_peers(void **state)
{
    char err[300] = "";
    int64_t end;
    volatile unsigned spin = 0;

    (void)state;
    /* this thread busy (a TLS handshake): the process ran all along,
     * whether or not the watch got a core of its own */
    stall_watch_begin();
    for (end = wire_now_ms() + 1200; wire_now_ms() < end;)
        spin++;
    assert_int_equal(stall_blame_self("the peer", err, sizeof(err)), -1);
}

static void
test_begin_forgets_earlier_stops(void **state)
{
    char err[300] = "";

    (void)state;
    stall_watch_begin();
    stopped_by_child(1, 1000, 10);
    stall_watch_begin();
    sleep_ms(100);
    assert_int_equal(stall_blame_self("the peer", err, sizeof(err)), -1);
}

static int block_fd[2];

static void *
blocked(void *arg)
{
    char c;

    (void)arg;
    *(pid_t *)arg = gettid();
    (void)!read(block_fd[0], &c, 1);
    return NULL;
}

static bool
write_text(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    bool ok = fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text);

    if (fd >= 0)
        close(fd);
    return ok;
}

/* Another thread moved alone into a cgroup of its own (as a caller who
 * owns the group sudo runs in can move libcurl's resolver thread, to
 * freeze it while the waiting thread runs on) is this host's; the same
 * thread left where it was is not. */
static void
test_a_thread_moved_alone_is_ours(void **state)
{
    static const char root[] = "/sys/fs/cgroup/cpu";
    char group[128], path[160], text[32], err[300] = "";
    volatile pid_t tid = 0;
    pthread_t t;

    (void)state;
    snprintf(path, sizeof(path), "%s/tasks", root);
    if (geteuid() != 0 || access(path, W_OK) != 0)
        skip(); /* needs root and cgroup v1's cpu controller */
    assert_int_equal(pipe(block_fd), 0);
    assert_int_equal(pthread_create(&t, NULL, blocked, (void *)&tid), 0);
    while (tid == 0)
        sched_yield();
    stall_watch_begin();
    assert_int_equal(stall_blame_self("the peer", err, sizeof(err)), -1);

    snprintf(group, sizeof(group), "%s/crauth-unit-%d", root, (int)getpid());
    assert_int_equal(mkdir(group, 0755), 0);
    snprintf(path, sizeof(path), "%s/tasks", group);
    snprintf(text, sizeof(text), "%d\n", (int)tid);
    assert_true(write_text(path, text));
    stall_watch_begin();
    assert_int_equal(stall_blame_self("the peer", err, sizeof(err)), REASON_RESOURCE_LIMIT);
    assert_non_null(strstr(err, "not all in one cgroup"));

    snprintf(path, sizeof(path), "%s/tasks", root);
    assert_true(write_text(path, text));
    assert_int_equal(rmdir(group), 0);
    (void)!write(block_fd[1], "x", 1);
    pthread_join(t, NULL);
    close(block_fd[0]);
    close(block_fd[1]);
}

/* A CPU quota in short periods (1 ms in every 10): every tick comes
 * nearly on time, yet the thread ran a tenth of the wait; the kernel's
 * throttled time for its cgroup says so. */
static void
test_quota_in_short_periods_is_ours(void **state)
{
    static const char root[] = "/sys/fs/cgroup/cpu";
    char group[128], path[160], text[32], err[300] = "";
    volatile unsigned spin = 0;
    int64_t end;

    (void)state;
    snprintf(path, sizeof(path), "%s/tasks", root);
    if (geteuid() != 0 || access(path, W_OK) != 0)
        skip(); /* needs root and cgroup v1's cpu controller */
    snprintf(group, sizeof(group), "%s/crauth-unit-quota-%d", root, (int)getpid());
    assert_int_equal(mkdir(group, 0755), 0);
    snprintf(path, sizeof(path), "%s/cpu.cfs_period_us", group);
    assert_true(write_text(path, "10000\n"));
    snprintf(path, sizeof(path), "%s/cpu.cfs_quota_us", group);
    assert_true(write_text(path, "1000\n"));
    snprintf(path, sizeof(path), "%s/tasks", group);
    snprintf(text, sizeof(text), "%d\n", (int)gettid());
    assert_true(write_text(path, text));

    stall_watch_begin();
    for (end = wire_now_ms() + 1500; wire_now_ms() < end;)
        spin++;
    assert_int_equal(stall_blame_self("the peer", err, sizeof(err)), REASON_RESOURCE_LIMIT);
    assert_non_null(strstr(err, "kept from running"));

    snprintf(path, sizeof(path), "%s/tasks", root);
    assert_true(write_text(path, text));
    assert_int_equal(rmdir(group), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_long_stop_is_ours),
        cmocka_unit_test(test_many_short_stops_are_ours),
        cmocka_unit_test(test_sleeping_is_the_peers),
        cmocka_unit_test(test_computing_is_the_peers),
        cmocka_unit_test(test_begin_forgets_earlier_stops),
        cmocka_unit_test(test_a_thread_moved_alone_is_ours),
        cmocka_unit_test(test_quota_in_short_periods_is_ours),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
