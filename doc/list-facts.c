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
 * text and written by the parser's own table (config_value_text), so a new
 * key cannot go undocumented.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <security/_pam_types.h>

#include "lib/core/conf.h"
#include "lib/common/reason.h"

static const char *
pam_name(int code)
{
    switch (code) {
    case PAM_SUCCESS:
        return "PAM_SUCCESS";
    case PAM_SERVICE_ERR:
        return "PAM_SERVICE_ERR";
    case PAM_SYSTEM_ERR:
        return "PAM_SYSTEM_ERR";
    case PAM_PERM_DENIED:
        return "PAM_PERM_DENIED";
    case PAM_AUTH_ERR:
        return "PAM_AUTH_ERR";
    case PAM_AUTHINFO_UNAVAIL:
        return "PAM_AUTHINFO_UNAVAIL";
    case PAM_USER_UNKNOWN:
        return "PAM_USER_UNKNOWN";
    case PAM_MAXTRIES:
        return "PAM_MAXTRIES";
    case PAM_CONV_ERR:
        return "PAM_CONV_ERR";
    case PAM_CRED_INSUFFICIENT:
        return "PAM_CRED_INSUFFICIENT";
    case PAM_ABORT:
        return "PAM_ABORT";
    default:
        return "PAM_UNNAMED";
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
            v = config_value_text(cfg, i, buf, sizeof(buf));
            printf("%s=%s\n", key, v);
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
