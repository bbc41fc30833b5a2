/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_cache.c - cache records and the cache directory: round trips, the
 * strict parser, consume-once challenges, failure windows, server health,
 * directory ownership checks, flush.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/core/cache.h"
#include "lib/common/hex.h"
#include "lib/common/reason.h"

static char dir[] = "/tmp/crauth-cache-XXXXXX";

#include "tmpdir.h"

static struct cache_record
sample(void)
{
    struct cache_record r = {.type = CACHE_CHALLENGE, .created = 1700000000, .expires = 1700000120};

    snprintf(r.user, sizeof(r.user), "%s", "alice");
    snprintf(r.service, sizeof(r.service), "%s", "sudo");
    snprintf(r.rhost, sizeof(r.rhost), "%s", "");
    snprintf(r.tty, sizeof(r.tty), "%s", "/dev/pts/3");
    snprintf(r.server, sizeof(r.server), "%s", "https://auth1.example.com:8888/");
    snprintf(r.text, sizeof(r.text), "%s", "12345678");
    snprintf(r.key, sizeof(r.key), "%s", "A-0011223344");
    snprintf(r.message, sizeof(r.message), "%s", "Enter challenge 12345678 into your token");
    return r;
}

static void
test_round_trip(void **state)
{
    struct cache_record r = sample(), back;
    char buf[CACHE_MAX_FILE], err[128];
    int n;

    (void)state;
    n = cache_record_format(&r, buf, sizeof(buf));
    assert_true(n > 0);
    assert_int_equal(cache_record_parse(buf, (size_t)n, &back, err, sizeof(err)), 0);
    assert_int_equal(memcmp(&r, &back, sizeof(r)), 0);
    /* text is hex-encoded: nothing of it appears raw */
    assert_null(strstr(buf, "A-0011223344"));
    assert_non_null(strstr(buf, "type challenge\n"));
    /* what the parser would refuse is never written: C0, DEL, C1 */
    snprintf(r.rhost, sizeof(r.rhost), "%s", "host\x1b[2J");
    assert_int_equal(cache_record_format(&r, buf, sizeof(buf)), -1);
    snprintf(r.rhost, sizeof(r.rhost), "%s", "host\x7f");
    assert_int_equal(cache_record_format(&r, buf, sizeof(buf)), -1);
    snprintf(r.rhost, sizeof(r.rhost), "%s",
             "host\xc2\x9b"
             "2J");
    assert_int_equal(cache_record_format(&r, buf, sizeof(buf)), -1);
    snprintf(r.rhost, sizeof(r.rhost), "%s", "h\xc3\xb4te");
    assert_true(cache_record_format(&r, buf, sizeof(buf)) > 0);
}

static void
expect_bad(const char *text, const char *why)
{
    struct cache_record r;
    char err[128];

    assert_int_equal(cache_record_parse(text, strlen(text), &r, err, sizeof(err)), -1);
    if (strstr(err, why) == NULL)
        fail_msg("'%s' -> '%s', wanted '%s'", text, err, why);
}

static void
test_strict_parser(void **state)
{
    (void)state;
    expect_bad("", "header");
    expect_bad("crauth-cache 2\ntype user\n", "header");
    expect_bad("crauth-cache 1\nuser 61\n", "type");
    expect_bad("crauth-cache 1\ntype nonsense\n", "unknown type");
    expect_bad("crauth-cache 1\ntype user\nuser 61\nfailures 1\n", "missing");
    expect_bad("crauth-cache 1\ntype user\nuser 61\nuser 61\n", "repeated");
    expect_bad("crauth-cache 1\ntype user\nuser 6\n", "bad value");
    expect_bad("crauth-cache 1\ntype user\nuser 0a\n", "bad value");     /* control char */
    expect_bad("crauth-cache 1\ntype user\nuser 617f\n", "bad value");   /* DEL */
    expect_bad("crauth-cache 1\ntype user\nuser 61c29b\n", "bad value"); /* C1: CSI */
    expect_bad("crauth-cache 1\ntype user\nuser 610062\n", "bad value"); /* NUL */
    expect_bad("crauth-cache 1\ntype user\nuser 61\nfailures -1\n", "bad value");
    expect_bad("crauth-cache 1\ntype user\nuser 61\nfailures 4294967296\n", "bad value");
    expect_bad("crauth-cache 1\ntype user\nuser 61\nfailures 01\n", "bad value");
    expect_bad("crauth-cache 1\ntype user\nuser 61\nkey 61\n", "unknown field");
    expect_bad("crauth-cache 1\ntype user\nuser 61\nfailures 1\nwindow_start 5", "not terminated");
    expect_bad("crauth-cache 1\ntype server\nserver 61\ndown_since\n", "not 'name value'");
}

