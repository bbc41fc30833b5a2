/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * socket_fails.c - preloaded into the helper by test_emergency.py: every
 * Internet socket fails as if the descriptor table were full (EMFILE), so
 * the test sees how each backend reports this host's shortage.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <sys/socket.h>

int socket(int domain, int type, int protocol);

int
socket(int domain, int type, int protocol)
{
    static int (*next)(int, int, int);

    if (domain == AF_INET || domain == AF_INET6) {
        errno = EMFILE;
        return -1;
    }
    if (next == NULL)
        next = (int (*)(int, int, int))dlsym(RTLD_NEXT, "socket");
    return next(domain, type, protocol);
}
