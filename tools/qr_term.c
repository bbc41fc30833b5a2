/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * qr_term.c - QR codes as text (see qr_term.h).
 *
 * A terminal cell is about twice as tall as it is wide, so one cell holds
 * two modules stacked: U+2580 (upper half block), U+2584 (lower half), U+2588
 * (full block) or a space.  The quiet zone is part of the code (ISO/IEC
 * 18004 asks for four modules); without it many readers give up.
 */
#include "tools/qr_term.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <qrencode.h>

#include "lib/common/secmem.h"

/* Is the module at (x, y) light?  The quiet zone is; past the bottom of
 * the zone nothing is drawn. */
static bool
light(const QRcode *qr, int x, int y)
{
    int w = qr->width;

    if (y >= w + QR_TERM_QUIET)
        return false;
    if (x < 0 || y < 0 || x >= w || y >= w)
        return true;
    return (qr->data[y * w + x] & 1) == 0;
}

int
qr_term_print(FILE *out, const char *text, char *err, size_t errlen)
{
    static const char *const cells[4] = {" ", "\u2584", "\u2580", "\u2588"};
    QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    int q = QR_TERM_QUIET;

    if (qr == NULL) {
        snprintf(err, errlen, "cannot make a QR code: %s", strerror(errno));
        return -1;
    }
    for (int y = -q; y < qr->width + q; y += 2) {
        for (int x = -q; x < qr->width + q; x++)
            fputs(cells[(light(qr, x, y) ? 2 : 0) | (light(qr, x, y + 1) ? 1 : 0)], out);
        fputc('\n', out);
    }
    /* the modules spell the secret */
    secmem_wipe(qr->data, (size_t)qr->width * (size_t)qr->width);
    QRcode_free(qr);
    return 0;
}
