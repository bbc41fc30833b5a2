/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_frames.c - libFuzzer harness for the module <-> helper frames.
 *
 * Decodes a stream of frames the way both ends read them and runs every
 * payload accessor on each, as the relay would.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "lib/common/log.h"
#include "lib/common/utf8.h"
#include "lib/common/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct wire_frame f;
    size_t used;

    while (size > 0 && wire_decode(data, size, &f, &used) == WIRE_OK) {
        const char *text, *detail;
        uint16_t version;
        uint32_t a, b;
        int reason;
        char clean[WIRE_MAX_PAYLOAD + 1];

        if (used > size || used < WIRE_HEADER)
            abort();
        if (wire_text(&f, WIRE_MAX_PAYLOAD, &text) == WIRE_OK) {
            log_sanitize(text, clean, sizeof(clean));
            if (!utf8_valid(clean, __builtin_strlen(clean)))
                abort(); /* sanitised text must stay valid UTF-8 */
        }
        (void)wire_get_start(&f, &version, &a);
        (void)wire_get_hello(&f, &version, &a, &b);
        if (wire_get_result(&f, &reason, &detail) == WIRE_OK && (reason < 0 || reason > 0xffff))
            abort();
        data += used;
        size -= used;
    }
    return 0;
}
