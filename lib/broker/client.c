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
broker_connect(const char *path, char *err, size_t errlen)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    struct ucred peer;
    socklen_t plen = sizeof(peer);
    int64_t deadline = wire_now_ms() + BROKER_HELLO_MS;
    char why[200];
    int fd;

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
    if (peer.uid != 0 && peer.uid != geteuid()) {
        snprintf(err, errlen, "listened on by uid %u, neither root nor uid %u: not asked",
                 (unsigned)peer.uid, (unsigned)geteuid());
        close(fd);
        return -1;
    }
    if (broker_put_hello(fd) != WIRE_OK) {
        snprintf(err, errlen, "HELLO not sent: %s", strerror(errno));
        close(fd);
        return -1;
    }
    if (broker_get_hello(fd, deadline, why, sizeof(why)) != WIRE_OK) {
        snprintf(err, errlen, "%s", why);
        close(fd);
        return -1;
    }
    return fd;
}
