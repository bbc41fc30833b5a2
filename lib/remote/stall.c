/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stall.c - a timer that signals the waiting thread every STALL_TICK_MS;
 * its handler notes how late it ran.  The measure is taken on the thread
 * that waits for the server (in libcurl, in our RADIUS and proxy loops),
 * because that is the one a caller has to hold back: a stopped process
 * runs none of its threads, but a cgroup v2 "threaded" group lets a user
 * who owns the group sudo runs in freeze or throttle one thread alone
 * (cgroup.threads, cgroup.freeze, cpu.max), and a watch on another thread
 * would see nothing.  A signal to a held thread waits until it runs again.
 *
 * A late tick while the thread was busy (its own CPU time grew) is time it
 * ran, not a stretch: a TLS handshake under valgrind delivers signals late.
 * Another thread moved alone (thread_moved) is caught by where it is.
 */
#include "lib/remote/stall.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/common/reason.h"

#define STALL_TICK_MS 50

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int start_error; /* why no timer could be made, 0 when it runs */
static timer_t timer;
/* since stall_watch_begin: when it was called (and when the watch ended,
 * or 0), and the stretches summed */
static atomic_llong begin_ms, end_ms, stalled_ms;
/* when the handler last ran, and the thread's CPU time then */
static atomic_llong last_tick_ms, last_cpu_ms;

static int
stall_signal(void)
{
    return SIGRTMIN + 5;
}

static int64_t
now_ms(clockid_t clock)
{
    struct timespec t;

    clock_gettime(clock, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Fold the stretch since the last tick into the sum (async-signal-safe). */
static void
note_tick(void)
{
    int64_t now = now_ms(CLOCK_MONOTONIC), cpu = now_ms(CLOCK_THREAD_CPUTIME_ID);
    int64_t stretch =
        (now - atomic_load(&last_tick_ms)) - STALL_TICK_MS - (cpu - atomic_load(&last_cpu_ms));

    if (stretch > 0)
        atomic_fetch_add(&stalled_ms, stretch);
    atomic_store(&last_tick_ms, now);
    atomic_store(&last_cpu_ms, cpu);
}

static void
on_tick(int sig)
{
    int saved = errno;

    (void)sig;
    note_tick();
    errno = saved;
}

static void
start(void)
{
    struct sigaction sa = {.sa_handler = on_tick, .sa_flags = SA_RESTART};
    struct sigevent ev = {.sigev_notify = SIGEV_THREAD_ID, .sigev_signo = stall_signal()};

    /* glibc 2.36 names no field for SIGEV_THREAD_ID's thread (sigevent(7)) */
    ev._sigev_un._tid = gettid();
    sigemptyset(&sa.sa_mask);
    if (sigaction(stall_signal(), &sa, NULL) != 0 ||
        timer_create(CLOCK_MONOTONIC, &ev, &timer) != 0)
        start_error = errno;
}

static void
arm(long ms)
{
    struct itimerspec it = {
        .it_interval = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L},
        .it_value = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L},
    };

    if (start_error == 0 && timer_settime(timer, 0, &it, NULL) != 0)
        start_error = errno;
}

void
stall_watch_begin(void)
{
    sigset_t ours;

    pthread_once(&once, start);
    atomic_store(&begin_ms, now_ms(CLOCK_MONOTONIC));
    atomic_store(&end_ms, 0);
    atomic_store(&last_tick_ms, atomic_load(&begin_ms));
    atomic_store(&last_cpu_ms, now_ms(CLOCK_THREAD_CPUTIME_ID));
    atomic_store(&stalled_ms, 0);
    sigemptyset(&ours);
    sigaddset(&ours, stall_signal());
    pthread_sigmask(SIG_UNBLOCK, &ours, NULL);
    arm(STALL_TICK_MS);
}

void
stall_watch_end(void)
{
    if (atomic_load(&end_ms) != 0)
        return;
    arm(0);
    note_tick(); /* a stretch still going on: held until just now */
    atomic_store(&end_ms, now_ms(CLOCK_MONOTONIC));
}

/* @path's text (a /proc file of a few lines), or false. */
static bool
read_proc(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, buf, size - 1) : -1;

    if (fd >= 0)
        close(fd);
    if (n < 0)
        return false;
    buf[n] = '\0';
    return true;
}

/* A thread of this process in other cgroups than the process: the timer
 * watches only the waiting thread, and a caller who owns the cgroup sudo
 * runs in can move another one (libcurl's resolver, glibc's lookup
 * thread) alone into a frozen or throttled group of its own.  The helper
 * never moves its threads; *tid names the first such thread. */
static bool
thread_moved(char *tid, size_t size)
{
    char own[2048], other[2048], path[64];
    struct dirent *e;
    bool moved = false;
    DIR *d;

    if (!read_proc("/proc/self/cgroup", own, sizeof(own)) ||
        (d = opendir("/proc/self/task")) == NULL)
        return false;
    while (!moved && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "/proc/self/task/%.20s/cgroup", e->d_name);
        if (read_proc(path, other, sizeof(other)) && strcmp(own, other) != 0) {
            snprintf(tid, size, "%.20s", e->d_name);
            moved = true;
        }
    }
    closedir(d);
    return moved;
}

int
stall_blame_self(const char *peer, char *err, size_t errlen)
{
    int64_t stalled, wait;
    char tid[24];

    stall_watch_end();
    if (thread_moved(tid, sizeof(tid))) {
        snprintf(err, errlen,
                 "no answer from %s in time, but thread %s of this helper was moved to other "
                 "cgroups than the helper's (by its caller, to freeze or starve it); the "
                 "server is not blamed",
                 peer, tid);
        return REASON_RESOURCE_LIMIT;
    }
    stalled = atomic_load(&stalled_ms);
    wait = atomic_load(&end_ms) - atomic_load(&begin_ms);
    if (start_error != 0) {
        snprintf(err, errlen,
                 "no answer from %s in time, and this helper could not set up the timer "
                 "that tells a held helper from a silent server (%s): failing closed",
                 peer, strerror(start_error));
        return REASON_RESOURCE_LIMIT;
    }
    if (stalled <= STALL_LIMIT_MS || stalled * 4 <= wait)
        return -1;
    snprintf(err, errlen,
             "no answer from %s in time, but this helper was kept from running for %lld ms "
             "of its %lld ms wait (stopped, frozen or starved of CPU by its caller or this "
             "machine); the server is not blamed",
             peer, (long long)stalled, (long long)wait);
    return REASON_RESOURCE_LIMIT;
}
