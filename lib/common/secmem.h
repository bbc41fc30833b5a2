/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * secmem.h - holding secrets: wipe after use, never leave copies behind.
 *
 * Used by the module too, so nothing here depends on OpenSSL.
 */
#ifndef CRAUTH_SECMEM_H
#define CRAUTH_SECMEM_H

#include <stddef.h>

/* Overwrite @len bytes at @p in a way the compiler cannot drop.  The one
 * spelling of a wipe: no OPENSSL_cleanse, explicit_bzero or memset elsewhere. */
void secmem_wipe(void *p, size_t len);

/* Wipe @len bytes at @p, then free it; NULL is fine. */
void secmem_free(void *p, size_t len);

/* strdup / strndup whose result is meant for secmem_free_str. NULL on ENOMEM. */
char *secmem_strdup(const char *s);
char *secmem_strndup(const char *s, size_t n);

/* Wipe a NUL-terminated string, free it, and set *sp to NULL. */
void secmem_free_str(char **sp);

/* Lock @len bytes at @p into RAM where the rlimit allows; failure is not an
 * error (the data is still wiped after use). */
void secmem_lock(void *p, size_t len);

#endif
