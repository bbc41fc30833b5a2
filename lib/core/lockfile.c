/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lockfile.c - flock polled every 10 ms up to a deadline.
 */
#include "lib/core/lockfile.h"

#include <errno.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "lib/common/log.h"

int
lockfile_acquire(int fd, int timeout_ms)
{
    const struct timespec pause = {0, 10 * 1000 * 1000};

    for (int waited = 0;; waited += 10) {
        if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
            log_defer_begin();
            return 0;
        }
        if (errno != EWOULDBLOCK && errno != EINTR)
            return errno;
        if (waited >= timeout_ms)
            return EWOULDBLOCK;
        nanosleep(&pause, NULL);
    }
}

void
lockfile_release(int fd)
{
    if (fd < 0)
        return;
    close(fd); /* closing drops the flock */
    log_defer_end();
}
