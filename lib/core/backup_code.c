/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * backup_code.c - backup codes: generation, hashing and verification with
 * libcrypt's yescrypt (see backup_code.h for the format and the cost).
 */
#include "lib/core/backup_code.h"

#include <crypt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/common/reason.h"
#include "lib/common/secmem.h"
#include "lib/core/digest.h"
#include "lib/core/random.h"

static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";

/* The canonical form of what was typed, or false when it cannot be a code. */
static bool
canonical(const char *code, char out[BACKUP_CODE_CHARS + 1])
{
    size_t n = 0;

    for (const char *p = code; *p != '\0'; p++) {
        char c = *p;

        if (c == '-' || c == ' ')
            continue;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (n == BACKUP_CODE_CHARS || c == '\0' || strchr(alphabet, c) == NULL)
            return false;
        out[n++] = c;
    }
    out[n] = '\0';
    return n == BACKUP_CODE_CHARS;
}

int
backup_code_generate(char out[BACKUP_CODE_SIZE], char *err, size_t errlen)
{
    unsigned char rnd[BACKUP_CODE_CHARS];
    size_t o = 0;

    if (!random_bytes(rnd, sizeof(rnd))) {
        snprintf(err, errlen, "the random generator failed");
        return REASON_INTERNAL;
    }
    for (size_t i = 0; i < BACKUP_CODE_CHARS; i++) {
        if (i == BACKUP_CODE_CHARS / 2)
            out[o++] = '-';
        out[o++] = alphabet[rnd[i] & 31]; /* 256 is a multiple of 32: no bias */
    }
    out[o] = '\0';
    secmem_wipe(rnd, sizeof(rnd));
    return REASON_OK;
}

int
backup_code_hash(const char *code, char hash[BACKUP_HASH_SIZE], char *err, size_t errlen)
{
    char canon[BACKUP_CODE_CHARS + 1], salt[CRYPT_GENSALT_OUTPUT_SIZE];
    struct crypt_data *data = NULL;
    const char *out;
    int reason = REASON_INTERNAL;

    if (!canonical(code, canon)) {
        snprintf(err, errlen, "not a backup code");
        goto out;
    }
    if (crypt_gensalt_rn("$y$", BACKUP_CODE_COST, NULL, 0, salt, sizeof(salt)) == NULL) {
        snprintf(err, errlen, "libcrypt cannot make a yescrypt salt");
        goto out;
    }
    if ((data = calloc(1, sizeof(*data))) == NULL) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    out = crypt_rn(canon, salt, data, sizeof(*data));
    if (out == NULL || out[0] == '*' || strlen(out) >= BACKUP_HASH_SIZE ||
        !backup_hash_valid(out)) {
        snprintf(err, errlen, "libcrypt cannot hash with yescrypt");
        goto out;
    }
    snprintf(hash, BACKUP_HASH_SIZE, "%s", out);
    reason = REASON_OK;
out:
    secmem_wipe(canon, sizeof(canon));
    if (data != NULL) {
        secmem_wipe(data, sizeof(*data));
        free(data);
    }
    return reason;
}

bool
backup_code_verify(const char *hash, const char *code)
{
    char canon[BACKUP_CODE_CHARS + 1];
    struct crypt_data *data = NULL;
    const char *out;
    bool match = false;

    if (!backup_hash_valid(hash) || !canonical(code, canon))
        goto out;
    if ((data = calloc(1, sizeof(*data))) == NULL)
        goto out;
    out = crypt_rn(canon, hash, data, sizeof(*data));
    match = out != NULL && strlen(out) == strlen(hash) && digest_equal(out, hash, strlen(hash));
out:
    secmem_wipe(canon, sizeof(canon));
    if (data != NULL) {
        secmem_wipe(data, sizeof(*data));
        free(data);
    }
    return match;
}

/* One '$'-separated field of the crypt base64 alphabet, at least @min long. */
static const char *
b64_field(const char *p, size_t min, size_t *len)
{
    size_t n = strspn(p, "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    *len = n;
    return n >= min ? p + n : NULL;
}

bool
backup_hash_valid(const char *hash)
{
    const char *p = hash;
    size_t len;

    if (strlen(hash) >= BACKUP_HASH_SIZE || strncmp(p, "$y$", 3) != 0)
        return false;
    if ((p = b64_field(p + 3, 1, &len)) == NULL || *p != '$') /* parameters */
        return false;
    if ((p = b64_field(p + 1, 1, &len)) == NULL || *p != '$') /* salt */
        return false;
    /* yescrypt's 256-bit result in crypt base64 */
    if ((p = b64_field(p + 1, 43, &len)) == NULL || len != 43 || *p != '\0')
        return false;
    return crypt_checksalt(hash) == CRYPT_SALT_OK;
}
