/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_net.c - lib/remote/net: the URL split every caller shares (server
 * names, the proxy line, crauth check) and the bounded connect's answers
 * for a port that refuses and for a name that cannot be resolved.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "lib/common/reason.h"
#include "lib/common/wire.h"
#include "lib/remote/net.h"

static void
split_ok(const char *url, const char *scheme, const char *host, const char *port, const char *name,
         bool explicit_port, bool bare)
{
    struct net_url u;
    char err[300] = "";

    if (net_url_split(url, &u, err, sizeof(err)) != REASON_OK)
        fail_msg("%s: %s", url, err);
    assert_string_equal(u.scheme, scheme);
    assert_string_equal(u.host, host);
    assert_string_equal(u.port, port);
    assert_string_equal(u.name, name);
    assert_int_equal(u.explicit_port, explicit_port);
    assert_int_equal(u.bare, bare);
}

static void
test_split(void **state)
{
    (void)state;
    split_ok("https://auth1.example.com:8888/", "https", "auth1.example.com", "8888",
             "auth1.example.com:8888", true, true);
    split_ok("https://auth1.example.com/soap/authUser", "https", "auth1.example.com", "443",
             "auth1.example.com:443", false, false);
    split_ok("http://[2001:db8::1]:3128", "http", "2001:db8::1", "3128", "[2001:db8::1]:3128", true,
             true);
    split_ok("http://192.0.2.7:3128/", "http", "192.0.2.7", "3128", "192.0.2.7:3128", true, true);
    split_ok("http://user@proxy.example.com:3128/", "http", "proxy.example.com", "3128",
             "proxy.example.com:3128", true, false);
    split_ok("http://proxy.example.com:3128/?x=1", "http", "proxy.example.com", "3128",
             "proxy.example.com:3128", true, false);
}

static void
test_split_refused(void **state)
{
    static const char *const bad[] = {"", "auth1.example.com:8888", "https://", "://x",
                                      "https://host:99999/"};
    struct net_url u;
    char err[300];

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = '\0';
        if (net_url_split(bad[i], &u, err, sizeof(err)) != REASON_CONFIG)
            fail_msg("'%s' was accepted", bad[i]);
        assert_non_null(strstr(err, "is not a URL"));
        assert_string_equal(u.host, "");
    }
}

static void
test_connect_refused(void **state)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(sa);
    struct net_connect_info info;
    char port[8], err[300];
    int s = socket(AF_INET, SOCK_STREAM, 0), fd = 123;

    (void)state;
    /* a port that was just free: bound, never listened on */
    assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(getsockname(s, (struct sockaddr *)&sa, &len), 0);
    snprintf(port, sizeof(port), "%u", ntohs(sa.sin_port));
    assert_int_equal(net_connect_bounded("127.0.0.1", port, "the test peer", wire_now_ms() + 5000,
                                         &fd, &info, err, sizeof(err)),
                     REASON_SERVER_UNREACHABLE);
    close(s);
    assert_int_equal(fd, -1);
    assert_true(info.resolved);
    assert_string_equal(info.addr, "127.0.0.1");
    assert_non_null(strstr(err, "cannot connect to the test peer (127.0.0.1)"));
}

static void
test_connect_ok(void **state)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(sa);
    char port[8], err[300] = "";
    int s = socket(AF_INET, SOCK_STREAM, 0), fd = -1;

    (void)state;
    assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(listen(s, 1), 0);
    assert_int_equal(getsockname(s, (struct sockaddr *)&sa, &len), 0);
    snprintf(port, sizeof(port), "%u", ntohs(sa.sin_port));
    assert_int_equal(net_connect_bounded("127.0.0.1", port, "the test peer", wire_now_ms() + 5000,
                                         &fd, NULL, err, sizeof(err)),
                     REASON_OK);
    assert_true(fd >= 0);
    close(fd);
    close(s);
}

static void
test_unresolvable(void **state)
{
    struct net_connect_info info;
    char err[300];
    int fd = 123;
    int reason;

    (void)state;
    /* RFC 6761 6.4: .invalid never resolves; an answer that never comes
     * is tests/pam/test_check.py's (a silent name server) */
    reason = net_connect_bounded("crauth-test.invalid", "443", "the test peer",
                                 wire_now_ms() + 10000, &fd, &info, err, sizeof(err));
    assert_int_equal(reason, REASON_SERVER_UNREACHABLE);
    assert_false(info.resolved);
    assert_int_equal(fd, -1);
    assert_true(strstr(err, "cannot resolve the test peer") != NULL ||
                strstr(err, "resolving the test peer did not finish") != NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split),           cmocka_unit_test(test_split_refused),
        cmocka_unit_test(test_connect_refused), cmocka_unit_test(test_connect_ok),
        cmocka_unit_test(test_unresolvable),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
