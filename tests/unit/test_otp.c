/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_otp.c - cmocka tests for lib/core/otp: every published vector in
 * $VECTORS_DIR (default tests/vectors) must match, with a count check so a
 * skipped line fails the run; OCRA's numeric-question encoding is checked
 * against an independent OpenSSL BIGNUM construction; and the negative
 * paths (malformed suites and questions, missing or surplus inputs,
 * out-of-range parameters, hex errors, code comparison) must return the
 * documented error codes.  Vector numbers live only in the vector files.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "lib/core/otp.h"
#include "vector_file.h"

static bool
check_hotp(const struct vector_row *row)
{
    uint8_t key[OTP_MAX_KEY];
    size_t keylen = parse_hex(row, "key", key, sizeof(key));
    char code[OTP_CODE_SIZE];
    int rc = otp_hotp(key, keylen, parse_u64(row, "counter", 10),
                      (unsigned)parse_u64(row, "digits", 10), OTP_SHA1, code);

    return report(row, rc, code);
}

static bool
check_totp(const struct vector_row *row)
{
    uint8_t key[OTP_MAX_KEY];
    size_t keylen = parse_hex(row, "key", key, sizeof(key));
    enum otp_hash hash;
    char code[OTP_CODE_SIZE];
    int rc;

    assert_int_equal(otp_hash_parse(column(row, "hash"), &hash), OTP_OK);
    rc = otp_totp(key, keylen, (int64_t)parse_u64(row, "unix_time", 10),
                  (unsigned)parse_u64(row, "step", 10), (unsigned)parse_u64(row, "digits", 10),
                  hash, code);
    return report(row, rc, code);
}

static bool
check_ocra(const struct vector_row *row)
{
    struct ocra_suite suite;
    struct ocra_input in = {0};
    uint8_t key[OTP_MAX_KEY], pin_hash[64], session[512];
    size_t keylen = parse_hex(row, "key", key, sizeof(key));
    char response[OCRA_OUT_SIZE] = "";
    int rc;

    rc = ocra_suite_parse(column(row, "suite"), &suite);
    if (rc != OTP_OK)
        return report(row, rc, "");
    if (column(row, "counter")[0] != '\0')
        in.counter = parse_u64(row, "counter", 10);
    if (column(row, "question")[0] != '\0')
        in.question = column(row, "question");
    if (column(row, "pin_sha1")[0] != '\0') {
        in.pin_hash_len = parse_hex(row, "pin_sha1", pin_hash, sizeof(pin_hash));
        in.pin_hash = pin_hash;
    }
    if (column(row, "session")[0] != '\0') {
        in.session_len = parse_hex(row, "session", session, sizeof(session));
        in.session = session;
    }
    if (column(row, "time_steps_hex")[0] != '\0')
        in.time_steps = parse_u64(row, "time_steps_hex", 16);
    rc = ocra_compute(&suite, key, keylen, &in, response, sizeof(response));
    return report(row, rc, response);
}

/* RFC 6287 Appendix C.2 and C.3: a question longer than the suite's QFxx
 * is a mutual one (two challenges joined); every line must match. */
static bool
check_ocra_mutual(const struct vector_row *row)
{
    struct ocra_suite suite;
    struct ocra_input in = {0};
    uint8_t key[OTP_MAX_KEY], pin_hash[64];
    size_t keylen = parse_hex(row, "key", key, sizeof(key));
    char response[OCRA_OUT_SIZE] = "";
    int rc;

    rc = ocra_suite_parse(column(row, "suite"), &suite);
    if (rc != OTP_OK)
        return report(row, rc, "");
    in.question = column(row, "question");
    in.mutual = strlen(in.question) > suite.q_max;
    if (column(row, "pin_sha1")[0] != '\0') {
        in.pin_hash_len = parse_hex(row, "pin_sha1", pin_hash, sizeof(pin_hash));
        in.pin_hash = pin_hash;
    }
    if (column(row, "time_steps_hex")[0] != '\0')
        in.time_steps = parse_u64(row, "time_steps_hex", 16);
    rc = ocra_compute(&suite, key, keylen, &in, response, sizeof(response));
    /* a mutual question is refused as one challenge */
    if (in.mutual) {
        char refused[OCRA_OUT_SIZE];

        in.mutual = false;
        if (ocra_compute(&suite, key, keylen, &in, refused, sizeof(refused)) != OTP_ERR_QUESTION)
            return report(row, OTP_ERR_ARG, "accepted as one challenge");
    }
    return report(row, rc, response);
}

