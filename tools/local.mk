# SPDX-License-Identifier: BSD-3-Clause
# crauth, the admin CLI.  It links the shared libraries, never helper/
# (CRAUTH_TIER_TOOLS makes a helper/ header an error).
bin_PROGRAMS += tools/crauth
tools_crauth_SOURCES = tools/crauth.c tools/softtoken.c tools/softtoken.h tools/cache_cmd.c \
	tools/check.c tools/check_radius.c tools/verbs.h \
	tools/cms_respond.c tools/cms_key.c tools/cms_key.h \
	tools/token_cmd.c tools/token_cmd.h tools/token_add.c tools/token_resync.c tools/qr_term.c \
	tools/qr_term.h tools/cli.c tools/cli.h tools/check.h tools/check_files.c \
	tools/check_tokens.c tools/check_pam.c
tools_crauth_CPPFLAGS = $(AM_CPPFLAGS) -DCRAUTH_TIER_TOOLS
tools_crauth_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS) $(CURL_CFLAGS) $(QRENCODE_CFLAGS)
# libcrauth_radius holds libcrauth_remote (its LIBADD)
tools_crauth_LDADD = libcrauth_radius.la libcrauth_x509.la libcrauth_broker_client.la \
	libcrauth_core.la $(QRENCODE_LIBS)
