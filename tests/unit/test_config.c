/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_config.c - crauth.conf: the documented example, every kind of
 * mistake with its file:line message, secrets handling, embedded default.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/core/conf.h"
#include "lib/common/reason.h"

static char dir[] = "/tmp/crauth-config-XXXXXX";

#include "tmpdir.h"

static const char *
write_file(const char *name, const char *text, mode_t mode)
{
    static char path[4][256];
    static int slot;
    char *p = path[slot++ % 4];
    FILE *f;

    snprintf(p, 256, "%s/%s", dir, name);
    f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    chmod(p, mode);
    return p;
}

static int
load(const char *text, mode_t mode, struct crauth_config **cfg, char *err)
{
    const char *path = write_file("crauth.conf", text, mode);

    err[0] = '\0';
    return config_load(path, true, cfg, err, 512);
}

/* The first design's example, whose keys are a contract (doc/design.md 6;
 * crauth.conf(5) documents each), verbatim apart from the secret's value. */
static const char design_example[] =
    "[server]\n"
    "url = https://auth1.example.com:8888/      ; repeat the key for failover, tried in order\n"
    "url = https://auth2.example.com:8888/\n"
    "ca_file = /etc/ssl/certs/ca-certificates.crt\n"
    "connect_timeout = 3                          ; seconds\n"
    "timeout = 10                                 ; seconds for one request\n"
    "dead_time = 60                               ; seconds a failed server is skipped\n"
    "component_type = PAM Client                  ; CREDFLD_COMPONENT_TYPE\n"
    "domain = master                              ; CREDFLD_DOMAIN (optional)\n"
    "http_auth = none                             ; none | basic | ntlm\n"
    "http_user = EXAMPLE\\svc-crauth\n"
    "http_password = s3cret                       ; keep in the secrets file\n"
    "\n"
    "[auth]\n"
    "backend = server                             ; server | local\n"
    "method = server-challenge                    ; otp | client-challenge | server-challenge\n"
    "keyword = getchallenge                       ; request sent in step 1; empty = prompt\n"
    "challenge_format = N08                       ; client-challenge question format (OCRA)\n"
    "single_prompt = no\n"
    "\n"
    "[local]\n"
    "tokens = /etc/security/crauth.tokens\n"
    "\n"
    "[cache]\n"
    "dir = /run/crauth\n"
    "challenge_ttl = 120\n";

static void
test_design_example(void **state)
{
    struct crauth_config *cfg;
    char err[512];

    (void)state;
    assert_int_equal(load(design_example, 0600, &cfg, err), REASON_OK);
    assert_int_equal(cfg->n_urls, 2);
    assert_string_equal(cfg->urls[1], "https://auth2.example.com:8888/");
    assert_int_equal(cfg->connect_timeout, 3);
    assert_int_equal(cfg->timeout, 10);
    assert_int_equal(cfg->dead_time, 60);
    assert_string_equal(cfg->component_type, "PAM Client");
    assert_string_equal(cfg->domain, "master");
    assert_string_equal(cfg->http_user, "EXAMPLE\\svc-crauth");
    assert_string_equal(cfg->http_password, "s3cret");
    assert_int_equal(cfg->backend, BACKEND_SERVER);
    assert_int_equal(cfg->method, METHOD_SERVER_CHALLENGE);
    assert_string_equal(cfg->keyword, "getchallenge");
    assert_false(cfg->single_prompt);
    assert_string_equal(cfg->tokens, "/etc/security/crauth.tokens");
    assert_int_equal(cfg->challenge_ttl, 120);
    assert_false(cfg->embedded);
    config_free(cfg);
}

static void
expect_error(const char *text, mode_t mode, int reason, const char *message)
{
    struct crauth_config *cfg = NULL;
    char err[512];

    assert_int_equal(load(text, mode, &cfg, err), reason);
    assert_null(cfg);
    if (strstr(err, message) == NULL)
        fail_msg("error '%s' does not contain '%s'", err, message);
}