static void
test_hotp_vectors(void **state)
{
    (void)state;
    run_vector_file("hotp.txt", check_hotp);
}

static void
test_totp_vectors(void **state)
{
    (void)state;
    run_vector_file("totp.txt", check_totp);
}

static void
test_ocra_vectors(void **state)
{
    (void)state;
    run_vector_file("ocra.txt", check_ocra);
    run_vector_file("ocra_mutual.txt", check_ocra_mutual);
}

static const uint8_t test_key[20] = "0123456789abcdefghij";

static void
test_hotp_totp_arguments(void **state)
{
    char code[OTP_CODE_SIZE];
    uint8_t long_key[OTP_MAX_KEY + 1] = {0};

    (void)state;
    assert_int_equal(otp_hotp(test_key, 20, 0, 3, OTP_SHA1, code), OTP_ERR_ARG);
    assert_string_equal(code, "");
    assert_int_equal(otp_hotp(test_key, 20, 0, 11, OTP_SHA1, code), OTP_ERR_ARG);
    assert_int_equal(otp_hotp(test_key, 20, 0, 0, OTP_SHA1, code), OTP_ERR_ARG);
    assert_int_equal(otp_hotp(test_key, 0, 0, 6, OTP_SHA1, code), OTP_ERR_ARG);
    assert_int_equal(otp_hotp(NULL, 20, 0, 6, OTP_SHA1, code), OTP_ERR_ARG);
    assert_int_equal(otp_hotp(long_key, sizeof(long_key), 0, 6, OTP_SHA1, code), OTP_ERR_ARG);
    assert_int_equal(otp_hotp(long_key, OTP_MAX_KEY, 0, 6, OTP_SHA1, code), OTP_OK);
    assert_int_equal(otp_hotp(test_key, 20, 0, 6, (enum otp_hash)7, code), OTP_ERR_ARG);
    assert_int_equal(otp_hotp(test_key, 20, 0, 6, OTP_SHA1, NULL), OTP_ERR_ARG);
    for (unsigned digits = OTP_MIN_DIGITS; digits <= OTP_MAX_DIGITS; digits++) {
        assert_int_equal(otp_hotp(test_key, 20, UINT64_MAX, digits, OTP_SHA512, code), OTP_OK);
        assert_int_equal(strlen(code), digits);
        assert_int_equal(strspn(code, "0123456789"), digits);
    }
    assert_int_equal(otp_totp(test_key, 20, -1, 30, 6, OTP_SHA1, code), OTP_ERR_ARG);
    assert_int_equal(otp_totp(test_key, 20, 59, 0, 6, OTP_SHA1, code), OTP_ERR_ARG);
    assert_int_equal(otp_totp(test_key, 20, INT64_MAX, 1, 6, OTP_SHA256, code), OTP_OK);
    assert_int_equal(otp_totp(test_key, 20, 0, 30, 10, OTP_SHA1, code), OTP_OK);
}

