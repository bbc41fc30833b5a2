/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * list-facts.c - print what the man pages must agree with, taken from the
 * code itself, for doc/check-manpages.sh (a check program, never installed).
 *
 *   list-facts keys        every config key the parser knows, "section.key"
 *   list-facts defaults    "section.key=VALUE" as crauth.conf(5) writes it
 *   list-facts reasons     "CODE NAME PAM_CODE" for every reason
 *   list-facts parse FILE  parse FILE as a crauth.conf; "ok" or the error
 *
 * The default values are read from a configuration parsed from an empty
 * text, so they are the parser's.  Only the mapping from key name to
 * struct field lives here; a key it does not know prints "?" and fails the
 * check, so a new key cannot go undocumented.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <security/_pam_types.h>

#include "lib/core/conf.h"
#include "lib/common/reason.h"

static const char *
yesno(bool b)
{
    return b ? "yes" : "no";
}

/* How crauth.conf(5) shows a text value. */
static const char *
text(const char *s, char *buf, size_t size)
{
    size_t n;

    if (s == NULL)
        return "(none)";
    n = strlen(s);
    if (n == 0)
        return "(empty)";
    if (s[0] == ' ' || s[n - 1] == ' ') {
        snprintf(buf, size, "\"%s\"", s);
        return buf;
    }
    return s;
}

static const char *
http_auth_name(enum config_http_auth a)
{
    return a == HTTP_AUTH_BASIC ? "basic" : a == HTTP_AUTH_NTLM ? "ntlm" : "none";
}

/* The default of @key in @c as text; "?" when this program does not know
 * the key. */
static const char *
default_of(const struct crauth_config *c, const char *key, char *buf, size_t size)
{
#define NUM(name, field)                                                                       \
    if (strcmp(key, name) == 0) {                                                              \
        snprintf(buf, size, "%ld", c->field);                                                  \
        return buf;                                                                            \
    }
#define TXT(name, field)                                                                       \
    if (strcmp(key, name) == 0)                                                                \
        return text(c->field, buf, size);
#define BOOL(name, field)                                                                      \
    if (strcmp(key, name) == 0)                                                                \
        return yesno(c->field);

    if (strcmp(key, "server.url") == 0)
        return c->n_urls == 0 ? "(none)" : c->urls[0];
    TXT("server.ca_file", ca_file)
    TXT("server.pinned_pubkey", pinned_pubkey)
    TXT("server.client_cert", client_cert)
    TXT("server.client_key", client_key)
    NUM("server.connect_timeout", connect_timeout)
    NUM("server.timeout", timeout)
    NUM("server.dead_time", dead_time)
    TXT("server.component_type", component_type)
    TXT("server.domain", domain)
    NUM("server.password_format", password_format)
    if (strcmp(key, "server.http_auth") == 0)
        return http_auth_name(c->http_auth);
    TXT("server.http_user", http_user)
    if (strcmp(key, "server.http_password") == 0)
        return c->http_password == NULL ? "(none)" : "?";
    TXT("server.secrets", secrets_path)
    TXT("server.proxy", proxy)
    if (strcmp(key, "server.proxy_auth") == 0)
        return http_auth_name(c->proxy_auth);
    TXT("server.proxy_user", proxy_user)
    if (strcmp(key, "server.proxy_password") == 0)
        return c->proxy_password == NULL ? "(none)" : "?";
    BOOL("server.allow_http_ntlm", allow_http_ntlm)
    if (strcmp(key, "auth.backend") == 0)
        return config_backend_name(c->backend);
    if (strcmp(key, "auth.method") == 0)
        return config_method_name(c->method);
    TXT("auth.keyword", keyword)
    TXT("auth.challenge_format", challenge_format)
    BOOL("auth.single_prompt", single_prompt)
    NUM("auth.prompt_timeout", prompt_timeout)
    NUM("auth.fail_delay", fail_delay_ms)
    TXT("auth.otp_prompt", otp_prompt)
    TXT("auth.response_prompt", response_prompt)
    TXT("auth.request_prompt", request_prompt)
    TXT("auth.challenge_text", challenge_text)
    TXT("local.tokens", tokens)
    NUM("local.hotp_window", hotp_window)
    NUM("local.totp_skew", totp_skew)
    TXT("cache.dir", cache_dir)
    NUM("cache.challenge_ttl", challenge_ttl)
    BOOL("cache.reuse_challenge", reuse_challenge)
    NUM("cache.max_failures", max_failures)
    NUM("cache.failure_window", failure_window)
    return "?";
#undef NUM
#undef TXT
#undef BOOL
}

