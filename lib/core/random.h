/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * random.h - random bytes for keys, backup codes, OCRA questions and
 * temporary names, straight from the kernel (getrandom(2)): nothing to set
 * up, and it blocks only until the kernel's pool is first seeded.
 */
#ifndef CRAUTH_RANDOM_H
#define CRAUTH_RANDOM_H

#include "lib/tier_helper_side.h"

#include <stdbool.h>
#include <stddef.h>

/* Fill @buf with @len random bytes; false (errno set) if the kernel
 * refused, with @buf wiped. */
bool random_bytes(void *buf, size_t len);

#endif