static void
test_suite_parse_valid(void **state)
{
    struct ocra_suite s;

    (void)state;
    assert_int_equal(ocra_suite_parse("OCRA-1:HOTP-SHA1-6:QN08", &s), OTP_OK);
    assert_string_equal(s.text, "OCRA-1:HOTP-SHA1-6:QN08");
    assert_true(s.hash == OTP_SHA1 && s.digits == 6 && !s.counter && s.q_format == 'N');
    assert_true(s.q_max == 8 && !s.pin && s.session_len == 0 && s.time_step == 0);

    assert_int_equal(ocra_suite_parse("OCRA-1:HOTP-SHA512-10:C-QA64-PSHA512-S512-T48H", &s),
                     OTP_OK);
    assert_true(s.hash == OTP_SHA512 && s.digits == 10 && s.counter && s.q_format == 'A');
    assert_true(s.q_max == 64 && s.pin && s.pin_hash == OTP_SHA512);
    assert_true(s.session_len == 512 && s.time_step == 48 * 3600);

    assert_int_equal(ocra_suite_parse("OCRA-1:HOTP-SHA256-0:QH04-T59S", &s), OTP_OK);
    assert_true(s.hash == OTP_SHA256 && s.digits == 0 && s.q_format == 'H' && s.q_max == 4);
    assert_int_equal(s.time_step, 59);
    assert_int_equal(ocra_suite_parse("OCRA-1:HOTP-SHA1-4:QN04-S001-T1S", &s), OTP_OK);
    assert_true(s.digits == 4 && s.session_len == 1 && s.time_step == 1);
    assert_int_equal(ocra_suite_parse("OCRA-1:HOTP-SHA256-8:QA08-PSHA256-T59M", &s), OTP_OK);
    assert_true(s.pin && s.pin_hash == OTP_SHA256 && s.time_step == 59 * 60);
}

static void
assert_suite_refused(const char *text)
{
    struct ocra_suite s;

    memset(&s, 0xa5, sizeof(s));
    if (ocra_suite_parse(text, &s) != OTP_ERR_SUITE)
        fail_msg("suite \"%s\" was accepted", text);
    assert_int_equal(s.text[0], '\0');
    assert_int_equal(s.q_max, 0);
}

static void
test_suite_parse_malformed(void **state)
{
    /* Broken <Algorithm> or <CryptoFunction>. */
    static const char *const bad_suites[] = {
        "",
        "OCRA-1",
        "OCRA-2:HOTP-SHA1-6:QN08",
        "ocra-1:hotp-sha1-6:qn08",
        "OCRA-1:TOTP-SHA1-6:QN08",
        "OCRA-1:HOTP-MD5-6:QN08",
        "OCRA-1:HOTP-SHA10-6:QN08",
        "OCRA-1:HOTP-SHA1-3:QN08",
        "OCRA-1:HOTP-SHA1-11:QN08",
        "OCRA-1:HOTP-SHA1-06:QN08",
        "OCRA-1:HOTP-SHA1-:QN08",
        "OCRA-1:HOTP-SHA1-6",
        "OCRA-1:HOTP-SHA1-6QN08",
    };
    /* Broken <DataInput>s, each after a valid "OCRA-1:HOTP-SHA1-6:". */
    static const char *const bad_data_inputs[] = {
        "",
        "C-",
        "QN03",
        "QN65",
        "QN8",
        "QN008",
        "QX08",
        "qn08",
        "C-QN08-C",
        "QN08-C",
        "C-C-QN08",
        "QN08-PSHA1-PSHA1",
        "QN08-PSHA384",
        "QN08-S064-PSHA1",
        "QN08-T1M-S064",
        "QN08-S",
        "QN08-S64",
        "QN08-S000",
        "QN08-S513",
        "QN08-T",
        "QN08-T0S",
        "QN08-T60S",
        "QN08-T60M",
        "QN08-T0H",
        "QN08-T49H",
        "QN08-T01M",
        "QN08-T1D",
        "QN08-T1M-T1M",
        "QN08 ",
        "QN08:",
        "QN08-",
        "QN08-----------------------------------------", /* longer than OCRA_SUITE_SIZE */
    };
    char text[128];
    struct ocra_suite s;

    (void)state;
    for (size_t i = 0; i < sizeof(bad_suites) / sizeof(bad_suites[0]); i++)
        assert_suite_refused(bad_suites[i]);
    for (size_t i = 0; i < sizeof(bad_data_inputs) / sizeof(bad_data_inputs[0]); i++) {
        assert_true((size_t)snprintf(text, sizeof(text), "OCRA-1:HOTP-SHA1-6:%s",
                                     bad_data_inputs[i]) < sizeof(text));
        assert_suite_refused(text);
    }
    assert_int_equal(ocra_suite_parse(NULL, &s), OTP_ERR_ARG);
    assert_int_equal(ocra_suite_parse("OCRA-1:HOTP-SHA1-6:QN08", NULL), OTP_ERR_ARG);
}

