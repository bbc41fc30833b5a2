/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_tokens_edit.c - editing the tokens file: every byte not edited is
 * kept, the helper's lock is held throughout, STATE never moves back, the
 * owner and mode are kept, a new file is 0600 and owned like its directory.
 */
#include <fcntl.h>
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

#include "lib/common/reason.h"
#include "lib/core/tokens_edit.h"

#define K20 "3132333435363738393031323334353637383930"

static const char original[] = "# tokens\n"
                               "alice    hotp/6          " K20 "   7   # alice's phone\n"
                               "\n"
                               "bob\ttotp/30/6/sha1\t" K20 "\r\n"
                               "alice    hotp/6   zz\n"
                               "carol  totp/30/8/sha256 " K20 " 100 drift=-2";

static char dir[] = "/tmp/crauth-tokens-edit-XXXXXX";

#include "tmpdir.h"

static char *
slurp(const char *path)
{
    static char buf[8192];
    FILE *f = fopen(path, "r");
    size_t n;

    assert_non_null(f);
    n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void
put(const char *path, const char *text, mode_t mode)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    assert_int_equal(chmod(path, mode), 0);
}

/* Someone else (the helper) trying the lock while the edit holds it. */
static bool
lock_is_held(const char *path)
{
    char err[256];
    int fd;

    if (tokens_lock(path, 30, &fd, err, sizeof(err)) == REASON_OK) {
        tokens_unlock(fd);
        return false;
    }
    return strstr(err, "held by another login") != NULL;
}

static void
test_edits_keep_every_other_byte(void **state)
{
    char path[300], err[256], expect[4096];
    struct tokens_edit ed;
    unsigned removed;
    int line;

    (void)state;
    snprintf(path, sizeof(path), "%s/tokens", dir);
    put(path, original, 0600);

    assert_int_equal(tokens_edit_begin(path, 1000, &ed, err, sizeof(err)), REASON_OK);
    assert_true(lock_is_held(path));
    /* nothing changed: nothing written */
    assert_int_equal(tokens_edit_commit(&ed, err, sizeof(err)), REASON_OK);
    assert_string_equal(slurp(path), original);

    /* the file lacks a final newline: one is added before the new line */
    assert_int_equal(tokens_edit_append(&ed, "dave hotp/8 " K20 " 0", &line, err, sizeof(err)),
                     REASON_OK);
    assert_int_equal(line, 7);
    assert_int_equal(tokens_edit_set_state(&ed, 2, 9, err, sizeof(err)), REASON_OK);
    assert_int_equal(tokens_edit_set_state(&ed, 4, 55, err, sizeof(err)), REASON_OK);
    assert_int_equal(tokens_edit_set_state(&ed, 6, 101, err, sizeof(err)), REASON_OK);
    assert_int_equal(tokens_edit_set_drift(&ed, 6, 3, err, sizeof(err)), REASON_OK);
    assert_int_equal(tokens_edit_commit(&ed, err, sizeof(err)), REASON_OK);
    assert_true(lock_is_held(path));
    snprintf(expect, sizeof(expect),
             "# tokens\n"
             "alice    hotp/6          " K20 "   9   # alice's phone\n"
             "\n"
             "bob\ttotp/30/6/sha1\t" K20 "\t55\r\n"
             "alice    hotp/6   zz\n"
             "carol  totp/30/8/sha256 " K20 " 101 drift=3\n"
             "dave hotp/8 " K20 " 0\n");
    assert_string_equal(slurp(path), expect);

    /* bob had no drift: it follows his STATE */
    assert_int_equal(tokens_edit_set_drift(&ed, 4, -12, err, sizeof(err)), REASON_OK);
    /* alice's lines, the bad one too, go; the rest stays as it was */
    assert_int_equal(tokens_edit_remove(&ed, "alice", 0, NULL, &removed, err, sizeof(err)),
                     REASON_OK);
    assert_int_equal(removed, 2);
    assert_int_equal(tokens_edit_commit(&ed, err, sizeof(err)), REASON_OK);
    tokens_edit_end(&ed);
    assert_false(lock_is_held(path));
    snprintf(expect, sizeof(expect),
             "# tokens\n"
             "\n"
             "bob\ttotp/30/6/sha1\t" K20 "\t55\tdrift=-12\r\n"
             "carol  totp/30/8/sha256 " K20 " 101 drift=3\n"
             "dave hotp/8 " K20 " 0\n");
    assert_string_equal(slurp(path), expect);
}

