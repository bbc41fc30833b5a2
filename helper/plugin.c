/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * plugin.c - finding, checking and loading crauth-remote.so and
 * crauth-x509.so (plugin.h).
 */
#include "helper/plugin.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/common/reason.h"

/* Owned by root (or by us when not set-id) and writable by no one else. */
static bool
trusted(const struct stat *st, bool set_id)
{
    bool owner_ok = st->st_uid == 0 || (!set_id && st->st_uid == geteuid());

    return owner_ok && (st->st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

/* Open @file from the helper's directory after checking both, and load it
 * through the checked descriptor.  *handle stays open for the helper's
 * life: what the caller looks up in it lives there. */
static int
plugin_open(const char *file, const char *what, bool set_id, void **handle, char *err,
            size_t errlen)
{
    char exe[PATH_MAX], path[PATH_MAX + 32], fdpath[64];
    struct stat st, dst;
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    char *slash;
    int fd, dfd;

    *handle = NULL;
    if (n <= 0 || (size_t)n >= sizeof(exe) - 1) {
        snprintf(err, errlen, "cannot find the helper's own directory: %s", strerror(errno));
        return REASON_HELPER_PRIVILEGES;
    }
    exe[n] = '\0';
    if ((slash = strrchr(exe, '/')) == NULL) {
        snprintf(err, errlen, "the helper's path %s has no directory", exe);
        return REASON_HELPER_PRIVILEGES;
    }
    *slash = '\0';
    snprintf(path, sizeof(path), "%s/%s", exe, file);
    if ((dfd = open(exe, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || fstat(dfd, &dst) != 0 ||
        !trusted(&dst, set_id)) {
        snprintf(err, errlen, "directory %s of the helper is %s", exe,
                 dfd < 0 ? strerror(errno) : "writable by someone other than root");
        if (dfd >= 0)
            close(dfd);
        return REASON_HELPER_PRIVILEGES;
    }
    fd = openat(dfd, file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    close(dfd);
    if (fd < 0) {
        snprintf(err, errlen, "%s needs %s: %s (install it with the helper)", what, path,
                 strerror(errno));
        return REASON_HELPER_PRIVILEGES;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || !trusted(&st, set_id)) {
        snprintf(err, errlen,
                 "%s must be a regular file owned by root and writable by no one "
                 "else (uid %u, mode %04o)",
                 path, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
        close(fd);
        return REASON_HELPER_PRIVILEGES;
    }
    /* Loaded through the descriptor that was checked.  RTLD_LAZY leaves
     * each library's binding as its own DT_FLAGS say: the plugins
     * themselves are linked -z now (bound here, then read-only), while
     * RTLD_NOW would also bind every function of libcurl's two dozen
     * dependencies that a login never calls (2,000 symbol lookups, 2.4 M
     * instructions: bench/b1_network.py), which curl itself does not. */
    snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
    *handle = dlopen(fdpath, RTLD_LAZY | RTLD_LOCAL);
    close(fd);
    if (*handle == NULL) {
        snprintf(err, errlen, "cannot load %s: %s", path, dlerror());
        return REASON_HELPER_PRIVILEGES;
    }
    return REASON_OK;
}

int
plugin_load(const char *name, bool set_id, const struct backend **out, char *err, size_t errlen)
{
    char what[64];
    plugin_entry_fn entry;
    void *handle;
    int reason;

    *out = NULL;
    snprintf(what, sizeof(what), "backend = %s", name);
    if ((reason = plugin_open(PLUGIN_FILE, what, set_id, &handle, err, errlen)) != REASON_OK)
        return reason;
    *(void **)&entry = dlsym(handle, PLUGIN_ENTRY);
    if (entry == NULL || (*out = entry(name, PLUGIN_ABI)) == NULL) {
        snprintf(err, errlen,
                 "%s has no backend '%s' for this helper (ABI %d): reinstall "
                 "both from one build",
                 PLUGIN_FILE, name, PLUGIN_ABI);
        return REASON_HELPER_PRIVILEGES;
    }
    return REASON_OK;
}

int
plugin_load_transport(bool set_id, const struct server_transport **out, char *err, size_t errlen)
{
    plugin_transport_entry_fn entry;
    void *handle;
    int reason;

    *out = NULL;
    reason = plugin_open(PLUGIN_FILE, "backend = server", set_id, &handle, err, errlen);
    if (reason != REASON_OK)
        return reason;
    *(void **)&entry = dlsym(handle, PLUGIN_TRANSPORT_ENTRY);
    if (entry == NULL || (*out = entry(PLUGIN_ABI)) == NULL) {
        snprintf(err, errlen, "%s does not fit this helper (ABI %d): reinstall both from one build",
                 PLUGIN_FILE, PLUGIN_ABI);
        return REASON_HELPER_PRIVILEGES;
    }
    return REASON_OK;
}

int
plugin_load_x509(bool set_id, const struct x509_ops **out, char *err, size_t errlen)
{
    static const struct x509_ops *loaded;
    plugin_x509_entry_fn entry;
    void *handle;
    int reason;

    *out = loaded;
    if (loaded != NULL)
        return REASON_OK;
    reason = plugin_open(PLUGIN_X509_FILE, "an x509 token", set_id, &handle, err, errlen);
    if (reason != REASON_OK)
        return reason;
    *(void **)&entry = dlsym(handle, PLUGIN_X509_ENTRY);
    if (entry == NULL || (loaded = entry(PLUGIN_ABI)) == NULL) {
        snprintf(err, errlen, "%s does not fit this helper (ABI %d): reinstall both from one build",
                 PLUGIN_X509_FILE, PLUGIN_ABI);
        return REASON_HELPER_PRIVILEGES;
    }
    *out = loaded;
    return REASON_OK;
}
