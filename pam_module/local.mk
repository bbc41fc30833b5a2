# SPDX-License-Identifier: BSD-3-Clause
# pam_crauth.so: links lib/common and libpam only (CRAUTH_TIER_MODULE
# makes any other crauth header an error), exports pam_sm_* only.
pammoddir = @pammoddir@
pammod_LTLIBRARIES = pam_module/pam_crauth.la
pam_module_pam_crauth_la_SOURCES = \
	pam_module/pam_crauth.c \
	pam_module/relay.c pam_module/relay.h \
	pam_module/spawn.c pam_module/spawn.h
pam_module_pam_crauth_la_CPPFLAGS = $(AM_CPPFLAGS) -DCRAUTH_TIER_MODULE
pam_module_pam_crauth_la_CFLAGS = $(AM_CFLAGS) $(PAM_CFLAGS)
pam_module_pam_crauth_la_LIBADD = libcrauth_common.la $(PAM_LIBS)
pam_module_pam_crauth_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared \
	-Wl,--version-script=$(top_srcdir)/pam_module/pam_crauth.sym
EXTRA_pam_module_pam_crauth_la_DEPENDENCIES = $(top_srcdir)/pam_module/pam_crauth.sym
EXTRA_DIST += pam_module/pam_crauth.sym