static void
parse_or_fail(const char *text, struct ocra_suite *suite)
{
    if (ocra_suite_parse(text, suite) != OTP_OK)
        fail_msg("suite \"%s\" was refused", text);
}

static void
test_question_check(void **state)
{
    static const struct {
        const char *suite, *question;
        int expected;
    } cases[] = {
        {"OCRA-1:HOTP-SHA1-6:QN08", "12345678", OTP_OK},
        {"OCRA-1:HOTP-SHA1-6:QN08", "1", OTP_OK},
        {"OCRA-1:HOTP-SHA1-6:QN08", "12AB", OTP_ERR_QUESTION},
        {"OCRA-1:HOTP-SHA1-6:QN08", "", OTP_ERR_QUESTION},
        {"OCRA-1:HOTP-SHA1-6:QN08", "123456789", OTP_ERR_QUESTION},
        {"OCRA-1:HOTP-SHA1-6:QN08", " 1234", OTP_ERR_QUESTION},
        {"OCRA-1:HOTP-SHA1-6:QN08", "-1234", OTP_ERR_QUESTION},
        {"OCRA-1:HOTP-SHA1-6:QA08", "Ab9zZ0", OTP_OK},
        {"OCRA-1:HOTP-SHA1-6:QA08", "abc!", OTP_ERR_QUESTION},
        {"OCRA-1:HOTP-SHA1-6:QA08", "abc def", OTP_ERR_QUESTION},
        {"OCRA-1:HOTP-SHA1-6:QA08", "caf\xc3\xa9", OTP_ERR_QUESTION},
        {"OCRA-1:HOTP-SHA1-6:QA04", "abcde", OTP_ERR_QUESTION},
        {"OCRA-1:HOTP-SHA1-6:QH08", "abcDEF1", OTP_OK},
        {"OCRA-1:HOTP-SHA1-6:QH08", "12G4", OTP_ERR_QUESTION},
        {"OCRA-1:HOTP-SHA1-6:QH08", "0x12", OTP_ERR_QUESTION},
    };
    struct ocra_suite suite;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        parse_or_fail(cases[i].suite, &suite);
        if (ocra_question_check(&suite, cases[i].question) != cases[i].expected)
            fail_msg("question \"%s\" for %s: expected %d", cases[i].question, cases[i].suite,
                     cases[i].expected);
    }
    assert_int_equal(ocra_question_check(&suite, NULL), OTP_ERR_ARG);
}

/* Mutual questions: 2 to 2 * QFxx characters of the format, within the
 * 128 bytes of Q; the numeric encoding holds 128 digits. */
static void
test_mutual_question(void **state)
{
    static const struct {
        const char *suite;
        size_t len;
        char fill;
        int expected;
    } cases[] = {
        {"OCRA-1:HOTP-SHA256-8:QA08", 16, 'A', OTP_OK},
        {"OCRA-1:HOTP-SHA256-8:QA08", 17, 'A', OTP_ERR_QUESTION},
        {"OCRA-1:HOTP-SHA256-8:QA08", 2, 'A', OTP_OK},
        {"OCRA-1:HOTP-SHA256-8:QA08", 1, 'A', OTP_ERR_QUESTION},
        {"OCRA-1:HOTP-SHA1-6:QN64", 128, '9', OTP_OK},
        {"OCRA-1:HOTP-SHA1-6:QN64", 129, '9', OTP_ERR_QUESTION},
        {"OCRA-1:HOTP-SHA1-6:QA64", 128, 'z', OTP_OK},
        {"OCRA-1:HOTP-SHA1-6:QH64", 128, 'F', OTP_OK},
        {"OCRA-1:HOTP-SHA1-6:QH64", 128, 'G', OTP_ERR_QUESTION},
    };
    char question[OCRA_MAX_MUTUAL_QUESTION + 2];
    struct ocra_suite suite;
    struct ocra_input in = {.question = question, .mutual = true};
    char out[OCRA_OUT_SIZE];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        parse_or_fail(cases[i].suite, &suite);
        memset(question, cases[i].fill, cases[i].len);
        question[cases[i].len] = '\0';
        if (ocra_mutual_question_check(&suite, question) != cases[i].expected ||
            ocra_compute(&suite, test_key, sizeof(test_key), &in, out, sizeof(out)) !=
                cases[i].expected)
            fail_msg("%s, %zu x '%c': expected %d", cases[i].suite, cases[i].len, cases[i].fill,
                     cases[i].expected);
    }
    /* 128 nines and 127 nines then 8 differ: the whole number is encoded */
    parse_or_fail("OCRA-1:HOTP-SHA1-6:QN64", &suite);
    memset(question, '9', 128);
    question[128] = '\0';
    assert_int_equal(ocra_compute(&suite, test_key, sizeof(test_key), &in, out, sizeof(out)),
                     OTP_OK);
    question[127] = '8';
    {
        char other[OCRA_OUT_SIZE];

        assert_int_equal(ocra_compute(&suite, test_key, sizeof(test_key), &in, other,
                                      sizeof(other)),
                         OTP_OK);
        assert_string_not_equal(out, other);
    }
    assert_int_equal(ocra_mutual_question_check(&suite, NULL), OTP_ERR_ARG);
    assert_int_equal(ocra_mutual_question_check(NULL, "12"), OTP_ERR_ARG);
}

