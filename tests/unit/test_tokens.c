/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_tokens.c - the tokens file: the contract's example, each kind of bad
 * line, byte-exact state updates, refusal to go backwards, lock timeout.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/common/reason.h"
#include "lib/core/tokens.h"

#define K20 "3132333435363738393031323334353637383930"

static const char example[] =
    "# USER   TYPE                          KEY (hex)                                  [STATE]\n"
    "alice    hotp/6                        " K20 "   0\n"
    "bob      totp/30/6/sha1                " K20 "\n"
    "carol    OCRA-1:HOTP-SHA1-6:QN08       " K20 "\n"
    "\n"
    "   # an indented comment\n"
    "bob      totp/60/8/sha512              " K20 "   # trailing comment\r\n";

static char dir[] = "/tmp/crauth-tokens-XXXXXX";

#include "tmpdir.h"

static void
test_contract_example(void **state)
{
    struct tokens t;
    char err[256];

    (void)state;
    assert_int_equal(tokens_parse(example, strlen(example), "bob", &t, err, sizeof(err)),
                     REASON_OK);
    assert_true(t.user_found);
    assert_int_equal(t.n, 2);
    assert_int_equal(t.v[0].kind, TOKEN_TOTP);
    assert_int_equal(t.v[0].step, 30);
    assert_int_equal(t.v[0].digits, 6);
    assert_false(t.v[0].has_state);
    assert_int_equal(t.v[1].step, 60);
    assert_int_equal(t.v[1].digits, 8);
    assert_int_equal(t.v[1].hash, OTP_SHA512);
    assert_int_equal(t.v[1].line, 7);
    assert_int_equal(t.v[0].keylen, 20);

    assert_int_equal(tokens_parse(example, strlen(example), "alice", &t, err, sizeof(err)),
                     REASON_OK);
    assert_int_equal(t.n, 1);
    assert_int_equal(t.v[0].kind, TOKEN_HOTP);
    assert_true(t.v[0].has_state);
    assert_int_equal(t.v[0].state, 0);

    assert_int_equal(tokens_parse(example, strlen(example), "carol", &t, err, sizeof(err)),
                     REASON_OK);
    assert_int_equal(t.v[0].kind, TOKEN_OCRA);
    assert_int_equal(t.v[0].suite.q_max, 8);

    assert_int_equal(tokens_parse(example, strlen(example), "nobody", &t, err, sizeof(err)),
                     REASON_OK);
    assert_false(t.user_found);
}

static void
expect_bad(const char *line, const char *message)
{
    struct tokens t;
    char text[600], err[256];

    snprintf(text, sizeof(text), "# header\n%s\n", line);
    assert_int_equal(tokens_parse(text, strlen(text), "x", &t, err, sizeof(err)),
                     REASON_TOKENS_FILE);
    if (strstr(err, message) == NULL || strncmp(err, "line 2:", 7) != 0)
        fail_msg("'%s': error '%s' lacks '%s'", line, err, message);
}

static void
test_bad_lines(void **state)
{
    (void)state;
    expect_bad("alice hotp/6", "expected USER TYPE KEY [STATE]");
    expect_bad("alice hotp/6 " K20 " 0 extra", "expected USER TYPE KEY [STATE]");
    expect_bad("alice hotp " K20, "is not hotp/DIGITS");
    expect_bad("alice hotp/3 " K20, "digits in 'hotp/3' must be 4..10");
    expect_bad("alice hotp/11 " K20, "digits");
    expect_bad("alice totp/30/6 " K20, "is not hotp/DIGITS");
    expect_bad("alice totp/0/6/sha1 " K20, "step '0' must be 1..3600");
    expect_bad("alice totp/30/6/md5 " K20, "hash 'md5' must be sha1");
    expect_bad("alice OCRA-1:HOTP-SHA1-6:QX08 " K20, "is not a valid OCRA suite");
    expect_bad("alice OCRA-1:HOTP-SHA1-6:QN08-PSHA1 " K20, "needs a PIN or session");
    expect_bad("alice OCRA-1:HOTP-SHA1-6:C-QN08-T1M " K20, "has both C and T");
    expect_bad("alice hotp/6 31323g", "KEY is not valid hex");
    expect_bad("alice hotp/6 313", "even number of hex digits");
    expect_bad("alice hotp/6 " K20 " -1", "STATE must be a non-negative integer");
    expect_bad("alice hotp/6 " K20 " 18446744073709551616", "STATE must be");
}

