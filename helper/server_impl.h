/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * server_impl.h - what the three parts of the server backend share:
 * backend_server.c (the operations each method asks for, and where each
 * secret goes), server_call.c (one request along the url lines) and
 * server_reply.c (what a reply means).  Private to crauth-remote.so.
 */
#ifndef CRAUTH_SERVER_IMPL_H
#define CRAUTH_SERVER_IMPL_H

#include "helper/tier_helper_only.h"

#include "helper/challenge.h"
#include "helper/session.h"
#include "lib/remote/soap.h"

/* POST @req to server @only (or along the url lines when @only < 0) until
 * one gives a verdict; *used: the server that did.  REASON_OK with @reply
 * filled, or why no server gave one: an answer without a verdict fails
 * closed; only when no server could be asked is it "unreachable". */
int server_call(struct session *s, int only, const struct soap_request *req,
                struct soap_reply *reply, int *used);

/* What the request that got a reply was. */
enum server_step {
    STEP_VERDICT,       /* an OTP or a response: success or failure */
    STEP_REQUEST,       /* a 2-step request: a challenge, whatever the codes */
    STEP_AUTO,          /* method auto: a verdict, or a challenge to answer */
    STEP_GET_CHALLENGE, /* getChallenge: a challenge with its key */
};

/* What reply @r from server @used means for @step.  @answered: the
 * challenge the request answered (its text and key, whose echoes are not
 * new), or NULL.  Returns
 *   REASON_OK             a success (VERDICT, AUTO), or the challenge
 *                         (REQUEST, GET_CHALLENGE) in @next
 *   SESSION_ANOTHER_ROUND AUTO: the challenge to answer next is in @next
 *   REASON_WRONG_RESPONSE a wrong answer; *fresh when the server sent a new
 *                         challenge with it, in @next
 *   any other reason      the verdict, or why the reply fits no verdict.
 * *fresh says whether @next was filled (its server is @used). */
int server_interpret(struct session *s, const struct soap_reply *r, enum server_step step,
                     const struct challenge *answered, int used, struct challenge *next,
                     bool *fresh);

#endif
