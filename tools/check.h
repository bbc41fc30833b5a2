/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * check.h - what the parts of `crauth check` share: the report every step
 * writes one line into, and the user the helper runs as.
 *
 *   check.c        the walk, the command line, the server steps
 *   check_files.c  the helper, its plugins, the cache directory
 *   check_tokens.c the tokens file line by line, its lock, x509 certificates
 *   check_pam.c    the pam_crauth.so lines of the PAM stacks
 *   check_radius.c backend = radius: each [radius] server, and --user
 */
#ifndef CRAUTH_TOOLS_CHECK_H
#define CRAUTH_TOOLS_CHECK_H

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "lib/core/conf.h"

/* A step that works but should be fixed: not a failure. */
#define CHECK_WARN (-1)

/* Who the installed helper runs as: _crauth when that user exists, else
 * (a build tree, no install-setuid) whoever runs check, as the helper
 * would run as its caller. */
struct check_owner {
    bool system_user; /* _crauth exists */
    uid_t uid;
    gid_t gid;
    char name[64];
};

struct check_report {
    int first_reason; /* REASON_OK until a step fails */
    unsigned failures;
    const char *helper; /* the helper's path */
    const char *pamdir; /* where the PAM stacks are */
    struct check_owner owner;
};

/* One line: "  ok|warn|FAIL  WHERE  NAME  TEXT [reason N name]".  @reason
 * REASON_OK, CHECK_WARN, or the failure's reason code. */
void check_step(struct check_report *rep, const char *where, const char *name, int reason,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Fill rep->owner. */
void check_find_owner(struct check_report *rep);

/* May @uid/@gid write (@bits S_IWUSR) or read (S_IRUSR) what @st
 * describes, by its owner, group and mode?  Root may. */
bool check_may(const struct stat *st, uid_t uid, gid_t gid, mode_t bits);

/* check_files.c: the helper (set-id, capability), the plugin next to it
 * when the backend needs it, the cache directory. */
void check_files(struct check_report *rep, const struct crauth_config *cfg);

/* check_files.c: plugin @file next to the helper is there, root's and
 * writable by no one else (helper/plugin.h); @needed_by says what asks
 * for it ("backend = server", "an x509 token"). */
void check_plugin(struct check_report *rep, const char *file, const char *needed_by);

/* check_tokens.c: backend local: the tokens file, every line of it, its
 * directory and lock, the x509 certificates; with @user, that user's line. */
void check_tokens(struct check_report *rep, const struct crauth_config *cfg, const char *user);

/* check_pam.c: every pam_crauth.so line in rep->pamdir, its type and
 * arguments judged as the module judges them. */
void check_pam(struct check_report *rep);

/* check_radius.c: backend = radius (nothing otherwise): per [radius] server
 * the dns, udp or tls, and secret or radius steps; with @user (not NULL) one
 * Access-Request for @user, to the first server that answered the probe. */
void check_radius(struct check_report *rep, const struct crauth_config *cfg, const char *user);

#endif
