/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_attempts.c - kept challenges name their issuer in the configured
 * backend's own server list (helper/attempts.c): a RADIUS State kept from
 * a [radius] server comes back bound to that server, is unusable once the
 * server is gone from the list, and an issuer outside the list is refused
 * rather than read past its end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "helper/attempts.h"
#include "lib/common/reason.h"

static char dir[] = "/tmp/crauth-attempts-XXXXXX";

#include "tmpdir.h"

static char *radius_list[] = {"radius-a.example:1812", "[2001:db8::1]:1812"};
static char *url_list[] = {"https://auth.example/"};
static const struct attempts_place place = {"alice", "sudo", NULL, "/dev/pts/1"};

static struct cache *
open_cache(void)
{
    struct cache *c = NULL;
    char err[256];

    assert_int_equal(cache_open(dir, &c, err, sizeof(err)), REASON_OK);
    return c;
}

static void
test_radius_issuer_round_trip(void **state)
{
    const struct attempts_servers radius = {radius_list, 2};
    struct challenge ch = {.server = 1}, back = {.server = -1};
    struct cache *c = open_cache();

    (void)state;
    snprintf(ch.key, sizeof(ch.key), "%s", "00ff10");
    snprintf(ch.message, sizeof(ch.message), "%s", "Enter the code");
    assert_int_equal(attempts_keep_challenge(c, &place, &radius, 60, &ch), REASON_OK);
    assert_int_equal(attempts_take_challenge(c, &place, &radius, &back), TAKEN_OK);
    assert_int_equal(back.server, 1);
    assert_string_equal(back.key, "00ff10");
    assert_string_equal(back.message, "Enter the code");
    assert_string_equal(back.text, "");
    /* consumed */
    assert_int_equal(attempts_take_challenge(c, &place, &radius, &back), TAKEN_NONE);
    cache_close(c);
}

static void
test_issuer_not_in_the_list(void **state)
{
    const struct attempts_servers radius = {radius_list, 2}, urls = {url_list, 1};
    const struct attempts_servers fewer = {radius_list, 1};
    struct challenge ch = {.server = 1}, back = {.server = -1};
    struct cache *c = open_cache();

    (void)state;
    snprintf(ch.key, sizeof(ch.key), "%s", "0102");
    assert_int_equal(attempts_keep_challenge(c, &place, &radius, 60, &ch), REASON_OK);
    /* the configuration now lists only the first server: the State is
     * worth nothing to it */
    assert_int_equal(attempts_take_challenge(c, &place, &fewer, &back), TAKEN_UNUSABLE);
    ch.expires = 0;
    assert_int_equal(attempts_keep_challenge(c, &place, &radius, 60, &ch), REASON_OK);
    /* nor to a [server] url */
    assert_int_equal(attempts_take_challenge(c, &place, &urls, &back), TAKEN_UNUSABLE);
    cache_close(c);
}

static void
test_issuer_index_out_of_range(void **state)
{
    const struct attempts_servers urls = {url_list, 1}, none = {NULL, 0};
    struct challenge ch = {.server = 1}, back = {.server = -1};
    struct cache *c = open_cache();

    (void)state;
    /* server 1 of a one-entry list (the old bug: the url list indexed with
     * a RADIUS server's index) */
    assert_int_equal(attempts_keep_challenge(c, &place, &urls, 60, &ch), REASON_INTERNAL);
    ch.server = 0;
    assert_int_equal(attempts_keep_challenge(c, &place, &none, 60, &ch), REASON_INTERNAL);
    assert_int_equal(attempts_take_challenge(c, &place, &urls, &back), TAKEN_NONE);
    /* a challenge made here names no server and needs no list */
    ch.server = -1;
    snprintf(ch.text, sizeof(ch.text), "%s", "12345678");
    assert_int_equal(attempts_keep_challenge(c, &place, &none, 60, &ch), REASON_OK);
    assert_int_equal(attempts_take_challenge(c, &place, &none, &back), TAKEN_OK);
    assert_int_equal(back.server, -1);
    assert_string_equal(back.text, "12345678");
    cache_close(c);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_radius_issuer_round_trip),
        cmocka_unit_test(test_issuer_not_in_the_list),
        cmocka_unit_test(test_issuer_index_out_of_range),
    };

    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