static void
test_challenge_is_consumed(void **state)
{
    struct cache *c;
    struct cache_record r = sample(), got;
    char err[256];
    bool found;
    int lock;

    (void)state;
    assert_int_equal(cache_open(dir, &c, err, sizeof(err)), REASON_OK);
    assert_int_equal(cache_lock(c, "alice", 1000, &lock, err, sizeof(err)), REASON_OK);
    assert_int_equal(cache_put_challenge(c, &r, err, sizeof(err)), REASON_OK);
    assert_int_equal(cache_take_challenge(c, "alice", "sshd", "", &got, &found, err, sizeof(err)),
                     REASON_OK);
    assert_false(found); /* other service */
    assert_int_equal(cache_take_challenge(c, "alice", "sudo", "", &got, &found, err, sizeof(err)),
                     REASON_OK);
    assert_true(found);
    assert_string_equal(got.key, "A-0011223344");
    assert_int_equal(cache_take_challenge(c, "alice", "sudo", "", &got, &found, err, sizeof(err)),
                     REASON_OK);
    assert_false(found); /* consumed */
    cache_unlock(lock);
    cache_close(c);
}

static void
test_failures_and_servers(void **state)
{
    struct cache *c;
    char err[256];
    uint32_t n;
    unsigned removed;

    (void)state;
    assert_int_equal(cache_open(dir, &c, err, sizeof(err)), REASON_OK);
    assert_int_equal(cache_user_failures(c, "bob", 1000, 60), 0);
    assert_int_equal(cache_user_reserve(c, "bob", 1000, 60, 10, &n, err, sizeof(err)), REASON_OK);
    assert_int_equal(cache_user_reserve(c, "bob", 1010, 60, 10, &n, err, sizeof(err)), REASON_OK);
    assert_int_equal(n, 2);
    assert_int_equal(cache_user_failures(c, "bob", 1059, 60), 2);
    assert_int_equal(cache_user_failures(c, "bob", 1060, 60), 0); /* window over */
    assert_int_equal(cache_user_reserve(c, "bob", 1060, 60, 10, &n, err, sizeof(err)), REASON_OK);
    assert_int_equal(n, 1);
    /* at the limit nothing more is counted: the guess is refused unjudged */
    assert_int_equal(cache_user_reserve(c, "bob", 1061, 60, 1, &n, err, sizeof(err)),
                     REASON_RATE_LIMITED);
    assert_int_equal(n, 1);
    assert_int_equal(cache_user_failures(c, "bob", 1061, 60), 1);
    assert_int_equal(cache_user_release(c, "bob", 1061, 60, err, sizeof(err)), REASON_OK);
    assert_int_equal(cache_user_failures(c, "bob", 1061, 60), 0);
    assert_int_equal(cache_user_release(c, "bob", 1061, 60, err, sizeof(err)), REASON_OK);
    assert_int_equal(cache_user_failures(c, "bob", 1061, 60), 0);
    assert_int_equal(cache_user_reserve(c, "bob", 1060, 60, 10, &n, err, sizeof(err)), REASON_OK);
    assert_int_equal(cache_user_succeeded(c, "bob", err, sizeof(err)), REASON_OK);
    assert_int_equal(cache_user_failures(c, "bob", 1061, 60), 0);

    assert_false(cache_server_is_down(c, "https://a/", 2000, 60));
    assert_int_equal(cache_server_down(c, "https://a/", 2000, err, sizeof(err)), REASON_OK);
    assert_true(cache_server_is_down(c, "https://a/", 2059, 60));
    assert_false(cache_server_is_down(c, "https://a/", 2060, 60));
    assert_false(cache_server_is_down(c, "https://b/", 2001, 60));
    cache_server_up(c, "https://a/");
    assert_false(cache_server_is_down(c, "https://a/", 2001, 60));

    assert_int_equal(cache_user_reserve(c, "carol", 1, 60, 10, &n, err, sizeof(err)), REASON_OK);
    assert_int_equal(cache_user_reserve(c, "dave", 1, 60, 10, &n, err, sizeof(err)), REASON_OK);
    assert_int_equal(cache_flush(c, "carol", &removed, err, sizeof(err)), REASON_OK);
    assert_int_equal(removed, 1);
    assert_int_equal(cache_user_failures(c, "dave", 2, 60), 1);
    assert_int_equal(cache_flush(c, NULL, &removed, err, sizeof(err)), REASON_OK);
    assert_int_equal(cache_user_failures(c, "dave", 2, 60), 0);
    cache_close(c);
}