static void
test_refusals(void **state)
{
    char path[300], err[256], line[128];
    struct tokens_edit ed;
    unsigned removed;
    enum token_kind backup = TOKEN_BACKUP;

    (void)state;
    snprintf(path, sizeof(path), "%s/tokens", dir);
    put(path, original, 0600);
    assert_int_equal(tokens_edit_begin(path, 1000, &ed, err, sizeof(err)), REASON_OK);

    /* STATE never moves back */
    assert_int_equal(tokens_edit_set_state(&ed, 2, 6, err, sizeof(err)), REASON_TOKENS_FILE);
    assert_non_null(strstr(err, "refusing to move STATE back from 7 to 6"));
    assert_int_equal(tokens_edit_set_state(&ed, 2, 7, err, sizeof(err)), REASON_OK);
    /* lines that are not tokens */
    assert_int_equal(tokens_edit_set_state(&ed, 3, 1, err, sizeof(err)), REASON_TOKENS_FILE);
    assert_non_null(strstr(err, "line 3: not a token line"));
    assert_int_equal(tokens_edit_set_state(&ed, 5, 1, err, sizeof(err)), REASON_TOKENS_FILE);
    assert_non_null(strstr(err, "line 5: KEY"));
    assert_int_equal(tokens_edit_set_state(&ed, 60, 1, err, sizeof(err)), REASON_TOKENS_FILE);
    assert_non_null(strstr(err, "fewer lines"));
    /* drift: totp with a STATE only */
    assert_int_equal(tokens_edit_set_drift(&ed, 2, 1, err, sizeof(err)), REASON_TOKENS_FILE);
    assert_int_equal(tokens_edit_set_drift(&ed, 4, 1, err, sizeof(err)), REASON_TOKENS_FILE);
    assert_int_equal(tokens_edit_set_drift(&ed, 6, 100001, err, sizeof(err)), REASON_TOKENS_FILE);
    /* a new line must parse */
    assert_int_equal(tokens_edit_append(&ed, "eve hotp/6 xyz", NULL, err, sizeof(err)),
                     REASON_TOKENS_FILE);
    assert_non_null(strstr(err, "not a token line: KEY"));
    assert_int_equal(tokens_edit_append(&ed, "eve hotp/6 " K20 "\nmallory hotp/6 " K20, NULL, err,
                                        sizeof(err)),
                     REASON_TOKENS_FILE);
    assert_int_equal(tokens_edit_append(&ed, "# just a comment", NULL, err, sizeof(err)),
                     REASON_TOKENS_FILE);
    /* no more than TOKENS_MAX_PER_USER per user */
    for (int i = 0; i < TOKENS_MAX_PER_USER; i++) {
        snprintf(line, sizeof(line), "frank hotp/6 " K20 " %d", i);
        assert_int_equal(tokens_edit_append(&ed, line, NULL, err, sizeof(err)), REASON_OK);
    }
    assert_int_equal(tokens_edit_append(&ed, "frank hotp/6 " K20, NULL, err, sizeof(err)),
                     REASON_TOKENS_FILE);
    assert_non_null(strstr(err, "more than 32 tokens"));
    /* removing one line: it must be the user's */
    assert_int_equal(tokens_edit_remove(&ed, "bob", 2, NULL, &removed, err, sizeof(err)),
                     REASON_TOKENS_FILE);
    assert_non_null(strstr(err, "line 2 is not a line of user bob"));
    assert_int_equal(tokens_edit_remove(&ed, "bob", 999, NULL, &removed, err, sizeof(err)),
                     REASON_TOKENS_FILE);
    assert_int_equal(tokens_edit_remove(&ed, "alice", 5, NULL, &removed, err, sizeof(err)),
                     REASON_OK);
    assert_int_equal(removed, 1);
    /* only backup lines: bob has none */
    assert_int_equal(tokens_edit_remove(&ed, "bob", 0, &backup, &removed, err, sizeof(err)),
                     REASON_OK);
    assert_int_equal(removed, 0);
    tokens_edit_end(&ed);
    /* nothing was committed */
    assert_string_equal(slurp(path), original);
}

static void
test_owner_and_mode(void **state)
{
    char path[320], sub[300], err[256];
    struct tokens_edit ed;
    struct stat st;

    (void)state;
    snprintf(path, sizeof(path), "%s/tokens", dir);
    put(path, original, 0400);
    if (geteuid() == 0)
        assert_int_equal(chown(path, 0, 4242), 0);
    assert_int_equal(tokens_edit_begin(path, 1000, &ed, err, sizeof(err)), REASON_OK);
    assert_int_equal(tokens_edit_set_state(&ed, 2, 8, err, sizeof(err)), REASON_OK);
    assert_int_equal(tokens_edit_commit(&ed, err, sizeof(err)), REASON_OK);
    tokens_edit_end(&ed);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0400);
    if (geteuid() == 0) {
        assert_int_equal(st.st_uid, 0);
        assert_int_equal(st.st_gid, 4242);
    }

    /* a new file in a directory of its own; a directory another user owns
     * is refused (that user could remove the lock under a login) */
    snprintf(sub, sizeof(sub), "%s/new", dir);
    assert_int_equal(mkdir(sub, 0755), 0);
    snprintf(path, sizeof(path), "%s/tokens", sub);
    if (geteuid() == 0) {
        assert_int_equal(chown(sub, 4343, 4444), 0);
        assert_int_equal(tokens_edit_begin(path, 1000, &ed, err, sizeof(err)), REASON_TOKENS_FILE);
        assert_non_null(strstr(err, "writable by no one else"));
        assert_int_equal(chown(sub, 0, 4444), 0);
    }
    assert_int_equal(tokens_edit_begin(path, 1000, &ed, err, sizeof(err)), REASON_OK);
    assert_false(ed.existed);
    assert_int_equal(tokens_edit_append(&ed, "alice totp/30/6/sha1 " K20, NULL, err, sizeof(err)),
                     REASON_OK);
    assert_int_equal(tokens_edit_commit(&ed, err, sizeof(err)), REASON_OK);
    tokens_edit_end(&ed);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    if (geteuid() == 0) {
        assert_int_equal(st.st_uid, 0);
        assert_int_equal(st.st_gid, 4444);
    } else {
        assert_int_equal(st.st_uid, geteuid());
    }
    assert_string_equal(slurp(path), "alice totp/30/6/sha1 " K20 "\n");
}

/* A file the trust rules refuse is not edited. */
static void
test_refused_file(void **state)
{
    char path[300], err[256];
    struct tokens_edit ed;

    (void)state;
    snprintf(path, sizeof(path), "%s/tokens", dir);
    put(path, original, 0644);
    assert_int_equal(tokens_edit_begin(path, 1000, &ed, err, sizeof(err)), REASON_TOKENS_FILE);
    assert_non_null(strstr(err, "chmod 0600"));
    assert_false(lock_is_held(path));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edits_keep_every_other_byte),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_owner_and_mode),
        cmocka_unit_test(test_refused_file),
    };

    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
