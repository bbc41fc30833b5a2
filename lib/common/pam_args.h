/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pam_args.h - the module's arguments (pam_crauth(8), "OPTIONS"), parsed
 * in one place for the module and for `crauth check`, so that check judges
 * a PAM line exactly as the module will at login.
 *
 * An unknown or malformed argument is refused, not skipped: it is likely a
 * typo of one that matters (conf=, use_first_pass), and the module fails
 * the login with reason 50 rather than guess.
 */
#ifndef CRAUTH_PAM_ARGS_H
#define CRAUTH_PAM_ARGS_H

#include <stdbool.h>
#include <stdint.h>

/* For messages; doc/check-manpages.sh reads this list. */
#define PAM_ARGS_KNOWN "conf=/PATH, helper=/PATH, debug, use_first_pass, try_first_pass"

struct pam_args {
    const char *conf;   /* conf=/PATH: points into argv; NULL when absent */
    const char *helper; /* helper=/PATH: points into argv; NULL when absent */
    uint32_t flags;     /* WIRE_F_DEBUG, WIRE_F_USE_FIRST_PASS, WIRE_F_TRY_FIRST_PASS */
    bool debug;
};

/* Parse @argc arguments.  -1 when every one is good (@out filled), else
 * the index of the first one refused. */
int pam_args_parse(int argc, const char *const *argv, struct pam_args *out);

#endif
