/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pam_args.c - the module's arguments (pam_args.h).
 */
#include "lib/common/pam_args.h"

#include <string.h>

#include "lib/common/wire.h"

int
pam_args_parse(int argc, const char *const *argv, struct pam_args *out)
{
    memset(out, 0, sizeof(*out));
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];

        /* paths must be absolute: a relative one would depend on the
         * application's working directory */
        if (strncmp(a, "conf=", 5) == 0 && a[5] == '/') {
            out->conf = a + 5;
        } else if (strncmp(a, "helper=", 7) == 0 && a[7] == '/') {
            out->helper = a + 7;
        } else if (strcmp(a, "debug") == 0) {
            out->debug = true;
            out->flags |= WIRE_F_DEBUG;
        } else if (strcmp(a, "use_first_pass") == 0) {
            out->flags |= WIRE_F_USE_FIRST_PASS;
        } else if (strcmp(a, "try_first_pass") == 0) {
            out->flags |= WIRE_F_TRY_FIRST_PASS;
        } else {
            memset(out, 0, sizeof(*out));
            return i;
        }
    }
    return -1;
}
