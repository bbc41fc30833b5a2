/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_tokens.c - the tokens file: the contract's example, each kind of bad
 * line and that it harms only its own user, the backup/x509/drift
 * extensions, byte-exact state updates, refusal to go backwards, lock
 * timeout.
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
/* yescrypt of "abcdefghij" (any well-formed hash will do) */
#define YHASH "$y$j85$DQOl.cYrNug.afPdEYTWV1$nKkjtGDhNJrzv9UX2AnG0QyXrqB4hBFkobtTlOoeM2D"

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

/* A bad line of alice's: alice's lookup fails naming it, others' do not,
 * and the message never carries the key. */
static void
expect_bad(const char *line, const char *message)
{
    struct tokens t;
    char text[600], err[256];

    snprintf(text, sizeof(text), "# header\n%s\nbob hotp/6 " K20 "\n", line);
    assert_int_equal(tokens_parse(text, strlen(text), "alice", &t, err, sizeof(err)),
                     REASON_TOKENS_FILE);
    if (strstr(err, message) == NULL || strncmp(err, "line 2: ", 8) != 0)
        fail_msg("'%s': error '%s' lacks '%s'", line, err, message);
    if (strstr(err, "31323334") != NULL)
        fail_msg("'%s': error '%s' quotes the key", line, err);
    assert_int_equal(t.n, 0);
    assert_true(t.user_found);
    assert_int_equal(t.bad_total, 1);
    assert_int_equal(t.bad[0].line, 2);
    assert_string_equal(t.bad[0].message, err + 8);

    err[0] = '\0';
    assert_int_equal(tokens_parse(text, strlen(text), "bob", &t, err, sizeof(err)), REASON_OK);
    assert_int_equal(t.n, 1);
    assert_int_equal(t.v[0].line, 3);
    assert_int_equal(t.n_bad, 1);
    assert_int_equal(t.bad[0].line, 2);
    assert_string_equal(err, "");
}

static void
test_bad_lines(void **state)
{
    (void)state;
    expect_bad("alice hotp/6", "expected USER TYPE KEY [STATE]");
    expect_bad("alice hotp/6 " K20 " 0 extra", "found too many fields");
    expect_bad("alice hotp/6 " K20 " 0 drift=1 extra", "found too many fields");
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
    /* the columns swapped: the key is in TYPE and must not be quoted */
    expect_bad("alice " K20 " hotp/6", "TYPE is not hotp/DIGITS");
    /* the extensions: backup, x509, drift= */
    expect_bad("alice backup " K20, "not a crypt(5) hash");
    expect_bad("alice backup $1$abcdefgh$abcdefghijklmnopqrstuv", "not a crypt(5) hash");
    expect_bad("alice backup " YHASH " 2", "backup STATE must be 0 (unused) or 1 (used)");
    expect_bad("alice x509 etc/cert.pem", "must be an absolute path");
    expect_bad("alice x509 /etc/\vcert.pem", "control character");
    expect_bad("alice totp/30/6/sha1 " K20 " drift=2", "drift= needs a STATE before it");
    expect_bad("alice totp/30/6/sha1 " K20 " 5 drift=", "drift= must be a whole number");
    expect_bad("alice totp/30/6/sha1 " K20 " 5 drift=+2", "drift= must be a whole number");
    expect_bad("alice totp/30/6/sha1 " K20 " 5 drift=100001", "drift= must be a whole number");
    expect_bad("alice totp/30/6/sha1 " K20 " 5 drift=--1", "drift= must be a whole number");
    expect_bad("alice hotp/6 " K20 " 5 drift=1", "drift= is for totp lines only");
    expect_bad("alice totp/30/6/sha1 " K20 " 5 skew=1", "found too many fields");
}

static void
test_extensions(void **state)
{
    static const char text[] = "alice backup " YHASH "\n"
                               "alice backup " YHASH " 1\n"
                               "alice x509 /etc/crauth/alice.pem\n"
                               "alice totp/30/6/sha1 " K20 " 123 drift=-7\n"
                               "alice totp/30/6/sha1 " K20 " 0 drift=100000   # a comment\n";
    struct tokens t;
    char err[256];

    (void)state;
    assert_int_equal(tokens_parse(text, strlen(text), "alice", &t, err, sizeof(err)), REASON_OK);
    assert_int_equal(t.n, 5);
    assert_int_equal(t.v[0].kind, TOKEN_BACKUP);
    assert_string_equal(t.v[0].backup_hash, YHASH);
    assert_false(TOKEN_BACKUP_USED(&t.v[0]));
    assert_int_equal(t.v[0].keylen, 0);
    assert_true(TOKEN_BACKUP_USED(&t.v[1]));
    assert_int_equal(t.v[2].kind, TOKEN_X509);
    assert_string_equal(t.v[2].x509_path, "/etc/crauth/alice.pem");
    assert_int_equal(t.v[3].kind, TOKEN_TOTP);
    assert_int_equal(t.v[3].state, 123);
    assert_true(t.v[3].has_drift);
    assert_int_equal(t.v[3].drift, -7);
    assert_memory_equal(text + t.v[3].drift_start, "drift=-7", 8);
    assert_int_equal(t.v[3].drift_end - t.v[3].drift_start, 8);
    assert_int_equal(t.v[4].drift, 100000);
    assert_int_equal(t.n_bad, 0);
    assert_string_equal(tokens_kind_name(TOKEN_BACKUP), "backup");
}

