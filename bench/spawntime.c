/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * spawntime - how long a program takes from exec to its first frame, or to
 * its exit, measured from C so that no interpreter sits inside the interval.
 *
 *   spawntime frame INPUT PROG [ARG...]   exec -> first complete wire frame on stdout
 *   spawntime exit  INPUT PROG [ARG...]   exec -> exit
 *
 * INPUT (a file, or "-" for none) is put into the child's stdin pipe before
 * the clock starts, as pam_crauth.so sends the request frames and pam_unix
 * the password right after fork.  The child gets an empty environment, as
 * both modules give their helpers.  In frame mode the child is killed once
 * the frame is in: what comes after is not start-up.
 * Prints "<nanoseconds> <frame type or exit status>".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int64_t
now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void
die(const char *what)
{
    perror(what);
    exit(2);
}

int
main(int argc, char **argv)
{
    char *envp[] = {NULL};
    int in[2], out[2], status = 0;
    unsigned char buf[65536];
    posix_spawn_file_actions_t fa;
    size_t got = 0;
    ssize_t n;
    pid_t pid;
    int64_t t0, t1;
    int frame_mode;

    if (argc < 4 || (strcmp(argv[1], "frame") != 0 && strcmp(argv[1], "exit") != 0)) {
        fprintf(stderr, "usage: spawntime frame|exit INPUT|- PROG [ARG...]\n");
        return 2;
    }
    frame_mode = strcmp(argv[1], "frame") == 0;
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0)
        die("pipe");
    if (strcmp(argv[2], "-") != 0) {
        int fd = open(argv[2], O_RDONLY);

        if (fd < 0)
            die(argv[2]);
        while ((n = read(fd, buf, sizeof(buf))) > 0)
            if (write(in[1], buf, (size_t)n) != n) /* fits: a pipe holds 64 KiB */
                die("write");
        close(fd);
    }
    if (!frame_mode)
        close(in[1]); /* the password is all pam_unix sends */
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    if (frame_mode)
        posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    else
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);

    t0 = now_ns();
    if ((errno = posix_spawn(&pid, argv[3], &fa, NULL, argv + 3, envp)) != 0)
        die("posix_spawn");
    close(out[1]);
    if (frame_mode) {
        /* a frame: type, 2-byte big-endian length, payload */
        for (;;) {
            n = read(out[0], buf + got, sizeof(buf) - got);
            if (n <= 0) {
                fprintf(stderr, "spawntime: no frame before EOF\n");
                return 1;
            }
            got += (size_t)n;
            if (got >= 3 && got >= 3u + ((size_t)buf[1] << 8 | buf[2]))
                break;
        }
        t1 = now_ns();
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        printf("%lld %u\n", (long long)(t1 - t0), buf[0]);
    } else {
        if (waitpid(pid, &status, 0) != pid)
            die("waitpid");
        t1 = now_ns();
        printf("%lld %d\n", (long long)(t1 - t0), WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }
    return 0;
}
