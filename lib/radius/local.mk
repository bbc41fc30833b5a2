# SPDX-License-Identifier: BSD-3-Clause
# lib/radius: the RADIUS client (RFC 2865, RFC 3579 Message-Authenticator,
# RADIUS/TLS RFC 6614) for the helper's radius backend: packets, and one
# bounded exchange with one server.  resolve_bounded comes from lib/remote.
noinst_LTLIBRARIES += libcrauth_radius.la
libcrauth_radius_la_SOURCES = \
	lib/radius/packet.c lib/radius/packet.h \
	lib/radius/client.c lib/radius/client.h lib/radius/client_impl.h \
	lib/radius/tls.c lib/radius/params.c
libcrauth_radius_la_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS) $(SSL_CFLAGS)
# lib/common comes from the helper executable in the plugin (helper/plugin.h).
libcrauth_radius_la_LIBADD = libcrauth_remote.la $(SSL_LIBS) $(CRYPTO_LIBS)
