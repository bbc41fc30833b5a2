/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_fileio.c - the trust rules and atomic replacement of lib/core/fileio.
 *
 * Ownership cases need root (chown to another user); as another user they
 * are skipped, the mode cases still run.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[] = "/tmp/crauth-fileio-XXXXXX";
#include "tmpdir.h"

#include "lib/core/fileio.h"

static const struct fileio_rules public_rules = {.what = "configuration", .max_size = 1024};
static const struct fileio_rules secret_rules = {.what = "secrets file",
                                                 .max_size = 1024,
                                                 .secret = true};

static void
write_file(const char *path, const char *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    assert_int_equal(chmod(path, mode), 0);
}

static unsigned
entries(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    unsigned n = 0;

    assert_non_null(d);
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

static void
test_modes(void **state)
{
    char path[256], err[512];
    struct fileio_buf b;

    (void)state;
    snprintf(path, sizeof(path), "%s/conf", dir);
    write_file(path, "a = b\n", 0644);
    assert_int_equal(fileio_read(path, &public_rules, &b, err, sizeof(err)), FILEIO_OK);
    assert_string_equal(b.text, "a = b\n");
    fileio_free(&b);
    /* secret: others may not read */
    assert_int_equal(fileio_read(path, &secret_rules, &b, err, sizeof(err)), FILEIO_REFUSED);
    assert_non_null(strstr(err, "readable by everyone"));
    /* nobody else may write, whatever the content */
    chmod(path, 0646);
    assert_int_equal(fileio_read(path, &public_rules, &b, err, sizeof(err)), FILEIO_REFUSED);
    assert_non_null(strstr(err, "chmod go-w"));
    /* group write: only for group root (the sudoers rule) */
    chmod(path, 0664);
    assert_int_equal(chown(path, (uid_t)-1, 0) == 0 || getuid() != 0, 1);
    if (getuid() == 0) {
        assert_int_equal(fileio_read(path, &public_rules, &b, err, sizeof(err)), FILEIO_OK);
        fileio_free(&b);
        assert_int_equal(chown(path, (uid_t)-1, 4), 0); /* adm */
        assert_int_equal(fileio_read(path, &public_rules, &b, err, sizeof(err)), FILEIO_REFUSED);
        assert_non_null(strstr(err, "writable by group"));
        /* another owner */
        chmod(path, 0600);
        assert_int_equal(chown(path, 1, 0), 0);
        assert_int_equal(fileio_read(path, &public_rules, &b, err, sizeof(err)), FILEIO_REFUSED);
        assert_non_null(strstr(err, "only root or"));
        assert_non_null(strstr(err, "chown root:"));
    }
    unlink(path);
}

static void
test_dir_of(void **state)
{
    char parent[16];

    (void)state;
    fileio_dir_of("tokens", parent, sizeof(parent));
    assert_string_equal(parent, ".");
    fileio_dir_of("/tokens", parent, sizeof(parent));
    assert_string_equal(parent, "/");
    fileio_dir_of("/var/lib/crauth/tokens", parent, sizeof(parent));
    assert_string_equal(parent, "/var/lib/crauth");
    fileio_dir_of("etc/crauth.conf", parent, sizeof(parent));
    assert_string_equal(parent, "etc");
    fileio_dir_of("/a/very/long/directory/file", parent, sizeof(parent));
    assert_int_equal(strlen(parent), sizeof(parent) - 1); /* cut, still terminated */
}

/* /proc files say st_size 0 and hold more: the buffer, sized to st_size,
 * must grow as the content arrives, as it would for a file that grows
 * between fstat and read, and still stop at the cap. */
static void
test_content_beyond_st_size(void **state)
{
    char err[512], want[1024];
    struct fileio_buf b;
    FILE *f = fopen("/proc/version", "r");
    size_t n;

    (void)state;
    assert_non_null(f);
    n = fread(want, 1, sizeof(want) - 1, f);
    fclose(f);
    want[n] = '\0';
    assert_true(n > 64);
    assert_int_equal(fileio_read("/proc/version", &public_rules, &b, err, sizeof(err)), FILEIO_OK);
    assert_int_equal(b.st.st_size, 0);
    assert_int_equal(b.len, n);
    assert_string_equal(b.text, want);
    fileio_free(&b);
    /* over the cap of 1024 bytes, though st_size said 0 (root's own
     * /proc/self files pass the owner rule; another user's do not) */
    if (getuid() == 0) {
        assert_int_equal(fileio_read("/proc/self/maps", &public_rules, &b, err, sizeof(err)),
                         FILEIO_REFUSED);
        assert_non_null(strstr(err, "is larger than 1024 bytes"));
        assert_null(b.text);
    }
}

static void
test_missing_symlink_size_nul(void **state)
{
    char path[256], link[256], err[512];
    struct fileio_buf b;

    (void)state;
    snprintf(path, sizeof(path), "%s/f", dir);
    snprintf(link, sizeof(link), "%s/l", dir);
    assert_int_equal(fileio_read(path, &public_rules, &b, err, sizeof(err)), FILEIO_MISSING);
    write_file(path, "x", 0600);
    assert_int_equal(symlink(path, link), 0);
    assert_int_equal(fileio_read(link, &public_rules, &b, err, sizeof(err)), FILEIO_REFUSED);
    {
        char big[2000];

        memset(big, 'a', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        write_file(path, big, 0600);
    }
    assert_int_equal(fileio_read(path, &public_rules, &b, err, sizeof(err)), FILEIO_REFUSED);
    assert_non_null(strstr(err, "larger than 1024"));
    {
        int fd = open(path, O_WRONLY | O_TRUNC);

        assert_int_equal(write(fd, "a\0b", 3), 3);
        close(fd);
    }
    assert_int_equal(fileio_read(path, &public_rules, &b, err, sizeof(err)), FILEIO_REFUSED);
    assert_non_null(strstr(err, "NUL"));
    unlink(link);
    unlink(path);
}

static void
test_replace_keeps_mode_and_leaves_nothing(void **state)
{
    const struct fileio_owner owner = {.mode = 0640, .durable = true};
    char path[256], err[512];
    struct fileio_buf b;
    struct stat st;

    (void)state;
    snprintf(path, sizeof(path), "%s/tokens", dir);
    write_file(path, "old\n", 0600);
    assert_int_equal(fileio_replace(path, "new\n", 4, &owner, err, sizeof(err)), FILEIO_OK);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0640);
    assert_int_equal(fileio_read(path, &secret_rules, &b, err, sizeof(err)), FILEIO_OK);
    assert_string_equal(b.text, "new\n");
    fileio_free(&b);
    assert_int_equal(entries(), 1);
    unlink(path);
}

/* A writer stopped by the file size limit (or killed) leaves the old file
 * whole and no temporary file behind. */
static void
test_failed_write_leaves_old_file(void **state)
{
    char path[256];
    pid_t pid;
    int status;

    (void)state;
    snprintf(path, sizeof(path), "%s/tokens", dir);
    write_file(path, "old content\n", 0600);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        const struct fileio_owner owner = {.mode = 0600};
        struct rlimit one = {1, 1};
        char err[512];

        signal(SIGXFSZ, SIG_IGN);
        setrlimit(RLIMIT_FSIZE, &one);
        _exit(fileio_replace(path, "new content\n", 12, &owner, err, sizeof(err)) == FILEIO_ERROR &&
                      strstr(err, "RLIMIT_FSIZE") != NULL
                  ? 0
                  : 1);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    {
        struct fileio_buf b;
        char err[512];

        assert_int_equal(fileio_read(path, &secret_rules, &b, err, sizeof(err)), FILEIO_OK);
        assert_string_equal(b.text, "old content\n");
        fileio_free(&b);
    }
    assert_int_equal(entries(), 1);
    unlink(path);
}

static void
test_sweep(void **state)
{
    char path[256];
    int dfd;

    (void)state;
    snprintf(path, sizeof(path), "%s/tokens", dir);
    write_file(path, "keep\n", 0600);
    snprintf(path, sizeof(path), "%s/.tokens.tmp-0123456789abcdef", dir);
    write_file(path, "stale\n", 0600);
    snprintf(path, sizeof(path), "%s/.other.tmp-0123456789abcdef", dir);
    write_file(path, "stale\n", 0600);
    /* an admin's copies: six letters or digits after a dot, as mkstemp's
     * names were, but nothing tells them from those, so they stay */
    snprintf(path, sizeof(path), "%s/tokens.backup", dir);
    write_file(path, "an admin's copy\n", 0600);
    snprintf(path, sizeof(path), "%s/tokens.2026q4", dir);
    write_file(path, "an admin's copy\n", 0600);
    snprintf(path, sizeof(path), "%s/tokens.lock", dir); /* not a temporary name */
    write_file(path, "", 0600);
    dfd = open(dir, O_RDONLY | O_DIRECTORY);
    assert_int_equal(fileio_sweep(dfd, "tokens", 0), 1);
    unlink(path);
    snprintf(path, sizeof(path), "%s/tokens.backup", dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/tokens.2026q4", dir);
    unlink(path);
    assert_int_equal(entries(), 2);
    /* too young to be a dead writer's */
    assert_int_equal(fileio_sweep(dfd, NULL, 60), 0);
    assert_int_equal(fileio_sweep(dfd, NULL, 0), 1);
    assert_int_equal(entries(), 1);
    close(dfd);
    snprintf(path, sizeof(path), "%s/tokens", dir);
    unlink(path);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_modes),
        cmocka_unit_test(test_missing_symlink_size_nul),
        cmocka_unit_test(test_content_beyond_st_size),
        cmocka_unit_test(test_dir_of),
        cmocka_unit_test(test_replace_keeps_mode_and_leaves_nothing),
        cmocka_unit_test(test_failed_write_leaves_old_file),
        cmocka_unit_test(test_sweep),
    };

    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
