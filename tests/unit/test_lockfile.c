/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_lockfile.c - a lock holder never writes to its log sink (the
 * helper's caller's pipe): lines wait until the lock is dropped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/crauth-lockfile-XXXXXX";
#include "tmpdir.h"

#include "lib/common/log.h"
#include "lib/core/lockfile.h"

static char seen[8][64];
static int n_seen;

static void
sink(int priority, const char *line, void *arg)
{
    (void)priority, (void)arg;
    if (n_seen < 8)
        snprintf(seen[n_seen++], sizeof(seen[0]), "%s", line);
}

static int
open_lock(const char *name)
{
    char path[256];

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
}

static void
test_lines_wait_for_the_release(void **state)
{
    int a = open_lock("a"), b = open_lock("b");

    (void)state;
    log_set_sink(sink, NULL);
    n_seen = 0;
    log_msg(LOG_INFO, "before");
    assert_int_equal(n_seen, 1);
    assert_int_equal(lockfile_acquire(a, 100), 0);
    log_msg(LOG_WARNING, "under a");
    assert_int_equal(lockfile_acquire(b, 100), 0); /* nested */
    log_msg(LOG_WARNING, "under a and b");
    lockfile_release(b);
    assert_int_equal(n_seen, 1); /* a is still held */
    lockfile_release(a);
    assert_int_equal(n_seen, 3);
    assert_string_equal(seen[1], "under a");
    assert_string_equal(seen[2], "under a and b");
    log_set_sink(NULL, NULL);
}

static void
test_timeout_is_bounded_and_takes_no_deferral(void **state)
{
    int holder = open_lock("c"), waiter = open_lock("c");

    (void)state;
    log_set_sink(sink, NULL);
    n_seen = 0;
    assert_int_equal(lockfile_acquire(holder, 100), 0);
    lockfile_release(holder);
    holder = open_lock("c");
    assert_int_equal(lockfile_acquire(holder, 100), 0);
    assert_int_equal(lockfile_acquire(waiter, 50), EWOULDBLOCK);
    lockfile_release(holder);
    log_msg(LOG_INFO, "after");
    assert_int_equal(n_seen, 1); /* the failed acquire left nothing deferred */
    close(waiter);
    log_set_sink(NULL, NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines_wait_for_the_release),
        cmocka_unit_test(test_timeout_is_bounded_and_takes_no_deferral),
    };

    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