/* Files in @d whose names start with @prefix and end with @suffix. */
static unsigned
count_files(const char *d, const char *prefix, const char *suffix)
{
    DIR *dd = opendir(d);
    struct dirent *e;
    unsigned n = 0;

    assert_non_null(dd);
    while ((e = readdir(dd)) != NULL) {
        size_t len = strlen(e->d_name), sl = strlen(suffix);

        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0 && len >= sl &&
            strcmp(e->d_name + len - sl, suffix) == 0)
            n++;
    }
    closedir(dd);
    return n;
}

static void
write_file(const char *d, const char *name, const char *text, time_t mtime)
{
    char path[PATH_MAX];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", d, name);
    assert_non_null(f = fopen(path, "w"));
    fputs(text, f);
    fclose(f);
    chmod(path, 0600);
    if (mtime != 0) {
        struct timespec t[2] = {{.tv_sec = mtime}, {.tv_sec = mtime}};

        assert_int_equal(utimensat(AT_FDCWD, path, t, 0), 0);
    }
}

static bool
file_exists(const char *d, const char *name)
{
    char path[PATH_MAX];

    snprintf(path, sizeof(path), "%s/%s", d, name);
    return access(path, F_OK) == 0;
}

/* Callers trying a thousand user names make at most CACHE_LOCK_STRIPES lock
 * files, and none per name. */
static void
test_lock_files_are_bounded(void **state)
{
    struct cache *c;
    char sub[300], err[256], user[32];
    int lock;

    (void)state;
    snprintf(sub, sizeof(sub), "%s/stripes", dir);
    assert_int_equal(cache_open(sub, &c, err, sizeof(err)), REASON_OK);
    for (int i = 0; i < 1000; i++) {
        snprintf(user, sizeof(user), "flood%04d", i);
        assert_int_equal(cache_lock(c, user, 1000, &lock, err, sizeof(err)), REASON_OK);
        cache_unlock(lock);
    }
    assert_true(count_files(sub, "l-", ".lock") <= CACHE_LOCK_STRIPES);
    assert_true(count_files(sub, "l-", ".lock") > 100); /* spread, not one */
    assert_int_equal(count_files(sub, "u-", ""), 0);
    cache_close(c);
}

/* An attempt that judged nothing gives its count back; back at zero, the
 * record goes, so a name tried once leaves no file. */
static void
test_release_to_zero_leaves_no_record(void **state)
{
    struct cache *c;
    char sub[300], err[256];
    uint32_t n;

    (void)state;
    snprintf(sub, sizeof(sub), "%s/release", dir);
    assert_int_equal(cache_open(sub, &c, err, sizeof(err)), REASON_OK);
    assert_int_equal(cache_user_reserve(c, "eve", 100, 60, 10, &n, err, sizeof(err)), REASON_OK);
    assert_int_equal(cache_user_reserve(c, "eve", 101, 60, 10, &n, err, sizeof(err)), REASON_OK);
    assert_int_equal(cache_user_release(c, "eve", 102, 60, err, sizeof(err)), REASON_OK);
    assert_int_equal(count_files(sub, "u-", ""), 1); /* one failure still counted */
    assert_int_equal(cache_user_failures(c, "eve", 102, 60), 1);
    assert_int_equal(cache_user_release(c, "eve", 102, 60, err, sizeof(err)), REASON_OK);
    assert_int_equal(count_files(sub, "u-", ""), 0);
    assert_int_equal(cache_user_failures(c, "eve", 102, 60), 0);
    cache_close(c);
}

