/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * unicode.h - the text MS-NLMP hashes and sends: UNICODE(), UTF-16LE
 * (MS-NLMP 2.2.2 with NTLMSSP_NEGOTIATE_UNICODE), from UTF-8 judged by
 * lib/common's one decoder, and the upper-casing of the user name in
 * NTOWFv2 (MS-NLMP 3.3.2).
 */
#ifndef CRAUTH_NTLM_UNICODE_H
#define CRAUTH_NTLM_UNICODE_H

#include "lib/tier_helper_side.h"

#include <stddef.h>
#include <stdint.h>

#include "lib/ntlm/ntlm_base.h"

/* Strict UTF-8 (at most NTLM_MAX_STRING bytes) to UTF-16LE in a new buffer
 * (*out is NULL for empty input).  @upper: upper-case as NTOWFv2 does for
 * the user name (unicode.c says how far).  NTLM_ERR_UTF8 for ill-formed
 * UTF-8, NTLM_ERR_ARG when too long.  Free *out with secmem_free. */
int ntlm_utf8_to_utf16le(const char *in, int upper, uint8_t **out, size_t *outlen);

#endif
