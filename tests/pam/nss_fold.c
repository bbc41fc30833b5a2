/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nss_fold.c - preloaded into the helper by test_local.py: getpwnam folds
 * upper case, as sssd does with case_sensitive = false, so "ALICE" is the
 * account alice.  Names without upper case go to the real getpwnam.
 */
#include <ctype.h>
#include <dlfcn.h>
#include <pwd.h>
#include <stddef.h>
#include <string.h>

struct passwd *getpwnam(const char *name);

struct passwd *
getpwnam(const char *name)
{
    static struct passwd *(*next)(const char *);
    static char folded[64];
    static char home[] = "/nonexistent", shell[] = "/bin/false", none[] = "";
    static struct passwd pw;
    size_t n = strlen(name);
    int upper = 0;

    for (size_t i = 0; i < n; i++)
        upper |= isupper((unsigned char)name[i]);
    if (upper && n < sizeof(folded)) {
        for (size_t i = 0; i <= n; i++)
            folded[i] = (char)tolower((unsigned char)name[i]);
        pw = (struct passwd){.pw_name = folded,
                             .pw_passwd = none,
                             .pw_uid = 4242,
                             .pw_gid = 4242,
                             .pw_gecos = none,
                             .pw_dir = home,
                             .pw_shell = shell};
        return &pw;
    }
    if (next == NULL)
        next = (struct passwd * (*)(const char *)) dlsym(RTLD_NEXT, "getpwnam");
    return next(name);
}
