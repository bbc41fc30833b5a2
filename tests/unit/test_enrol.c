/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_enrol.c - the enrolment pieces: base32 (RFC 4648 section 10
 * vectors, strict decoding), the otpauth:// URI, keys given as text,
 * random keys, backup codes (hash, verify, single form).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lib/common/reason.h"
#include "lib/core/backup_code.h"
#include "lib/core/base32.h"
#include "lib/core/otpauth.h"
#include "lib/core/otpkey.h"

static const struct {
    const char *plain, *encoded;
} rfc4648[] = {
    {"", ""},
    {"f", "MY======"},
    {"fo", "MZXQ===="},
    {"foo", "MZXW6==="},
    {"foob", "MZXW6YQ="},
    {"fooba", "MZXW6YTB"},
    {"foobar", "MZXW6YTBOI======"},
};

static void
test_base32_rfc4648_vectors(void **state)
{
    char out[64], nopad[64];
    uint8_t back[64];
    size_t n;

    (void)state;
    for (size_t i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
        size_t len = strlen(rfc4648[i].plain);

        assert_true(base32_encode((const uint8_t *)rfc4648[i].plain, len, true, out, sizeof(out)));
        assert_string_equal(out, rfc4648[i].encoded);
        assert_int_equal(base32_encoded_len(len, true), strlen(out));
        assert_true(base32_decode(out, back, sizeof(back), &n));
        assert_int_equal(n, len);
        assert_memory_equal(back, rfc4648[i].plain, len);
        /* without padding, and in lower case, the same bytes */
        assert_true(
            base32_encode((const uint8_t *)rfc4648[i].plain, len, false, nopad, sizeof(nopad)));
        assert_int_equal(strcspn(out, "="), strlen(nopad));
        assert_memory_equal(out, nopad, strlen(nopad));
        for (char *c = nopad; *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                *c = (char)(*c - 'A' + 'a');
        assert_true(base32_decode(nopad, back, sizeof(back), &n));
        assert_int_equal(n, len);
        assert_memory_equal(back, rfc4648[i].plain, len);
    }
    /* the buffer is checked */
    assert_false(base32_encode((const uint8_t *)"foobar", 6, true, out, 16));
    assert_true(base32_encode((const uint8_t *)"foobar", 6, true, out, 17));
    assert_false(base32_decode("MZXW6YTBOI", back, 5, &n));
}

static void
test_base32_strict(void **state)
{
    static const char *const bad[] = {
        "M",         /* 1 leftover character: 5 bits, no byte */
        "MZX",       /* 3 */
        "MZXW6Y",    /* 6 */
        "MZ======",  /* the unused bits of 'Z' are not zero */
        "MY=====",   /* padding short of a group of 8 */
        "MY=======", /* padding past it */
        "MZXW6==="
        "=",                /* one '=' too many */
        "MY======MY======", /* padding inside */
        "MY==M===",
        "M1======",  /* '1' is not in the alphabet */
        "MZXW 6YTB", /* a blank is not base32 */
        "========",
    };
    uint8_t out[32];
    size_t n;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (base32_decode(bad[i], out, sizeof(out), &n))
            fail_msg("'%s' decoded", bad[i]);
}

static void
test_otpauth_uri(void **state)
{
    /* Google's example secret: "Hello!" 0xDE 0xAD 0xBE 0xEF */
    static const uint8_t key[] = {'H', 'e', 'l', 'l', 'o', '!', 0xde, 0xad, 0xbe, 0xef};
    struct otpauth p = {
        .totp = true,
        .key = key,
        .keylen = sizeof(key),
        .issuer = "Example",
        .account = "alice@google.com",
        .hash = OTP_SHA1,
        .digits = 6,
        .period = 30,
    };
    char uri[OTPAUTH_URI_SIZE], err[128];

    (void)state;
    assert_int_equal(otpauth_uri(&p, uri, sizeof(uri), err, sizeof(err)), REASON_OK);
    assert_string_equal(uri, "otpauth://totp/Example:alice%40google.com?secret=JBSWY3DPEHPK3PXP"
                             "&issuer=Example&algorithm=SHA1&digits=6&period=30");

    p.totp = false;
    p.counter = 42;
    p.digits = 8;
    p.hash = OTP_SHA512;
    p.issuer = "ACME Co/ü";
    p.account = "bob smith";
    assert_int_equal(otpauth_uri(&p, uri, sizeof(uri), err, sizeof(err)), REASON_OK);
    assert_string_equal(uri, "otpauth://hotp/ACME%20Co%2F%C3%BC:bob%20smith"
                             "?secret=JBSWY3DPEHPK3PXP&issuer=ACME%20Co%2F%C3%BC"
                             "&algorithm=SHA512&digits=8&counter=42");

    /* what the format cannot carry, and a buffer too small */
    p.account = "a:b";
    assert_int_equal(otpauth_uri(&p, uri, sizeof(uri), err, sizeof(err)), REASON_CONFIG);
    assert_non_null(strstr(err, "account contains ':'"));
    p.account = "";
    assert_int_equal(otpauth_uri(&p, uri, sizeof(uri), err, sizeof(err)), REASON_CONFIG);
    p.account = "bob";
    assert_int_equal(otpauth_uri(&p, uri, 40, err, sizeof(err)), REASON_CONFIG);
    assert_non_null(strstr(err, "longer than 39"));
    assert_null(strstr(uri, "JBSW"));
}

static void
test_key_text(void **state)
{
    uint8_t key[OTP_MAX_KEY];
    size_t n;
    enum otpkey_encoding enc;
    char err[256];

    (void)state;
    assert_int_equal(otpkey_decode_text("  3132333435363738393031323334353637383930\n", key, &n,
                                        &enc, err, sizeof(err)),
                     REASON_OK);
    assert_int_equal(enc, OTPKEY_HEX);
    assert_int_equal(n, 20);
    assert_memory_equal(key, "12345678901234567890", 20);
    /* the same key in base32, as apps show it: groups, lower case */
    assert_int_equal(otpkey_decode_text("gezd gnbv gy3t qojq gezd gnbv gy3t qojq\n", key, &n, &enc,
                                        err, sizeof(err)),
                     REASON_OK);
    assert_int_equal(enc, OTPKEY_BASE32);
    assert_int_equal(n, 20);
    assert_memory_equal(key, "12345678901234567890", 20);
    assert_int_equal(otpkey_decode_text("JBSWY3DPEHPK3PXP====", key, &n, &enc, err, sizeof(err)),
                     REASON_CONFIG);
    assert_int_equal(otpkey_decode_text("31 32", key, &n, &enc, err, sizeof(err)), REASON_CONFIG);
    assert_int_equal(otpkey_decode_text(" \n", key, &n, &enc, err, sizeof(err)), REASON_CONFIG);
    assert_non_null(strstr(err, "empty"));
    assert_int_equal(otpkey_decode_text("not a key!", key, &n, &enc, err, sizeof(err)),
                     REASON_CONFIG);
    assert_null(strstr(err, "not a key"));

    assert_int_equal(otpkey_size(OTP_SHA1), 20);
    assert_int_equal(otpkey_size(OTP_SHA256), 32);
    assert_int_equal(otpkey_size(OTP_SHA512), 64);
    {
        uint8_t a[64] = {0}, b[64] = {0};

        assert_int_equal(otpkey_generate(a, 64, err, sizeof(err)), REASON_OK);
        assert_int_equal(otpkey_generate(b, 64, err, sizeof(err)), REASON_OK);
        assert_memory_not_equal(a, b, 64);
        assert_int_equal(otpkey_generate(a, 0, err, sizeof(err)), REASON_INTERNAL);
    }
}

static void
test_backup_codes(void **state)
{
    char code[BACKUP_CODE_SIZE], other[BACKUP_CODE_SIZE], hash[BACKUP_HASH_SIZE];
    char again[BACKUP_HASH_SIZE], typed[32], err[128];

    (void)state;
    assert_int_equal(backup_code_generate(code, err, sizeof(err)), REASON_OK);
    assert_int_equal(strlen(code), 11);
    assert_int_equal(code[5], '-');
    assert_int_equal(strspn(code, "abcdefghijklmnopqrstuvwxyz234567-"), 11);
    assert_int_equal(backup_code_generate(other, err, sizeof(err)), REASON_OK);
    assert_string_not_equal(code, other);

    assert_int_equal(backup_code_hash(code, hash, err, sizeof(err)), REASON_OK);
    assert_memory_equal(hash, "$y$", 3);
    assert_true(backup_hash_valid(hash));
    assert_null(strstr(hash, code));
    /* salted: the same code hashes differently each time */
    assert_int_equal(backup_code_hash(code, again, err, sizeof(err)), REASON_OK);
    assert_string_not_equal(hash, again);

    assert_true(backup_code_verify(hash, code));
    assert_true(backup_code_verify(again, code));
    /* typed without the dash, in capitals, with blanks */
    snprintf(typed, sizeof(typed), "%.5s %s", code, code + 6);
    for (char *c = typed; *c; c++)
        if (*c >= 'a' && *c <= 'z')
            *c = (char)(*c - 'a' + 'A');
    assert_true(backup_code_verify(hash, typed));
    assert_false(backup_code_verify(hash, other));
    assert_false(backup_code_verify(hash, "123456"));
    assert_false(backup_code_verify(hash, ""));
    snprintf(typed, sizeof(typed), "%sa", code);
    assert_false(backup_code_verify(hash, typed));
    /* a hash cut short or from another method is not checked at all */
    snprintf(again, sizeof(again), "%.*s", (int)strlen(hash) - 1, hash);
    assert_false(backup_hash_valid(again));
    assert_false(backup_code_verify(again, code));
    assert_false(backup_hash_valid("$1$abcdefgh$abcdefghijklmnopqrstuv"));
    assert_false(backup_hash_valid("$y$"));
    assert_int_equal(backup_code_hash("123456", hash, err, sizeof(err)), REASON_INTERNAL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base32_rfc4648_vectors),
        cmocka_unit_test(test_base32_strict),
        cmocka_unit_test(test_otpauth_uri),
        cmocka_unit_test(test_key_text),
        cmocka_unit_test(test_backup_codes),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
