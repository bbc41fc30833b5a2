/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hex.h - the one hex codec: lower-case out, either case in, whole bytes
 * only.  Module-safe (no OpenSSL).  What is decoded is often a key, so a
 * decode that fails leaves nothing of it behind.
 */
#ifndef CRAUTH_HEX_H
#define CRAUTH_HEX_H

#include <stddef.h>
#include <stdint.h>

/* @len bytes as 2*@len hex digits and a NUL; -1 if @outsize is short. */
int hex_encode(const uint8_t *in, size_t len, char *out, size_t outsize);

/* The first @hexlen characters of @hex (an even number of hex digits,
 * either case, nothing else) into @out; *outlen set.  -1 on an odd length,
 * a character that is not a hex digit or an @out too small; then nothing
 * decoded is left in @out and *outlen is 0. */
int hex_decode(const char *hex, size_t hexlen, uint8_t *out, size_t outsize, size_t *outlen);

/* The value of one hex digit (0-9, a-f, A-F), or -1: for formats that
 * count nibbles, such as an OCRA hex question (RFC 6287 5.1). */
int hex_digit_value(char c);

#endif
