/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * radius_tool.c - one radius_access_request (lib/radius/client.c) from the
 * command line, for tests/radius/test_radius.py.  The password and the
 * shared secret come from stdin (first and second line), never from argv,
 * which every user can read in /proc.
 *
 *   radius_tool [--tls] [--ca FILE] [--cert FILE] [--key FILE] [--timeout MS]
 *               [--retries N] [--nas-id ID] [--allow-no-ma] [--state HEX]
 *               [--calling-station-id ID] SERVER USER
 *
 * Prints one line:
 *   reason=ok code=accept|reject|challenge state=HEX message=HEX ma=yes|no truncated=yes|no
 *   reason=NAME error=TEXT...
 * and exits with the reason code (0: a verdict arrived), 2 on usage.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/common/reason.h"
#include "lib/common/secmem.h"
#include "lib/radius/client.h"

static void
usage(void)
{
    fprintf(stderr, "usage: radius_tool [--tls] [--ca FILE] [--cert FILE] [--key FILE] "
                    "[--timeout MS] [--retries N] [--nas-id ID] [--allow-no-ma] [--state HEX] "
                    "[--calling-station-id ID] SERVER USER  (stdin: password, then secret)\n");
    exit(2);
}

/* One line of stdin without its newline; false at EOF or when too long. */
static bool
read_line(char *buf, size_t size)
{
    size_t n;

    if (fgets(buf, (int)size, stdin) == NULL)
        return false;
    n = strlen(buf);
    if (n > 0 && buf[n - 1] == '\n')
        buf[--n] = '\0';
    else if (!feof(stdin))
        return false;
    return true;
}

static bool
parse_hex(const char *hex, uint8_t *out, size_t max, size_t *len)
{
    size_t n = strlen(hex);

    if (n % 2 != 0 || n / 2 > max)
        return false;
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v;

        if (sscanf(hex + 2 * i, "%2x", &v) != 1)
            return false;
        out[i] = (uint8_t)v;
    }
    *len = n / 2;
    return true;
}

static void
print_hex(const char *name, const uint8_t *p, size_t len)
{
    printf(" %s=", name);
    for (size_t i = 0; i < len; i++)
        printf("%02x", p[i]);
}

int
main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"tls", no_argument, NULL, 't'},
        {"ca", required_argument, NULL, 'c'},
        {"cert", required_argument, NULL, 'C'},
        {"key", required_argument, NULL, 'k'},
        {"timeout", required_argument, NULL, 'T'},
        {"retries", required_argument, NULL, 'r'},
        {"nas-id", required_argument, NULL, 'n'},
        {"allow-no-ma", no_argument, NULL, 'a'},
        {"state", required_argument, NULL, 's'},
        {"calling-station-id", required_argument, NULL, 'S'},
        {NULL, 0, NULL, 0},
    };
    struct radius_params p = {.transport = RADIUS_UDP,
                              .timeout_ms = 3000,
                              .retries = 2,
                              .require_message_authenticator = true};
    struct radius_result res;
    uint8_t state[RADIUS_MAX_VALUE];
    size_t state_len = 0;
    const char *csi = NULL;
    char password[512], secret[512], err[512];
    int opt, reason;

    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case 't':
            p.transport = RADIUS_TLS;
            break;
        case 'c':
            p.ca_file = optarg;
            break;
        case 'C':
            p.client_cert = optarg;
            break;
        case 'k':
            p.client_key = optarg;
            break;
        case 'T':
            p.timeout_ms = strtol(optarg, NULL, 10);
            break;
        case 'r':
            p.retries = atoi(optarg);
            break;
        case 'n':
            p.nas_identifier = optarg;
            break;
        case 'a':
            p.require_message_authenticator = false;
            break;
        case 's':
            if (!parse_hex(optarg, state, sizeof(state), &state_len))
                usage();
            break;
        case 'S':
            csi = optarg;
            break;
        default:
            usage();
        }
    }
    if (argc - optind != 2)
        usage();
    password[0] = secret[0] = '\0';
    if (!read_line(password, sizeof(password)) ||
        (!read_line(secret, sizeof(secret)) && p.transport == RADIUS_UDP)) {
        fprintf(stderr, "radius_tool: stdin must hold the password and the secret, one a line\n");
        return 2;
    }
    p.secret = secret;
    reason =
        radius_access_request(&p, argv[optind], argv[optind + 1], password,
                              state_len > 0 ? state : NULL, state_len, csi, &res, err, sizeof(err));
    secmem_wipe(password, sizeof(password));
    secmem_wipe(secret, sizeof(secret));
    printf("reason=%s", crauth_reason_name(reason));
    if (reason == REASON_OK) {
        printf(" code=%s", res.code == RADIUS_ACCESS_ACCEPT   ? "accept"
                           : res.code == RADIUS_ACCESS_REJECT ? "reject"
                                                              : "challenge");
        print_hex("state", res.state, res.state_len);
        print_hex("message", (const uint8_t *)res.message, res.message_len);
        printf(" ma=%s truncated=%s\n", res.message_authenticator ? "yes" : "no",
               res.message_truncated ? "yes" : "no");
    } else {
        printf(" error=%s\n", err);
    }
    return reason;
}
