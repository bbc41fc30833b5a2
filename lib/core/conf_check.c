/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf_check.c - crauth.conf's defaults and the rules that span keys: what
 * each backend and method needs, what cannot go together, and the files a
 * login will need, opened now.
 */
#include "lib/core/conf_impl.h"
#include "lib/core/fileio.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef CRAUTH_TOKENS_DEFAULT
#define CRAUTH_TOKENS_DEFAULT "/var/lib/crauth/tokens"
#endif
#ifndef CRAUTH_CACHE_DEFAULT
#define CRAUTH_CACHE_DEFAULT "/run/crauth"
#endif

struct crauth_config *
config_defaults(const char *path)
{
    struct crauth_config *cfg = calloc(1, sizeof(*cfg));

    if (cfg == NULL)
        return NULL;
    cfg->path = strdup(path);
    cfg->connect_timeout = 3;
    cfg->timeout = 10;
    cfg->dead_time = 60;
    cfg->component_type = strdup("PAM Client");
    cfg->password_format = 0;
    cfg->response_attribute = RESPONSE_IN_PASSWORD;
    cfg->backend = BACKEND_LOCAL;
    cfg->method = METHOD_CLIENT_CHALLENGE;
    cfg->keyword = strdup("");
    cfg->challenge_format = strdup("N08");
    cfg->prompt_timeout = 300;
    cfg->fail_delay_ms = 2000;
    cfg->otp_prompt = strdup("One-time password: ");
    cfg->response_prompt = strdup("Response to challenge {challenge}: ");
    cfg->request_prompt = strdup("Password or keyword: ");
    cfg->challenge_text = strdup("Challenge: {challenge}");
    cfg->request = REQUEST_KEYWORD;
    cfg->response = RESPONSE_OTP;
    cfg->tokens = strdup(CRAUTH_TOKENS_DEFAULT);
    cfg->hotp_window = 10;
    cfg->totp_skew = 1;
    cfg->radius_timeout = 3;
    cfg->radius_retries = 2;
    cfg->radius_dead_time = 60;
    cfg->radius_transport = RADIUS_TRANSPORT_UDP;
    cfg->require_message_authenticator = true;
    cfg->cache_dir = strdup(CRAUTH_CACHE_DEFAULT);
    cfg->challenge_ttl = 120;
    cfg->reuse_challenge = true;
    cfg->max_failures = 10;
    cfg->failure_window = 300;
    if (!cfg->path || !cfg->component_type || !cfg->keyword || !cfg->challenge_format ||
        !cfg->otp_prompt || !cfg->response_prompt || !cfg->request_prompt || !cfg->challenge_text ||
        !cfg->tokens || !cfg->cache_dir) {
        config_free(cfg);
        return NULL;
    }
    return cfg;
}

static bool
valid_question_format(const char *f)
{
    int n;

    if (strlen(f) != 3 || strchr("ANH", f[0]) == NULL || f[1] < '0' || f[1] > '9' || f[2] < '0' ||
        f[2] > '9')
        return false;
    n = (f[1] - '0') * 10 + (f[2] - '0');
    return n >= 4 && n <= 64;
}

/* Which methods each backend runs (crauth.conf(5), "METHODS"). */
static int
check_method(const struct crauth_config *cfg, char *err, size_t errlen)
{
    const char *f = cfg->path, *m = config_method_name(cfg->method);

    switch (cfg->backend) {
    case BACKEND_LOCAL:
        if (cfg->method == METHOD_OTP || cfg->method == METHOD_CLIENT_CHALLENGE)
            return 0;
        snprintf(err, errlen,
                 "%s: method = %s needs a server (backend = server%s); with "
                 "backend = local use otp or client-challenge",
                 f, m, cfg->method == METHOD_GET_CHALLENGE ? "" : " or radius");
        return -1;
    case BACKEND_RADIUS:
        if (cfg->method == METHOD_OTP || cfg->method == METHOD_SERVER_CHALLENGE ||
            cfg->method == METHOD_AUTO)
            return 0;
        snprintf(err, errlen,
                 "%s: method = %s does not exist over RADIUS (no 1-step "
                 "challenge/response there); use auto, otp or server-challenge",
                 f, m);
        return -1;
    case BACKEND_SERVER:
        return 0;
    }
    return 0;
}

static int
check_server(const struct crauth_config *cfg, char *err, size_t errlen)
{
    const char *f = cfg->path;

    if (cfg->backend == BACKEND_SERVER && cfg->n_urls == 0) {
        snprintf(err, errlen, "%s: backend = server needs at least one [server] url line", f);
        return -1;
    }
    if (cfg->http_auth != HTTP_AUTH_NONE &&
        (cfg->http_user == NULL || cfg->http_password == NULL)) {
        snprintf(err, errlen,
                 "%s: http_auth = %s needs http_user and http_password "
                 "(the password in the secrets file)",
                 f, cfg->http_auth == HTTP_AUTH_BASIC ? "basic" : "ntlm");
        return -1;
    }
    /* a Unix socket's path fits sockaddr_un's sun_path (108 bytes) */
    if (cfg->broker != NULL && strlen(cfg->broker) >= 108) {
        snprintf(err, errlen, "%s: broker: a socket path is at most 107 bytes", f);
        return -1;
    }
    if (cfg->proxy_auth != HTTP_AUTH_NONE &&
        (cfg->proxy == NULL || cfg->proxy_user == NULL || cfg->proxy_password == NULL)) {
        snprintf(err, errlen, "%s: proxy_auth = %s needs proxy, proxy_user and proxy_password", f,
                 cfg->proxy_auth == HTTP_AUTH_BASIC ? "basic" : "ntlm");
        return -1;
    }
    for (unsigned i = 0; i < cfg->n_urls; i++) {
        if (strncmp(cfg->urls[i], "http://", 7) != 0)
            continue;
        if (cfg->http_auth == HTTP_AUTH_BASIC) {
            snprintf(err, errlen,
                     "%s: http_auth = basic would send the password in clear "
                     "to %s; use https",
                     f, cfg->urls[i]);
            return -1;
        }
        if (cfg->http_auth == HTTP_AUTH_NTLM && !cfg->allow_http_ntlm) {
            snprintf(err, errlen,
                     "%s: NTLM over plain http to %s is refused; use https "
                     "or set allow_http_ntlm = yes",
                     f, cfg->urls[i]);
            return -1;
        }
    }
    if (cfg->password_format == 0 && cfg->response_attribute == RESPONSE_IN_DP_RESPONSE) {
        snprintf(err, errlen,
                 "%s: response_attribute = CREDFLD_DP_RESPONSE needs a separate "
                 "password format (password_format other than 0)",
                 f);
        return -1;
    }
    return 0;
}

