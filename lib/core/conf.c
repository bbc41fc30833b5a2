/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf.c - crauth.conf parsing on top of libinih.
 *
 * We read the file ourselves (no symlinks, regular file, size cap, no NUL)
 * and feed inih line by line through a reader that counts lines, because
 * Debian's inih does not pass line numbers to the handler and silently splits
 * overlong lines.  Every key is described once in `keys[]`; parsing,
 * defaults checking and the man page test all walk that table.
 */
#include "lib/core/conf.h"
#include "lib/core/conf_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/common/reason.h"
#include "lib/core/fileio.h"
#include "lib/common/secmem.h"
#include "lib/common/utf8.h"

enum key_type {
    K_STR,    /* printable text */
    K_TEXT,   /* printable text; surrounding double quotes are removed */
    K_SECRET, /* text that must not sit in a file others can read */
    K_PATH,   /* absolute path */
    K_URL,    /* repeatable http(s) URL */
    K_HOST,   /* repeatable HOST[:PORT] (RADIUS servers) */
    K_INT,    /* integer in [min, max] */
    K_BOOL,   /* yes/no/true/false/1/0/on/off */
    K_ENUM,   /* one of names[] */
};

struct key_def {
    const char *section;
    const char *name;
    enum key_type type;
    size_t offset;
    long min, max;
    const char *const *names;
};

static const char *const backend_names[] = {"server", "local", "radius", NULL};
static const char *const method_names[] = {"otp",  "client-challenge", "server-challenge",
                                           "auto", "get-challenge",    NULL};
static const char *const http_auth_names[] = {"none", "basic", "ntlm", NULL};
static const char *const response_attribute_names[] = {"CREDFLD_PASSWORD", "CREDFLD_DP_RESPONSE",
                                                       NULL};
static const char *const request_names[] = {"keyword", "password", "keyword+password",
                                            "password+keyword", NULL};
static const char *const response_names[] = {"otp", "password+otp", NULL};
static const char *const transport_names[] = {"udp", "tls", NULL};

