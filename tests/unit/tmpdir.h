/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tmpdir.h - a private directory per test program: cmocka group setup and
 * teardown that create it and remove it with everything in it.
 *
 * The including file defines `static char dir[] = "/tmp/crauth-NAME-XXXXXX";`
 * first.
 */
#ifndef CRAUTH_TEST_TMPDIR_H
#define CRAUTH_TEST_TMPDIR_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static int
tmpdir_remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static int
tmpdir_setup(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int
tmpdir_teardown(void **state)
{
    (void)state;
    return nftw(dir, tmpdir_remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