/* What is over goes, what is not stays, a busy user's records wait, and
 * a pass runs once a minute at most. */
static void
test_prune(void **state)
{
    static const char legacy_lock[] = "u-0123456789abcdef0123456789abcdef.lock";
    static const char old_format[] = "u-00000000000000000000000000000001";
    static const char old_format_new[] = "u-00000000000000000000000000000002";
    struct cache *c;
    struct cache_record ch = sample();
    char sub[300], err[256], stamp[400];
    time_t now = time(NULL);
    uint32_t n;
    int lock;

    (void)state;
    snprintf(sub, sizeof(sub), "%s/prune", dir);
    assert_int_equal(cache_open(sub, &c, err, sizeof(err)), REASON_OK);
    /* failures: a window long over, one still open */
    assert_int_equal(cache_user_reserve(c, "old", now - 1000, 60, 10, &n, err, sizeof(err)),
                     REASON_OK);
    assert_int_equal(cache_user_reserve(c, "live", now - 10, 300, 10, &n, err, sizeof(err)),
                     REASON_OK);
    /* challenges: one expired over an hour ago, one just expired (kept, so
     * the next attempt can say so), one current */
    ch.expires = now - 3601;
    assert_int_equal(cache_put_challenge(c, &ch, err, sizeof(err)), REASON_OK);
    snprintf(ch.user, sizeof(ch.user), "%s", "bob");
    ch.expires = now + 100;
    assert_int_equal(cache_put_challenge(c, &ch, err, sizeof(err)), REASON_OK);
    snprintf(ch.user, sizeof(ch.user), "%s", "carol");
    ch.expires = now - 1;
    assert_int_equal(cache_put_challenge(c, &ch, err, sizeof(err)), REASON_OK);
    /* a user record of an earlier version (no window): by its age */
    write_file(sub, old_format,
               "crauth-cache 1\ntype user\nuser 6f6c64\nfailures 1\nwindow_start 5\n",
               now - 2 * 86400);
    write_file(sub, old_format_new,
               "crauth-cache 1\ntype user\nuser 6e6577\nfailures 1\nwindow_start 5\n", 0);
    write_file(sub, legacy_lock, "", 0);
    assert_int_equal(count_files(sub, "u-", ""), 5);
    assert_int_equal(count_files(sub, "c-", ""), 3);

    assert_int_equal(cache_prune(c, now), 4);
    assert_int_equal(cache_user_failures(c, "live", now, 300), 1);
    assert_int_equal(cache_user_failures(c, "old", now - 999, 60), 0); /* gone, not just over */
    assert_int_equal(count_files(sub, "c-", ""), 2);
    assert_false(file_exists(sub, old_format));
    assert_true(file_exists(sub, old_format_new));
    assert_false(file_exists(sub, legacy_lock));

    /* within the minute: no pass.  The stamp has the real time of the
     * pass above, which a loaded machine may have taken past the second
     * `now` was read in; a stamp from the future would not count. */
    now = time(NULL);
    assert_int_equal(cache_user_reserve(c, "old", now - 1000, 60, 10, &n, err, sizeof(err)),
                     REASON_OK);
    assert_int_equal(cache_prune(c, now), 0);
    assert_int_equal(cache_user_failures(c, "old", now - 999, 60), 1);
    /* a minute later, but the user is busy: its record waits */
    snprintf(stamp, sizeof(stamp), "%s/prune.stamp", sub);
    {
        struct timespec t[2] = {{.tv_sec = now - 120}, {.tv_sec = now - 120}};

        assert_int_equal(utimensat(AT_FDCWD, stamp, t, 0), 0);
        assert_int_equal(cache_lock(c, "old", 1000, &lock, err, sizeof(err)), REASON_OK);
        assert_int_equal(cache_prune(c, now), 0);
        cache_unlock(lock);
        assert_int_equal(cache_user_failures(c, "old", now - 999, 60), 1);
        assert_int_equal(utimensat(AT_FDCWD, stamp, t, 0), 0);
        assert_int_equal(cache_prune(c, now), 1);
        assert_int_equal(cache_user_failures(c, "old", now - 999, 60), 0);
    }
    cache_close(c);
}

