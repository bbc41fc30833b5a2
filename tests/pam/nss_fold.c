/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nss_fold.c - preloaded into a PAM application by test_local.py:
 * getpwnam_r folds upper case, as sssd does with case_sensitive = false,
 * so "ALICE" is the account alice.  Names without upper case go to the
 * real getpwnam_r.
 */
#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <pwd.h>
#include <stddef.h>
#include <string.h>

int getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t size, struct passwd **result);

int
getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t size, struct passwd **result)
{
    static int (*next)(const char *, struct passwd *, char *, size_t, struct passwd **);
    size_t n = strlen(name);
    int upper = 0;

    for (size_t i = 0; i < n; i++)
        upper |= isupper((unsigned char)name[i]);
    if (upper) {
        *result = NULL;
        if (n + 1 > size)
            return ERANGE;
        for (size_t i = 0; i <= n; i++)
            buf[i] = (char)tolower((unsigned char)name[i]);
        *pw = (struct passwd){.pw_name = buf,
                              .pw_passwd = buf + n,
                              .pw_uid = 4242,
                              .pw_gid = 4242,
                              .pw_gecos = buf + n,
                              .pw_dir = buf + n,
                              .pw_shell = buf + n};
        *result = pw;
        return 0;
    }
    if (next == NULL)
        next = (int (*)(const char *, struct passwd *, char *, size_t,
                        struct passwd **))dlsym(RTLD_NEXT, "getpwnam_r");
    return next(name, pw, buf, size, result);
}