#define F(field) offsetof(struct crauth_config, field)
static const struct key_def keys[] = {
    {"server", "url", K_URL, 0, 0, 0, NULL},
    {"server", "ca_file", K_PATH, F(ca_file), 0, 0, NULL},
    {"server", "pinned_pubkey", K_STR, F(pinned_pubkey), 0, 0, NULL},
    {"server", "client_cert", K_PATH, F(client_cert), 0, 0, NULL},
    {"server", "client_key", K_PATH, F(client_key), 0, 0, NULL},
    {"server", "connect_timeout", K_INT, F(connect_timeout), 1, 300, NULL},
    {"server", "timeout", K_INT, F(timeout), 1, 600, NULL},
    {"server", "dead_time", K_INT, F(dead_time), 0, 86400, NULL},
    {"server", "component_type", K_STR, F(component_type), 0, 0, NULL},
    {"server", "domain", K_STR, F(domain), 0, 0, NULL},
    {"server", "password_format", K_INT, F(password_format), 0, 4294967295L, NULL},
    {"server", "response_attribute", K_ENUM, F(response_attribute), 0, 0, response_attribute_names},
    {"server", "request_host_code", K_BOOL, F(request_host_code), 0, 0, NULL},
    {"server", "http_auth", K_ENUM, F(http_auth), 0, 0, http_auth_names},
    {"server", "http_user", K_STR, F(http_user), 0, 0, NULL},
    {"server", "http_password", K_SECRET, F(http_password), 0, 0, NULL},
    {"server", "secrets", K_PATH, F(secrets_path), 0, 0, NULL},
    {"server", "proxy", K_STR, F(proxy), 0, 0, NULL},
    {"server", "proxy_auth", K_ENUM, F(proxy_auth), 0, 0, http_auth_names},
    {"server", "proxy_user", K_STR, F(proxy_user), 0, 0, NULL},
    {"server", "proxy_password", K_SECRET, F(proxy_password), 0, 0, NULL},
    {"server", "allow_http_ntlm", K_BOOL, F(allow_http_ntlm), 0, 0, NULL},
    {"server", "broker", K_PATH, F(broker), 0, 0, NULL},
    {"auth", "backend", K_ENUM, F(backend), 0, 0, backend_names},
    {"auth", "method", K_ENUM, F(method), 0, 0, method_names},
    {"auth", "keyword", K_STR, F(keyword), 0, 0, NULL},
    {"auth", "challenge_format", K_STR, F(challenge_format), 0, 0, NULL},
    {"auth", "single_prompt", K_BOOL, F(single_prompt), 0, 0, NULL},
    {"auth", "prompt_timeout", K_INT, F(prompt_timeout), 5, 3600, NULL},
    {"auth", "fail_delay", K_INT, F(fail_delay_ms), 0, 30000, NULL},
    {"auth", "otp_prompt", K_TEXT, F(otp_prompt), 0, 0, NULL},
    {"auth", "response_prompt", K_TEXT, F(response_prompt), 0, 0, NULL},
    {"auth", "request_prompt", K_TEXT, F(request_prompt), 0, 0, NULL},
    {"auth", "challenge_text", K_TEXT, F(challenge_text), 0, 0, NULL},
    {"auth", "request", K_ENUM, F(request), 0, 0, request_names},
    {"auth", "response", K_ENUM, F(response), 0, 0, response_names},
    {"local", "tokens", K_PATH, F(tokens), 0, 0, NULL},
    {"local", "hotp_window", K_INT, F(hotp_window), 0, HOTP_WINDOW_MAX, NULL},
    {"local", "totp_skew", K_INT, F(totp_skew), 0, TOTP_SKEW_MAX, NULL},
    {"local", "x509_ca", K_PATH, F(x509_ca), 0, 0, NULL},
    {"radius", "server", K_HOST, 0, 0, 0, NULL},
    {"radius", "secret", K_SECRET, F(radius_secret), 0, 0, NULL},
    {"radius", "timeout", K_INT, F(radius_timeout), 1, 60, NULL},
    {"radius", "retries", K_INT, F(radius_retries), 0, 10, NULL},
    {"radius", "dead_time", K_INT, F(radius_dead_time), 0, 86400, NULL},
    {"radius", "nas_identifier", K_STR, F(nas_identifier), 0, 0, NULL},
    {"radius", "transport", K_ENUM, F(radius_transport), 0, 0, transport_names},
    {"radius", "ca_file", K_PATH, F(radius_ca_file), 0, 0, NULL},
    {"radius", "client_cert", K_PATH, F(radius_client_cert), 0, 0, NULL},
    {"radius", "client_key", K_PATH, F(radius_client_key), 0, 0, NULL},
    {"radius", "require_message_authenticator", K_BOOL, F(require_message_authenticator), 0, 0,
     NULL},
    {"cache", "dir", K_PATH, F(cache_dir), 0, 0, NULL},
    {"cache", "challenge_ttl", K_INT, F(challenge_ttl), 10, 3600, NULL},
    {"cache", "reuse_challenge", K_BOOL, F(reuse_challenge), 0, 0, NULL},
    {"cache", "max_failures", K_INT, F(max_failures), 0, 1000, NULL},
    {"cache", "failure_window", K_INT, F(failure_window), 10, 86400, NULL},
};
#undef F
#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

/* State of one file's parse. */
struct parse {
    struct crauth_config *cfg;
    const char *file;
    const char *text; /* remaining input */
    int line;
    bool not_secret_safe; /* readable by others, or by a group other than root's or ours */
    bool is_secrets;
    bool urls_replaced; /* the secrets file's first url replaces the main list */
    unsigned char seen[N_KEYS];
    char *err;
    size_t errlen;
    bool failed;
};

static void __attribute__((format(printf, 2, 3))) fail(struct parse *p, const char *fmt, ...)
{
    char what[256];
    va_list ap;

    if (p->failed)
        return;
    p->failed = true;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    snprintf(p->err, p->errlen, "%s:%d: %s", p->file, p->line, what);
}

