/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pam_settok.c - a test-only module that asks for a password and stores it
 * as PAM_AUTHTOK, standing in for pam_unix in front of pam_crauth's
 * use_first_pass / try_first_pass (applications cannot set PAM_AUTHTOK).
 */
#include <stddef.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>

PAM_EXTERN int
pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
    const char *tok = NULL;

    (void)flags, (void)argc, (void)argv;
    (void)pam_get_authtok(pamh, PAM_AUTHTOK, &tok, NULL);
    return PAM_IGNORE;
}

PAM_EXTERN int
pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
    (void)pamh, (void)flags, (void)argc, (void)argv;
    return PAM_IGNORE;
}
