/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net.c - a name lookup we stop waiting for (getaddrinfo_a), a connect
 * within the same deadline, and the URL split every caller shares.
 */
#include "lib/remote/net.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/common/reason.h"
#include "lib/common/wire.h"

struct lookup {
    struct gaicb cb;
    struct addrinfo hints;
    char *host, *port;
};

/* Lookups given up on while glibc's thread still works on them: that
 * thread writes into them when it finishes, so they are never freed.  Kept
 * reachable here, so leak checkers do not report them; the helper exits
 * soon after anyway. */
#define ABANDONED_MAX 8
static struct lookup *abandoned[ABANDONED_MAX];
static size_t n_abandoned;
/* crauth-broker looks names up on many threads at once */
static pthread_mutex_t abandoned_lock = PTHREAD_MUTEX_INITIALIZER;

static void
lookup_free(struct lookup *l)
{
    free(l->host);
    free(l->port);
    free(l);
}

int
resolve_bounded(const char *host, const char *port, const struct addrinfo *hints,
                int64_t deadline_ms, struct addrinfo **res)
{
    struct lookup *l = calloc(1, sizeof(*l));
    struct gaicb *list[1];
    int rc;

    *res = NULL;
    if (l == NULL)
        return RESOLVE_LOCAL_FAILURE;
    l->hints = *hints;
    if ((l->host = strdup(host)) == NULL || (l->port = strdup(port)) == NULL) {
        lookup_free(l);
        return RESOLVE_LOCAL_FAILURE;
    }
    l->cb.ar_name = l->host;
    l->cb.ar_service = l->port;
    l->cb.ar_request = &l->hints;
    list[0] = &l->cb;
    if (getaddrinfo_a(GAI_NOWAIT, list, 1, NULL) != 0) {
        /* the lookup thread could not start: a limit of this machine */
        lookup_free(l);
        return RESOLVE_LOCAL_FAILURE;
    }
    while ((rc = gai_error(&l->cb)) == EAI_INPROGRESS) {
        int64_t left = deadline_ms - wire_now_ms();
        struct timespec ts;

        if (left <= 0)
            break;
        ts.tv_sec = (time_t)(left / 1000);
        ts.tv_nsec = (long)(left % 1000) * 1000000L;
        (void)gai_suspend((const struct gaicb *const *)list, 1, &ts);
    }
    if (rc == EAI_INPROGRESS) {
        int cancelled = gai_cancel(&l->cb);

        if (cancelled == EAI_NOTCANCELED) {
            pthread_mutex_lock(&abandoned_lock);
            if (n_abandoned < ABANDONED_MAX)
                abandoned[n_abandoned++] = l;
            pthread_mutex_unlock(&abandoned_lock);
            return RESOLVE_TIMED_OUT;
        }
        /* finished between the last look and the cancel: take the answer */
        rc = cancelled == EAI_ALLDONE ? gai_error(&l->cb) : RESOLVE_TIMED_OUT;
    }
    if (rc == 0) {
        *res = l->cb.ar_result;
        l->cb.ar_result = NULL;
    }
    lookup_free(l);
    if (rc == EAI_MEMORY || rc == EAI_SYSTEM ||
        (rc != 0 && rc != RESOLVE_TIMED_OUT && net_local_ports_exhausted()))
        return RESOLVE_LOCAL_FAILURE;
    return rc;
}

bool
net_errno_is_local(int err_no)
{
    return err_no == EMFILE || err_no == ENFILE || err_no == ENOMEM || err_no == ENOBUFS ||
           err_no == EAGAIN || err_no == EADDRNOTAVAIL;
}

/* A resolver that cannot bind its query socket fails like one whose name
 * servers do not answer; a local user who holds every ephemeral port can
 * make it so.  Connecting a UDP socket binds it to an ephemeral port (and
 * sends nothing): if that fails for want of one, the lookup did too. */
