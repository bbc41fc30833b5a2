/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * secmem.c - wiping and locking memory that holds secrets.
 */
#include "lib/common/secmem.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

void
secmem_wipe(void *p, size_t len)
{
    if (p != NULL && len > 0)
        explicit_bzero(p, len);
}

void
secmem_free(void *p, size_t len)
{
    if (p == NULL)
        return;
    secmem_wipe(p, len);
    free(p);
}

char *
secmem_strndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *copy = malloc(len + 1);

    if (copy == NULL)
        return NULL;
    memcpy(copy, s, len);
    copy[len] = '\0';
    return copy;
}

char *
secmem_strdup(const char *s)
{
    return secmem_strndup(s, strlen(s));
}

void
secmem_free_str(char **sp)
{
    if (*sp == NULL)
        return;
    secmem_wipe(*sp, strlen(*sp));
    free(*sp);
    *sp = NULL;
}

void
secmem_lock(void *p, size_t len)
{
    /* Best effort: RLIMIT_MEMLOCK is small for unprivileged users, and a
     * failure only means the page could be swapped, not that it leaks. */
    (void)mlock(p, len);
}
