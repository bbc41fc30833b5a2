# SPDX-License-Identifier: BSD-3-Clause
# The test suite: `make check`.  `make check HELPER_UNDER_TEST=wrapper` runs
# the helper under a wrapper (valgrind, in scripts/test.sh).
HELPER_UNDER_TEST = $(abs_top_builddir)/helper/crauth-helper
TEST_EXTENSIONS = .py .sh
if SANITIZERS
PY_LOG_COMPILER = env LD_PRELOAD=@SAN_PRELOAD@ ASAN_OPTIONS=detect_leaks=0 /usr/bin/python3
else
PY_LOG_COMPILER = /usr/bin/python3
endif
SH_LOG_COMPILER = $(SHELL)
AM_TESTS_ENVIRONMENT = \
	VECTORS_DIR='$(abs_top_srcdir)/tests/vectors'; export VECTORS_DIR; \
	CRAUTH='$(abs_top_builddir)/tools/crauth'; export CRAUTH; \
	CRAUTH_HELPER='$(HELPER_UNDER_TEST)'; export CRAUTH_HELPER; \
	CRAUTH_BROKER='$(abs_top_builddir)/broker/crauth-broker'; export CRAUTH_BROKER; \
	PAM_CRAUTH='$(abs_top_builddir)/pam_module/.libs/pam_crauth.so'; export PAM_CRAUTH; \
	TOP_SRCDIR='$(abs_top_srcdir)'; export TOP_SRCDIR; \
	PAM_SETTOK='$(abs_top_builddir)/tests/pam/.libs/pam_settok.so'; export PAM_SETTOK; \
	SOCKET_FAILS='$(abs_top_builddir)/tests/pam/.libs/socket_fails.so'; export SOCKET_FAILS; \
	NSS_FOLD='$(abs_top_builddir)/tests/pam/.libs/nss_fold.so'; export NSS_FOLD; \
	NTLM_CLIENT_TOOL='$(abs_top_builddir)/tests/ntlm/ntlm_client_tool'; \
	export NTLM_CLIENT_TOOL; \
	CRAUTH_CONF_DEFAULT='$(sysconfdir)/security/crauth.conf'; export CRAUTH_CONF_DEFAULT; \
	TOP_BUILDDIR='$(abs_top_builddir)'; export TOP_BUILDDIR;

# shims preloaded: socket(2) failing (into a plain helper), getpwnam_r folding case
# (into a PAM application)
check_LTLIBRARIES += tests/pam/pam_settok.la tests/pam/socket_fails.la tests/pam/nss_fold.la
tests_pam_socket_fails_la_SOURCES = tests/pam/socket_fails.c
tests_pam_socket_fails_la_LIBADD = -ldl
tests_pam_socket_fails_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared -rpath /nowhere
tests_pam_nss_fold_la_SOURCES = tests/pam/nss_fold.c
tests_pam_nss_fold_la_LIBADD = -ldl
tests_pam_nss_fold_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared -rpath /nowhere
tests_pam_pam_settok_la_SOURCES = tests/pam/pam_settok.c
tests_pam_pam_settok_la_CFLAGS = $(AM_CFLAGS) $(PAM_CFLAGS)
tests_pam_pam_settok_la_LIBADD = $(PAM_LIBS)
tests_pam_pam_settok_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared -rpath /nowhere

test_scripts = tests/unit/cli.sh tests/unit/oathtool_cross.sh tests/unit/tiers.sh \
	tests/unit/exports.sh tests/unit/token_cli.py \
	tests/pam/test_module.py \
	tests/pam/test_local.py tests/pam/test_server_flows.py tests/pam/test_server_faults.py \
	tests/pam/test_server_onespan.py tests/pam/test_server_replies.py \
	tests/pam/test_server_cache.py tests/priv/test_privs.py tests/pam/test_server_ntlm.py \
	tests/pam/test_check.py tests/pam/test_check_local.py tests/pam/test_emergency.py \
	tests/pam/test_broker.py \
	tests/x509/test_cms_respond.py tests/x509/test_pam_x509.py \
	tests/server/test_authserver.py \
	tests/ntlm/test_ntlm_auth.py tests/ntlm/test_gssntlmssp.py tests/ntlm/apache.py \
	tests/radius/test_radius.py tests/radius/test_radius_hostile.py \
	tests/radius/test_pam_radius.py tests/radius/test_pam_radius_hostile.py \
	tests/radius/test_check_radius.py \
	doc/check-manpages.sh
