/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * privs.c - dropping to _crauth for good, and proving it.
 *
 * The caller's supplementary groups must go (a group the user belongs to
 * must not reach the helper's files), but setgroups(2) needs CAP_SETGID,
 * which a set-uid non-root program does not have.  The installed helper
 * therefore carries the file capability cap_setgid=ep (as sssd's children
 * carry theirs instead of being set-uid root): it sheds the groups first
 * thing, then drops every capability before it reads anything.  A root
 * caller's real uid lets it take euid 0 back for the same purpose when
 * the capability is missing.
 */
#include "helper/privs.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
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

/* Clear the effective, permitted and inheritable sets; 0 when they are
 * empty afterwards. */
static int
drop_capabilities(void)
{
    struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

    memset(data, 0, sizeof(data));
    if (syscall(SYS_capset, &hdr, data) != 0)
        return -1;
    memset(data, 0xff, sizeof(data));
    if (syscall(SYS_capget, &hdr, data) != 0)
        return -1;
    for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++)
        if (data[i].effective || data[i].permitted || data[i].inheritable)
            return -1;
    return 0;
}

/* Shed the supplementary groups: with CAP_SETGID (the file capability),
 * or by taking euid 0 back when root called. */
static int
drop_groups(uid_t ruid, uid_t euid, char *err, size_t errlen)
{
    if (setgroups(0, NULL) == 0)
        return 0;
    if (ruid == 0 && euid != 0 && setresuid((uid_t)-1, 0, (uid_t)-1) == 0 &&
        setgroups(0, NULL) == 0)
        return 0;
    snprintf(err, errlen,
             "cannot drop the caller's supplementary groups (%s): the helper "
             "needs the file capability cap_setgid=ep (setcap cap_setgid=ep HELPER; "
             "`make install-setuid` and the Debian package set it)",
             strerror(errno));
    return -1;
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
        /* run by hand or by a caller that is already who we would become:
         * nothing to drop but groups, where that is possible (root), and
         * the file capability a helper an admin made not set-id may still
         * carry (a user would run it holding CAP_SETGID) */
        if (euid == 0)
            (void)setgroups(0, NULL);
        else if (drop_capabilities() != 0) {
            snprintf(err, errlen, "cannot drop capabilities: %s", strerror(errno));
            return -1;
        }
        harden();
        return 0;
    }
    if (drop_groups(ruid, euid, err, errlen) != 0)
        return -1;
    if (setresgid(egid, egid, egid) != 0 || setresuid(euid, euid, euid) != 0) {
        snprintf(err, errlen, "cannot become uid %u gid %u: %s", (unsigned)euid, (unsigned)egid,
                 strerror(errno));
        return -1;
    }
    if (getresuid(&r, &e, &s) != 0 || r != euid || e != euid || s != euid ||
        getresgid(&gr, &ge, &gs) != 0 || gr != egid || ge != egid || gs != egid ||
        getgroups(0, NULL) != 0) {
        snprintf(err, errlen, "ids or groups did not change as asked");
        return -1;
    }
    if (drop_capabilities() != 0) {
        snprintf(err, errlen, "cannot drop capabilities: %s", strerror(errno));
        return -1;
    }
    /* prove the drop cannot be undone */
    if (ruid != euid && (setuid(ruid) == 0 || seteuid(ruid) == 0)) {
        snprintf(err, errlen, "could regain uid %u after dropping it", (unsigned)ruid);
        return -1;
    }
    if (setgroups(0, NULL) == 0 && euid != 0) {
        snprintf(err, errlen, "could still change groups after dropping capabilities");
        return -1;
    }
    harden(); /* again: changing ids can reset the dumpable flag */
    return 0;
}
