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
 * Another thread moved alone (thread_moved) is caught by where it is, and
 * a CPU quota's holds, which can be far shorter than a tick, by the
 * throttled time the kernel keeps for the thread's cgroups (cpu.stat).
 */
#include "lib/remote/stall.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/common/reason.h"

#define STALL_TICK_MS 50

/* The handler is the process's; the timer and the account are each
 * waiting thread's own (the helper has one, crauth-broker one per call),
 * and the timer signals only its thread, whose handler then adds to that
 * thread's account. */
static pthread_once_t handler_once = PTHREAD_ONCE_INIT;
static int handler_error;               /* why the handler could not be set, 0 when it is */
static _Thread_local bool timer_made;   /* start() ran on this thread */
static _Thread_local bool timer_exists; /* and made the timer */
static _Thread_local int start_error;   /* why no timer runs here, 0 when it runs */
static _Thread_local timer_t timer;
/* since stall_watch_begin: when it was called (and when the watch ended,
 * or 0), and the stretches summed */
static _Thread_local atomic_llong begin_ms, end_ms, stalled_ms;
/* when the handler last ran, and the thread's CPU time then */
static _Thread_local atomic_llong last_tick_ms, last_cpu_ms;
/* the waiting thread's cgroups' throttled time at stall_watch_begin */
static _Thread_local int64_t throttled_at_begin;

static int64_t throttled_ms(void);

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
set_handler(void)
{
    struct sigaction sa = {.sa_handler = on_tick, .sa_flags = SA_RESTART};

    sigemptyset(&sa.sa_mask);
    if (sigaction(stall_signal(), &sa, NULL) != 0)
        handler_error = errno;
}