static const char *
pam_name(int code)
{
    switch (code) {
    case PAM_SUCCESS: return "PAM_SUCCESS";
    case PAM_SERVICE_ERR: return "PAM_SERVICE_ERR";
    case PAM_SYSTEM_ERR: return "PAM_SYSTEM_ERR";
    case PAM_PERM_DENIED: return "PAM_PERM_DENIED";
    case PAM_AUTH_ERR: return "PAM_AUTH_ERR";
    case PAM_AUTHINFO_UNAVAIL: return "PAM_AUTHINFO_UNAVAIL";
    case PAM_USER_UNKNOWN: return "PAM_USER_UNKNOWN";
    case PAM_MAXTRIES: return "PAM_MAXTRIES";
    case PAM_CONV_ERR: return "PAM_CONV_ERR";
    case PAM_CRED_INSUFFICIENT: return "PAM_CRED_INSUFFICIENT";
    case PAM_ABORT: return "PAM_ABORT";
    default: return "PAM_UNNAMED";
    }
}

static int
parse(const char *path)
{
    static char buf[CONFIG_MAX_FILE + 1];
    struct crauth_config *cfg = NULL;
    char err[512] = "";
    size_t n;
    FILE *f = fopen(path, "r");

    if (f == NULL) {
        perror(path);
        return 2;
    }
    n = fread(buf, 1, CONFIG_MAX_FILE, f);
    fclose(f);
    buf[n] = '\0';
    if (config_parse_buffer(buf, &cfg, err, sizeof(err)) != REASON_OK) {
        printf("error %s\n", err);
        return 1;
    }
    config_free(cfg);
    printf("ok\n");
    return 0;
}

int
main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    int status = 0;

    if (strcmp(mode, "keys") == 0 && argc == 2) {
        const char *k;

        for (unsigned i = 0; (k = config_key_at(i)) != NULL; i++)
            printf("%s\n", k);
        return 0;
    }
    if (strcmp(mode, "defaults") == 0 && argc == 2) {
        struct crauth_config *cfg = NULL;
        char err[512], buf[512], key[128];
        const char *k, *v;

        if (config_parse_buffer("", &cfg, err, sizeof(err)) != REASON_OK) {
            fprintf(stderr, "list-facts: the empty configuration does not parse: %s\n", err);
            return 1;
        }
        for (unsigned i = 0; (k = config_key_at(i)) != NULL; i++) {
            snprintf(key, sizeof(key), "%s", k); /* config_key_at reuses its buffer */
            v = default_of(cfg, key, buf, sizeof(buf));
            printf("%s=%s\n", key, v);
            if (strcmp(v, "?") == 0) {
                fprintf(stderr, "list-facts: no default known for %s; add it to "
                        "doc/list-facts.c\n", key);
                status = 1;
            }
        }
        config_free(cfg);
        return status;
    }
    if (strcmp(mode, "reasons") == 0 && argc == 2) {
        const struct crauth_reason_info *r;

        for (unsigned i = 0; (r = crauth_reason_at(i)) != NULL; i++)
            printf("%d %s %s\n", r->code, r->name, pam_name(r->pam_code));
        return 0;
    }
    if (strcmp(mode, "parse") == 0 && argc == 3)
        return parse(argv[2]);
    fprintf(stderr, "usage: list-facts keys|defaults|reasons|parse FILE\n");
    return 2;
}
