/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * privs.c - dropping to _crauth for good, and proving it.
 */
#include "helper/privs.h"

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

static void
harden(void)
{
    struct rlimit no_core = {0, 0};

    /* secrets live here: no core files, no ptrace, no gaining privileges
     * through anything we might exec */
    setrlimit(RLIMIT_CORE, &no_core);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

int
privs_drop(struct caller *c, char *err, size_t errlen)
{
    uid_t ruid = getuid(), euid = geteuid(), r, e, s;
    gid_t rgid = getgid(), egid = getegid(), gr, ge, gs;

    c->uid = ruid;
    c->set_id = ruid != euid || rgid != egid;
    c->restricted = c->set_id && ruid != 0;
    if (!c->set_id) {
        harden();
        return 0;
    }
    /* Root called (sshd, sudo): its real uid lets us take euid 0 back for a
     * moment, which is the only way to shed the supplementary groups. */
    if (ruid == 0 && euid != 0 && setresuid((uid_t)-1, 0, (uid_t)-1) == 0) {
        if (setgroups(0, NULL) != 0) {
            snprintf(err, errlen, "setgroups: %s", strerror(errno));
            return -1;
        }
    }
    if (setresgid(egid, egid, egid) != 0 || setresuid(euid, euid, euid) != 0) {
        snprintf(err, errlen, "cannot become uid %u gid %u: %s", (unsigned)euid,
                 (unsigned)egid, strerror(errno));
        return -1;
    }
    if (getresuid(&r, &e, &s) != 0 || r != euid || e != euid || s != euid ||
        getresgid(&gr, &ge, &gs) != 0 || gr != egid || ge != egid || gs != egid) {
        snprintf(err, errlen, "ids did not change as asked");
        return -1;
    }
    /* prove the drop cannot be undone */
    if (ruid != euid && (setuid(ruid) == 0 || seteuid(ruid) == 0)) {
        snprintf(err, errlen, "could regain uid %u after dropping it", (unsigned)ruid);
        return -1;
    }
    harden(); /* again: changing ids can reset the dumpable flag */
    return 0;
}