/* This thread's timer, made on its first watch. */
static void
start(void)
{
    struct sigevent ev = {.sigev_notify = SIGEV_THREAD_ID, .sigev_signo = stall_signal()};

    pthread_once(&handler_once, set_handler);
    timer_made = true;
    if ((start_error = handler_error) != 0)
        return;
    /* glibc 2.36 names no field for SIGEV_THREAD_ID's thread (sigevent(7)) */
    ev._sigev_un._tid = gettid();
    if (timer_create(CLOCK_MONOTONIC, &ev, &timer) != 0)
        start_error = errno;
    else
        timer_exists = true;
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

    if (!timer_made)
        start();
    atomic_store(&begin_ms, now_ms(CLOCK_MONOTONIC));
    atomic_store(&end_ms, 0);
    atomic_store(&last_tick_ms, atomic_load(&begin_ms));
    atomic_store(&last_cpu_ms, now_ms(CLOCK_THREAD_CPUTIME_ID));
    atomic_store(&stalled_ms, 0);
    throttled_at_begin = throttled_ms();
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

void
stall_thread_done(void)
{
    /* also a timer that could not be armed: it exists all the same */
    if (timer_exists)
        timer_delete(timer);
    timer_made = timer_exists = false;
}

/* @path's text (a /proc or cgroup file), cut at @size - 1 bytes, or false. */
static bool
read_proc(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    size_t len = 0;
    ssize_t n = 0;

    if (fd < 0)
        return false;
    while (len + 1 < size && (n = read(fd, buf + len, size - 1 - len)) > 0)
        len += (size_t)n;
    close(fd);
    buf[len] = '\0';
    return n >= 0;
}

/* ------------------------------------------------------------ CPU quota */

/* The throttled time (ms) in @dir's cpu.stat and its ancestors' up to
 * @top: cgroup v1's throttled_time (ns), v2's throttled_usec. */
static int64_t
throttled_in(char *dir, size_t top)
{
    char path[PATH_MAX + 528], text[1024], *line, *save = NULL, *slash;
    int64_t ms = 0;

    for (;;) {
        if (snprintf(path, sizeof(path), "%s/cpu.stat", dir) < (int)sizeof(path) &&
            read_proc(path, text, sizeof(text)))
            for (line = strtok_r(text, "\n", &save); line != NULL;
                 line = strtok_r(NULL, "\n", &save)) {
                unsigned long long v;

                if (sscanf(line, "throttled_time %llu", &v) == 1)
                    ms += (int64_t)(v / 1000000);
                else if (sscanf(line, "throttled_usec %llu", &v) == 1)
                    ms += (int64_t)(v / 1000);
            }
        if ((slash = strrchr(dir, '/')) == NULL || (size_t)(slash - dir) < top)
            return ms;
        *slash = '\0';
    }
}

/* Is @name one of the comma-separated @list? */
static bool
listed(const char *list, const char *name)
{
    size_t n = strlen(name);

    for (const char *p = list; p != NULL; p = strchr(p, ','), p = p ? p + 1 : NULL)
        if (strncmp(p, name, n) == 0 && (p[n] == ',' || p[n] == '\0'))
            return true;
    return false;
}

/* The path, in /proc/thread-self/cgroup's @own, of the v1 hierarchy that
 * has @controller, or of the v2 one when @controller is NULL. */
static bool
cgroup_path(const char *own, const char *controller, char *out, size_t size)
{
    char copy[2048], *line, *save = NULL;

    snprintf(copy, sizeof(copy), "%s", own);
    for (line = strtok_r(copy, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
        char *ids = strchr(line, ':'), *path = ids ? strchr(ids + 1, ':') : NULL;

        if (path == NULL)
            continue;
        *path++ = '\0';
        ids++;
        if (controller == NULL ? strcmp(line, "0") == 0 && ids[0] == '\0'
                               : listed(ids, controller)) {
            snprintf(out, size, "%s", path);
            return true;
        }
    }
    return false;
}

/* The cgroup file systems that can hold a CPU quota: cgroup2, and the v1
 * hierarchy with the cpu controller, read from mountinfo once (their
 * mounts do not move under a running helper; the thread's group may). */
struct cpu_mount {
    bool v2;
    char root[256], point[256];
};
static struct cpu_mount cpu_mounts[2];
static size_t n_cpu_mounts;

static void
find_cpu_mounts(void)
{
    enum { MOUNTS_MAX = 256 * 1024 };
    char *mounts = malloc(MOUNTS_MAX), *line, *save = NULL;

    if (mounts == NULL || !read_proc("/proc/self/mountinfo", mounts, MOUNTS_MAX)) {
        free(mounts);
        return;
    }
    for (line = strtok_r(mounts, "\n", &save); line != NULL && n_cpu_mounts < 2;
         line = strtok_r(NULL, "\n", &save)) {
        struct cpu_mount *m = &cpu_mounts[n_cpu_mounts];
        char fstype[32], opts[256], *dash = strstr(line, " - ");

        /* ID PARENT MAJ:MIN ROOT POINT OPTIONS [TAGS] - FSTYPE SOURCE SUPER */
        if (dash == NULL || sscanf(line, "%*s %*s %*s %255s %255s", m->root, m->point) != 2 ||
            sscanf(dash, " - %31s %*s %255s", fstype, opts) != 2)
            continue;
        m->v2 = strcmp(fstype, "cgroup2") == 0;
        if (m->v2 || (strcmp(fstype, "cgroup") == 0 && listed(opts, "cpu")))
            n_cpu_mounts++;
    }
    free(mounts);
}

/* The CPU quota's hold on the waiting thread: the time its cgroups (cpu
 * controller, v1 or v2, and their ancestors) were throttled, in ms.  A
 * quota holds the thread in periods as short as a millisecond, shorter
 * than any tick sees; the kernel counts them.  0 when nothing says. */
static int64_t
throttled_ms(void)
{
    static pthread_once_t mounts_once = PTHREAD_ONCE_INIT;
    char own[2048], dir[PATH_MAX], path[PATH_MAX];
    int64_t ms = 0;

    pthread_once(&mounts_once, find_cpu_mounts);
    if (n_cpu_mounts == 0 || !read_proc("/proc/thread-self/cgroup", own, sizeof(own)))
        return 0;
    for (size_t i = 0; i < n_cpu_mounts; i++) {
        const struct cpu_mount *m = &cpu_mounts[i];
        const char *at = path;

        if (!cgroup_path(own, m->v2 ? NULL : "cpu", path, sizeof(path)))
            continue;
        /* a mount of a subtree (a container's) shows paths below its root */
        if (strcmp(m->root, "/") != 0 && strncmp(at, m->root, strlen(m->root)) == 0)
            at += strlen(m->root);
        if (snprintf(dir, sizeof(dir), "%s%s", m->point, strcmp(at, "/") == 0 ? "" : at) >=
            (int)sizeof(dir))
            continue;
        ms += throttled_in(dir, strlen(m->point));
    }
    return ms;
}

/* A thread of this process in other cgroups than the process: the timer
 * watches only the waiting thread, and a caller who owns the cgroup sudo
 * runs in can move another one (libcurl's resolver, glibc's lookup
 * thread) alone into a frozen or throttled group of its own.  The helper
 * never moves its threads; *tid names the first such thread. */
/* The lines of a /proc cgroup file @in whose hierarchy can hold a thread
 * back (cgroup v2's, and v1's freezer, cpu, cpuacct, cpuset), into @out:
 * a thread in another memory or blkio group is not held by that, and a
 * host's tooling may place threads there for its own bookkeeping. */
static void
holding_lines(const char *in, char *out, size_t size)
{
    char copy[2048], *line, *save = NULL;
    size_t len = 0;

    snprintf(copy, sizeof(copy), "%s", in);
    out[0] = '\0';
    for (line = strtok_r(copy, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
        char ids[256];

        if (sscanf(line, "%*[^:]:%255[^:]:", ids) != 1)
            ids[0] = '\0';
        if ((strncmp(line, "0::", 3) == 0 || listed(ids, "freezer") || listed(ids, "cpu") ||
             listed(ids, "cpuacct") || listed(ids, "cpuset")) &&
            len + strlen(line) + 2 <= size)
            len += (size_t)snprintf(out + len, size - len, "%s\n", line);
    }
}

static bool
thread_moved(char *tid, size_t size)
{
    char own[2048], other[2048], path[64], mine[2048], theirs[2048];
    struct dirent *e;
    bool moved = false;
    DIR *d;

    if (!read_proc("/proc/self/cgroup", own, sizeof(own)) ||
        (d = opendir("/proc/self/task")) == NULL)
        return false;
    holding_lines(own, mine, sizeof(mine));
    while (!moved && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "/proc/self/task/%.20s/cgroup", e->d_name);
        if (!read_proc(path, other, sizeof(other)))
            continue;
        holding_lines(other, theirs, sizeof(theirs));
        if (strcmp(mine, theirs) != 0) {
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
    int64_t stalled, wait, throttled;
    char tid[24];

    stall_watch_end();
    if (thread_moved(tid, sizeof(tid))) {
        snprintf(err, errlen,
                 "no answer from %s in time, but the helper's threads are not all in one "
                 "cgroup (thread %s differs from the main thread: moved by its caller, to "
                 "freeze or starve one alone); the server is not blamed",
                 peer, tid);
        return REASON_RESOURCE_LIMIT;
    }
    stalled = atomic_load(&stalled_ms);
    /* the quota's holds (read only now: a wait that ended well needs no
     * verdict), or the ticks' measure, whichever saw more */
    wait = atomic_load(&end_ms) - atomic_load(&begin_ms);
    throttled = throttled_ms() - throttled_at_begin;
    if (throttled > wait) /* the cgroup's count, not the thread's: never more than the wait */
        throttled = wait;
    if (throttled > stalled)
        stalled = throttled;
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
