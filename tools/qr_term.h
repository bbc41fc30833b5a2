/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * qr_term.h - a QR code in the terminal, for enrolling a phone app from
 * the otpauth:// URI without the URI leaving the machine.
 */
#ifndef CRAUTH_QR_TERM_H
#define CRAUTH_QR_TERM_H

#include <stddef.h>
#include <stdio.h>

/* Print @text as a QR code (libqrencode, error correction M) on @out with
 * Unicode half blocks, two module rows per text line, inside a quiet zone
 * of QR_TERM_QUIET modules.  Light modules are drawn, dark ones left
 * blank: on the usual light-on-dark terminal the code reads dark on light.
 * 0, or -1 with @err. */
#define QR_TERM_QUIET 4
int qr_term_print(FILE *out, const char *text, char *err, size_t errlen);

#endif
