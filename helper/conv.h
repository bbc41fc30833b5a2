/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conv.h - the helper's side of the PAM conversation, over frames.
 *
 * The helper decides what to ask; the module relays it through the PAM
 * conversation.  Every function returns a reason code (reason.h).
 */
#ifndef CRAUTH_CONV_H
#define CRAUTH_CONV_H

#include "helper/tier_helper_only.h"

#include <stdbool.h>
#include <stdint.h>

struct conv {
    int in_fd;              /* frames from the module */
    int out_fd;             /* frames to the module */
    int64_t answer_timeout; /* ms to wait for the user's answer */
    bool broken;            /* the pipe failed; nothing more can be sent */
};

/* Show @text as PAM_TEXT_INFO (@error false) or PAM_ERROR_MSG. */
int conv_show(struct conv *c, bool error, const char *text);

/* Ask @prompt and return the answer in *answer (free with
 * secmem_free_str).  REASON_OK, REASON_CANCELLED (the module's conversation failed),
 * REASON_ANSWER_TIMEOUT, REASON_PROTOCOL (unexpected frame or a dead pipe). */
int conv_ask(struct conv *c, bool echo, const char *prompt, char **answer);

/* A log sink that forwards lines to the module (see log_set_sink). */
void conv_log_sink(int priority, const char *line, void *arg);

#endif