/* The one file in @d whose name starts with @prefix and has no dot after. */
static void
only_record(const char *d, const char *prefix, char *out, size_t size)
{
    DIR *dd = opendir(d);
    struct dirent *e;
    unsigned n = 0;

    assert_non_null(dd);
    while ((e = readdir(dd)) != NULL)
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0 && strchr(e->d_name, '.') == NULL) {
            snprintf(out, size, "%s", e->d_name);
            n++;
        }
    closedir(dd);
    assert_int_equal(n, 1);
}

/* What a killed writer leaves (a temporary name between link and rename)
 * goes without any login reading the whole directory: a writer under the
 * record's lock replaces its fixed temporary name; older names of writers
 * without the lock go in the prune pass, once a minute, and a fresh one
 * (a writer still at work) stays. */
static void
test_killed_writers_leftovers(void **state)
{
    struct cache *c;
    char sub[200], err[256], name[NAME_MAX + 1], locked[300], old[300], fresh[300];
    time_t now = time(NULL);
    uint32_t n;

    (void)state;
    snprintf(sub, sizeof(sub), "%s/leftovers", dir);
    assert_int_equal(cache_open(sub, &c, err, sizeof(err)), REASON_OK);
    assert_int_equal(cache_user_reserve(c, "dave", now, 300, 10, &n, err, sizeof(err)), REASON_OK);
    only_record(sub, "u-", name, sizeof(name));
    snprintf(locked, sizeof(locked), ".%s.tmp-locked", name);
    snprintf(old, sizeof(old), ".%s.tmp-0123456789abcdef", name);
    snprintf(fresh, sizeof(fresh), ".%s.tmp-fedcba9876543210", name);
    write_file(sub, locked, "crauth-cache 1\n", now - 5);
    write_file(sub, old, "crauth-cache 1\n", now - 120);
    write_file(sub, fresh, "crauth-cache 1\n", 0);
    cache_close(c);

    assert_int_equal(cache_open(sub, &c, err, sizeof(err)), REASON_OK);
    assert_int_equal(cache_user_reserve(c, "dave", now, 300, 10, &n, err, sizeof(err)), REASON_OK);
    assert_int_equal(n, 2);
    assert_false(file_exists(sub, locked));
    assert_true(file_exists(sub, old)); /* not a login's business */

    /* the prune pass's sweep leaves a fixed name, old or not: the next
     * writer under the lock may be replacing it that instant; the pass
     * takes it away only with its record, under that lock */
    write_file(sub, locked, "crauth-cache 1\n", now - 120);
    assert_int_equal(cache_user_reserve(c, "erin", now - 1000, 60, 10, &n, err, sizeof(err)),
                     REASON_OK);
    {
        char erin[NAME_MAX + 1], erin_locked[300];
        DIR *dd = opendir(sub);
        struct dirent *e;

        erin[0] = '\0';
        assert_non_null(dd);
        while ((e = readdir(dd)) != NULL)
            if (strncmp(e->d_name, "u-", 2) == 0 && strchr(e->d_name, '.') == NULL &&
                strcmp(e->d_name, name) != 0)
                snprintf(erin, sizeof(erin), "%s", e->d_name);
        closedir(dd);
        assert_true(erin[0] != '\0');
        snprintf(erin_locked, sizeof(erin_locked), ".%s.tmp-locked", erin);
        write_file(sub, erin_locked, "crauth-cache 1\n", now - 120);
        assert_int_equal(cache_prune(c, now), 2); /* the old random name, erin's record */
        assert_false(file_exists(sub, erin));
        assert_false(file_exists(sub, erin_locked));
    }
    assert_false(file_exists(sub, old));
    assert_true(file_exists(sub, fresh));
    assert_true(file_exists(sub, locked));
    assert_int_equal(cache_user_failures(c, "dave", now, 300), 2);
    cache_close(c);
}

