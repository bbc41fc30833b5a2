/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net.c - a name lookup we stop waiting for (getaddrinfo_a).
 */
#include "lib/remote/net.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
            if (n_abandoned < ABANDONED_MAX)
                abandoned[n_abandoned++] = l;
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
    return rc == EAI_MEMORY || rc == EAI_SYSTEM ? RESOLVE_LOCAL_FAILURE : rc;
}

bool
net_errno_is_local(int err_no)
{
    return err_no == EMFILE || err_no == ENFILE || err_no == ENOMEM || err_no == ENOBUFS ||
           err_no == EAGAIN;
}
