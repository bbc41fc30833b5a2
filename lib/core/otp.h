/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * otp.h - OATH one-time passwords: HOTP (RFC 4226), TOTP (RFC 6238) and
 * OCRA (RFC 6287).
 *
 * Pure functions over caller-owned buffers; HMAC comes from digest.h.  Used by
 * the helper (to verify) and by the CLI (as a soft token).  Nothing here
 * keeps state or logs; secrets in temporaries are wiped before returning.
 *
 * Every int-returning function returns one of enum otp_result.
 */
#ifndef CRAUTH_OTP_H
#define CRAUTH_OTP_H

#include "lib/tier_helper_side.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum otp_result {
    OTP_OK = 0,       /* done; the output buffer holds a NUL-terminated code */
    OTP_ERR_ARG,      /* a parameter is out of range: digits, key length, step, time, buffer size */
    OTP_ERR_SUITE,    /* the OCRA suite string does not follow the RFC 6287 grammar */
    OTP_ERR_QUESTION, /* the question does not fit the suite's format (A/N/H) or length */
    OTP_ERR_INPUT,    /* an input the suite needs is missing, or one it does not use was given */
    OTP_ERR_CRYPTO,   /* the random generator failed */
};

enum otp_hash { OTP_SHA1 = 0, OTP_SHA256, OTP_SHA512 };

#define OTP_MIN_DIGITS 4 /* HOTP/TOTP/OCRA truncated codes */
#define OTP_MAX_DIGITS 10
#define OTP_CODE_SIZE 11             /* OTP_MAX_DIGITS + NUL */
#define OTP_MAX_KEY 128              /* bytes; longer keys are refused */
#define OCRA_OUT_SIZE 129            /* OCRA with 0 digits: whole HMAC as hex + NUL */
#define OCRA_MAX_QUESTION 64         /* characters (QFxx with xx <= 64) */
#define OCRA_MAX_MUTUAL_QUESTION 128 /* characters of two joined challenges (Q is 128 bytes) */
#define OCRA_SUITE_SIZE 64           /* longest suite text + NUL */

/* HOTP (RFC 4226): code for @counter, @digits 4..10, @hash as in the TOTP
 * extension of RFC 6238.  @key 1..OTP_MAX_KEY bytes. */
int otp_hotp(const uint8_t *key, size_t keylen, uint64_t counter, unsigned digits,
             enum otp_hash hash, char out[OTP_CODE_SIZE]);

/* TOTP (RFC 6238) with T0 = 0: counter = floor(@unix_time / @step).
 * @unix_time must be >= 0, @step >= 1.  64-bit time throughout. */
int otp_totp(const uint8_t *key, size_t keylen, int64_t unix_time, unsigned step, unsigned digits,
             enum otp_hash hash, char out[OTP_CODE_SIZE]);

/* An OCRA suite, parsed.  Fields for absent inputs are zero/false. */
struct ocra_suite {
    char text[OCRA_SUITE_SIZE]; /* the suite exactly as given; it is hashed into the message */
    enum otp_hash hash;         /* HOTP-H */
    unsigned digits;            /* 0 (no truncation) or 4..10 */
    bool counter;               /* C */
    char q_format;              /* 'A', 'N' or 'H' */
    unsigned q_max;             /* 4..64 */
    bool pin;                   /* PH present */
    enum otp_hash pin_hash;     /* H of PH */
    unsigned session_len;       /* nnn of Snnn, 0 = absent */
    unsigned time_step;         /* TG in seconds, 0 = absent */
};

/* Parse "OCRA-1:HOTP-SHA1-6:QN08" and friends.  Strict: unknown or repeated
 * components, bad order, out-of-range numbers -> OTP_ERR_SUITE. */
int ocra_suite_parse(const char *text, struct ocra_suite *suite);

/* Inputs for one OCRA computation.  Pointers the suite does not use must be
 * NULL / zero, and those it uses must be given (OTP_ERR_INPUT otherwise). */
struct ocra_input {
    uint64_t counter;        /* C */
    const char *question;    /* Q, in the suite's format, 1..q_max chars */
    const uint8_t *pin_hash; /* P: already hashed with the suite's PH */
    size_t pin_hash_len;
    const uint8_t *session; /* S: session information bytes */
    size_t session_len;     /* <= suite session_len */
    uint64_t time_steps;    /* T: steps since the epoch (unix_time / time_step) */
    bool mutual;            /* Q is two challenges joined (see ocra_mutual_question_check) */
};

/* Response for @in into @out (size >= OTP_CODE_SIZE, or OCRA_OUT_SIZE when
 * the suite has 0 digits). */
int ocra_compute(const struct ocra_suite *suite, const uint8_t *key, size_t keylen,
                 const struct ocra_input *in, char *out, size_t outsize);

/* Hash a PIN with the suite's PH algorithm into @out (>= 64 bytes). */
int ocra_pin_hash(const struct ocra_suite *suite, const char *pin, uint8_t *out, size_t outsize,
                  size_t *outlen);

/* Check that @question fits the suite (format and length). */
int ocra_question_check(const struct ocra_suite *suite, const char *question);

/* The same for the question of a mutual challenge-response (RFC 6287 7.3,
 * Appendix C.2): a client and a server challenge joined, in the order the
 * computing side uses (the server answers client||server, the client
 * server||client), each of at most q_max characters: so 2 to 2 * q_max
 * characters of the suite's format, and no more than the 128 bytes of Q. */
int ocra_mutual_question_check(const struct ocra_suite *suite, const char *question);

/* A fresh question of exactly q_max characters in the suite's format, from
 * the kernel's random generator (random.h), without modulo bias.  @outsize > q_max. */
int ocra_question_generate(const struct ocra_suite *suite, char *out, size_t outsize);

/* Constant-time equality of two NUL-terminated codes (the length may leak,
 * the content does not). */
bool otp_code_equal(const char *a, const char *b);

/* "sha1"/"sha256"/"sha512", case-insensitive. */
int otp_hash_parse(const char *name, enum otp_hash *hash);
const char *otp_hash_name(enum otp_hash hash);

#endif
