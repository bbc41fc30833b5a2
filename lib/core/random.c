/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * random.c - see random.h.  getrandom may return fewer bytes than asked
 * (above 256 bytes, or when a signal arrives), so it is called until full.
 */
#include "lib/core/random.h"

#include <errno.h>
#include <sys/random.h>

#include "lib/common/secmem.h"

bool
random_bytes(void *buf, size_t len)
{
    unsigned char *p = buf;
    size_t got = 0;

    while (got < len) {
        ssize_t n = getrandom(p + got, len - got, 0);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = EIO;
            secmem_wipe(buf, len);
            return false;
        }
        got += (size_t)n;
    }
    return true;
}