static int
check_radius(const struct crauth_config *cfg, char *err, size_t errlen)
{
    const char *f = cfg->path;

    if (cfg->backend != BACKEND_RADIUS)
        return 0;
    if (cfg->n_radius_servers == 0) {
        snprintf(err, errlen, "%s: backend = radius needs at least one [radius] server line", f);
        return -1;
    }
    if (cfg->radius_transport == RADIUS_TRANSPORT_UDP &&
        (cfg->radius_secret == NULL || cfg->radius_secret[0] == '\0')) {
        snprintf(err, errlen,
                 "%s: [radius] secret is needed for transport = udp (keep it "
                 "in a file only root and _crauth can read)",
                 f);
        return -1;
    }
    if (cfg->radius_transport == RADIUS_TRANSPORT_TLS) {
        if (cfg->radius_secret != NULL) {
            snprintf(err, errlen,
                     "%s: RADIUS/TLS uses the fixed secret \"radsec\" (RFC "
                     "6614 2.3); remove [radius] secret",
                     f);
            return -1;
        }
        if (cfg->radius_ca_file == NULL) {
            snprintf(err, errlen,
                     "%s: transport = tls needs [radius] ca_file to verify the "
                     "server",
                     f);
            return -1;
        }
    }
    if (strlen(cfg->keyword) > 128) {
        snprintf(err, errlen,
                 "%s: the keyword is over 128 bytes, more than a RADIUS "
                 "User-Password holds (RFC 2865 5.2)",
                 f);
        return -1;
    }
    if ((cfg->radius_client_cert == NULL) != (cfg->radius_client_key == NULL)) {
        snprintf(err, errlen, "%s: [radius] client_cert and client_key go together", f);
        return -1;
    }
    return 0;
}

int
config_validate(const struct crauth_config *cfg, char *err, size_t errlen)
{
    const char *f = cfg->path;

    if (check_method(cfg, err, errlen) != 0 || check_server(cfg, err, errlen) != 0 ||
        check_radius(cfg, err, errlen) != 0)
        return -1;
    if (cfg->single_prompt && cfg->method != METHOD_CLIENT_CHALLENGE &&
        cfg->method != METHOD_SERVER_CHALLENGE) {
        snprintf(err, errlen,
                 "%s: single_prompt = yes is for client-challenge and "
                 "server-challenge; method = %s asks its questions in one attempt",
                 f, config_method_name(cfg->method));
        return -1;
    }
    if (!valid_question_format(cfg->challenge_format)) {
        snprintf(err, errlen,
                 "%s: challenge_format '%s' is not an OCRA question format "
                 "(A, N or H and a length 04..64, e.g. N08)",
                 f, cfg->challenge_format);
        return -1;
    }
    if (cfg->request != REQUEST_KEYWORD && cfg->keyword[0] == '\0' &&
        (cfg->request == REQUEST_KEYWORD_PASSWORD || cfg->request == REQUEST_PASSWORD_KEYWORD)) {
        snprintf(err, errlen, "%s: request = %s needs the keyword ([auth] keyword)", f,
                 config_request_name(cfg->request));
        return -1;
    }
    return 0;
}

int
config_check_files(const struct crauth_config *cfg, char *err, size_t errlen)
{
    const struct {
        const char *key, *path;
    } files[] = {
        {"ca_file", cfg->ca_file},
        {"client_cert", cfg->client_cert},
        {"client_key", cfg->client_key},
        {"x509_ca", cfg->x509_ca},
        {"[radius] ca_file", cfg->radius_ca_file},
        {"[radius] client_cert", cfg->radius_client_cert},
        {"[radius] client_key", cfg->radius_client_key},
        /* a pin is a file unless it is hashes */
        {"pinned_pubkey",
         cfg->pinned_pubkey != NULL && strncmp(cfg->pinned_pubkey, "sha256//", 8) != 0
             ? cfg->pinned_pubkey
             : NULL},
    };

    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        int fd;

        if (files[i].path == NULL)
            continue;
        if ((fd = open(files[i].path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0) {
            char self[64], group[64], fix[PATH_MAX + 80] = "";
            int e = errno;

            fileio_user_name(geteuid(), self, sizeof(self));
            fileio_group_name(getegid(), group, sizeof(group));
            /* a private key stays root's, readable by the helper's group */
            if (e == EACCES)
                snprintf(fix, sizeof(fix), ": chown root:%s %s && chmod 0640 %s", group,
                         files[i].path, files[i].path);
            snprintf(err, errlen, "%s: %s %s cannot be read by %s: %s%s", cfg->path, files[i].key,
                     files[i].path, self, strerror(e), fix);
            return -1;
        }
        close(fd);
    }
    return 0;
}
