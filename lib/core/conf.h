/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf.h - crauth.conf: parsing, defaults, validation.
 *
 * INI (inih).  Unknown sections and keys are errors with file:line; so are
 * duplicates of a key that is not repeatable, values out of range, and
 * lines longer than CONFIG_MAX_LINE.  Secrets may sit in the file named by
 * [server] secrets = PATH (same format, its values win); a secret in a file
 * others can read is refused.
 *
 * When the default path does not exist the embedded default applies:
 * backend = local, method = client-challenge, the default tokens file.
 */
#ifndef CRAUTH_CONFIG_H
#define CRAUTH_CONFIG_H

#include "lib/tier_helper_side.h"

#include <stdbool.h>
#include <stddef.h>

#define CONFIG_MAX_URLS 8
#define CONFIG_MAX_LINE 198 /* what libinih as built by Debian reads per line */
#define CONFIG_MAX_FILE (64 * 1024)

#define CONFIG_MAX_RADIUS 8

enum config_backend { BACKEND_SERVER, BACKEND_LOCAL, BACKEND_RADIUS };
enum config_method {
    METHOD_OTP,
    METHOD_CLIENT_CHALLENGE,
    METHOD_SERVER_CHALLENGE,
    METHOD_AUTO,          /* one answer; a challenge that comes back is shown and answered */
    METHOD_GET_CHALLENGE, /* 1-step server challenge: getChallenge, then authUser */
};
enum config_http_auth { HTTP_AUTH_NONE, HTTP_AUTH_BASIC, HTTP_AUTH_NTLM };
/* where the OTP or response travels (authUser) */
enum config_response_attribute { RESPONSE_IN_PASSWORD, RESPONSE_IN_DP_RESPONSE };
/* what step 1 of a 2-step login sends (OneSpan's request methods) */
enum config_request {
    REQUEST_KEYWORD,
    REQUEST_PASSWORD,
    REQUEST_KEYWORD_PASSWORD,
    REQUEST_PASSWORD_KEYWORD,
};
/* what the response step sends */
enum config_response { RESPONSE_OTP, RESPONSE_PASSWORD_OTP };
enum config_radius_transport { RADIUS_TRANSPORT_UDP, RADIUS_TRANSPORT_TLS };

struct crauth_config {
    /* where it came from, for messages */
    char *path;
    char *secrets_path;
    bool embedded; /* no file: the embedded default */

    /* [server] */
    char *urls[CONFIG_MAX_URLS];
    unsigned n_urls;
    char *ca_file;
    char *pinned_pubkey;
    char *client_cert;
    char *client_key;
    long connect_timeout; /* s */
    long timeout;         /* s, one request */
    long dead_time;       /* s */
    char *component_type;
    char *domain;
    long password_format; /* CREDFLD_PASSWORD_FORMAT: 0 combined, others separate */
    enum config_response_attribute response_attribute;
    bool request_host_code; /* CREDFLD_REQUEST_HOST_CODE; show CREDFLD_HOST_CODE */
    enum config_http_auth http_auth;
    char *http_user;
    char *http_password; /* secret */
    char *proxy;
    enum config_http_auth proxy_auth;
    char *proxy_user;
    char *proxy_password; /* secret */
    bool allow_http_ntlm;
    /* crauth-broker's socket: the calls go through it when it answers */
    char *broker;

    /* [auth] */
    enum config_backend backend;
    enum config_method method;
    char *keyword; /* "" = ask the user */
    char *challenge_format;
    bool single_prompt;
    long prompt_timeout; /* s */
    long fail_delay_ms;
    char *otp_prompt;
    char *response_prompt; /* {challenge} is replaced */
    char *request_prompt;
    char *challenge_text; /* info line; {challenge} is replaced */
    enum config_request request;
    enum config_response response;

    /* [local] */
    char *tokens;
    long hotp_window;
    long totp_skew; /* steps */
    char *x509_ca;  /* verifies x509 tokens' certificates; NULL: not checked */

    /* [radius] */
    char *radius_servers[CONFIG_MAX_RADIUS]; /* "HOST[:PORT]" */
    unsigned n_radius_servers;
    char *radius_secret; /* secret; RADIUS/TLS uses "radsec" */
    long radius_timeout; /* s, one try */
    long radius_retries;
    long radius_dead_time; /* s */
    char *nas_identifier;
    enum config_radius_transport radius_transport;
    char *radius_ca_file;
    char *radius_client_cert;
    char *radius_client_key;
    bool require_message_authenticator;

    /* [cache] */
    char *cache_dir;
    long challenge_ttl;   /* s */
    bool reuse_challenge; /* offer an outstanding challenge again after a wrong response */
    long max_failures;    /* per user and window; 0 = no limit */
    long failure_window;  /* s */
};

/* The largest totp_skew a configuration may set, in steps either side of
 * now, and the largest hotp_window, in counters past STATE. */
#define TOTP_SKEW_MAX 10
#define HOTP_WINDOW_MAX 1000

/* Load @path.  @explicit_path: the path was given (conf=, --conf), so a
 * missing file is an error rather than the embedded default.
 * Returns REASON_OK, REASON_CONFIG or REASON_SECRETS_FILE; on error @err holds one line
 * "FILE:LINE: what is wrong" (no secret values). */
int config_load(const char *path, bool explicit_path, struct crauth_config **out, char *err,
                size_t errlen);

/* Parse a configuration held in memory (no file checks, no secrets file):
 * the fuzzers' entry point.  REASON_OK or REASON_CONFIG. */
int config_parse_buffer(const char *text, struct crauth_config **out, char *err, size_t errlen);

void config_free(struct crauth_config *cfg);

const char *config_method_name(enum config_method m);
const char *config_backend_name(enum config_backend b);
const char *config_request_name(enum config_request r);

/* Each key the parser knows, as "section.key", for the man page check. */
const char *config_key_at(unsigned i);

/* Key @i's value in @cfg as crauth.conf(5) writes it: "(none)", "(empty)",
 * quoted when it has blanks at an end; a secret only as "(secret)". */
const char *config_value_text(const struct crauth_config *cfg, unsigned i, char *buf, size_t size);

#endif
