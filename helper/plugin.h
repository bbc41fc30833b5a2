/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * plugin.h - code that needs big libraries lives in plugins next to the
 * helper, loaded only when a login needs it, so that a login with an OATH
 * token maps libc, libinih, libnettle and libcrypt and nothing else:
 *
 *   crauth-remote.so  what talks to servers (libcurl, expat, OpenSSL): the
 *                     radius backend and the server backend's direct
 *                     transport, loaded after the configuration is read
 *                     and before the seccomp filter when it names one
 *                     (with backend = server and a broker that answers,
 *                     not at all);
 *   crauth-x509.so    the x509 token's CMS envelope (OpenSSL), loaded when
 *                     the user's first challenge token is an x509 one.
 *                     That is after the filter, which allows what loading
 *                     needs (openat, mmap, mprotect), so the plugin's own
 *                     start-up runs confined.
 *
 * A plugin sits next to the helper executable (the directory of
 * /proc/self/exe, which the caller cannot choose) and is loaded, like
 * sudo's plugins, only when it and its directory are owned by root (by
 * root or the helper's own user when the helper is not set-id: a build
 * tree) and writable by no one else; it is opened once, checked on that
 * descriptor and loaded through it, so it cannot be swapped in between.
 *
 * A plugin resolves the helper's own functions (log, cache, session,
 * secmem) from the executable, which exports them; it exports its entry
 * points only.
 */
#ifndef CRAUTH_PLUGIN_H
#define CRAUTH_PLUGIN_H

#include "helper/tier_helper_only.h"

#include <stdbool.h>
#include <stddef.h>

#include "helper/session.h"
#include "helper/transport.h"
#include "lib/x509/x509_token.h"

#define PLUGIN_FILE "crauth-remote.so"
#define PLUGIN_X509_FILE "crauth-x509.so"
#define PLUGIN_ABI 4
#define PLUGIN_ENTRY "crauth_plugin_backend"
#define PLUGIN_TRANSPORT_ENTRY "crauth_plugin_transport"
#define PLUGIN_X509_ENTRY "crauth_plugin_x509"

/* The plugin's entry points: the backend called @name ("radius"), or
 * NULL; the server backend's direct transport (transport.h).  NULL too
 * when @abi is not the one it was built for. */
typedef const struct backend *(*plugin_entry_fn)(const char *name, unsigned abi);
typedef const struct server_transport *(*plugin_transport_entry_fn)(unsigned abi);

/* Load the plugin and find backend @name.  REASON_OK with *out set, or
 * REASON_HELPER_PRIVILEGES (missing, untrusted or unloadable plugin: an
 * installation fault) with @err.  @set_id: the helper runs set-uid. */
int plugin_load(const char *name, bool set_id, const struct backend **out, char *err,
                size_t errlen);

/* The same for the server backend's direct transport.  The server backend
 * itself is the helper's (backend_server.c): with a broker it maps no
 * plugin at all. */
int plugin_load_transport(bool set_id, const struct server_transport **out, char *err,
                          size_t errlen);

/* lib/x509/x509_token.h's functions, as crauth-x509.so hands them over. */
struct x509_ops {
    int (*load)(const char *cert_path, const char *ca_file, struct x509_token **out, char *err,
                size_t errlen);
    const char *(*summary)(const struct x509_token *t);
    int (*challenge)(const struct x509_token *t, uint8_t secret[X509_CHALLENGE_LEN], char **pem,
                     char *err, size_t errlen);
    bool (*response_ok)(uint8_t secret[X509_CHALLENGE_LEN], const char *response);
    void (*free)(struct x509_token *t);
};

/* crauth-x509.so's entry point: its functions, or NULL when @abi is not
 * the one it was built for.  It starts OpenSSL without openssl.cnf. */
typedef const struct x509_ops *(*plugin_x509_entry_fn)(unsigned abi);

/* Load crauth-x509.so (once per process).  REASON_OK with *out set, or
 * REASON_HELPER_PRIVILEGES with @err, as plugin_load. */
int plugin_load_x509(bool set_id, const struct x509_ops **out, char *err, size_t errlen);

#endif
