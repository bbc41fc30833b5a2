/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sandbox.c - loading the seccomp filter that helper/sandbox-gen compiled
 * at build time (sandbox_gen.c holds the rules), and when to skip it.
 */
#include "helper/sandbox.h"

#include <stdio.h>
#include <string.h>

#ifdef HAVE_VALGRIND_VALGRIND_H
#include <valgrind/valgrind.h>
#endif

#if defined(HAVE_SECCOMP) && !defined(CRAUTH_SANITIZERS)
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>

#include "helper/sandbox_filter.h"

static enum sandbox_result
load(char *err, size_t errlen)
{
    struct sock_fprog prog = {
        .len = (unsigned short)(sizeof(sandbox_filter) / sizeof(sandbox_filter[0])),
        .filter = (struct sock_filter *)sandbox_filter,
    };

    /* no-new-privs is set already (privs.c); the kernel insists on it */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) {
        snprintf(err, errlen, "installing the seccomp filter failed: %s", strerror(errno));
        return SANDBOX_FAILED;
    }
    return SANDBOX_ON;
}
#endif

enum sandbox_result
sandbox_enter(char *err, size_t errlen)
{
#ifdef RUNNING_ON_VALGRIND
    if (RUNNING_ON_VALGRIND) {
        snprintf(err, errlen, "no seccomp filter: running under valgrind");
        return SANDBOX_SKIPPED;
    }
#endif
#if defined(CRAUTH_SANITIZERS)
    snprintf(err, errlen, "no seccomp filter: sanitizer build (LeakSanitizer uses ptrace)");
    return SANDBOX_SKIPPED;
#elif !defined(HAVE_SECCOMP)
    snprintf(err, errlen, "no seccomp filter: built without libseccomp");
    return SANDBOX_SKIPPED;
#else
    return load(err, errlen);
#endif
}
