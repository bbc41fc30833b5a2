/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_config.c - libFuzzer harness for the crauth.conf parser.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct crauth_config *cfg = NULL;
    char err[512];
    char *text;

    if (size > CONFIG_MAX_FILE)
        return 0;
    /* the file reader rejects NUL bytes before parsing; do the same */
    if (memchr(data, '\0', size) != NULL || (text = malloc(size + 1)) == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    if (config_parse_buffer(text, &cfg, err, sizeof(err)) == 0 && cfg->n_urls > CONFIG_MAX_URLS)
        abort();
    config_free(cfg);
    free(text);
    return 0;
}
