/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * otp.c - OATH one-time passwords over digest.h's HMACs: HOTP (RFC 4226), TOTP
 * (RFC 6238) and OCRA (RFC 6287), implementing the contract in otp.h.  The
 * helper verifies codes with it and the CLI computes them as a soft token, so
 * everything is a reentrant function of its arguments: no state, no logging,
 * no heap.
 * Temporaries that held key-derived or PIN-derived bytes are wiped with
 * secmem_wipe before returning, on every path.
 */
#include "lib/core/otp.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lib/common/hex.h"
#include "lib/common/secmem.h"
#include "lib/core/digest.h"
#include "lib/core/random.h"

#define MAC_MAX DIGEST_MAX /* SHA-512, the largest HMAC we produce */

/* Fixed field sizes of the OCRA DataInput (RFC 6287 section 5.1). */
#define OCRA_C_BYTES 8
#define OCRA_Q_BYTES 128
#define OCRA_T_BYTES 8

/* Snnn allows up to 999 bytes syntactically; RFC 6287 never goes beyond S512
 * and the reference code knows nothing larger, so that is our ceiling.  It
 * also keeps the whole DataInput in a small stack buffer. */
#define OCRA_MAX_SESSION 512

#define DATA_INPUT_MAX                                                                             \
    (OCRA_SUITE_SIZE + 1 + OCRA_C_BYTES + OCRA_Q_BYTES + MAC_MAX + OCRA_MAX_SESSION + OCRA_T_BYTES)

/* 10^128 < 2^426, so 54 bytes hold any numeric question of up to 128
 * digits (a mutual question: two QN64 challenges joined). */
#define NUMERIC_QUESTION_BYTES 54

/* Draws from the CSPRNG while generating a question, before declaring it broken. */
#define QUESTION_MAX_DRAWS 64

static const struct {
    const char *name;       /* otp_hash_name() */
    const char *suite_name; /* as written in OCRA suites */
    enum digest_alg alg;
} hashes[] = {
    [OTP_SHA1] = {"sha1", "SHA1", DIGEST_SHA1},
    [OTP_SHA256] = {"sha256", "SHA256", DIGEST_SHA256},
    [OTP_SHA512] = {"sha512", "SHA512", DIGEST_SHA512},
};

/* The enum comes from callers and may hold anything; check before indexing. */
static bool
hash_known(enum otp_hash hash)
{
    return (unsigned)hash < sizeof(hashes) / sizeof(hashes[0]);
}

static size_t
hash_size(enum otp_hash hash)
{
    return hash_known(hash) ? digest_size(hashes[hash].alg) : 0;
}

static bool
key_valid(const uint8_t *key, size_t keylen)
{
    return key != NULL && keylen >= 1 && keylen <= OTP_MAX_KEY;
}

static bool
digits_valid(unsigned digits)
{
    return digits >= OTP_MIN_DIGITS && digits <= OTP_MAX_DIGITS;
}

