/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * session.h - one authentication attempt inside the helper.
 *
 * The session owns the state machine (one named state at a time) and the
 * flows of doc/design.md 4; a backend (local tokens file, or a server)
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
#define SESSION_MAX_PROMPTS 6

/* Challenge rounds method auto answers in one attempt (RADIUS servers
 * such as FreeRADIUS with LinOTP ask two at most in practice). */
#define SESSION_MAX_ROUNDS 4

struct session;
struct server_transport;

/* A backend's answer meaning "the server sent another challenge": ch holds
 * it, and the next exchange call carries its answer.  Not a reason code. */
#define SESSION_ANOTHER_ROUND (-1)
/* "The answer was wrong, and the server sent a new challenge": counted as
 * REASON_WRONG_RESPONSE; ch holds the new challenge, answered next. */
#define SESSION_WRONG_AND_ANOTHER_ROUND (-2)

struct backend {
    const char *name;
    /* use_first_pass/try_first_pass: true when the earlier password is the
     * code itself (local, like pam_oath); false when it is the static
     * password or request that goes with the code (server) */
    bool first_pass_is_code;
    /* a wrong response ends the server's challenge (a RADIUS State dies
     * with its Access-Reject), so it is never kept for another try */
    bool reject_ends_challenge;
    /* the longest one call to the servers may take with @cfg, in ms, for
     * the module's step budget (main.c); NULL: no servers (local) */
    long (*step_budget_ms)(const struct crauth_config *cfg);
    int (*open)(struct session *s);
    void (*close)(struct session *s);
    /* method otp: is @code a valid one-time code for the user? */
    int (*check_otp)(struct session *s, const char *code);
    /* method client-challenge: a fresh challenge for the user (text and
     * block may be left empty when the user's token takes no challenge) */
    int (*make_challenge)(struct session *s, struct challenge *ch);
    /* the response to @ch, made by make_challenge, request_challenge or
     * get_challenge; when the server refuses it with a new challenge that
     * the method can answer (server-challenge), @ch becomes that one */
    int (*check_response)(struct session *s, struct challenge *ch, const char *response);
    /* method server-challenge: send @request, get the server's challenge
     * (its text, or only a message: the code was sent to the user) */
    int (*request_challenge)(struct session *s, const char *request, struct challenge *ch);
    /* method get-challenge: a challenge the server makes for this user */
    int (*get_challenge)(struct session *s, struct challenge *ch);
    /* method auto: send @answer as the password (ch->round 0) or as the
     * answer to @ch; REASON_OK is a success, SESSION_ANOTHER_ROUND and
     * SESSION_WRONG_AND_ANOTHER_ROUND leave the next challenge in @ch,
     * anything else is the verdict */
    int (*exchange)(struct session *s, struct challenge *ch, const char *answer);
};

struct session {
    const struct crauth_config *cfg;
    struct conv *conv;
    const char *user, *service, *rhost, *tty, *ruser;
    /* The account's own name where the name service knows @user by another
     * spelling (sssd with case_sensitive = false takes "ALICE" for alice;
     * the module asks, W_ACCOUNT), else @user: the failure limit counts per
     * account, and the tokens file is asked for it when it has no line for
     * @user. */
    const char *account;
    char *authtok;  /* PAM_AUTHTOK from an earlier module (secret), or NULL */
    char *password; /* the static password this attempt gathered (secret), or NULL */
    uint32_t flags; /* WIRE_F_* */
    uid_t caller;
    bool set_id; /* the helper runs set-id: plugins must be root's (plugin.h) */
    enum session_state state;
    const struct backend *backend;
    /* backend = server: how its calls reach the servers (transport.h) */
    const struct server_transport *transport;
    void *backend_data;
    struct cache *cache; /* NULL when the cache directory is unusable */
    char detail[512];    /* "key=value ..." for the attempt's log line; no secrets */
};

/* Run the configured flow to its end.  Fills s->detail. */
int session_run(struct session *s);

/* Move to @next, logging the transition when debug is on. */
void session_enter(struct session *s, enum session_state next);

/* Append " key=value" to the detail line (value sanitised). */
void session_note(struct session *s, const char *key, const char *value);

/* The backends: the local tokens file (backend_local.c, in the helper);
 * the authUser server (backend_server.c) and RADIUS (backend_radius.c),
 * in crauth-remote.so (plugin.h). */
extern const struct backend backend_local;
extern const struct backend backend_server;
extern const struct backend backend_radius;

#endif
