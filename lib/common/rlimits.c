/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rlimits.c - raising the limits a login needs (see rlimits.h).
 */
#include "lib/common/rlimits.h"

#include <stdio.h>

#define MIB ((rlim_t)1024 * 1024)

static const struct rlimit_need needs[] = {
    {RLIMIT_FSIZE, "RLIMIT_FSIZE", 2 * MIB},
    {RLIMIT_NOFILE, "RLIMIT_NOFILE", 64},
    {RLIMIT_NPROC, "RLIMIT_NPROC", 64},
    {RLIMIT_AS, "RLIMIT_AS", 512 * MIB},
    {RLIMIT_DATA, "RLIMIT_DATA", 512 * MIB},
    {RLIMIT_STACK, "RLIMIT_STACK", 1 * MIB},
    {RLIMIT_CPU, "RLIMIT_CPU", 10},
    /* the stall watch's timer (lib/remote/stall.c) queues its signal */
    {RLIMIT_SIGPENDING, "RLIMIT_SIGPENDING", 8},
};

const struct rlimit_need *
rlimits_need_at(size_t i)
{
    return i < sizeof(needs) / sizeof(needs[0]) ? &needs[i] : NULL;
}

static void
format_limit(rlim_t v, char *buf, size_t size)
{
    if (v == RLIM_INFINITY)
        snprintf(buf, size, "unlimited");
    else
        snprintf(buf, size, "%llu", (unsigned long long)v);
}

int
rlimits_raise(char *err, size_t errlen)
{
    for (size_t i = 0; i < sizeof(needs) / sizeof(needs[0]); i++) {
        struct rlimit rl;
        char have[32], want[32];

        if (getrlimit(needs[i].resource, &rl) != 0)
            continue;
        if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < needs[i].min) {
            format_limit(rl.rlim_max, have, sizeof(have));
            format_limit(needs[i].min, want, sizeof(want));
            snprintf(err, errlen,
                     "the caller's hard limit %s = %s is below the %s a login "
                     "needs; raise it for the calling user (limits.conf, ulimit -H)",
                     needs[i].name, have, want);
            return -1;
        }
        if (rl.rlim_cur != rl.rlim_max) {
            rl.rlim_cur = rl.rlim_max;
            (void)setrlimit(needs[i].resource, &rl);
        }
    }
    return 0;
}

void
rlimits_reset_as_root(void)
{
    for (size_t i = 0; i < sizeof(needs) / sizeof(needs[0]); i++) {
        struct rlimit rl;

        if (getrlimit(needs[i].resource, &rl) != 0)
            continue;
        if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < needs[i].min)
            rl.rlim_max = needs[i].min;
        rl.rlim_cur = rl.rlim_max;
        (void)setrlimit(needs[i].resource, &rl);
    }
}
