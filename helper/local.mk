# SPDX-License-Identifier: BSD-3-Clause
# crauth-helper: the set-id helper.  Everything but main() is in a library
# so the unit tests can link it.
noinst_LTLIBRARIES += libcrauth_helper.la
libcrauth_helper_la_SOURCES = \
	helper/tier_helper_only.h \
	helper/conv.c helper/conv.h \
	helper/session.c helper/session.h helper/flows.h helper/flows.c helper/flow_rounds.c \
	helper/dialog.c \
	helper/attempts.c helper/attempts.h helper/challenge.h \
	helper/backend_local.c \
	helper/backend_server.c helper/server_call.c helper/server_reply.c helper/server_impl.h \
	helper/failover.c helper/failover.h \
	helper/transport.h helper/transport_broker.c \
	helper/plugin.c helper/plugin.h
libcrauth_helper_la_CFLAGS = $(AM_CFLAGS)
libcrauth_helper_la_LIBADD = libcrauth_broker_client.la libcrauth_stall.la libcrauth_core.la

# The helper links what an OATH login needs (no OpenSSL); it exports its
# functions so that the plugins below can use the helper's log, cache and
# session.  It and its plugins are bound at load and their relocations made
# read-only (-z relro -z now), as hardening=+all does for the package: it
# runs set-id.
pkglibexec_PROGRAMS += helper/crauth-helper
helper_crauth_helper_SOURCES = helper/main.c helper/privs.c helper/privs.h \
	helper/hygiene.c helper/hygiene.h helper/sandbox.c helper/sandbox.h
helper_crauth_helper_CPPFLAGS = $(AM_CPPFLAGS)
helper_crauth_helper_CFLAGS = $(AM_CFLAGS)
helper_crauth_helper_LDFLAGS = $(AM_LDFLAGS) -Wl,-z,relro -Wl,-z,now -Wl,--export-dynamic
helper_crauth_helper_LDADD = libcrauth_helper.la

# crauth-remote.so: what talks to servers (helper/plugin.h): the radius
# backend and the server backend's direct transport, loaded from the
# helper's own directory only when the configuration needs one.  The
# server backend itself, the failover rules and the stall watch are the
# helper's, which exports them.  In the build tree it is copied next to
# the helper.
remotepluginexecdir = $(pkglibexecdir)
remotepluginexec_LTLIBRARIES = helper/crauth-remote.la
helper_crauth_remote_la_SOURCES = helper/plugin_remote.c helper/transport_direct.c \
	helper/backend_radius.c
helper_crauth_remote_la_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS) $(CURL_CFLAGS)
# libcrauth_radius holds libcrauth_remote (its LIBADD): naming both links it twice.
helper_crauth_remote_la_LIBADD = libcrauth_radius.la
helper_crauth_remote_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared \
	-Wl,-z,relro -Wl,-z,now -Wl,--version-script=$(top_srcdir)/helper/plugin.sym
EXTRA_helper_crauth_remote_la_DEPENDENCIES = $(top_srcdir)/helper/plugin.sym
EXTRA_DIST += helper/plugin.sym

# crauth-x509.so: the x509 token's CMS envelope (helper/plugin.h), loaded
# only for a user whose challenge token is an x509 one.
remotepluginexec_LTLIBRARIES += helper/crauth-x509.la
helper_crauth_x509_la_SOURCES = helper/plugin_x509.c
helper_crauth_x509_la_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
helper_crauth_x509_la_LIBADD = libcrauth_x509.la
helper_crauth_x509_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared \
	-Wl,-z,relro -Wl,-z,now -Wl,--version-script=$(top_srcdir)/helper/plugin_x509.sym
EXTRA_helper_crauth_x509_la_DEPENDENCIES = $(top_srcdir)/helper/plugin_x509.sym
EXTRA_DIST += helper/plugin_x509.sym

all-local: helper/crauth-remote.so helper/crauth-x509.so
helper/crauth-remote.so: helper/crauth-remote.la
	$(AM_V_GEN)cp -f helper/.libs/crauth-remote.so $@
helper/crauth-x509.so: helper/crauth-x509.la
	$(AM_V_GEN)cp -f helper/.libs/crauth-x509.so $@
CLEANFILES += helper/crauth-remote.so helper/crauth-x509.so

# The seccomp filter, compiled once at build time by libseccomp into BPF
# (helper/sandbox_filter.h) that the helper loads as it is.
if HAVE_SECCOMP
noinst_PROGRAMS += helper/sandbox-gen
helper_sandbox_gen_SOURCES = helper/sandbox_gen.c
helper_sandbox_gen_CFLAGS = $(AM_CFLAGS) $(SECCOMP_CFLAGS)
helper_sandbox_gen_LDADD = $(SECCOMP_LIBS)
nodist_helper_crauth_helper_SOURCES = helper/sandbox_filter.h
BUILT_SOURCES += helper/sandbox_filter.h
CLEANFILES += helper/sandbox_filter.h
helper/sandbox_filter.h: helper/sandbox-gen$(EXEEXT)
	$(AM_V_GEN)$(MKDIR_P) helper && \
	ASAN_OPTIONS=detect_leaks=0 helper/sandbox-gen$(EXEEXT) >$@.tmp && mv $@.tmp $@
endif
if SANITIZERS
helper_crauth_helper_SOURCES += helper/sanitizer_options.c
helper_crauth_helper_CPPFLAGS += -DSANITIZER_LOG_DIR='"$(abs_top_builddir)/sanitizer-logs"' \
	-DCRAUTH_SANITIZERS
endif
