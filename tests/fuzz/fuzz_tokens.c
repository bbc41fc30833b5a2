/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_tokens.c - libFuzzer harness for the tokens file parser.
 *
 * Any user's lines are kept when they parse; their STATE and drift byte
 * ranges must lie inside the input, in order, since the updaters splice the
 * file there.  A failed lookup keeps no token; the recorded bad lines stay
 * within their cap; every line the iterator hands out lies inside the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/backup_code.h"
#include "lib/core/tokens.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_token(const struct token *tok, size_t size)
{
    if (tok->state_start > tok->state_end || tok->state_end > tok->drift_start ||
        tok->drift_start > tok->drift_end || tok->drift_end > size)
        abort();
    switch (tok->kind) {
    case TOKEN_HOTP:
    case TOKEN_TOTP:
    case TOKEN_OCRA:
        if (tok->keylen == 0 || tok->keylen > OTP_MAX_KEY)
            abort();
        break;
    case TOKEN_BACKUP:
        if (tok->keylen != 0 || !backup_hash_valid(tok->backup_hash) || tok->state > 1)
            abort();
        break;
    case TOKEN_X509:
        if (tok->keylen != 0 || tok->x509_path[0] != '/')
            abort();
        break;
    }
    if (tok->has_drift && (tok->kind != TOKEN_TOTP || !tok->has_state ||
                           tok->drift < -TOKENS_MAX_DRIFT || tok->drift > TOKENS_MAX_DRIFT))
        abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct tokens t;
    struct tokens_entry e;
    char err[256];
    const char *users[] = {"alice", "bob", "carol", "x", NULL};
    const char *text = (const char *)data;
    size_t pos = 0;
    int line = 0;

    for (size_t u = 0; u < sizeof(users) / sizeof(users[0]); u++) {
        int rc = tokens_parse(text, size, users[u], &t, err, sizeof(err));

        if (rc != 0 && t.n != 0)
            abort();
        if (t.n_bad > TOKENS_MAX_BAD || t.n_bad > t.bad_total || t.n > TOKENS_MAX_PER_USER)
            abort();
        for (size_t i = 0; i < t.n; i++)
            check_token(&t.v[i], size);
        if (memchr(text, '\0', size) != NULL)
            return 0;
    }
    while (tokens_next(text, size, &pos, &line, &e)) {
        if (e.start > e.end || e.end > size || e.user_start + e.user_len > e.end ||
            e.type_start + e.type_len > e.end)
            abort();
        if (e.kind == TOKENS_ENTRY_TOKEN)
            check_token(&e.tok, size);
        tokens_entry_wipe(&e);
    }
    return 0;
}