/* inih's reader: hands out one line at a time and counts them. */
static char *
read_line(char *buf, int size, void *stream)
{
    struct parse *p = stream;
    const char *nl;
    size_t n;

    if (*p->text == '\0')
        return NULL;
    nl = strchr(p->text, '\n');
    n = nl ? (size_t)(nl - p->text) + 1 : strlen(p->text);
    p->line++;
    if (n > (size_t)size - 1 || n > CONFIG_MAX_LINE + 1) {
        fail(p, "line longer than %d characters", CONFIG_MAX_LINE);
        /* Hand inih an empty line and skip the rest of the long one. */
        buf[0] = '\0';
        p->text += n;
        return buf;
    }
    memcpy(buf, p->text, n);
    buf[n] = '\0';
    p->text += n;
    return buf;
}

static int
parse_bool(const char *v, bool *out)
{
    static const char *const yes[] = {"yes", "true", "on", "1"};
    static const char *const no[] = {"no", "false", "off", "0"};

    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(v, yes[i]) == 0)
            return *out = true, 0;
        if (strcasecmp(v, no[i]) == 0)
            return *out = false, 0;
    }
    return -1;
}

static int
set_string(char **slot, const char *value, bool secret)
{
    char *copy = secmem_strdup(value);

    if (copy == NULL)
        return -1;
    if (secret)
        secmem_free_str(slot);
    else
        free(*slot);
    *slot = copy;
    return 0;
}

static int
store(struct parse *p, const struct key_def *k, const char *value)
{
    void *slot = (char *)p->cfg + k->offset;
    char *end;
    long n;

    if (!text_is_printable(value)) {
        fail(p, "%s: control characters are not allowed", k->name);
        return 0;
    }
    switch (k->type) {
    case K_URL:
        if (strncmp(value, "https://", 8) != 0 && strncmp(value, "http://", 7) != 0) {
            fail(p, "url '%s' must start with https:// (or http://)", value);
            return 0;
        }
        if (p->is_secrets && !p->urls_replaced) {
            for (unsigned i = 0; i < p->cfg->n_urls; i++)
                free(p->cfg->urls[i]);
            p->cfg->n_urls = 0;
            p->urls_replaced = true;
        }
        if (p->cfg->n_urls == CONFIG_MAX_URLS) {
            fail(p, "more than %d url lines", CONFIG_MAX_URLS);
            return 0;
        }
        if ((p->cfg->urls[p->cfg->n_urls] = strdup(value)) == NULL)
            return -1;
        p->cfg->n_urls++;
        return 0;
    case K_HOST:
        if (value[0] == '\0' || strpbrk(value, " \t/@") != NULL) {
            fail(p, "server '%s' must be HOST or HOST:PORT ([IPv6]:PORT)", value);
            return 0;
        }
        if (p->cfg->n_radius_servers == CONFIG_MAX_RADIUS) {
            fail(p, "more than %d server lines", CONFIG_MAX_RADIUS);
            return 0;
        }
        if ((p->cfg->radius_servers[p->cfg->n_radius_servers] = strdup(value)) == NULL)
            return -1;
        p->cfg->n_radius_servers++;
        return 0;
    case K_PATH:
        if (value[0] != '/') {
            fail(p, "%s must be an absolute path, not '%s'", k->name, value);
            return 0;
        }
        return set_string(slot, value, false);
    case K_TEXT: {
        size_t len = strlen(value);

        if (len >= 2 && value[0] == '"' && value[len - 1] == '"') {
            char inner[CONFIG_MAX_LINE + 1];

            snprintf(inner, sizeof(inner), "%.*s", (int)(len - 2), value + 1);
            return set_string(slot, inner, false);
        }
        return set_string(slot, value, false);
    }
    case K_STR:
        return set_string(slot, value, false);
    case K_SECRET:
        if (p->not_secret_safe && value[0] != '\0') {
            fail(p,
                 "%s must be in a file only root and the helper's user can read; move it to "
                 "the secrets file (root:_crauth 0640)",
                 k->name);
            return 0;
        }
        return set_string(slot, value, true);
    case K_INT:
        errno = 0;
        n = strtol(value, &end, 10);
        if (errno != 0 || end == value || *end != '\0' || n < k->min || n > k->max) {
            fail(p, "%s must be an integer from %ld to %ld, not '%s'", k->name, k->min, k->max,
                 value);
            return 0;
        }
        *(long *)slot = n;
        return 0;
    case K_BOOL:
        if (parse_bool(value, (bool *)slot) != 0)
            fail(p, "%s must be yes or no, not '%s'", k->name, value);
        return 0;
    case K_ENUM:
        for (int i = 0; k->names[i] != NULL; i++) {
            if (strcmp(value, k->names[i]) == 0) {
                *(int *)slot = i;
                return 0;
            }
        }
        fail(p, "%s: '%s' is not one of the allowed values", k->name, value);
        return 0;
    }
    return 0;
}