static bool
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static const char alphanumeric[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/* Only ASCII: isalnum() would let the locale widen what a question may hold. */
static bool
is_ascii_alnum(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static void
put_be64(uint8_t *dst, uint64_t value)
{
    for (int i = 7; i >= 0; i--) {
        dst[i] = (uint8_t)(value & 0xff);
        value >>= 8;
    }
}

/* Nibble @index of @buf counted from the most significant nibble of buf[0];
 * @buf must start zeroed. */
static void
put_nibble(uint8_t *buf, size_t index, unsigned nibble)
{
    buf[index / 2] |= (uint8_t)(index % 2 == 0 ? nibble << 4 : nibble);
}

static int
hmac(enum otp_hash hash, const uint8_t *key, size_t keylen, const uint8_t *msg, size_t msglen,
     uint8_t mac[MAC_MAX], size_t *maclen)
{
    *maclen = 0;
    if (!hash_known(hash) || !digest_hmac(hashes[hash].alg, key, keylen, msg, msglen, mac))
        return OTP_ERR_ARG;
    *maclen = hash_size(hash);
    return OTP_OK;
}

/* RFC 4226 section 5.3.  The offset comes from the last byte whatever the
 * hash, as RFC 6238 does for SHA-256/512; offset + 3 <= 18 stays inside a
 * SHA-1 MAC. */
static uint32_t
dynamic_truncation(const uint8_t *mac, size_t maclen)
{
    unsigned offset = mac[maclen - 1] & 0x0f;

    return (uint32_t)(mac[offset] & 0x7f) << 24 | (uint32_t)mac[offset + 1] << 16 |
           (uint32_t)mac[offset + 2] << 8 | (uint32_t)mac[offset + 3];
}

/* 64-bit modulus: 10^10 does not fit 32 bits (and exceeds any truncated value). */
static int
format_code(uint32_t truncated, unsigned digits, char *out, size_t outsize)
{
    uint64_t modulus = 1;
    int written;

    for (unsigned i = 0; i < digits; i++)
        modulus *= 10;
    written = snprintf(out, outsize, "%0*" PRIu64, (int)digits, truncated % modulus);
    if (written < 0 || (size_t)written != digits) {
        out[0] = '\0';
        return OTP_ERR_ARG;
    }
    return OTP_OK;
}

int
otp_hotp(const uint8_t *key, size_t keylen, uint64_t counter, unsigned digits, enum otp_hash hash,
         char out[OTP_CODE_SIZE])
{
    uint8_t moving_factor[8];
    uint8_t mac[MAC_MAX];
    size_t maclen = 0;
    int rc;

    if (out == NULL)
        return OTP_ERR_ARG;
    out[0] = '\0';
    if (!key_valid(key, keylen) || !digits_valid(digits) || !hash_known(hash))
        return OTP_ERR_ARG;

    put_be64(moving_factor, counter);
    rc = hmac(hash, key, keylen, moving_factor, sizeof(moving_factor), mac, &maclen);
    if (rc != OTP_OK)
        goto out;
    rc = format_code(dynamic_truncation(mac, maclen), digits, out, OTP_CODE_SIZE);
out:
    secmem_wipe(mac, sizeof(mac));
    return rc;
}

int
otp_totp(const uint8_t *key, size_t keylen, int64_t unix_time, unsigned step, unsigned digits,
         enum otp_hash hash, char out[OTP_CODE_SIZE])
{
    if (out != NULL)
        out[0] = '\0';
    if (unix_time < 0 || step == 0)
        return OTP_ERR_ARG;
    return otp_hotp(key, keylen, (uint64_t)unix_time / step, digits, hash, out);
}

/* --- OCRA suite grammar (RFC 6287 section 6) ------------------------------------------- */

static bool
take_literal(const char **pos, const char *literal)
{
    size_t len = strlen(literal);

    if (strncmp(*pos, literal, len) != 0)
        return false;
    *pos += len;
    return true;
}

/* None of the names is a prefix of another, and whatever follows a name is
 * checked by the next token, so "SHA10" or "SHA2560" fail there. */
static bool
take_hash_name(const char **pos, enum otp_hash *hash)
{
    for (unsigned i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++) {
        if (take_literal(pos, hashes[i].suite_name)) {
            *hash = (enum otp_hash)i;
            return true;
        }
    }
    return false;
}

/* A decimal field of @min_digits..@max_digits digits.  Fixed-width fields
 * (the 08 of QN08, the 064 of S064) have min == max and keep their leading
 * zeros; free-form numbers (digits, TG) must not have any, so "06" and "010"
 * are refused rather than silently read as 6 and 10. */
static bool
take_number(const char **pos, unsigned min_digits, unsigned max_digits, unsigned *value)
{
    const char *p = *pos;
    unsigned n = 0, v = 0;

    while (n < max_digits && is_digit(p[n])) {
        v = v * 10 + (unsigned)(p[n] - '0');
        n++;
    }
    if (n == 0 || n < min_digits || is_digit(p[n]))
        return false;
    if (min_digits != max_digits && n > 1 && p[0] == '0')
        return false;
    *pos = p + n;
    *value = v;
    return true;
}

/* TG of RFC 6287 section 6.3: [1-59]S, [1-59]M or [1-48]H.  The RFC's table
 * says [0-48]H; verified erratum 3729 corrects it to [1-48]H, and a zero step
 * could not divide time anyway. */
static bool
take_time_step(const char **pos, unsigned *seconds)
{
    unsigned count, unit_max, unit_seconds;

    if (!take_number(pos, 1, 2, &count) || count == 0)
        return false;
    if (**pos == 'S' || **pos == 'M') {
        unit_max = 59;
        unit_seconds = **pos == 'S' ? 1 : 60;
    } else if (**pos == 'H') {
        unit_max = 48;
        unit_seconds = 3600;
    } else {
        return false;
    }
    if (count > unit_max)
        return false;
    *seconds = count * unit_seconds;
    (*pos)++;
    return true;
}

/* Upper case only, as the RFC writes suites: the suite text is hashed into
 * DataInput, so "ocra-1:..." would silently give different responses than
 * the peer expects. */
int
ocra_suite_parse(const char *text, struct ocra_suite *suite)
{
    struct ocra_suite parsed;
    const char *pos;
    unsigned value;
    size_t len;

    if (text == NULL || suite == NULL)
        return OTP_ERR_ARG;
    memset(suite, 0, sizeof(*suite));
    memset(&parsed, 0, sizeof(parsed));
    len = strnlen(text, OCRA_SUITE_SIZE);
    if (len >= OCRA_SUITE_SIZE)
        return OTP_ERR_SUITE;
    memcpy(parsed.text, text, len + 1);
    pos = text;

    /* <Algorithm>:<CryptoFunction>: only OCRA version 1 and HOTP exist. */
    if (!take_literal(&pos, "OCRA-1:HOTP-") || !take_hash_name(&pos, &parsed.hash) ||
        !take_literal(&pos, "-") || !take_number(&pos, 1, 2, &value))
        return OTP_ERR_SUITE;
    if (value != 0 && !digits_valid(value))
        return OTP_ERR_SUITE;
    parsed.digits = value;
    if (!take_literal(&pos, ":"))
        return OTP_ERR_SUITE;

    /* <DataInput>: [C-] QFxx [-PH] [-Snnn] [-TG], in this order, each once. */
    parsed.counter = take_literal(&pos, "C-");
    if (!take_literal(&pos, "Q") || (*pos != 'A' && *pos != 'N' && *pos != 'H'))
        return OTP_ERR_SUITE;
    parsed.q_format = *pos++;
    if (!take_number(&pos, 2, 2, &value) || value < 4 || value > OCRA_MAX_QUESTION)
        return OTP_ERR_SUITE;
    parsed.q_max = value;
    if (take_literal(&pos, "-P")) {
        if (!take_hash_name(&pos, &parsed.pin_hash))
            return OTP_ERR_SUITE;
        parsed.pin = true;
    }
    if (take_literal(&pos, "-S")) {
        if (!take_number(&pos, 3, 3, &value) || value == 0 || value > OCRA_MAX_SESSION)
            return OTP_ERR_SUITE;
        parsed.session_len = value;
    }
    if (take_literal(&pos, "-T") && !take_time_step(&pos, &parsed.time_step))
        return OTP_ERR_SUITE;
    if (*pos != '\0')
        return OTP_ERR_SUITE;

    *suite = parsed;
    return OTP_OK;
}

/* The suite structs reaching the functions below may have been filled by
 * hand rather than by the parser, so anything that sizes a buffer is checked. */
static bool
question_shape_valid(const struct ocra_suite *suite)
{
    return (suite->q_format == 'A' || suite->q_format == 'N' || suite->q_format == 'H') &&
           suite->q_max >= 4 && suite->q_max <= OCRA_MAX_QUESTION;
}

static bool
suite_consistent(const struct ocra_suite *suite)
{
    if (memchr(suite->text, '\0', sizeof(suite->text)) == NULL || suite->text[0] == '\0')
        return false;
    if (!hash_known(suite->hash) || (suite->digits != 0 && !digits_valid(suite->digits)))
        return false;
    if (suite->pin && !hash_known(suite->pin_hash))
        return false;
    return question_shape_valid(suite) && suite->session_len <= OCRA_MAX_SESSION;
}

/* @question has @min to @max characters of the suite's format. */
static int
question_fits(const struct ocra_suite *suite, const char *question, size_t min, size_t max)
{
    size_t len;

    if (suite == NULL || question == NULL)
        return OTP_ERR_ARG;
    if (!question_shape_valid(suite))
        return OTP_ERR_SUITE;
    len = strnlen(question, max + 1);
    if (len < min || len > max)
        return OTP_ERR_QUESTION;
    for (size_t i = 0; i < len; i++) {
        char c = question[i];

        if (suite->q_format == 'N'   ? !is_digit(c)
            : suite->q_format == 'H' ? hex_digit_value(c) < 0
                                     : !is_ascii_alnum(c))
            return OTP_ERR_QUESTION;
    }
    return OTP_OK;
}

int
ocra_question_check(const struct ocra_suite *suite, const char *question)
{
    return question_fits(suite, question, 1, suite != NULL ? suite->q_max : 0);
}

/* Any question of 2 to 2 * q_max characters splits into two challenges of
 * at most q_max each, so the length bounds each challenge as QFxx says. */
int
ocra_mutual_question_check(const struct ocra_suite *suite, const char *question)
{
    size_t max = suite != NULL ? 2 * (size_t)suite->q_max : 0;

    return question_fits(suite, question, 2,
                         max < OCRA_MAX_MUTUAL_QUESTION ? max : OCRA_MAX_MUTUAL_QUESTION);
}

/* QN: the decimal number converted to binary and written as hex digits
 * without leading zeros; an odd count gets a '0' nibble on the right, and
 * the result is left-aligned in the 128-byte field like the other formats
 * (12345678 -> BC614E, 22222222 -> 153158E -> 153158E0).  A plain
 * multiply-by-ten over a byte array is enough for 64 digits and, unlike
 * BIGNUM, needs no heap that we would then have to wipe. */
static void
encode_numeric_question(const char *question, uint8_t q[OCRA_Q_BYTES])
{
    uint8_t number[NUMERIC_QUESTION_BYTES];
    size_t first, nibble = 0;

    memset(number, 0, sizeof(number));
    for (const char *c = question; *c != '\0'; c++) {
        unsigned carry = (unsigned)(*c - '0');

        for (size_t i = sizeof(number); i-- > 0;) {
            unsigned v = number[i] * 10u + carry;

            number[i] = (uint8_t)(v & 0xff);
            carry = v >> 8;
        }
    }
    for (first = 0; first < sizeof(number) && number[first] == 0; first++)
        ;
    /* Zero is the single hex digit "0", padded to "00": q stays all zero. */
    for (size_t i = first; i < sizeof(number); i++) {
        if (i != first || (number[i] >> 4) != 0)
            put_nibble(q, nibble++, number[i] >> 4);
        put_nibble(q, nibble++, number[i] & 0x0f);
    }
    secmem_wipe(number, sizeof(number));
}

/* @q must be zeroed; the question has passed ocra_question_check() or
 * ocra_mutual_question_check(), so it fits the 128 bytes. */
static void
encode_question(const struct ocra_suite *suite, const char *question, uint8_t q[OCRA_Q_BYTES])
{
    size_t len = strlen(question);

    if (suite->q_format == 'N') {
        encode_numeric_question(question, q);
    } else if (suite->q_format == 'H') {
        /* Odd length: the missing low nibble stays zero, i.e. '0' on the right. */
        for (size_t i = 0; i < len; i++)
            put_nibble(q, i, (unsigned)hex_digit_value(question[i]));
    } else {
        memcpy(q, question, len);
    }
}

/* The inputs must match the suite exactly: a value the suite does not hash
 * is refused rather than ignored, because a caller passing one almost
 * certainly has the wrong suite.  Integers cannot signal "absent", so for C
 * and T only the unused case (must be 0) is checkable. */
static int
ocra_inputs_check(const struct ocra_suite *suite, const struct ocra_input *in)
{
    if (in->question == NULL)
        return OTP_ERR_INPUT;
    if (!suite->counter && in->counter != 0)
        return OTP_ERR_INPUT;
    if (suite->pin) {
        if (in->pin_hash == NULL || in->pin_hash_len != hash_size(suite->pin_hash))
            return OTP_ERR_INPUT;
    } else if (in->pin_hash != NULL || in->pin_hash_len != 0) {
        return OTP_ERR_INPUT;
    }
    if (suite->session_len != 0) {
        if (in->session == NULL || in->session_len == 0 || in->session_len > suite->session_len)
            return OTP_ERR_INPUT;
    } else if (in->session != NULL || in->session_len != 0) {
        return OTP_ERR_INPUT;
    }
    if (suite->time_step == 0 && in->time_steps != 0)
        return OTP_ERR_INPUT;
    return OTP_OK;
}

/* DataInput = OCRASuite | 00 | [C] | Q | [P | S | T] (RFC 6287 section 5.1)
 * into the zeroed @msg; returns its length.
 *
 * S shorter than nnn bytes is right-aligned, zeros in front: the RFC's
 * reference code prepends '0' digits to the session hex until it fills the
 * field.  Q is the opposite (padded on the right), which is why the two are
 * handled differently. */
static size_t
ocra_data_input(const struct ocra_suite *suite, const struct ocra_input *in,
                uint8_t msg[DATA_INPUT_MAX])
{
    size_t len = strlen(suite->text) + 1; /* the NUL is the 00 separator */

    memcpy(msg, suite->text, len);
    if (suite->counter) {
        put_be64(msg + len, in->counter);
        len += OCRA_C_BYTES;
    }
    encode_question(suite, in->question, msg + len);
    len += OCRA_Q_BYTES;
    if (suite->pin) {
        memcpy(msg + len, in->pin_hash, in->pin_hash_len);
        len += in->pin_hash_len;
    }
    if (suite->session_len != 0) {
        memcpy(msg + len + (suite->session_len - in->session_len), in->session, in->session_len);
        len += suite->session_len;
    }
    if (suite->time_step != 0) {
        put_be64(msg + len, in->time_steps);
        len += OCRA_T_BYTES;
    }
    return len;
}

int
ocra_compute(const struct ocra_suite *suite, const uint8_t *key, size_t keylen,
             const struct ocra_input *in, char *out, size_t outsize)
{
    uint8_t data_input[DATA_INPUT_MAX];
    uint8_t mac[MAC_MAX];
    size_t data_input_len, maclen = 0;
    int rc;

    if (out != NULL && outsize > 0)
        out[0] = '\0';
    if (suite == NULL || in == NULL || out == NULL || !key_valid(key, keylen))
        return OTP_ERR_ARG;
    if (!suite_consistent(suite))
        return OTP_ERR_SUITE;
    if (outsize < (suite->digits == 0 ? OCRA_OUT_SIZE : OTP_CODE_SIZE))
        return OTP_ERR_ARG;
    rc = ocra_inputs_check(suite, in);
    if (rc != OTP_OK)
        return rc;
    rc = in->mutual ? ocra_mutual_question_check(suite, in->question)
                    : ocra_question_check(suite, in->question);
    if (rc != OTP_OK)
        return rc;

    memset(data_input, 0, sizeof(data_input));
    data_input_len = ocra_data_input(suite, in, data_input);
    rc = hmac(suite->hash, key, keylen, data_input, data_input_len, mac, &maclen);
    if (rc != OTP_OK)
        goto out;
    if (suite->digits == 0) {
        /* outsize >= OCRA_OUT_SIZE: room for the longest HMAC */
        if (hex_encode(mac, maclen, out, outsize) != 0)
            rc = OTP_ERR_ARG;
    } else {
        rc = format_code(dynamic_truncation(mac, maclen), suite->digits, out, outsize);
    }
out:
    secmem_wipe(data_input, sizeof(data_input));
    secmem_wipe(mac, sizeof(mac));
    return rc;
}

/* An empty PIN is refused: it would make P a constant everyone knows. */
int
ocra_pin_hash(const struct ocra_suite *suite, const char *pin, uint8_t *out, size_t outsize,
              size_t *outlen)
{
    struct iovec iov;

    if (outlen != NULL)
        *outlen = 0;
    if (suite == NULL || pin == NULL || pin[0] == '\0' || out == NULL || outlen == NULL ||
        outsize < MAC_MAX)
        return OTP_ERR_ARG;
    if (!suite->pin)
        return OTP_ERR_INPUT;
    if (!hash_known(suite->pin_hash))
        return OTP_ERR_SUITE;
    iov.iov_base = (void *)pin;
    iov.iov_len = strlen(pin);
    if (!digest_hash(hashes[suite->pin_hash].alg, &iov, 1, out))
        return OTP_ERR_SUITE;
    *outlen = hash_size(suite->pin_hash);
    return OTP_OK;
}

/* Rejection sampling: a random byte is used only below the largest multiple
 * of the alphabet size that fits in 256, so every character is equally
 * likely.  RFC 6287 only says "alphanumeric" for A; we take [0-9A-Za-z],
 * the set ocra_question_check() accepts. */
int
ocra_question_generate(const struct ocra_suite *suite, char *out, size_t outsize)
{
    const char *alphabet;
    size_t alphabet_len, produced = 0;
    unsigned accept_below;
    uint8_t pool[OCRA_MAX_QUESTION];
    int rc = OTP_ERR_CRYPTO;

    if (out != NULL && outsize > 0)
        out[0] = '\0';
    if (suite == NULL || out == NULL)
        return OTP_ERR_ARG;
    if (!question_shape_valid(suite))
        return OTP_ERR_SUITE;
    if (outsize <= suite->q_max)
        return OTP_ERR_ARG;
    alphabet = suite->q_format == 'N'   ? "0123456789"
               : suite->q_format == 'H' ? "0123456789ABCDEF"
                                        : alphanumeric;
    alphabet_len = strlen(alphabet);
    accept_below = 256 - (256 % (unsigned)alphabet_len);

    for (unsigned draw = 0; draw < QUESTION_MAX_DRAWS && produced < suite->q_max; draw++) {
        if (!random_bytes(pool, sizeof(pool)))
            goto out;
        for (size_t i = 0; i < sizeof(pool) && produced < suite->q_max; i++) {
            if (pool[i] < accept_below)
                out[produced++] = alphabet[pool[i] % alphabet_len];
        }
    }
    if (produced == suite->q_max)
        rc = OTP_OK;
out:
    out[rc == OTP_OK ? produced : 0] = '\0';
    secmem_wipe(pool, sizeof(pool));
    return rc;
}

/* Empty strings never compare equal: an empty code is what a failed
 * computation leaves behind, and it must not match an empty user input. */
bool
otp_code_equal(const char *a, const char *b)
{
    size_t len;

    if (a == NULL || b == NULL)
        return false;
    len = strlen(a);
    if (len == 0 || strlen(b) != len)
        return false;
    return digest_equal(a, b, len);
}

int
otp_hash_parse(const char *name, enum otp_hash *hash)
{
    if (name == NULL || hash == NULL)
        return OTP_ERR_ARG;
    for (unsigned i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++) {
        if (strcasecmp(name, hashes[i].name) == 0) {
            *hash = (enum otp_hash)i;
            return OTP_OK;
        }
    }
    return OTP_ERR_ARG;
}

/* NULL for a value outside enum otp_hash. */
const char *
otp_hash_name(enum otp_hash hash)
{
    return hash_known(hash) ? hashes[hash].name : NULL;
}
