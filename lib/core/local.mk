# SPDX-License-Identifier: BSD-3-Clause
# lib/core: the helper's and the CLI's shared ground: configuration, OATH
# (its hashes from nettle: digest.h), the tokens file and enrolment (base32,
# otpauth://, keys, backup codes), the cache.  No OpenSSL: a local login
# maps none (lib/x509 has the one token type that needs it).
noinst_LTLIBRARIES += libcrauth_core.la
libcrauth_core_la_SOURCES = \
	lib/core/conf.c lib/core/conf.h lib/core/conf_impl.h lib/core/conf_check.c \
	lib/core/otp.c lib/core/otp.h \
	lib/core/digest.c lib/core/digest.h \
	lib/core/random.c lib/core/random.h \
	lib/core/tokens.c lib/core/tokens.h \
	lib/core/tokens_edit.c lib/core/tokens_edit.h \
	lib/core/backup_code.c lib/core/backup_code.h \
	lib/core/base32.c lib/core/base32.h \
	lib/core/otpauth.c lib/core/otpauth.h \
	lib/core/otpkey.c lib/core/otpkey.h \
	lib/core/cache.c lib/core/cache.h \
	lib/core/cache_record.c lib/core/cache_record.h \
	lib/core/lockfile.c lib/core/lockfile.h \
	lib/core/fileio.c lib/core/fileio.h
libcrauth_core_la_CFLAGS = $(AM_CFLAGS) $(INIH_CFLAGS) $(NETTLE_CFLAGS) $(LIBCRYPT_CFLAGS)
libcrauth_core_la_LIBADD = libcrauth_common.la $(INIH_LIBS) $(NETTLE_LIBS) $(LIBCRYPT_LIBS)
