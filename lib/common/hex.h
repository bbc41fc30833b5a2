/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hex.h - the one hex codec: lower-case out, either case in, whole bytes
 * only.  Module-safe (no OpenSSL).
 */
#ifndef CRAUTH_HEX_H
#define CRAUTH_HEX_H

#include <stddef.h>
#include <stdint.h>

/* @len bytes as 2*@len hex digits and a NUL; -1 if @outsize is short. */
int hex_encode(const uint8_t *in, size_t len, char *out, size_t outsize);

/* The first @hexlen characters of @hex (an even number of hex digits) into
 * @out; *outlen set.  -1 on an odd length, a non-hex character or an
 * @out too small. */
int hex_decode(const char *hex, size_t hexlen, uint8_t *out, size_t outsize, size_t *outlen);

#endif