/* 50 questions per suite: each has exactly q_max characters from @alphabet
 * and passes the check; no two in a row are equal (for q_max >= 32 a clash
 * means a broken generator); and every member of the alphabet turns up,
 * which catches a biased or truncated alphabet (a miss is astronomically
 * unlikely for 50 x 32 draws). */
static void
assert_generated(const char *suite_text, const char *alphabet)
{
    struct ocra_suite suite;
    char question[OCRA_MAX_QUESTION + 1], previous[OCRA_MAX_QUESTION + 1] = "";
    char seen[256] = {0};

    parse_or_fail(suite_text, &suite);
    for (int i = 0; i < 50; i++) {
        assert_int_equal(ocra_question_generate(&suite, question, suite.q_max + 1), OTP_OK);
        assert_int_equal(strlen(question), suite.q_max);
        assert_int_equal(strspn(question, alphabet), suite.q_max);
        assert_int_equal(ocra_question_check(&suite, question), OTP_OK);
        if (suite.q_max >= 32)
            assert_string_not_equal(question, previous);
        memcpy(previous, question, sizeof(previous));
        for (const char *c = question; *c != '\0'; c++)
            seen[(unsigned char)*c] = 1;
    }
    for (const char *c = alphabet; suite.q_max >= 32 && *c != '\0'; c++) {
        if (!seen[(unsigned char)*c])
            fail_msg("%s: '%c' never generated", suite_text, *c);
    }
    assert_int_equal(ocra_question_generate(&suite, question, suite.q_max), OTP_ERR_ARG);
}

