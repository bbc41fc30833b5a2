/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stall.c - a thread that asks to wake every STALL_TICK_MS and notes how
 * late it woke.  A stopped, frozen or throttled process runs none of its
 * threads, so any stretch in which the helper could not run shows up here,
 * whatever the main thread was doing (in libcurl, a resolver thread, our
 * own RADIUS and proxy loops), and none of that code needs to know.
 *
 * A wake can also be late because another thread of ours held the CPU (a
 * TLS handshake under valgrind, which runs one thread at a time): that is
 * time the process did run, so the CPU the process used meanwhile is not
 * counted as a stretch.
 */
#include "lib/remote/stall.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lib/common/reason.h"

#define STALL_TICK_MS 50
#define STALL_STACK (64 * 1024)

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int start_error; /* pthread_create's, 0 when the watch runs */
/* since stall_watch_begin: when it was called, and the stretches summed */
static atomic_llong begin_ms, stalled_ms;
/* when the watch last ran, and the process's CPU time then */
static atomic_llong last_wake_ms, last_cpu_ms;

static int64_t
now_ms(clockid_t clock)
{
    struct timespec t;

    clock_gettime(clock, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* The stretch since the watch last ran that the process spent neither
 * sleeping on purpose (one tick) nor running. */
static int64_t
stretch_since_last_wake(int64_t now, int64_t cpu)
{
    return (now - atomic_load(&last_wake_ms)) - STALL_TICK_MS - (cpu - atomic_load(&last_cpu_ms));
}

static void
note_wake(void)
{
    int64_t now = now_ms(CLOCK_MONOTONIC), cpu = now_ms(CLOCK_PROCESS_CPUTIME_ID);
    int64_t stretch = stretch_since_last_wake(now, cpu);

    if (stretch > 0)
        atomic_fetch_add(&stalled_ms, stretch);
    atomic_store(&last_wake_ms, now);
    atomic_store(&last_cpu_ms, cpu);
}

static void *
watch(void *arg)
{
    const struct timespec tick = {.tv_sec = 0, .tv_nsec = STALL_TICK_MS * 1000000L};

    (void)arg;
    for (;;) {
        /* relative: after a stretch, measure from the wake, never catch up */
        while (clock_nanosleep(CLOCK_MONOTONIC, 0, &tick, NULL) == EINTR)
            ;
        note_wake();
    }
    return NULL;
}

static void
start(void)
{
    pthread_attr_t attr;
    pthread_t t;
    sigset_t all, old;

    /* every signal stays the main thread's (the helper's own handlers) */
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    if ((start_error = pthread_attr_init(&attr)) == 0) {
        pthread_attr_setstacksize(&attr, STALL_STACK);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        start_error = pthread_create(&t, &attr, watch, NULL);
        pthread_attr_destroy(&attr);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

void
stall_watch_begin(void)
{
    atomic_store(&begin_ms, now_ms(CLOCK_MONOTONIC));
    atomic_store(&last_wake_ms, atomic_load(&begin_ms));
    atomic_store(&last_cpu_ms, now_ms(CLOCK_PROCESS_CPUTIME_ID));
    atomic_store(&stalled_ms, 0);
    pthread_once(&once, start);
}

int
stall_blame_self(const char *peer, char *err, size_t errlen)
{
    int64_t now = now_ms(CLOCK_MONOTONIC), wait = now - atomic_load(&begin_ms);
    /* with a stretch still going on: just resumed, this thread may run
     * before the watch wakes to note it */
    int64_t current = stretch_since_last_wake(now, now_ms(CLOCK_PROCESS_CPUTIME_ID));
    int64_t stalled = atomic_load(&stalled_ms) + (current > 0 ? current : 0);

    if (start_error != 0) {
        snprintf(err, errlen,
                 "no answer from %s in time, and this helper could not start the thread "
                 "that tells a stopped helper from a silent server (%s): failing closed",
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