static void
test_mistakes(void **state)
{
    (void)state;
    expect_error("[auth]\nmethd = otp\n", 0600, REASON_CONFIG,
                 "crauth.conf:2: unknown key 'methd' in [auth]");
    expect_error("[serverr]\nurl = https://a/\n", 0600, REASON_CONFIG,
                 ":2: unknown section [serverr]");
    expect_error("backend = local\n", 0600, REASON_CONFIG, ":1: key 'backend' outside a section");
    expect_error("[auth]\nmethod = otp\n\nmethod = otp\n", 0600, REASON_CONFIG,
                 ":4: duplicate key 'method'");
    expect_error("[server]\ntimeout = 0\n", 0600, REASON_CONFIG,
                 ":2: timeout must be an integer from 1 to 600, not '0'");
    expect_error("[server]\ntimeout = 10s\n", 0600, REASON_CONFIG, "not '10s'");
    expect_error("[auth]\nmethod = push\n", 0600, REASON_CONFIG,
                 ":2: method: 'push' is not one of the allowed values");
    expect_error("[auth]\nsingle_prompt = maybe\n", 0600, REASON_CONFIG,
                 "single_prompt must be yes or no");
    expect_error("[local]\ntokens = relative/path\n", 0600, REASON_CONFIG,
                 "tokens must be an absolute path");
    expect_error("[server]\nurl = ftp://x/\n", 0600, REASON_CONFIG, "must start with https://");
    expect_error("[auth]\nthis line has no equals sign\n", 0600, REASON_CONFIG,
                 ":2: not a 'key = value' line");
    expect_error("[auth]\nbackend = server\n", 0600, REASON_CONFIG,
                 "backend = server needs at least one [server] url");
    expect_error("[auth]\nmethod = server-challenge\n", 0600, REASON_CONFIG,
                 "server-challenge needs a server");
    expect_error("[auth]\nmethod = otp\nsingle_prompt = yes\n", 0600, REASON_CONFIG,
                 "single_prompt = yes is for client-challenge and server-challenge");
    expect_error("[auth]\nchallenge_format = N99\n", 0600, REASON_CONFIG,
                 "challenge_format 'N99' is not an OCRA question format");
    expect_error("[server]\nurl = http://a/\nhttp_auth = basic\nhttp_user = u\n"
                 "http_password = p\n[auth]\nbackend = server\n",
                 0600, REASON_CONFIG, "would send the password in clear");
    expect_error("[server]\nurl = https://a/\nhttp_auth = ntlm\n[auth]\nbackend = server\n", 0600,
                 REASON_CONFIG, "needs http_user and http_password");
    /* values are text: no C0, DEL or C1 control (the one-byte CSI here) */
    expect_error("[auth]\notp_prompt = Code\x1b[2J: \n", 0600, REASON_CONFIG,
                 ":2: otp_prompt: control characters are not allowed");
    expect_error("[server]\ncomponent_type = PAM\x7f\n", 0600, REASON_CONFIG,
                 "component_type: control characters are not allowed");
    expect_error("[auth]\nkeyword = get\xc2\x9b"
                 "challenge\n",
                 0600, REASON_CONFIG, "keyword: control characters are not allowed");
}

/* The keys of the methods and backends that came later: each rule can fail. */
static void
test_methods_and_backends(void **state)
{
    struct crauth_config *cfg = NULL;
    char err[512];

    (void)state;
    expect_error("[auth]\nmethod = get-challenge\n", 0600, REASON_CONFIG,
                 "method = get-challenge needs a server (backend = server)");
    expect_error("[auth]\nmethod = auto\n", 0600, REASON_CONFIG, "method = auto needs a server");
    expect_error("[auth]\nbackend = radius\nmethod = auto\n", 0600, REASON_CONFIG,
                 "backend = radius needs at least one [radius] server");
    expect_error("[auth]\nbackend = radius\nmethod = get-challenge\n[radius]\nserver = a\n"
                 "secret = s\n",
                 0600, REASON_CONFIG, "does not exist over RADIUS");
    expect_error("[auth]\nbackend = radius\nmethod = auto\n[radius]\nserver = a\n", 0600,
                 REASON_CONFIG, "secret is needed for transport = udp");
    expect_error("[auth]\nbackend = radius\nmethod = auto\n[radius]\nserver = a\n"
                 "transport = tls\nsecret = s\n",
                 0600, REASON_CONFIG, "fixed secret \"radsec\"");
    expect_error("[auth]\nbackend = radius\nmethod = auto\nkeyword = "
                 "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
                 "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n[radius]\nserver = a\n"
                 "secret = s\n",
                 0600, REASON_CONFIG, "more than a RADIUS User-Password holds");
    expect_error("[radius]\nserver = a b\n", 0600, REASON_CONFIG, "must be HOST or HOST:PORT");
    expect_error("[radius]\nsecret = s\n", 0644, REASON_CONFIG,
                 "secret must be in a file only root and the helper's user can read");
    expect_error("[server]\nurl = https://a/\nresponse_attribute = CREDFLD_DP_RESPONSE\n"
                 "[auth]\nbackend = server\n",
                 0600, REASON_CONFIG, "CREDFLD_DP_RESPONSE needs a separate password format");
    expect_error("[server]\npassword_format = 4294967296\n", 0600, REASON_CONFIG,
                 "password_format must be an integer from 0 to 4294967295");
    expect_error("[server]\nurl = https://a/\n[auth]\nbackend = server\nmethod = "
                 "server-challenge\nrequest = keyword+password\n",
                 0600, REASON_CONFIG, "request = keyword+password needs the keyword");
    expect_error("[local]\nx509_ca = /nonexistent/ca.pem\n", 0600, REASON_CONFIG,
                 "x509_ca /nonexistent/ca.pem cannot be read");
    assert_int_equal(load("[server]\nurl = https://a/\npassword_format = 4\n"
                          "response_attribute = CREDFLD_DP_RESPONSE\n[auth]\nbackend = server\n"
                          "method = auto\nrequest = password+keyword\nkeyword = kw\n"
                          "response = password+otp\n[radius]\nserver = [::1]:1812\n"
                          "server = r2\nsecret = s3cret\n",
                          0600, &cfg, err),
                     REASON_OK);
    assert_int_equal(cfg->password_format, 4);
    assert_int_equal(cfg->response_attribute, RESPONSE_IN_DP_RESPONSE);
    assert_int_equal(cfg->method, METHOD_AUTO);
    assert_int_equal(cfg->request, REQUEST_PASSWORD_KEYWORD);
    assert_int_equal(cfg->response, RESPONSE_PASSWORD_OTP);
    assert_int_equal(cfg->n_radius_servers, 2);
    assert_string_equal(cfg->radius_servers[0], "[::1]:1812");
    assert_true(cfg->require_message_authenticator);
    config_free(cfg);
}