static void
test_question_generate(void **state)
{
    static const char numeric[] = "0123456789";
    static const char alnum[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    static const char hex[] = "0123456789ABCDEF";

    (void)state;
    assert_generated("OCRA-1:HOTP-SHA1-6:QN04", numeric);
    assert_generated("OCRA-1:HOTP-SHA1-6:QN64", numeric);
    assert_generated("OCRA-1:HOTP-SHA1-6:QA10", alnum);
    assert_generated("OCRA-1:HOTP-SHA1-6:QA64", alnum);
    assert_generated("OCRA-1:HOTP-SHA1-6:QH07", hex);
    assert_generated("OCRA-1:HOTP-SHA1-6:QH64", hex);
    assert_int_equal(ocra_question_generate(NULL, NULL, 0), OTP_ERR_ARG);
}

/* Ways of getting OCRA inputs wrong, applied to otherwise valid inputs. */
enum input_fault {
    FAULT_NONE,
    MISSING_QUESTION,
    MISSING_PIN_HASH,
    SHORT_PIN_HASH,
    MISSING_SESSION,
    LONG_SESSION,
    SURPLUS_COUNTER,
    SURPLUS_PIN_HASH,
    SURPLUS_SESSION,
    SURPLUS_TIME,
};

static int
compute_with_fault(const char *suite_text, enum input_fault fault)
{
    static const uint8_t pin_hash[64], session[513];
    struct ocra_suite suite;
    struct ocra_input in = {.question = "1234"};
    char out[OCRA_OUT_SIZE];

    parse_or_fail(suite_text, &suite);
    if (suite.counter)
        in.counter = 7;
    if (suite.pin || fault == SURPLUS_PIN_HASH) {
        in.pin_hash = pin_hash;
        in.pin_hash_len = fault == SHORT_PIN_HASH ? 20 : 32; /* suites below use PSHA256 */
    }
    if (suite.session_len != 0 || fault == SURPLUS_SESSION) {
        in.session = session;
        in.session_len = fault == LONG_SESSION ? suite.session_len + 1 : 4;
    }
    if (suite.time_step != 0 || fault == SURPLUS_TIME)
        in.time_steps = 1234;
    if (fault == SURPLUS_COUNTER)
        in.counter = 1;
    if (fault == MISSING_QUESTION)
        in.question = NULL;
    if (fault == MISSING_PIN_HASH)
        in.pin_hash = NULL;
    if (fault == MISSING_SESSION)
        in.session = NULL;
    return ocra_compute(&suite, test_key, sizeof(test_key), &in, out, sizeof(out));
}

static void
test_ocra_inputs(void **state)
{
    static const char full[] = "OCRA-1:HOTP-SHA1-6:C-QN08-PSHA256-S016-T30S";
    static const char bare[] = "OCRA-1:HOTP-SHA1-6:QN08";
    static const struct {
        const char *suite;
        enum input_fault fault;
        int expected;
    } cases[] = {
        {full, FAULT_NONE, OTP_OK},
        {full, MISSING_QUESTION, OTP_ERR_INPUT},
        {full, MISSING_PIN_HASH, OTP_ERR_INPUT},
        {full, SHORT_PIN_HASH, OTP_ERR_INPUT},
        {full, MISSING_SESSION, OTP_ERR_INPUT},
        {full, LONG_SESSION, OTP_ERR_INPUT},
        {bare, FAULT_NONE, OTP_OK},
        {bare, SURPLUS_COUNTER, OTP_ERR_INPUT},
        {bare, SURPLUS_PIN_HASH, OTP_ERR_INPUT},
        {bare, SURPLUS_SESSION, OTP_ERR_INPUT},
        {bare, SURPLUS_TIME, OTP_ERR_INPUT},
    };
    struct ocra_suite suite;
    struct ocra_input in = {.question = "12AB"};
    char out[OCRA_OUT_SIZE];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int rc = compute_with_fault(cases[i].suite, cases[i].fault);

        if (rc != cases[i].expected)
            fail_msg("%s, fault %d: rc %d, expected %d", cases[i].suite, cases[i].fault, rc,
                     cases[i].expected);
    }
    parse_or_fail(bare, &suite);
    assert_int_equal(ocra_compute(&suite, test_key, 20, &in, out, sizeof(out)), OTP_ERR_QUESTION);
    in.question = "1234";
    assert_int_equal(ocra_compute(&suite, test_key, 0, &in, out, sizeof(out)), OTP_ERR_ARG);
    assert_int_equal(ocra_compute(&suite, test_key, 20, &in, out, OTP_CODE_SIZE - 1), OTP_ERR_ARG);
    assert_int_equal(ocra_compute(&suite, test_key, 20, NULL, out, sizeof(out)), OTP_ERR_ARG);
    assert_int_equal(ocra_compute(&suite, test_key, 20, &in, out, sizeof(out)), OTP_OK);
    assert_int_equal(strlen(out), 6);
    suite.q_format = 'X';
    assert_int_equal(ocra_compute(&suite, test_key, 20, &in, out, sizeof(out)), OTP_ERR_SUITE);
}

