/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * crauth-broker - makes the server backend's calls for crauth-helper over
 * connections it keeps open (doc/design.md, "The broker").
 *
 *   crauth-broker --socket PATH [--debug]
 *   crauth-broker [--debug]          socket-activated (LISTEN_FDS=1, fd 3)
 *
 * It runs as the helper's user (_crauth; crauth-broker.service), takes
 * connections from that user and root only (SO_PEERCRED), serves each on
 * its own thread (at most MAX_CALLS at once; beyond, it answers BUSY: at
 * the start of a login that helper calls the servers itself, later the
 * login fails, 62) and logs to standard error.  It
 * holds the configuration's secrets as the helper does: no core dumps, not
 * traceable, an empty environment (no OPENSSL_CONF, no proxy variables).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <curl/curl.h>

#include "broker/pool.h"
#include "broker/serve.h"
#include "lib/broker/protocol.h"
#include "lib/common/log.h"
#include "lib/common/wire.h"

/* Calls at once.  A hung server holds its calls' threads for up to
 * connect_timeout + 2 x timeout, and a call turned away after the start
 * of a login fails it (62): room for every login a machine runs at once. */
#define MAX_CALLS 1024
/* a call's stack: libcurl, OpenSSL, expat and glibc's resolver need far
 * less; the default 8 MiB times MAX_CALLS would be address space wasted */
#define CALL_STACK (512 * 1024)
/* how long a stop waits for the calls in flight */
#define DRAIN_S 15

static atomic_int calls;
static volatile sig_atomic_t stopping;

static void
on_stop(int sig)
{
    (void)sig;
    stopping = 1;
}

static void
to_stderr(int priority, const char *line, void *arg)
{
    (void)arg;
    /* "<N>" is how systemd's journal reads a line's priority */
    fprintf(stderr, "<%d>crauth-broker: %s\n", priority, line);
}

static void *
call_thread(void *arg)
{
    serve_connection((int)(intptr_t)arg);
    atomic_fetch_sub(&calls, 1);
    return NULL;
}

/* The listening socket: systemd's (LISTEN_FDS), or bound at @path.  A
 * path where a broker answers is left alone; a stale socket is replaced. */
static int
listener(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    const char *pid = getenv("LISTEN_PID"), *n = getenv("LISTEN_FDS");
    struct stat st;
    int fd;

    if (path == NULL) {
        if (pid == NULL || n == NULL || strtol(pid, NULL, 10) != getpid() || strcmp(n, "1") != 0) {
            fprintf(stderr, "crauth-broker: give --socket PATH, or start it from "
                            "crauth-broker.socket\n");
            return -1;
        }
        return 3;
    }
    if (strlen(path) >= sizeof(sa.sun_path) || path[0] != '/') {
        fprintf(stderr, "crauth-broker: --socket needs an absolute path under 108 bytes\n");
        return -1;
    }
    memcpy(sa.sun_path, path, strlen(path) + 1);
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
        return -1;
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode) || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
            fprintf(stderr, "crauth-broker: %s %s\n", path,
                    S_ISSOCK(st.st_mode) ? "has a broker already" : "exists and is no socket");
            close(fd);
            return -1;
        }
        close(fd);
        unlink(path);
        if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
            return -1;
    }
    /* 0600: the broker's own user may connect, and root */
    umask(077);
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 128) != 0) {
        fprintf(stderr, "crauth-broker: %s: %s\n", path, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

/* One connection: served on a thread, or told BUSY. */
static void
take(int fd)
{
    struct ucred peer;
    socklen_t plen = sizeof(peer);
    pthread_attr_t attr;
    pthread_t t;

    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &plen) != 0 ||
        (peer.uid != 0 && peer.uid != geteuid())) {
        log_msg(LOG_WARNING, "a connection from uid %u refused: only root and uid %u may call",
                (unsigned)peer.uid, (unsigned)geteuid());
        close(fd);
        return;
    }
    if (atomic_fetch_add(&calls, 1) >= MAX_CALLS) {
        atomic_fetch_sub(&calls, 1);
        wire_write_text(fd, B_BUSY, "too many calls at once");
        close(fd);
        return;
    }
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, CALL_STACK);
    if (pthread_create(&t, &attr, call_thread, (void *)(intptr_t)fd) != 0) {
        atomic_fetch_sub(&calls, 1);
        wire_write_text(fd, B_BUSY, "cannot start a thread");
        close(fd);
    }
    pthread_attr_destroy(&attr);
}

int
main(int argc, char **argv)
{
    const char *path = NULL;
    bool debug = false;
    struct sigaction sa = {.sa_handler = on_stop};
    struct rlimit core = {0, 0};
    int lfd;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc) {
            path = argv[++i];
        } else if (strcmp(argv[i], "--debug") == 0) {
            debug = true;
        } else {
            fprintf(stderr, "usage: crauth-broker [--socket PATH] [--debug]\n");
            return 2;
        }
    }
    /* systemd's socket (LISTEN_PID, LISTEN_FDS) is taken before the
     * environment goes */
    if ((lfd = listener(path)) < 0)
        return 1;
    /* the configuration's secrets live here as in the helper */
    if (prctl(PR_SET_DUMPABLE, 0) != 0 || setrlimit(RLIMIT_CORE, &core) != 0 || clearenv() != 0) {
        perror("crauth-broker: set-up");
        return 1;
    }
    log_init("crauth-broker", debug);
    log_set_sink(to_stderr, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* no SA_RESTART: accept() returns on a stop */
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "crauth-broker: libcurl could not be initialised\n");
        return 1;
    }
    if (geteuid() == 0)
        log_msg(LOG_WARNING, "runs as root: run it as the helper's user "
                             "(crauth-broker.service does)");
    log_msg(LOG_INFO, "ready%s%s", path ? " on " : "", path ? path : " (socket-activated)");
    while (!stopping) {
        struct pollfd p = {.fd = lfd, .events = POLLIN};
        int fd, n = poll(&p, 1, POOL_IDLE_S * 1000 / 2);

        /* idle connections go on time even when no call comes */
        if (n == 0)
            pool_expire();
        if (n <= 0) /* or a stop (EINTR) */
            continue;
        fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd >= 0)
            take(fd);
        else if (errno != EINTR && errno != ECONNABORTED && errno != EAGAIN) {
            log_msg(LOG_ERR, "accept: %s", strerror(errno));
            /* out of descriptors or memory: not a spin */
            usleep(100000);
        }
    }
    close(lfd);
    if (path != NULL)
        unlink(path);
    /* the calls in flight finish, within a bound */
    for (int i = 0; i < DRAIN_S * 20 && atomic_load(&calls) > 0; i++)
        usleep(50000);
    if (atomic_load(&calls) > 0) {
        /* a call still runs: no exit handlers under it (OpenSSL's and
         * libcurl's clean-up would pull its libraries from under it) */
        log_msg(LOG_WARNING, "stopped with %d call(s) still running", atomic_load(&calls));
        _exit(0);
    }
    pool_clear();
    log_msg(LOG_INFO, "stopped");
    return 0;
}