static void
test_long_line_is_an_error(void **state)
{
    char text[600];

    (void)state;
    snprintf(text, sizeof(text), "[auth]\notp_prompt = %0300d\nmethod = otp\n", 7);
    expect_error(text, 0600, REASON_CONFIG, ":2: line longer than 198 characters");
}

static void
test_secret_in_readable_file(void **state)
{
    (void)state;
    expect_error("[server]\nhttp_password = hunter2\n", 0644, REASON_CONFIG,
                 ":2: http_password must be in a file only root and the helper's user can read");
}

static void
test_secrets_file(void **state)
{
    struct crauth_config *cfg;
    char text[512], err[512];
    const char *secrets;

    (void)state;
    secrets = write_file("crauth.secret",
                         "[server]\nhttp_password = from-secrets\nurl = https://c/\n", 0600);
    snprintf(text, sizeof(text),
             "[server]\nurl = https://a/\nurl = https://b/\nhttp_auth = basic\n"
             "http_user = svc\nsecrets = %s\n[auth]\nbackend = server\n",
             secrets);
    assert_int_equal(load(text, 0644, &cfg, err), REASON_OK);
    assert_string_equal(cfg->http_password, "from-secrets");
    assert_int_equal(cfg->n_urls, 1); /* the secrets file's url lines replace the list */
    assert_string_equal(cfg->urls[0], "https://c/");
    config_free(cfg);

    chmod(secrets, 0644);
    assert_int_equal(load(text, 0644, &cfg, err), REASON_SECRETS_FILE);
    assert_non_null(strstr(err, "holds secrets and is readable by everyone"));
    unlink(secrets);
    assert_int_equal(load(text, 0644, &cfg, err), REASON_SECRETS_FILE);
    assert_non_null(strstr(err, "does not exist"));
}

static void
test_embedded_default_and_missing(void **state)
{
    struct crauth_config *cfg;
    char path[300], err[512];

    (void)state;
    snprintf(path, sizeof(path), "%s/absent.conf", dir);
    assert_int_equal(config_load(path, false, &cfg, err, sizeof(err)), REASON_OK);
    assert_true(cfg->embedded);
    assert_int_equal(cfg->backend, BACKEND_LOCAL);
    assert_int_equal(cfg->method, METHOD_CLIENT_CHALLENGE);
    config_free(cfg);
    assert_int_equal(config_load(path, true, &cfg, err, sizeof(err)), REASON_CONFIG);
    assert_non_null(strstr(err, "no such file"));
    /* a directory is not a config file */
    assert_int_equal(config_load(dir, true, &cfg, err, sizeof(err)), REASON_CONFIG);
    assert_non_null(strstr(err, "not a regular file"));
}

static void
test_quoted_prompt_keeps_its_space(void **state)
{
    struct crauth_config *cfg;
    char err[512];

    (void)state;
    assert_int_equal(load("[auth]\notp_prompt = \"Code: \"\n", 0600, &cfg, err), REASON_OK);
    assert_string_equal(cfg->otp_prompt, "Code: ");
    config_free(cfg);
}

static void
test_key_table(void **state)
{
    unsigned n = 0;

    (void)state;
    while (config_key_at(n) != NULL)
        n++;
    assert_true(n > 30);
    assert_string_equal(config_key_at(0), "server.url");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_design_example),
        cmocka_unit_test(test_mistakes),
        cmocka_unit_test(test_methods_and_backends),
        cmocka_unit_test(test_long_line_is_an_error),
        cmocka_unit_test(test_secret_in_readable_file),
        cmocka_unit_test(test_secrets_file),
        cmocka_unit_test(test_embedded_default_and_missing),
        cmocka_unit_test(test_quoted_prompt_keeps_its_space),
        cmocka_unit_test(test_key_table),
    };

    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