static void
test_ocra_padding_rules(void **state)
{
    struct ocra_suite suite;
    struct ocra_input in = {0};
    uint8_t session[16] = {0};
    char a[OCRA_OUT_SIZE], b[OCRA_OUT_SIZE];

    (void)state;
    /* 0 digits: the whole HMAC as lower-case hex, and it needs OCRA_OUT_SIZE. */
    parse_or_fail("OCRA-1:HOTP-SHA512-0:QH08", &suite);
    in.question = "ABC";
    assert_int_equal(ocra_compute(&suite, test_key, 20, &in, a, OTP_CODE_SIZE), OTP_ERR_ARG);
    assert_int_equal(ocra_compute(&suite, test_key, 20, &in, a, sizeof(a)), OTP_OK);
    assert_int_equal(strlen(a), 128);
    assert_int_equal(strspn(a, "0123456789abcdef"), 128);
    /* Odd-length H: a '0' nibble on the right, so "ABC" is "ABC0". */
    in.question = "abc0";
    assert_int_equal(ocra_compute(&suite, test_key, 20, &in, b, sizeof(b)), OTP_OK);
    assert_string_equal(a, b);

    /* Short S is right-aligned in its field, as the RFC reference code does. */
    parse_or_fail("OCRA-1:HOTP-SHA1-0:QA08-S016", &suite);
    in.question = "abc";
    session[14] = 0x12;
    session[15] = 0x34;
    in.session = session + 14;
    in.session_len = 2;
    assert_int_equal(ocra_compute(&suite, test_key, 20, &in, a, sizeof(a)), OTP_OK);
    in.session = session;
    in.session_len = sizeof(session);
    assert_int_equal(ocra_compute(&suite, test_key, 20, &in, b, sizeof(b)), OTP_OK);
    assert_string_equal(a, b);
    assert_int_equal(strlen(a), 40);
}

/* Independent construction of a QN DataInput with OpenSSL BIGNUM: the
 * decimal question as hex without leading zeros, '0'-padded to even length. */
static void
reference_numeric_response(const char *suite_text, const char *question, char *out)
{
    uint8_t message[OCRA_SUITE_SIZE + 1 + 128] = {0};
    uint8_t mac[EVP_MAX_MD_SIZE];
    unsigned int maclen = 0;
    size_t suite_len = strlen(suite_text) + 1, hexlen;
    char hex[160];
    BIGNUM *number = NULL;
    char *bn_hex;
    const char *digits;

    assert_true(BN_dec2bn(&number, question) > 0);
    bn_hex = BN_bn2hex(number);
    assert_non_null(bn_hex);
    digits = bn_hex + strspn(bn_hex, "0");
    if (*digits == '\0')
        digits--;
    hexlen = (size_t)snprintf(hex, sizeof(hex), "%s%s", digits, strlen(digits) % 2 ? "0" : "");
    assert_true(hexlen < sizeof(hex));
    memcpy(message, suite_text, suite_len);
    for (size_t i = 0; i < hexlen / 2; i++)
        assert_int_equal(sscanf(hex + 2 * i, "%2hhx", &message[suite_len + i]), 1);
    OPENSSL_free(bn_hex);
    BN_free(number);
    assert_non_null(
        HMAC(EVP_sha256(), test_key, sizeof(test_key), message, suite_len + 128, mac, &maclen));
    for (unsigned i = 0; i < maclen; i++)
        snprintf(out + 2 * i, 3, "%02x", mac[i]);
}

static void
test_ocra_numeric_question(void **state)
{
    static const char *const edge[] = {
        "0",
        "00000000",
        "1",
        "15",
        "16",
        "255",
        "256",
        "12345678",
        "22222222",
        "18446744073709551615",
        "18446744073709551616",
        "9999999999999999999999999999999999999999999999999999999999999999",
        "0000000000000000000000000000000000000000000000000000000000000001",
    };
    const char *suite_text = "OCRA-1:HOTP-SHA256-0:QN64";
    struct ocra_suite suite;
    struct ocra_input in = {0};
    char got[OCRA_OUT_SIZE], want[OCRA_OUT_SIZE], question[65];
    uint8_t random[65];

    (void)state;
    parse_or_fail(suite_text, &suite);
    for (size_t i = 0; i < sizeof(edge) / sizeof(edge[0]); i++) {
        in.question = edge[i];
        assert_int_equal(ocra_compute(&suite, test_key, sizeof(test_key), &in, got, sizeof(got)),
                         OTP_OK);
        reference_numeric_response(suite_text, edge[i], want);
        if (strcmp(got, want) != 0)
            fail_msg("question %s encoded differently from BIGNUM", edge[i]);
    }
    for (int round = 0; round < 300; round++) {
        assert_int_equal(RAND_bytes(random, sizeof(random)), 1);
        size_t len = 1 + random[0] % 64;
        for (size_t i = 0; i < len; i++)
            question[i] = (char)('0' + random[i + 1] % 10);
        question[len] = '\0';
        in.question = question;
        assert_int_equal(ocra_compute(&suite, test_key, sizeof(test_key), &in, got, sizeof(got)),
                         OTP_OK);
        reference_numeric_response(suite_text, question, want);
        if (strcmp(got, want) != 0)
            fail_msg("question %s encoded differently from BIGNUM", question);
    }
}

