/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_tls_resume.c - when a stored TLS session may be offered
 * (lib/remote/tls_resume.h): within the server's lifetime and
 * TLS_RESUME_MAX_AGE, never from the future.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lib/remote/tls_resume.h"

static void
test_fresh(void **state)
{
    const int64_t t = 1700000000;

    (void)state;
    assert_true(tls_resume_fresh(t, 7200, t));
    assert_true(tls_resume_fresh(t, 7200, t + TLS_RESUME_MAX_AGE - 1));
    assert_false(tls_resume_fresh(t, 7200, t + TLS_RESUME_MAX_AGE)); /* our cap */
    assert_true(tls_resume_fresh(t, 300, t + 299));
    assert_false(tls_resume_fresh(t, 300, t + 300)); /* the server's lifetime */
    assert_false(tls_resume_fresh(t, 0, t));
    assert_false(tls_resume_fresh(t, -5, t));
    assert_false(tls_resume_fresh(t + 1, 7200, t)); /* the clock went back */
    assert_false(tls_resume_fresh(INT64_MIN, 7200, t));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fresh),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
