/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * challenge.h - a challenge shown to the user, and what is needed to
 * answer it: shared by the flows (session.c), the backends and the kept
 * challenges (attempts.c).
 */
#ifndef CRAUTH_CHALLENGE_H
#define CRAUTH_CHALLENGE_H

#include "helper/tier_helper_only.h"

#include <stdint.h>

#define CHALLENGE_MAX 128

struct challenge {
    char text[CHALLENGE_MAX + 1]; /* shown verbatim; empty = no challenge, plain code */
    char message[256];            /* server's CHALLENGE_MESSAGE, sanitised, may be empty */
    char key[256];                /* server's CHALLENGE_KEY (never logged), may be empty */
    int server;                   /* index of the issuing server, -1 if none */
    int64_t expires;              /* unix time it is kept until; 0 = not kept yet */
};

#endif