TESTS += $(test_scripts)
dist_check_SCRIPTS = $(test_scripts)

check_PROGRAMS += tests/x509/x509_challenge
tests_x509_x509_challenge_SOURCES = tests/x509/x509_challenge.c
tests_x509_x509_challenge_LDADD = libcrauth_x509.la libcrauth_core.la

check_PROGRAMS += tests/ntlm/ntlm_client_tool
tests_ntlm_ntlm_client_tool_SOURCES = tests/ntlm/ntlm_client_tool.c
tests_ntlm_ntlm_client_tool_LDADD = libcrauth_ntlm.la libcrauth_common.la

check_PROGRAMS += tests/radius/radius_tool
tests_radius_radius_tool_SOURCES = tests/radius/radius_tool.c
tests_radius_radius_tool_LDADD = libcrauth_radius.la libcrauth_common.la

if HAVE_CMOCKA
unit_tests = tests/unit/test_otp tests/unit/test_wire tests/unit/test_config \
	tests/unit/test_tokens tests/unit/test_ntlm tests/unit/test_cache \
	tests/unit/test_soap tests/unit/test_soap_hostile tests/unit/test_soap_shapes \
	tests/unit/test_server_reply tests/unit/test_sandbox \
	tests/unit/test_fileio tests/unit/test_lockfile tests/unit/test_radius \
	tests/unit/test_http_head tests/unit/test_ntlm_http \
	tests/unit/test_x509_token tests/unit/test_x509_crl tests/unit/test_tokens_edit \
	tests/unit/test_enrol \
	tests/unit/test_text tests/unit/test_attempts tests/unit/test_net \
	tests/unit/test_stall tests/unit/test_broker_protocol
