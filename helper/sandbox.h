/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sandbox.h - the helper's seccomp allow-list.
 *
 * Entered once the configuration is read, before the helper answers the
 * module or reads anything from the network: from then on the process can
 * do what a login needs (files, sockets, threads for libcurl's resolver,
 * memory, clocks, randomness) and nothing else.  No exec, no fork, no
 * ptrace, no prctl, no mount or namespace calls, no sockets other than
 * unix, inet, inet6 and netlink.  A call outside the list kills the helper
 * with SIGSYS, which the module logs as reason 71 naming the signal; the
 * kernel's audit log names the system call.
 *
 * The filter is compiled at build time (helper/sandbox-gen, with
 * libseccomp) into a BPF program the helper loads with one prctl.
 *
 * sandbox_enter returns:
 *   SANDBOX_ON       the filter is loaded
 *   SANDBOX_SKIPPED  not loaded, on purpose: built --without-seccomp, with
 *                    sanitizers (LeakSanitizer
 *                    needs ptrace at exit), or running under valgrind;
 *                    @err says which
 *   SANDBOX_FAILED   the kernel refused the filter: @err says why,
 *                    and the helper refuses to go on
 */
#ifndef CRAUTH_SANDBOX_H
#define CRAUTH_SANDBOX_H

#include "helper/tier_helper_only.h"

#include <stddef.h>

enum sandbox_result { SANDBOX_ON, SANDBOX_SKIPPED, SANDBOX_FAILED };

enum sandbox_result sandbox_enter(char *err, size_t errlen);

#endif
