# SPDX-License-Identifier: BSD-3-Clause
# lib/ntlm: our NTLMv2 client (MS-NLMP), built once and linked by the
# transport, the tests and the NTLM test tool: the messages (ntlm.c), the
# spec's functions (ntlm_crypto.c), the OpenSSL primitives (crypto.c, the
# only OpenSSL user) and UTF-16 (unicode.c).  The tests' deterministic hook
# is a run-time one (ntlm_testing.h), so no file is compiled twice.
noinst_LTLIBRARIES += libcrauth_ntlm.la
libcrauth_ntlm_la_SOURCES = \
	lib/ntlm/ntlm_base.h \
	lib/ntlm/ntlm.c lib/ntlm/ntlm.h lib/ntlm/ntlm_testing.h \
	lib/ntlm/ntlm_crypto.c lib/ntlm/ntlm_crypto.h \
	lib/ntlm/crypto.c lib/ntlm/crypto.h \
	lib/ntlm/unicode.c lib/ntlm/unicode.h
libcrauth_ntlm_la_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
# No lib/common here (secmem, utf8): in crauth-remote.so it comes from the
# helper executable; the CLI and the tests link it themselves.
libcrauth_ntlm_la_LIBADD = $(CRYPTO_LIBS)
