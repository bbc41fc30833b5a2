# SPDX-License-Identifier: BSD-3-Clause
# The libFuzzer harnesses, one per parser that reads outside input.  Included
# from Makefile.am only when configured with --enable-fuzzing (clang; the
# libraries built with -fsanitize=fuzzer-no-link,address,undefined), so each
# harness links the same library objects as the product.  tests/fuzz/fuzz.sh
# builds them with `make fuzz-harnesses` and runs them; every
# tests/fuzz/fuzz_NAME.c must be listed here (fuzz.sh checks).
fuzz_harnesses = \
	tests/fuzz/fuzz_auth_header tests/fuzz/fuzz_broker tests/fuzz/fuzz_cache_record \
	tests/fuzz/fuzz_config \
	tests/fuzz/fuzz_frames tests/fuzz/fuzz_http_head tests/fuzz/fuzz_key_text \
	tests/fuzz/fuzz_ntlm_challenge \
	tests/fuzz/fuzz_radius_reply tests/fuzz/fuzz_soap_reply tests/fuzz/fuzz_tokens \
	tests/fuzz/fuzz_x509_cert
noinst_PROGRAMS += $(fuzz_harnesses)
fuzz_ldflags = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)

tests_fuzz_fuzz_auth_header_SOURCES = tests/fuzz/fuzz_auth_header.c
tests_fuzz_fuzz_auth_header_LDADD = libcrauth_remote.la libcrauth_core.la
tests_fuzz_fuzz_auth_header_LDFLAGS = $(fuzz_ldflags)
tests_fuzz_fuzz_broker_SOURCES = tests/fuzz/fuzz_broker.c
tests_fuzz_fuzz_broker_LDADD = libcrauth_broker_client.la libcrauth_core.la
tests_fuzz_fuzz_broker_LDFLAGS = $(fuzz_ldflags)
tests_fuzz_fuzz_cache_record_SOURCES = tests/fuzz/fuzz_cache_record.c
tests_fuzz_fuzz_cache_record_LDADD = libcrauth_core.la
tests_fuzz_fuzz_cache_record_LDFLAGS = $(fuzz_ldflags)
tests_fuzz_fuzz_config_SOURCES = tests/fuzz/fuzz_config.c
tests_fuzz_fuzz_config_LDADD = libcrauth_core.la
tests_fuzz_fuzz_config_LDFLAGS = $(fuzz_ldflags)
tests_fuzz_fuzz_frames_SOURCES = tests/fuzz/fuzz_frames.c
tests_fuzz_fuzz_frames_LDADD = libcrauth_common.la
tests_fuzz_fuzz_frames_LDFLAGS = $(fuzz_ldflags)
tests_fuzz_fuzz_http_head_SOURCES = tests/fuzz/fuzz_http_head.c
tests_fuzz_fuzz_http_head_LDADD = libcrauth_remote.la libcrauth_core.la
tests_fuzz_fuzz_http_head_LDFLAGS = $(fuzz_ldflags)
tests_fuzz_fuzz_ntlm_challenge_SOURCES = tests/fuzz/fuzz_ntlm_challenge.c
tests_fuzz_fuzz_ntlm_challenge_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
tests_fuzz_fuzz_ntlm_challenge_LDADD = libcrauth_ntlm.la libcrauth_common.la $(CRYPTO_LIBS)
tests_fuzz_fuzz_ntlm_challenge_LDFLAGS = $(fuzz_ldflags)
tests_fuzz_fuzz_soap_reply_SOURCES = tests/fuzz/fuzz_soap_reply.c
tests_fuzz_fuzz_soap_reply_LDADD = libcrauth_remote.la libcrauth_core.la
tests_fuzz_fuzz_soap_reply_LDFLAGS = $(fuzz_ldflags)
tests_fuzz_fuzz_radius_reply_SOURCES = tests/fuzz/fuzz_radius_reply.c
tests_fuzz_fuzz_radius_reply_LDADD = libcrauth_radius.la libcrauth_common.la
tests_fuzz_fuzz_radius_reply_LDFLAGS = $(fuzz_ldflags)
tests_fuzz_fuzz_tokens_SOURCES = tests/fuzz/fuzz_tokens.c
tests_fuzz_fuzz_tokens_LDADD = libcrauth_core.la
tests_fuzz_fuzz_tokens_LDFLAGS = $(fuzz_ldflags)
tests_fuzz_fuzz_x509_cert_SOURCES = tests/fuzz/fuzz_x509_cert.c
tests_fuzz_fuzz_x509_cert_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
tests_fuzz_fuzz_x509_cert_LDADD = libcrauth_x509.la libcrauth_core.la $(CRYPTO_LIBS)
tests_fuzz_fuzz_x509_cert_LDFLAGS = $(fuzz_ldflags)
tests_fuzz_fuzz_key_text_SOURCES = tests/fuzz/fuzz_key_text.c
tests_fuzz_fuzz_key_text_LDADD = libcrauth_core.la
tests_fuzz_fuzz_key_text_LDFLAGS = $(fuzz_ldflags)

# (no .PHONY here: automake takes .PHONY in a conditional as a redefinition)
fuzz-harnesses: $(fuzz_harnesses)
