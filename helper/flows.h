/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flows.h - what the flows (flows.c, flow_rounds.c) and their building
 * blocks (session.c: guesses and kept challenges; dialog.c: what the user
 * sees) share.  Private to the helper's session.
 */
#ifndef CRAUTH_FLOWS_H
#define CRAUTH_FLOWS_H

#include "helper/tier_helper_only.h"

#include <stdbool.h>

#include "helper/attempts.h"
#include "helper/session.h"

/* The flows, one per method (crauth.conf(5) "METHODS"). */
int flow_otp(struct session *s);
int flow_client_challenge(struct session *s);
int flow_server_challenge(struct session *s);
int flow_get_challenge(struct session *s);
int flow_auto(struct session *s);

/* Guesses, counted before they are judged (attempts.h). */
int session_guess_begin(struct session *s);
/* Settle it with the backend's @reason; @final: a success ends the attempt. */
int session_guess_end(struct session *s, int reason, bool final);

/* A challenge kept for a later attempt, and taking it back. */
int session_keep_challenge(struct session *s, struct challenge *ch);
enum attempts_taken session_take_challenge(struct session *s, struct challenge *ch);

/* dialog.c: the template @tmpl with {challenge} and {message} filled in;
 * a prompt gets the trailing blank inih strips. */
void dialog_expand(const char *tmpl, const struct challenge *ch, bool prompt, char *out,
                   size_t size);
/* Ask @prompt; an empty answer is REASON_EMPTY_ANSWER. */
int dialog_ask(struct session *s, bool echo, const char *prompt, char **answer);
/* Show what goes before the response prompt: a long challenge (block), the
 * server's message, or challenge_text. */
int dialog_show_challenge(struct session *s, const struct challenge *ch);
/* The prompt for the answer to @ch. */
void dialog_response_prompt(struct session *s, const struct challenge *ch, char *out, size_t size);
/* PAM_AUTHTOK may stand in for what is asked (use_first_pass, try_first_pass). */
bool dialog_first_pass_allowed(const struct session *s);

#endif
