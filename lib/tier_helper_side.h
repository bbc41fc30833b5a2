/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tier_helper_side.h - included by every header of lib/core, lib/ntlm and
 * lib/remote: code that handles secrets or the network.  pam_module/ is
 * compiled with CRAUTH_TIER_MODULE and may link lib/common only, so any
 * include of these headers there stops the build.
 */
#ifdef CRAUTH_TIER_MODULE
#error "pam_crauth.so may include lib/common/ only; this header holds secret or network code"
#endif