check_PROGRAMS += $(unit_tests)
TESTS += $(unit_tests)
# The spec's vectors need fixed randomness: lib/ntlm/ntlm_testing.h, set at
# run time on the one library the product links.
tests_unit_test_ntlm_SOURCES = tests/unit/test_ntlm.c
tests_unit_test_ntlm_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_ntlm_LDADD = libcrauth_ntlm.la libcrauth_common.la $(CMOCKA_LIBS) $(CRYPTO_LIBS)
tests_unit_test_soap_SOURCES = tests/unit/test_soap.c tests/unit/soap_test.h
tests_unit_test_soap_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(EXPAT_CFLAGS)
tests_unit_test_soap_LDADD = libcrauth_remote.la libcrauth_core.la $(CMOCKA_LIBS) $(EXPAT_LIBS)
tests_unit_test_soap_hostile_SOURCES = tests/unit/test_soap_hostile.c tests/unit/soap_test.h
tests_unit_test_soap_hostile_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(EXPAT_CFLAGS)
tests_unit_test_soap_hostile_LDADD = libcrauth_remote.la libcrauth_core.la $(CMOCKA_LIBS) $(EXPAT_LIBS)
tests_unit_test_soap_shapes_SOURCES = tests/unit/test_soap_shapes.c tests/unit/soap_test.h
tests_unit_test_soap_shapes_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(CURL_CFLAGS)
tests_unit_test_soap_shapes_LDADD = libcrauth_remote.la libcrauth_core.la $(CMOCKA_LIBS)
# The server backend's reading of replies, linked with the helper's session
# and conversation (it is part of crauth-remote.so otherwise).
tests_unit_test_server_reply_SOURCES = tests/unit/test_server_reply.c
tests_unit_test_server_reply_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_server_reply_LDADD = libcrauth_helper.la libcrauth_core.la $(CMOCKA_LIBS)
tests_unit_test_http_head_SOURCES = tests/unit/test_http_head.c
tests_unit_test_http_head_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_http_head_LDADD = libcrauth_remote.la libcrauth_core.la $(CMOCKA_LIBS)
tests_unit_test_net_SOURCES = tests/unit/test_net.c
tests_unit_test_net_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_net_LDADD = libcrauth_remote.la libcrauth_core.la $(CMOCKA_LIBS)
tests_unit_test_stall_SOURCES = tests/unit/test_stall.c
tests_unit_test_stall_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_stall_LDADD = libcrauth_stall.la libcrauth_core.la $(CMOCKA_LIBS)
tests_unit_test_ntlm_http_SOURCES = tests/unit/test_ntlm_http.c
tests_unit_test_ntlm_http_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_ntlm_http_LDADD = libcrauth_remote.la libcrauth_core.la $(CMOCKA_LIBS) $(CRYPTO_LIBS)
tests_unit_test_cache_SOURCES = tests/unit/test_cache.c tests/unit/tmpdir.h
tests_unit_test_cache_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_cache_LDADD = libcrauth_core.la $(CMOCKA_LIBS)
tests_unit_test_fileio_SOURCES = tests/unit/test_fileio.c tests/unit/tmpdir.h
tests_unit_test_fileio_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_fileio_LDADD = libcrauth_core.la $(CMOCKA_LIBS)
tests_unit_test_lockfile_SOURCES = tests/unit/test_lockfile.c tests/unit/tmpdir.h
tests_unit_test_lockfile_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_lockfile_LDADD = libcrauth_core.la $(CMOCKA_LIBS)
tests_unit_test_radius_SOURCES = tests/unit/test_radius.c
tests_unit_test_radius_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_radius_LDADD = libcrauth_radius.la libcrauth_common.la $(CMOCKA_LIBS)
tests_unit_test_attempts_SOURCES = tests/unit/test_attempts.c tests/unit/tmpdir.h
tests_unit_test_attempts_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_attempts_LDADD = libcrauth_helper.la $(CMOCKA_LIBS)
tests_unit_test_x509_token_SOURCES = tests/unit/test_x509_token.c tests/unit/tmpdir.h \
	tests/unit/x509_fixture.h
tests_unit_test_x509_token_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_x509_token_LDADD = libcrauth_x509.la libcrauth_core.la $(CMOCKA_LIBS) $(CRYPTO_LIBS)
tests_unit_test_x509_crl_SOURCES = tests/unit/test_x509_crl.c tests/unit/tmpdir.h \
	tests/unit/x509_fixture.h
tests_unit_test_x509_crl_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_x509_crl_LDADD = libcrauth_x509.la libcrauth_core.la $(CMOCKA_LIBS) $(CRYPTO_LIBS)
tests_unit_test_otp_SOURCES = tests/unit/test_otp.c tests/unit/vector_file.h
tests_unit_test_otp_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_otp_LDADD = libcrauth_core.la $(CMOCKA_LIBS) $(CRYPTO_LIBS)
tests_unit_test_text_SOURCES = tests/unit/test_text.c
tests_unit_test_text_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_text_LDADD = libcrauth_common.la $(CMOCKA_LIBS)
tests_unit_test_wire_SOURCES = tests/unit/test_wire.c
tests_unit_test_wire_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_wire_LDADD = libcrauth_common.la $(CMOCKA_LIBS)
tests_unit_test_broker_protocol_SOURCES = tests/unit/test_broker_protocol.c
tests_unit_test_broker_protocol_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_broker_protocol_LDADD = libcrauth_broker_client.la libcrauth_core.la $(CMOCKA_LIBS)
tests_unit_test_config_SOURCES = tests/unit/test_config.c tests/unit/tmpdir.h
tests_unit_test_config_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_config_LDADD = libcrauth_core.la $(CMOCKA_LIBS)
tests_unit_test_tokens_SOURCES = tests/unit/test_tokens.c tests/unit/tmpdir.h
tests_unit_test_tokens_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_tokens_LDADD = libcrauth_core.la $(CMOCKA_LIBS)
tests_unit_test_tokens_edit_SOURCES = tests/unit/test_tokens_edit.c tests/unit/tmpdir.h
tests_unit_test_tokens_edit_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_tokens_edit_LDADD = libcrauth_core.la $(CMOCKA_LIBS)
tests_unit_test_enrol_SOURCES = tests/unit/test_enrol.c
tests_unit_test_enrol_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_enrol_LDADD = libcrauth_core.la $(CMOCKA_LIBS)
tests_unit_test_sandbox_SOURCES = tests/unit/test_sandbox.c helper/sandbox.c
if HAVE_SECCOMP
nodist_tests_unit_test_sandbox_SOURCES = helper/sandbox_filter.h
endif
tests_unit_test_sandbox_CPPFLAGS = $(AM_CPPFLAGS)
if SANITIZERS
tests_unit_test_sandbox_CPPFLAGS += -DCRAUTH_SANITIZERS
endif
tests_unit_test_sandbox_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_sandbox_LDADD = $(CMOCKA_LIBS)
endif

