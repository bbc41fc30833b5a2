/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * backup_code.h - single-use backup codes: made once, shown once, kept only
 * as salted yescrypt hashes in the tokens file ("USER backup HASH [STATE]").
 *
 * A code is BACKUP_CODE_CHARS characters of the RFC 4648 base32 alphabet in
 * lower case (50 bits from the OpenSSL CSPRNG), shown as two groups of five
 * ("k7ppa-3xqzm").  What the user types is brought to the canonical form
 * before hashing: case folded, '-' and ' ' dropped.  The alphabet has no 0,
 * 1, 8 or 9, so O/0 and l/1 cannot be mixed up, and a numeric OTP never
 * looks like a backup code, which spares the verifier a hash per code.
 *
 * Hash: yescrypt ("$y$", libcrypt's crypt_gensalt_rn + crypt_rn) at cost
 * BACKUP_CODE_COST.  Measured on the development machine (2 shared cores,
 * libxcrypt 4.4.33, load average about 6): one wrong code checked against
 * 10 stored hashes takes 10.4 ms at cost 1 (1 MiB per hash), 21-39 ms at
 * cost 2, and rises to 65-200 ms at cost 2 while a parallel `make check`
 * shares the cores; cost 5, libcrypt's default, is 23 ms per hash.  Cost 1
 * leaves the helper's worst case (a wrong code tried against every unused
 * code of a user) well under 100 ms on a busy machine too, and the codes'
 * 50 bits keep an offline search of a stolen file at about 2^49 * 1 ms,
 * 10^4 CPU-years per code.
 */
#ifndef CRAUTH_BACKUP_CODE_H
#define CRAUTH_BACKUP_CODE_H

#include "lib/tier_helper_side.h"

#include <stdbool.h>
#include <stddef.h>

#define BACKUP_CODE_CHARS 10
#define BACKUP_CODE_SIZE 12 /* "xxxxx-xxxxx" + NUL */
#define BACKUP_CODE_COST 1
#define BACKUP_HASH_SIZE 128
#define BACKUP_COUNT_DEFAULT 10
#define BACKUP_COUNT_MAX 20

/* A fresh code in its printed form.  REASON_OK or REASON_INTERNAL (the
 * random generator failed) with @err. */
int backup_code_generate(char out[BACKUP_CODE_SIZE], char *err, size_t errlen);

/* The salted hash of @code (printed or typed form) into @hash.  REASON_OK,
 * or REASON_INTERNAL with @err (not a backup code, libcrypt failed). */
int backup_code_hash(const char *code, char hash[BACKUP_HASH_SIZE], char *err, size_t errlen);

/* Does @code (as typed) match @hash?  The crypt output is compared in
 * constant time; a @code that cannot be a backup code is false at once. */
bool backup_code_verify(const char *hash, const char *code);

/* Is @hash a whole yescrypt hash ("$y$PARAMS$SALT$HASH") that libcrypt
 * accepts?  Cheap: no hashing.  The tokens parser's check. */
bool backup_hash_valid(const char *hash);

#endif
