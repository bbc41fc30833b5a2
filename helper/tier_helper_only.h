/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tier_helper_only.h - included by every header of helper/: the state
 * machine and the backends belong to crauth-helper alone.  pam_module/
 * (CRAUTH_TIER_MODULE) and tools/ (CRAUTH_TIER_TOOLS) may not include them.
 */
#if defined(CRAUTH_TIER_MODULE) || defined(CRAUTH_TIER_TOOLS)
#error "only crauth-helper may include helper/ headers; shared code belongs in lib/"
#endif
