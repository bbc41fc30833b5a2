/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_tokens.c - libFuzzer harness for the tokens file parser.
 *
 * Any user's lines are kept when they parse; their STATE byte ranges must
 * lie inside the input, since the updater splices the file there.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "lib/core/tokens.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct tokens t;
    char err[256];
    const char *users[] = {"alice", "bob", "carol", "x"};

    for (size_t u = 0; u < sizeof(users) / sizeof(users[0]); u++) {
        if (tokens_parse((const char *)data, size, users[u], &t, err, sizeof(err)) != 0)
            return 0;
        for (size_t i = 0; i < t.n; i++)
            if (t.v[i].state_start > t.v[i].state_end || t.v[i].state_end > size ||
                t.v[i].keylen == 0 || t.v[i].keylen > OTP_MAX_KEY)
                abort();
    }
    return 0;
}
