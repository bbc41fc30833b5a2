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

enum config_backend { BACKEND_SERVER, BACKEND_LOCAL };
enum config_method { METHOD_OTP, METHOD_CLIENT_CHALLENGE, METHOD_SERVER_CHALLENGE };
enum config_http_auth { HTTP_AUTH_NONE, HTTP_AUTH_BASIC, HTTP_AUTH_NTLM };

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
    long password_format; /* CREDFLD_PASSWORD_FORMAT: 0 combined, 1 separate */
    enum config_http_auth http_auth;
    char *http_user;
    char *http_password; /* secret */
    char *proxy;
    enum config_http_auth proxy_auth;
    char *proxy_user;
    char *proxy_password; /* secret */
    bool allow_http_ntlm;

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

    /* [local] */
    char *tokens;
    long hotp_window;
    long totp_skew; /* steps */

    /* [cache] */
    char *cache_dir;
    long challenge_ttl;   /* s */
    bool reuse_challenge; /* offer an outstanding challenge again after a wrong response */
    long max_failures;    /* per user and window; 0 = no limit */
    long failure_window;  /* s */
};

/* Load @path.  @explicit_path: the path was given (conf=, --conf), so a
 * missing file is an error rather than the embedded default.
 * Returns REASON_OK, REASON_CONFIG or REASON_SECRETS_FILE; on error @err holds one line
 * "FILE:LINE: what is wrong" (no secret values). */
int config_load(const char *path, bool explicit_path, struct crauth_config **out, char *err,
                size_t errlen);

/* Parse a configuration held in memory (no file checks, no secrets file):
 * the fuzzers' entry point.  REASON_OK or REASON_CONFIG. */
int config_parse_buffer(const char *text, struct crauth_config **out, char *err,
                        size_t errlen);

void config_free(struct crauth_config *cfg);

const char *config_method_name(enum config_method m);
const char *config_backend_name(enum config_backend b);

/* Each key the parser knows, as "section.key", for the man page check. */
const char *config_key_at(unsigned i);

#endif