static int
handle(void *user, const char *section, const char *name, const char *value)
{
    struct parse *p = user;

    if (p->failed)
        return 1; /* report only the first error */
    for (size_t i = 0; i < N_KEYS; i++) {
        if (strcmp(keys[i].section, section) != 0 || strcmp(keys[i].name, name) != 0)
            continue;
        if (p->seen[i] && keys[i].type != K_URL && keys[i].type != K_HOST) {
            fail(p, "duplicate key '%s' in [%s]", name, section);
            return 1;
        }
        p->seen[i] = 1;
        if (store(p, &keys[i], value) != 0) {
            fail(p, "out of memory while reading %s", name);
            return 1;
        }
        return 1;
    }
    for (size_t i = 0; i < N_KEYS; i++) {
        if (strcmp(keys[i].section, section) == 0) {
            fail(p, "unknown key '%s' in [%s]", name, section);
            return 1;
        }
    }
    if (section[0] != '\0')
        fail(p, "unknown section [%s] (key '%s')", section, name);
    else
        fail(p, "key '%s' outside a section", name);
    return 1;
}

/* Parse @text as one file named @name into @cfg; 0 or -EINVAL. */
static int
parse_text(struct crauth_config *cfg, const char *name, const char *text, bool not_secret_safe,
           bool is_secrets, char *err, size_t errlen)
{
    struct parse p = {.cfg = cfg,
                      .file = name,
                      .text = text,
                      .is_secrets = is_secrets,
                      .not_secret_safe = not_secret_safe,
                      .err = err,
                      .errlen = errlen};
    int rc;

    ini_allow_multiline = false;
    rc = ini_parse_stream(read_line, &p, handle, &p);
    if (rc != 0 && !p.failed)
        snprintf(err, errlen, "%s:%d: not a 'key = value' line or [section] header", name, rc);
    return (rc != 0 || p.failed) ? -EINVAL : 0;
}

static int
parse_file(struct crauth_config *cfg, const char *path, bool is_secrets, char *err, size_t errlen)
{
    const struct fileio_rules rules = {
        .what = is_secrets ? "secrets file" : "configuration",
        .max_size = CONFIG_MAX_FILE,
        .secret = is_secrets,
    };
    struct fileio_buf buf;
    int rc;

    switch (fileio_read(path, &rules, &buf, err, errlen)) {
    case FILEIO_OK:
        break;
    case FILEIO_MISSING:
        return -ENOENT;
    default:
        return -EPERM;
    }
    rc =
        parse_text(cfg, path, buf.text,
                   (buf.st.st_mode & S_IROTH) || ((buf.st.st_mode & S_IRGRP) &&
                                                  buf.st.st_gid != 0 && buf.st.st_gid != getegid()),
                   is_secrets, err, errlen);
    fileio_free(&buf);
    return rc;
}

