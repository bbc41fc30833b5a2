/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * client.c - connect to crauth-broker, check who it is, say HELLO.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/broker/client.h"
#include "lib/broker/protocol.h"
#include "lib/common/wire.h"

int
broker_connect(const char *path, uid_t helper_uid, bool *not_running, char *err, size_t errlen)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    struct ucred peer;
    socklen_t plen = sizeof(peer);
    int64_t deadline = wire_now_ms() + BROKER_HELLO_MS;
    char why[200];
    int fd, wrc;

    *not_running = false;
    if (strlen(path) >= sizeof(sa.sun_path)) {
        snprintf(err, errlen, "socket path too long");
        return -1;
    }
    memcpy(sa.sun_path, path, strlen(path) + 1);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        snprintf(err, errlen, "socket: %s", strerror(errno));
        return -1;
    }
    /* a Unix stream connect completes at once, or fails with EAGAIN when
     * the listener's backlog is full: never a wait */
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        *not_running = errno == ENOENT || errno == ECONNREFUSED;
        snprintf(err, errlen, "%s",
                 errno == ENOENT || errno == ECONNREFUSED ? "not running (no listener)"
                 : errno == EAGAIN                        ? "busy (its backlog is full)"
                                                          : strerror(errno));
        close(fd);
        return -1;
    }
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &plen) != 0 || plen != sizeof(peer)) {
        snprintf(err, errlen, "cannot tell who listens: %s", strerror(errno));
        close(fd);
        return -1;
    }
    if (peer.uid != 0 && peer.uid != helper_uid) {
        snprintf(err, errlen, "listened on by uid %u, neither root nor uid %u: not asked",
                 (unsigned)peer.uid, (unsigned)helper_uid);
        close(fd);
        return -1;
    }
    /* a broker that turns the call away answers BUSY and closes without
     * reading, so our HELLO may meet a closed socket: its answer is read
     * all the same, and says why */
    wrc = broker_put_hello(fd);
    if (broker_get_hello(fd, deadline, why, sizeof(why)) != WIRE_OK || wrc != WIRE_OK) {
        if (wrc != WIRE_OK && strncmp(why, "busy", 4) != 0)
            snprintf(why, sizeof(why), "HELLO not sent");
        snprintf(err, errlen, "%s", why);
        close(fd);
        return -1;
    }
    return fd;
}
