# SPDX-License-Identifier: BSD-3-Clause
# lib/broker: the messages between crauth-helper and crauth-broker, and the
# helper's way in.  libc only, so that a helper using the broker maps no
# libcurl, expat or OpenSSL.
noinst_LTLIBRARIES += libcrauth_broker_client.la
libcrauth_broker_client_la_SOURCES = \
	lib/broker/protocol.c lib/broker/protocol.h \
	lib/broker/client.c lib/broker/client.h
libcrauth_broker_client_la_CFLAGS = $(AM_CFLAGS)
