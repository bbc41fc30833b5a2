/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_cache_record.c - libFuzzer harness for the cache file parser.
 *
 * Whatever parses must format back and parse again to the same record.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/cache_record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cache_record r, again;
    char err[128], buf[CACHE_MAX_FILE + 1];
    int n;

    if (cache_record_parse((const char *)data, size, &r, err, sizeof(err)) != 0)
        return 0;
    n = cache_record_format(&r, buf, sizeof(buf));
    if (n < 0 || cache_record_parse(buf, (size_t)n, &again, err, sizeof(err)) != 0 ||
        memcmp(&r, &again, sizeof(r)) != 0)
        abort();
    return 0;
}