static void
test_pin_hash(void **state)
{
    static const char *const suites[] = {
        "OCRA-1:HOTP-SHA1-6:QN08-PSHA1",
        "OCRA-1:HOTP-SHA1-6:QN08-PSHA256",
        "OCRA-1:HOTP-SHA1-6:QN08-PSHA512",
    };
    static const char *const digests[] = {"SHA1", "SHA256", "SHA512"};
    struct ocra_suite suite;
    uint8_t got[64], want[EVP_MAX_MD_SIZE];
    unsigned int want_len = 0;
    size_t got_len = 0;

    (void)state;
    for (size_t i = 0; i < 3; i++) {
        parse_or_fail(suites[i], &suite);
        assert_int_equal(ocra_pin_hash(&suite, "4711", got, sizeof(got), &got_len), OTP_OK);
        assert_int_equal(EVP_Digest("4711", 4, want, &want_len, EVP_get_digestbyname(digests[i]),
                                    NULL),
                         1);
        assert_int_equal(got_len, want_len);
        assert_memory_equal(got, want, want_len);
    }
    assert_int_equal(ocra_pin_hash(&suite, "4711", got, 63, &got_len), OTP_ERR_ARG);
    assert_int_equal(ocra_pin_hash(&suite, "", got, sizeof(got), &got_len), OTP_ERR_ARG);
    parse_or_fail("OCRA-1:HOTP-SHA1-6:QN08", &suite);
    assert_int_equal(ocra_pin_hash(&suite, "4711", got, sizeof(got), &got_len), OTP_ERR_INPUT);
}

static void
test_code_equal_and_hash_names(void **state)
{
    enum otp_hash hash = OTP_SHA1;

    (void)state;
    assert_true(otp_code_equal("123456", "123456"));
    assert_false(otp_code_equal("123456", "123457"));
    assert_false(otp_code_equal("123456", "12345"));
    assert_false(otp_code_equal("12345", "123456"));
    assert_false(otp_code_equal("", ""));
    assert_false(otp_code_equal(NULL, "1"));
    assert_false(otp_code_equal("1", NULL));

    assert_int_equal(otp_hash_parse("SHA256", &hash), OTP_OK);
    assert_int_equal(hash, OTP_SHA256);
    assert_int_equal(otp_hash_parse("Sha512", &hash), OTP_OK);
    assert_int_equal(hash, OTP_SHA512);
    assert_int_equal(otp_hash_parse("sha384", &hash), OTP_ERR_ARG);
    assert_int_equal(otp_hash_parse("", &hash), OTP_ERR_ARG);
    assert_int_equal(hash, OTP_SHA512);
    assert_string_equal(otp_hash_name(OTP_SHA1), "sha1");
    assert_string_equal(otp_hash_name(OTP_SHA256), "sha256");
    assert_string_equal(otp_hash_name(OTP_SHA512), "sha512");
    assert_null(otp_hash_name((enum otp_hash)42));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hotp_vectors),       cmocka_unit_test(test_totp_vectors),
        cmocka_unit_test(test_ocra_vectors),       cmocka_unit_test(test_hotp_totp_arguments),
        cmocka_unit_test(test_suite_parse_valid),  cmocka_unit_test(test_suite_parse_malformed),
        cmocka_unit_test(test_question_check),     cmocka_unit_test(test_mutual_question),
        cmocka_unit_test(test_question_generate),  cmocka_unit_test(test_ocra_inputs),
        cmocka_unit_test(test_ocra_padding_rules), cmocka_unit_test(test_ocra_numeric_question),
        cmocka_unit_test(test_pin_hash),           cmocka_unit_test(test_code_equal_and_hash_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