int
config_load(const char *path, bool explicit_path, struct crauth_config **out, char *err,
            size_t errlen)
{
    struct crauth_config *cfg = config_defaults(path);
    int rc;

    *out = NULL;
    if (cfg == NULL) {
        snprintf(err, errlen, "out of memory");
        return REASON_INTERNAL;
    }
    rc = parse_file(cfg, path, false, err, errlen);
    if (rc == -ENOENT && !explicit_path) {
        cfg->embedded = true;
    } else if (rc == -ENOENT) {
        snprintf(err, errlen, "%s: no such file", path);
        goto fail;
    } else if (rc != 0) {
        goto fail;
    }
    if (cfg->secrets_path != NULL) {
        rc = parse_file(cfg, cfg->secrets_path, true, err, errlen);
        if (rc == -ENOENT)
            snprintf(err, errlen, "%s: secrets file named in %s does not exist", cfg->secrets_path,
                     path);
        if (rc != 0) {
            config_free(cfg);
            return rc == -EINVAL ? REASON_CONFIG : REASON_SECRETS_FILE;
        }
    }
    if (config_validate(cfg, err, errlen) != 0 || config_check_files(cfg, err, errlen) != 0)
        goto fail;
    *out = cfg;
    return REASON_OK;
fail:
    config_free(cfg);
    return REASON_CONFIG;
}

int
config_parse_buffer(const char *text, struct crauth_config **out, char *err, size_t errlen)
{
    struct crauth_config *cfg = config_defaults("(buffer)");

    *out = NULL;
    if (cfg == NULL)
        return REASON_INTERNAL;
    if (parse_text(cfg, "(buffer)", text, false, false, err, errlen) != 0 ||
        config_validate(cfg, err, errlen) != 0) {
        config_free(cfg);
        return REASON_CONFIG;
    }
    *out = cfg;
    return REASON_OK;
}

void
config_free(struct crauth_config *cfg)
{
    if (cfg == NULL)
        return;
    for (size_t i = 0; i < N_KEYS; i++) {
        char **slot = (char **)((char *)cfg + keys[i].offset);

        if (keys[i].type == K_SECRET)
            secmem_free_str(slot);
        else if (keys[i].type == K_STR || keys[i].type == K_TEXT || keys[i].type == K_PATH)
            free(*slot);
    }
    for (unsigned i = 0; i < cfg->n_urls; i++)
        free(cfg->urls[i]);
    for (unsigned i = 0; i < cfg->n_radius_servers; i++)
        free(cfg->radius_servers[i]);
    free(cfg->path);
    free(cfg);
}

const char *
config_method_name(enum config_method m)
{
    return method_names[m];
}

const char *
config_backend_name(enum config_backend b)
{
    return backend_names[b];
}

const char *
config_request_name(enum config_request r)
{
    return request_names[r];
}

const char *
config_value_text(const struct crauth_config *cfg, unsigned i, char *buf, size_t size)
{
    const struct key_def *k = &keys[i];
    const void *slot = (const char *)cfg + k->offset;
    const char *s;
    size_t n;

    if (i >= N_KEYS)
        return NULL;
    switch (k->type) {
    case K_URL:
        return cfg->n_urls == 0 ? "(none)" : cfg->urls[0];
    case K_HOST:
        return cfg->n_radius_servers == 0 ? "(none)" : cfg->radius_servers[0];
    case K_INT:
        snprintf(buf, size, "%ld", *(const long *)slot);
        return buf;
    case K_BOOL:
        return *(const bool *)slot ? "yes" : "no";
    case K_ENUM:
        return k->names[*(const int *)slot];
    case K_SECRET:
        return *(char *const *)slot == NULL ? "(none)" : "(secret)";
    case K_STR:
    case K_TEXT:
    case K_PATH:
        break;
    }
    if ((s = *(char *const *)slot) == NULL)
        return "(none)";
    if ((n = strlen(s)) == 0)
        return "(empty)";
    if (s[0] == ' ' || s[n - 1] == ' ') {
        snprintf(buf, size, "\"%s\"", s);
        return buf;
    }
    return s;
}

const char *
config_key_at(unsigned i)
{
    static char buf[64];

    if (i >= N_KEYS)
        return NULL;
    snprintf(buf, sizeof(buf), "%s.%s", keys[i].section, keys[i].name);
    return buf;
}
