/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * relay.h - relaying the helper's frames through the PAM conversation.
 *
 * Messages (INFO/ERROR) are held back and sent together with the next
 * prompt in one conversation call, because OpenSSH shows PAM_TEXT_INFO only
 * with the next prompt: the challenge and the question then arrive as one
 * keyboard-interactive round.
 */
#ifndef CRAUTH_MODULE_CONV_H
#define CRAUTH_MODULE_CONV_H

#include <stdbool.h>
#include <stdint.h>

#include <security/pam_modules.h>

#include "pam_module/spawn.h"

#define RELAY_MAX_PENDING 8

struct relay {
    pam_handle_t *pamh;
    struct helper_proc *helper;
    bool silent; /* PAM_SILENT: drop PAM_TEXT_INFO not shown with a prompt */
    bool hello_seen;
    uint32_t budget_ms;     /* from HELLO: the longest the helper may take per step */
    uint32_t fail_delay_ms; /* from HELLO */
    bool got_result;        /* a RESULT frame arrived */
    bool answer_lost;       /* the helper had stopped reading when an answer was sent */
    int result;             /* its reason code */
    char detail[1024];      /* its detail text, or our own reason text */
    int npending;
    int pending_style[RELAY_MAX_PENDING];
    char *pending_text[RELAY_MAX_PENDING];
};

/* Run the frame loop until the helper's RESULT.  Returns the reason: the
 * helper's verdict when got_result, otherwise REASON_HELPER_CRASHED,
 * REASON_HELPER_TIMEOUT or REASON_PROTOCOL with @detail saying what happened. */
int relay_run(struct relay *r);

/* Free held-back messages. */
void relay_clear(struct relay *r);

#endif
