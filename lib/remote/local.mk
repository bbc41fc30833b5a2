# SPDX-License-Identifier: BSD-3-Clause
# lib/remote: everything that talks to a server: HTTPS (libcurl), the SOAP
# messages (expat), the proxy tunnel and NTLM over HTTP.
noinst_LTLIBRARIES += libcrauth_remote.la
libcrauth_remote_la_SOURCES = \
	lib/remote/http.c lib/remote/http.h lib/remote/http_impl.h lib/remote/http_classify.c \
	lib/remote/http_head.c lib/remote/http_head.h \
	lib/remote/ntlm_http.c lib/remote/ntlm_http.h \
	lib/remote/proxy.c lib/remote/proxy.h \
	lib/remote/net.c lib/remote/net.h \
	lib/remote/soap.c lib/remote/soap.h lib/remote/soap_reply.c \
	lib/remote/soap_call.c lib/remote/soap_call.h \
	lib/remote/soap_tree.c lib/remote/soap_xml.c lib/remote/soap_impl.h
libcrauth_remote_la_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS) $(SSL_CFLAGS) $(CURL_CFLAGS) $(EXPAT_CFLAGS)
# No lib/core or lib/common here: in crauth-remote.so those come from the
# helper executable; the CLI and the tests link them themselves.
libcrauth_remote_la_LIBADD = libcrauth_ntlm.la $(SSL_LIBS) $(CURL_LIBS) $(EXPAT_LIBS)

# The stall watch (stall.h) is the helper's: one timer and one account per
# process, so crauth-remote.so takes it from the executable, never a copy.
noinst_LTLIBRARIES += libcrauth_stall.la
libcrauth_stall_la_SOURCES = lib/remote/stall.c lib/remote/stall.h
libcrauth_stall_la_CFLAGS = $(AM_CFLAGS)