static void
test_nul_byte(void **state)
{
    struct tokens t;
    char err[256];
    const char text[] = "alice hotp/6 " K20 "\0\n";

    (void)state;
    assert_int_equal(tokens_parse(text, sizeof(text) - 1, "alice", &t, err, sizeof(err)),
                     REASON_TOKENS_FILE);
    assert_non_null(strstr(err, "NUL"));
}

static char *
slurp(const char *path)
{
    static char buf[4096];
    FILE *f = fopen(path, "r");
    size_t n;

    assert_non_null(f);
    n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void
test_store_state_is_byte_exact(void **state)
{
    char path[300], err[256], expect[2048];
    struct tokens t;
    FILE *f;
    int lock;

    (void)state;
    snprintf(path, sizeof(path), "%s/tokens", dir);
    f = fopen(path, "w");
    fputs(example, f);
    fclose(f);
    chmod(path, 0600);

    /* alice has a STATE field: only it changes */
    assert_int_equal(tokens_lock(path, 1000, &lock, err, sizeof(err)), REASON_OK);
    assert_int_equal(tokens_read(path, "alice", &t, err, sizeof(err)), REASON_OK);
    assert_int_equal(tokens_store_state(path, &t, 0, 42, err, sizeof(err)), REASON_OK);
    tokens_free(&t);
    {
        /* the same file with alice's "   0" turned into "   42" */
        const char *zero = strstr(example, K20 "   0\n") + strlen(K20) + 3;

        snprintf(expect, sizeof(expect), "%.*s42%s", (int)(zero - example), example, zero + 1);
    }
    assert_string_equal(slurp(path), expect);
    assert_int_equal(tokens_read(path, "alice", &t, err, sizeof(err)), REASON_OK);
    assert_int_equal(t.v[0].state, 42);

    /* never backwards */
    assert_int_equal(tokens_store_state(path, &t, 0, 41, err, sizeof(err)), REASON_TOKENS_FILE);
    assert_non_null(strstr(err, "refusing to move STATE back"));
    tokens_free(&t);

    /* bob's first token had no STATE: it is added after the key */
    assert_int_equal(tokens_read(path, "bob", &t, err, sizeof(err)), REASON_OK);
    assert_int_equal(tokens_store_state(path, &t, 0, 7, err, sizeof(err)), REASON_OK);
    tokens_free(&t);
    assert_non_null(strstr(slurp(path), "bob      totp/30/6/sha1                " K20 "\t7\n"));
    assert_int_equal(tokens_read(path, "bob", &t, err, sizeof(err)), REASON_OK);
    assert_true(t.v[0].has_state);
    assert_int_equal(t.v[0].state, 7);
    assert_int_equal(t.v[1].line, 7);
    tokens_free(&t);
    {
        struct stat st;

        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
    }
    tokens_unlock(lock);
}

static void
test_lock_times_out(void **state)
{
    char path[300], lockpath[310], err[256];
    int holder, fd;

    (void)state;
    snprintf(path, sizeof(path), "%s/tokens", dir);
    snprintf(lockpath, sizeof(lockpath), "%s.lock", path);
    holder = open(lockpath, O_RDWR | O_CREAT, 0600);
    assert_true(holder >= 0);
    assert_int_equal(flock(holder, LOCK_EX), 0);
    assert_int_equal(tokens_lock(path, 50, &fd, err, sizeof(err)), REASON_TOKENS_FILE);
    assert_non_null(strstr(err, "held by another login"));
    close(holder);
    assert_int_equal(tokens_lock(path, 50, &fd, err, sizeof(err)), REASON_OK);
    tokens_unlock(fd);
}

static void
test_file_checks(void **state)
{
    char path[300], err[256];
    struct tokens t;

    (void)state;
    snprintf(path, sizeof(path), "%s/tokens", dir);
    chmod(path, 0604);
    assert_int_equal(tokens_read(path, "bob", &t, err, sizeof(err)), REASON_TOKENS_FILE);
    assert_non_null(strstr(err, "chmod 0600"));
    chmod(path, 0600);
    snprintf(path, sizeof(path), "%s/missing", dir);
    assert_int_equal(tokens_read(path, "bob", &t, err, sizeof(err)), REASON_TOKENS_FILE);
    assert_non_null(strstr(err, "cannot open"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_contract_example),
        cmocka_unit_test(test_bad_lines),
        cmocka_unit_test(test_nul_byte),
        cmocka_unit_test(test_store_state_is_byte_exact),
        cmocka_unit_test(test_lock_times_out),
        cmocka_unit_test(test_file_checks),
    };

    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