/* A flood's records cost the pass that meets them a bounded slice: about
 * CACHE_PRUNE_BUDGET records a pass, the next pass going on where the last
 * stopped, until none is left. */
static void
test_prune_is_bounded(void **state)
{
    enum { FLOOD = 5000 };
    struct cache *c;
    char sub[300], err[256], stamp[400], name[40], text[160], user[8], user_hex[20];
    time_t now = time(NULL);
    struct timespec aged[2] = {{.tv_sec = now - 120}, {.tv_sec = now - 120}};
    unsigned left = FLOOD, passes = 0;

    (void)state;
    snprintf(sub, sizeof(sub), "%s/flood", dir);
    assert_int_equal(cache_open(sub, &c, err, sizeof(err)), REASON_OK);
    /* names spread over every shard, as hashes are; windows long over */
    for (unsigned i = 0; i < FLOOD; i++) {
        snprintf(name, sizeof(name), "u-%02x%030x", i % 256, i);
        snprintf(user, sizeof(user), "f%04u", i);
        assert_int_equal(hex_encode((const uint8_t *)user, strlen(user), user_hex,
                                    sizeof(user_hex)),
                         0);
        snprintf(text, sizeof(text),
                 "crauth-cache 1\ntype user\nuser %s\nfailures 1\nwindow_start %lld\n"
                 "window 60\n",
                 user_hex, (long long)now - 1000);
        write_file(sub, name, text, 0);
    }
    /* a live record in the first slice stays */
    assert_int_equal(cache_user_reserve(c, "live", now - 10, 300, 10, &(uint32_t){0}, err,
                                        sizeof(err)),
                     REASON_OK);
    snprintf(stamp, sizeof(stamp), "%s/prune.stamp", sub);
    while (left > 0) {
        unsigned removed;

        assert_true(++passes <= 6);
        if (passes > 1)
            assert_int_equal(utimensat(AT_FDCWD, stamp, aged, 0), 0);
        removed = cache_prune(c, now);
        assert_true(removed > 0);
        assert_true(removed <= CACHE_PRUNE_BUDGET);
        left -= removed;
        assert_int_equal(count_files(sub, "u-", ""), left + 1);
    }
    assert_true(passes >= 3); /* the first pass did not read them all */
    assert_int_equal(cache_user_failures(c, "live", now, 300), 1);
    /* with the flood gone the directory is one slice again: a pass reads all */
    assert_int_equal(cache_user_reserve(c, "old", now - 1000, 60, 10, &(uint32_t){0}, err,
                                        sizeof(err)),
                     REASON_OK);
    assert_int_equal(utimensat(AT_FDCWD, stamp, aged, 0), 0);
    assert_int_equal(cache_prune(c, now), 1);
    cache_close(c);
}

static void
test_directory_checks(void **state)
{
    struct cache *c;
    char sub[300], err[256];

    (void)state;
    snprintf(sub, sizeof(sub), "%s/made", dir);
    assert_int_equal(cache_open(sub, &c, err, sizeof(err)), REASON_OK); /* created */
    cache_close(c);
    chmod(sub, 0770);
    assert_int_equal(cache_open(sub, &c, err, sizeof(err)), REASON_CACHE);
    assert_non_null(strstr(err, "writable by no one else"));
    chmod(sub, 0700);
    snprintf(sub, sizeof(sub), "%s/absent/deeper", dir);
    assert_int_equal(cache_open(sub, &c, err, sizeof(err)), REASON_CACHE);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_strict_parser),
        cmocka_unit_test(test_challenge_is_consumed),
        cmocka_unit_test(test_failures_and_servers),
        cmocka_unit_test(test_lock_files_are_bounded),
        cmocka_unit_test(test_release_to_zero_leaves_no_record),
        cmocka_unit_test(test_prune),
        cmocka_unit_test(test_prune_is_bounded),
        cmocka_unit_test(test_killed_writers_leftovers),
        cmocka_unit_test(test_directory_checks),
    };

    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
