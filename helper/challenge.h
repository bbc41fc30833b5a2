/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * challenge.h - a challenge shown to the user, and what is needed to
 * answer it: shared by the flows (flows.c), the backends and the kept
 * challenges (attempts.c).
 */
#ifndef CRAUTH_CHALLENGE_H
#define CRAUTH_CHALLENGE_H

#include "helper/tier_helper_only.h"

#include <stdint.h>

#include "lib/core/cache_record.h"
#include "lib/x509/x509_token.h"

#define CHALLENGE_MAX 128
#define CHALLENGE_KEY_MAX (CACHE_KEY - 1)
#define CHALLENGE_MESSAGE_MAX (CACHE_MESSAGE - 1)
#define CHALLENGE_BLOCK_MAX (X509_ENVELOPE_MAX + 1)

struct challenge {
    /* shown verbatim ({challenge} in prompts); empty = no challenge text */
    char text[CHALLENGE_MAX + 1];
    /* the server's words for the user (CHALLENGE_MESSAGE, Reply-Message),
     * sanitised; may be empty */
    char message[CHALLENGE_MESSAGE_MAX + 1];
    /* what answers need and the user never sees: CHALLENGE_KEY, a RADIUS
     * State or a key-possession secret, in hex where binary; never logged */
    char key[CHALLENGE_KEY_MAX + 1];
    /* a long challenge shown verbatim before the prompt (a CMS envelope in
     * PEM); empty for every other kind; never kept in the cache */
    char block[CHALLENGE_BLOCK_MAX];
    int server;      /* index of the issuing server, -1 if none */
    int round;       /* rounds answered so far (multi-round backends) */
    int64_t expires; /* unix time it is kept until; 0 = not kept yet */
};

#endif
