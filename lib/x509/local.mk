# SPDX-License-Identifier: BSD-3-Clause
# lib/x509: the x509 token's certificate and CMS envelope (OpenSSL).  The CLI
# links it; the helper reaches it only through crauth-x509.so (helper/plugin.h),
# so a login with an OATH token maps no libcrypto.
noinst_LTLIBRARIES += libcrauth_x509.la
libcrauth_x509_la_SOURCES = lib/x509/x509_token.c lib/x509/x509_token.h
libcrauth_x509_la_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
# No lib/core or lib/common here: in crauth-x509.so those come from the
# helper executable; the CLI and the tests link them themselves.
libcrauth_x509_la_LIBADD = $(CRYPTO_LIBS)