bool
net_local_ports_exhausted(void)
{
    struct sockaddr_in to = {.sin_family = AF_INET,
                             .sin_port = htons(9),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err_no = 0;

    if (fd < 0)
        return net_errno_is_local(errno);
    if (connect(fd, (const struct sockaddr *)&to, sizeof(to)) != 0)
        err_no = errno;
    close(fd);
    return err_no == EAGAIN || err_no == EADDRNOTAVAIL;
}

int
net_url_split(const char *url, struct net_url *u, char *err, size_t errlen)
{
    CURLU *cu = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL, *user = NULL, *password = NULL,
         *query = NULL, *fragment = NULL;
    int reason = REASON_CONFIG;
    size_t hl;

    memset(u, 0, sizeof(*u));
    if (cu == NULL) {
        snprintf(err, errlen, "out of memory parsing '%s'", url);
        return REASON_INTERNAL;
    }
    if (curl_url_set(cu, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(cu, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(cu, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
        curl_url_get(cu, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK ||
        strlen(scheme) >= sizeof(u->scheme) || strlen(port) >= sizeof(u->port)) {
        snprintf(err, errlen, "'%s' is not a URL (scheme://HOST[:PORT]/...)", url);
        goto out;
    }
    hl = strlen(host);
    if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') /* IPv6 literal */
        snprintf(u->host, sizeof(u->host), "%.*s", (int)(hl - 2), host + 1);
    else
        snprintf(u->host, sizeof(u->host), "%s", host);
    if (strlen(u->host) != (host[0] == '[' ? hl - 2 : hl)) {
        snprintf(err, errlen, "'%s': the host name is longer than %zu bytes", url,
                 sizeof(u->host) - 1);
        goto out;
    }
    snprintf(u->scheme, sizeof(u->scheme), "%s", scheme);
    snprintf(u->port, sizeof(u->port), "%s", port);
    snprintf(u->name, sizeof(u->name), "%s:%s", host, port);
    /* without CURLU_DEFAULT_PORT: only a port the URL names */
    curl_free(port);
    port = NULL;
    u->explicit_port = curl_url_get(cu, CURLUPART_PORT, &port, 0) == CURLUE_OK;
    curl_url_get(cu, CURLUPART_PATH, &path, 0);
    curl_url_get(cu, CURLUPART_USER, &user, 0);
    curl_url_get(cu, CURLUPART_PASSWORD, &password, 0);
    curl_url_get(cu, CURLUPART_QUERY, &query, 0);
    curl_url_get(cu, CURLUPART_FRAGMENT, &fragment, 0);
    u->bare = user == NULL && password == NULL && query == NULL && fragment == NULL &&
              (path == NULL || path[0] == '\0' || strcmp(path, "/") == 0);
    reason = REASON_OK;
out:
    if (reason != REASON_OK)
        memset(u, 0, sizeof(*u));
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_free(path);
    curl_free(user);
    curl_free(password);
    curl_free(query);
    curl_free(fragment);
    curl_url_cleanup(cu);
    return reason;
}

int
net_wait_fd(int fd, short events, int64_t deadline_ms)
{
    for (;;) {
        struct pollfd pfd = {.fd = fd, .events = events};
        int64_t left = deadline_ms - wire_now_ms();
        int r;

        if (left <= 0)
            return 0;
        r = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
        if (r > 0)
            return 1;
        if (r < 0 && errno != EINTR)
            return -1;
    }
}

/* A connected socket to @ai, or -1 with *err_no (ETIMEDOUT at the deadline). */
static int
connect_one(const struct addrinfo *ai, int64_t deadline_ms, int *err_no)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
    int soerr = 0;
    socklen_t sl = sizeof(soerr);

    if (fd < 0) {
        *err_no = errno;
        return -1;
    }
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
        return fd;
    if (errno != EINPROGRESS) {
        *err_no = errno;
    } else if (net_wait_fd(fd, POLLOUT, deadline_ms) != 1) {
        *err_no = ETIMEDOUT;
    } else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0 || soerr != 0) {
        *err_no = soerr ? soerr : errno;
    } else {
        return fd;
    }
    close(fd);
    return -1;
}

static void
numeric_address(const struct addrinfo *ai, char *buf, size_t size)
{
    if (getnameinfo(ai->ai_addr, ai->ai_addrlen, buf, (socklen_t)size, NULL, 0, NI_NUMERICHOST) !=
        0)
        snprintf(buf, size, "?");
}

int
net_connect_bounded(const char *host, const char *port, const char *what, int64_t deadline_ms,
                    int *fd, struct net_connect_info *info, char *err, size_t errlen)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_ADDRCONFIG | AI_NUMERICSERV};
    struct net_connect_info local;
    struct addrinfo *res = NULL;
    int rc, err_no = ECONNREFUSED;

    if (info == NULL)
        info = &local;
    memset(info, 0, sizeof(*info));
    *fd = -1;
    rc = resolve_bounded(host, port, &hints, deadline_ms, &res);
    if (rc == RESOLVE_TIMED_OUT) {
        snprintf(err, errlen,
                 "resolving %s did not finish within connect_timeout; check the "
                 "name servers in /etc/resolv.conf, or give the host as an address",
                 what);
        return REASON_SERVER_UNREACHABLE;
    }
    if (rc == RESOLVE_LOCAL_FAILURE) {
        snprintf(err, errlen,
                 "cannot resolve %s: no thread, memory or free local port for the lookup "
                 "on this machine",
                 what);
        return REASON_RESOURCE_LIMIT;
    }
    if (rc != 0) {
        snprintf(err, errlen, "cannot resolve %s: %s", what, gai_strerror(rc));
        return REASON_SERVER_UNREACHABLE;
    }
    info->resolved = true;
    numeric_address(res, info->addr, sizeof(info->addr));
    for (const struct addrinfo *ai = res; ai != NULL && *fd < 0; ai = ai->ai_next) {
        *fd = connect_one(ai, deadline_ms, &err_no);
        if (*fd >= 0)
            numeric_address(ai, info->addr, sizeof(info->addr));
    }
    freeaddrinfo(res);
    if (*fd < 0) {
        snprintf(err, errlen, "cannot connect to %s (%s): %s", what, info->addr,
                 err_no == ETIMEDOUT ? "no answer within connect_timeout" : strerror(err_no));
        return net_errno_is_local(err_no) ? REASON_RESOURCE_LIMIT : REASON_SERVER_UNREACHABLE;
    }
    return REASON_OK;
}
