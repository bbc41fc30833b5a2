# SPDX-License-Identifier: BSD-3-Clause
# crauth-broker: makes the server backend's calls for the helper over kept
# connections (broker/main.c).  It links what talks to servers
# (lib/remote, lib/core) and the protocol, never helper/.
pkglibexec_PROGRAMS += broker/crauth-broker
broker_crauth_broker_SOURCES = broker/main.c broker/pool.c broker/pool.h \
	broker/serve.c broker/serve.h
broker_crauth_broker_CPPFLAGS = $(AM_CPPFLAGS) -DCRAUTH_TIER_TOOLS
broker_crauth_broker_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS)
broker_crauth_broker_LDFLAGS = $(AM_LDFLAGS) -Wl,-z,relro -Wl,-z,now
broker_crauth_broker_LDADD = libcrauth_broker_client.la libcrauth_remote.la libcrauth_stall.la \
	libcrauth_core.la \
	$(CURL_LIBS) -lpthread