# libFuzzer harnesses (clang, ASan+UBSan): `make fuzz` runs each for 60 s,
# `make fuzz-long FUZZ_SECONDS=N` for as long as asked.
FUZZ_SECONDS = 3600
fuzz:
	$(SHELL) '$(srcdir)/tests/fuzz/fuzz.sh' '$(abs_builddir)/fuzz' 45
fuzz-long:
	$(SHELL) '$(srcdir)/tests/fuzz/fuzz.sh' '$(abs_builddir)/fuzz' $(FUZZ_SECONDS)
.PHONY: fuzz fuzz-long

EXTRA_DIST += \
	tests/e2e/README.md tests/e2e/e2elib.py tests/e2e/e2eproc.py tests/e2e/run.py \
	tests/e2e/test_sshd.py tests/e2e/test_sudo.py tests/e2e/test_su_login.py \
	tests/vectors/README.md tests/vectors/hotp.txt tests/vectors/totp.txt \
	tests/vectors/ocra.txt tests/vectors/ocra_mutual.txt tests/vectors/ntlm.txt \
	tests/vectors/radius.txt \
	tests/radius/freeradius.py tests/radius/hostile.py tests/radius/radiuspkt.py \
	tests/radius/radiustest.py tests/radius/pamradius.py tests/radius/gen_vectors.py \
	tests/radius/generated.txt \
	tests/pam/pamharness.py tests/pam/serverfixture.py tests/pam/held_ports.py tests/pam/login_child.py tests/pam/paused_helper.py tests/ntlm/ntlmtest.py \
	tests/ntlm/ntlmfront.py tests/ntlm/squid.py \
	tests/priv/privdriver.py tests/unit/soap_replies \
	tests/fuzz/README.md tests/fuzz/fuzz.sh tests/fuzz/corpus \
	tests/deb/test_deb.sh tests/deb/deb_login.py \
	tests/server/README.md tests/server/authserver.py tests/server/certs.py \
	tests/server/oath.py tests/server/test_oath.py tests/server/test_certs.py \
	tests/server/test_faults.py tests/server/test_challenges.py \
	tests/server/test_control.py tests/server/test_formats.py tests/server/test_replies.py \
	tests/server/vectors/ocra_mutual.txt tests/server/authsrv/__init__.py \
	tests/server/authsrv/challenges.py tests/server/authsrv/cli.py \
	tests/server/authsrv/control.py tests/server/authsrv/faults.py \
	tests/server/authsrv/listeners.py tests/server/authsrv/namespaces.py \
	tests/server/authsrv/policy.py tests/server/authsrv/shapes.py \
	tests/server/authsrv/soap.py tests/server/authsrv/soapclient.py \
	tests/server/authsrv/status.py tests/server/authsrv/testing.py \
	tests/server/authsrv/tokens.py tests/server/authsrv/transport.py \
	tests/server/authsrv/users.py