/* One bad line harms only its user; a line whose USER cannot be read harms
 * nobody; every bad line is listed, the first TOKENS_MAX_BAD kept. */
static void
test_bad_line_harms_one_user(void **state)
{
    char text[8192], err[256], user[TOKENS_MAX_USER + 2];
    struct tokens t;
    size_t n = 0;

    (void)state;
    memset(user, 'u', sizeof(user) - 1);
    user[sizeof(user) - 1] = '\0';
    n += (size_t)snprintf(text + n, sizeof(text) - n, "alice hotp/6 " K20 "\n");
    n += (size_t)snprintf(text + n, sizeof(text) - n, "%s hotp/6 " K20 "\n", user);
    for (int i = 0; i < 40; i++)
        n += (size_t)snprintf(text + n, sizeof(text) - n, "bob hotp/6 zz\n");
    n += (size_t)snprintf(text + n, sizeof(text) - n, "carol hotp/6 " K20 "\n");

    assert_int_equal(tokens_parse(text, n, "alice", &t, err, sizeof(err)), REASON_OK);
    assert_int_equal(t.n, 1);
    assert_int_equal(t.bad_total, 41);
    assert_int_equal(t.n_bad, TOKENS_MAX_BAD);
    assert_int_equal(t.bad[0].line, 2);
    assert_non_null(strstr(t.bad[0].message, "USER is longer than 256"));
    assert_int_equal(t.bad[1].line, 3);
    assert_int_equal(t.bad[TOKENS_MAX_BAD - 1].line, TOKENS_MAX_BAD + 1);

    assert_int_equal(tokens_parse(text, n, "carol", &t, err, sizeof(err)), REASON_OK);
    assert_int_equal(t.v[0].line, 43);
    assert_int_equal(tokens_parse(text, n, "bob", &t, err, sizeof(err)), REASON_TOKENS_FILE);
    assert_string_equal(err, "line 3: KEY is not valid hex");
    assert_int_equal(tokens_parse(text, n, NULL, &t, err, sizeof(err)), REASON_OK);
    assert_int_equal(t.bad_total, 41);
    assert_false(t.user_found);
}

/* A user with more tokens than the cap fails alone. */
static void
test_too_many_tokens(void **state)
{
    char text[8192], err[256];
    struct tokens t;
    size_t n = 0;

    (void)state;
    for (int i = 0; i < TOKENS_MAX_PER_USER + 1; i++)
        n += (size_t)snprintf(text + n, sizeof(text) - n, "alice hotp/6 " K20 "\n");
    n += (size_t)snprintf(text + n, sizeof(text) - n, "bob hotp/6 " K20 "\n");
    assert_int_equal(tokens_parse(text, n, "alice", &t, err, sizeof(err)), REASON_TOKENS_FILE);
    assert_non_null(strstr(err, "more than 32 tokens for this user"));
    assert_int_equal(t.n, 0);
    assert_int_equal(tokens_parse(text, n, "bob", &t, err, sizeof(err)), REASON_OK);
    assert_int_equal(t.n, 1);
    assert_int_equal(t.bad_total, 0);
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

/* A failed read holds no key and no memory, but still lists the bad lines. */
static void
test_read_keeps_bad_lines(void **state)
{
    char path[300], err[256];
    struct tokens t;
    FILE *f;

    (void)state;
    snprintf(path, sizeof(path), "%s/badlines", dir);
    f = fopen(path, "w");
    fputs("alice hotp/6 " K20 "\nalice hotp/6 xyz\nbob hotp/6 " K20 "\n", f);
    fclose(f);
    chmod(path, 0600);
    assert_int_equal(tokens_read(path, "alice", &t, err, sizeof(err)), REASON_TOKENS_FILE);
    assert_string_equal(err, "line 2: KEY must be an even number of hex digits, at most 128 bytes");
    assert_null(t.text);
    assert_int_equal(t.n, 0);
    assert_int_equal(t.n_bad, 1);
    assert_int_equal(t.bad[0].line, 2);
    tokens_free(&t);
    assert_int_equal(tokens_read(path, "bob", &t, err, sizeof(err)), REASON_OK);
    assert_int_equal(t.n, 1);
    assert_int_equal(t.n_bad, 1);
    tokens_free(&t);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_contract_example), cmocka_unit_test(test_bad_lines),
        cmocka_unit_test(test_extensions),       cmocka_unit_test(test_bad_line_harms_one_user),
        cmocka_unit_test(test_too_many_tokens),  cmocka_unit_test(test_read_keeps_bad_lines),
        cmocka_unit_test(test_nul_byte),         cmocka_unit_test(test_store_state_is_byte_exact),
        cmocka_unit_test(test_lock_times_out),   cmocka_unit_test(test_file_checks),
    };

    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
