/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * plugin.h - the backends that talk to servers live in a plugin,
 * crauth-remote.so, loaded only when the configuration asks for one: a
 * local login maps no libcurl, expat or libssl (nor what they pull in),
 * which is most of what starting the helper used to cost.
 *
 * The plugin sits next to the helper executable (the directory of
 * /proc/self/exe, which the caller cannot choose) and is loaded, like
 * sudo's plugins, only when it and its directory are owned by root (by
 * root or the helper's own user when the helper is not set-id: a build
 * tree) and writable by no one else; it is opened once, checked on that
 * descriptor and loaded through it, so it cannot be swapped in between.
 * Loading happens after the configuration is read and before the seccomp
 * filter, like every other file the helper needs.
 *
 * The plugin resolves the helper's own functions (log, cache, session)
 * from the executable, which exports them; it exports one symbol.
 */
#ifndef CRAUTH_PLUGIN_H
#define CRAUTH_PLUGIN_H

#include "helper/tier_helper_only.h"

#include <stdbool.h>
#include <stddef.h>

#include "helper/session.h"

#define PLUGIN_FILE "crauth-remote.so"
#define PLUGIN_ABI 2
#define PLUGIN_ENTRY "crauth_plugin_backend"

/* The plugin's entry point: the backend called @name ("server", "radius"), or NULL;
 * NULL too when @abi is not the one it was built for. */
typedef const struct backend *(*plugin_entry_fn)(const char *name, unsigned abi);

/* Load the plugin and find backend @name.  REASON_OK with *out set, or
 * REASON_HELPER_PRIVILEGES (missing, untrusted or unloadable plugin: an
 * installation fault) with @err.  @set_id: the helper runs set-uid. */
int plugin_load(const char *name, bool set_id, const struct backend **out, char *err,
                size_t errlen);

#endif
