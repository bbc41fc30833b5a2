# SPDX-License-Identifier: BSD-3-Clause
# lib/common: what the PAM module may link.  libc only: no OpenSSL, no
# network, no secrets beyond wiping them, so pam_crauth.so stays small.
noinst_LTLIBRARIES += libcrauth_common.la
libcrauth_common_la_SOURCES = \
	lib/common/wire.c lib/common/wire.h \
	lib/common/reason.c lib/common/reason.h \
	lib/common/secmem.c lib/common/secmem.h \
	lib/common/log.c lib/common/log.h \
	lib/common/rlimits.c lib/common/rlimits.h \
	lib/common/hex.c lib/common/hex.h \
	lib/common/utf8.c lib/common/utf8.h \
	lib/common/pam_args.c lib/common/pam_args.h
