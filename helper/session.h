/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * session.h - one authentication attempt inside the helper.
 *
 * The session owns the state machine (one named state at a time) and the
 * flows of DESIGN §2; a backend (local tokens file, or the authUser server)
 * answers the questions the flows ask.  Every int-returning function here
 * and in struct backend returns a reason code (reason.h).
 */
#ifndef CRAUTH_SESSION_H
#define CRAUTH_SESSION_H

#include "helper/tier_helper_only.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/core/cache.h"
#include "lib/core/conf.h"
#include "helper/challenge.h"
#include "helper/conv.h"

enum session_state { ST_INIT, ST_WF_REQUEST, ST_WF_CHALLENGE, ST_WF_RESPONSE, ST_DONE };

/* Prompts one attempt may ask at most (request, response, and the rounds
 * of a multi-round backend): bounds the helper's lifetime. */
#define SESSION_MAX_PROMPTS 4

struct session;

struct backend {
    const char *name;
    /* use_first_pass/try_first_pass: true when the earlier password is the
     * code itself (local, like pam_oath); false when it is the static
     * password or request that goes with the code (server) */
    bool first_pass_is_code;
    int (*open)(struct session *s);
    void (*close)(struct session *s);
    /* method otp: is @code a valid one-time code for the user? */
    int (*check_otp)(struct session *s, const char *code);
    /* method client-challenge: a fresh challenge for the user (text may be
     * left empty when the user's token takes no challenge) */
    int (*make_challenge)(struct session *s, struct challenge *ch);
    /* the response to @ch, made by make_challenge or request_challenge */
    int (*check_response)(struct session *s, const struct challenge *ch, const char *response);
    /* method server-challenge: send @request, get the server's challenge */
    int (*request_challenge)(struct session *s, const char *request, struct challenge *ch);
};

struct session {
    const struct crauth_config *cfg;
    struct conv *conv;
    const char *user, *service, *rhost, *tty, *ruser;
    char *authtok; /* PAM_AUTHTOK from an earlier module (secret), or NULL */
    uint32_t flags; /* WIRE_F_* */
    uid_t caller;
    enum session_state state;
    const struct backend *backend;
    void *backend_data;
    struct cache *cache; /* NULL when the cache directory is unusable */
    char detail[512]; /* "key=value ..." for the attempt's log line; no secrets */
};

/* Run the configured flow to its end.  Fills s->detail. */
int session_run(struct session *s);

/* Move to @next, logging the transition when debug is on. */
void session_enter(struct session *s, enum session_state next);

/* Append " key=value" to the detail line (value sanitised). */
void session_note(struct session *s, const char *key, const char *value);

/* The backends: local tokens file (local.c), authUser server (server.c). */
extern const struct backend backend_local;
extern const struct backend backend_server;

#endif
