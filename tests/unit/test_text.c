/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_text.c - lib/common's text homes: the strict UTF-8 decoder (RFC 3629
 * 3 and its table of well-formed sequences), the control-character rule,
 * the cut at a character boundary and the log sanitiser built on them; the
 * hex codec.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/common/hex.h"
#include "lib/common/log.h"
#include "lib/common/utf8.h"

/* One sequence per row: the bytes, and the code point (or -1: ill-formed). */
static const struct {
    const char *bytes;
    size_t len;
    long cp;
} sequences[] = {
    {"A", 1, 0x41},
    {"\0", 1, 0},
    {"\x7f", 1, 0x7f},
    {"\xc2\x80", 2, 0x80}, /* smallest two-byte */
    {"\xdf\xbf", 2, 0x7ff},
    {"\xe0\xa0\x80", 3, 0x800},  /* smallest three-byte */
    {"\xed\x9f\xbf", 3, 0xd7ff}, /* just below the surrogates */
    {"\xee\x80\x80", 3, 0xe000}, /* just above them */
    {"\xef\xbf\xbf", 3, 0xffff},
    {"\xf0\x90\x80\x80", 4, 0x10000}, /* smallest four-byte */
    {"\xf0\x9d\x84\x9e", 4, 0x1d11e},
    {"\xf4\x8f\xbf\xbf", 4, 0x10ffff}, /* the last code point */
    /* overlong forms */
    {"\xc0\xaf", 2, -1}, /* '/' */
    {"\xc1\xbf", 2, -1},
    {"\xe0\x80\xaf", 3, -1},
    {"\xe0\x9f\xbf", 3, -1},
    {"\xf0\x80\x80\xaf", 4, -1},
    {"\xf0\x8f\xbf\xbf", 4, -1},
    /* surrogates, one and paired (CESU-8) */
    {"\xed\xa0\x80", 3, -1}, /* U+D800 */
    {"\xed\xbf\xbf", 3, -1}, /* U+DFFF */
    {"\xed\xa0\xbd\xed\xb2\xa9", 6, -1},
    /* above U+10FFFF, and lead bytes no sequence may start with */
    {"\xf4\x90\x80\x80", 4, -1},
    {"\xf7\xbf\xbf\xbf", 4, -1},
    {"\xf8\x88\x80\x80\x80", 5, -1},
    {"\xfe", 1, -1},
    {"\xff", 1, -1},
    /* stray continuation bytes, and sequences cut short */
    {"\x80", 1, -1},
    {"\xbf", 1, -1},
    {"\xc3", 1, -1},
    {"\xe2\x82", 2, -1},
    {"\xf0\x9d\x84", 3, -1},
    {"\xe2\x28\xa1", 3, -1}, /* a continuation byte replaced by '(' */
};

static void
test_utf8_next(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(sequences) / sizeof(sequences[0]); i++) {
        uint32_t cp = 0xdeadbeef;
        size_t n = utf8_next(sequences[i].bytes, sequences[i].len, &cp);

        if (sequences[i].cp < 0) {
            if (n != 0)
                fail_msg("row %zu: ill-formed bytes read as U+%04X", i, (unsigned)cp);
        } else {
            if (n != sequences[i].len || cp != (uint32_t)sequences[i].cp)
                fail_msg("row %zu: read %zu bytes as U+%04X", i, n, (unsigned)cp);
        }
        assert_int_equal(utf8_valid(sequences[i].bytes, sequences[i].len), sequences[i].cp >= 0);
    }
    /* the decoder never reads past what it is given */
    assert_int_equal(utf8_next("\xf0\x9d\x84\x9e", 3, &(uint32_t){0}), 0);
    assert_int_equal(utf8_next("A", 0, &(uint32_t){0}), 0);
}

static void
test_utf8_valid_strings(void **state)
{
    (void)state;
    assert_true(utf8_valid("", 0));
    assert_true(utf8_valid("d\xc3\xa9j\xc3\xa0 vu \xe2\x82\xac", 13)); /* "déjà vu €" */
    assert_false(utf8_valid("abc\xc3", 4));                            /* cut at the end */
    assert_false(utf8_valid("\xc3\xa9\x80", 3));                       /* one byte too many */
    assert_true(utf8_valid("a\0b", 3));                                /* NUL is the caller's */
}

static void
test_utf8_fit(void **state)
{
    const char *s = "a\xc3\xa9\xe2\x82\xac"; /* a é € : 1 + 2 + 3 bytes */

    (void)state;
    assert_int_equal(utf8_fit(s, 6, 10), 6);
    assert_int_equal(utf8_fit(s, 6, 6), 6);
    assert_int_equal(utf8_fit(s, 6, 5), 3); /* the euro sign would be cut: it goes */
    assert_int_equal(utf8_fit(s, 6, 4), 3);
    assert_int_equal(utf8_fit(s, 6, 3), 3);
    assert_int_equal(utf8_fit(s, 6, 2), 1); /* é would be cut */
    assert_int_equal(utf8_fit(s, 6, 0), 0);
}

static void
test_controls(void **state)
{
    (void)state;
    assert_true(utf8_is_control(0));
    assert_true(utf8_is_control('\n'));
    assert_true(utf8_is_control(0x1f));
    assert_false(utf8_is_control(' '));
    assert_false(utf8_is_control('~'));
    assert_true(utf8_is_control(0x7f));
    assert_true(utf8_is_control(0x9b)); /* CSI */
    assert_true(utf8_is_control(0x9f));
    assert_false(utf8_is_control(0xa0));
    assert_false(utf8_is_control(0x2028));

    assert_true(text_is_printable(""));
    assert_true(text_is_printable("Challenge: 1234 (\xc3\xa9t\xc3\xa9)"));
    assert_false(text_is_printable("a\tb"));
    assert_false(text_is_printable("line\n"));
    assert_false(text_is_printable("\x1b[2J"));
    assert_false(text_is_printable("del\x7f"));
    assert_false(text_is_printable("\xc2\x9b"
                                   "2J"));      /* the one-byte CSI, in UTF-8 */
    assert_true(text_is_printable("\xc2\xa0")); /* NBSP is text */
    /* bytes that are not UTF-8 are not this function's question */
    assert_true(text_is_printable("latin-1 \xe9t\xe9"));
}

static void
test_log_sanitize(void **state)
{
    char out[64];

    (void)state;
    log_sanitize("plain \xc3\xa9t\xc3\xa9", out, sizeof(out));
    assert_string_equal(out, "plain \xc3\xa9t\xc3\xa9");
    log_sanitize("a\nb\x1b[1m\x7f\xc2\x9b", out, sizeof(out));
    assert_string_equal(out, "a?b?[1m??");
    log_sanitize("bad \xc0\xaf \xed\xa0\x80 \xe2\x82", out, sizeof(out));
    assert_string_equal(out, "bad ?? ??? ??");
    log_sanitize_lines("one\ntwo\r\n", out, sizeof(out));
    assert_string_equal(out, "one\ntwo?\n");
    /* cut at a character boundary, never inside one */
    log_sanitize("ab\xe2\x82\xac", out, 5);
    assert_string_equal(out, "ab");
    log_sanitize("x", out, 1);
    assert_string_equal(out, "");
}

static void
test_hex_encode(void **state)
{
    static const uint8_t bytes[] = {0x00, 0x0f, 0xa5, 0xff};
    char out[9];

    (void)state;
    assert_int_equal(hex_encode(bytes, 4, out, sizeof(out)), 0);
    assert_string_equal(out, "000fa5ff"); /* lower case, two digits a byte */
    assert_int_equal(hex_encode(bytes, 0, out, 1), 0);
    assert_string_equal(out, "");
    memset(out, 'x', sizeof(out));
    assert_int_equal(hex_encode(bytes, 4, out, 8), -1); /* no room for the NUL */
    assert_int_equal(out[0], 'x');                      /* and nothing written */
}

static void
test_hex_decode(void **state)
{
    uint8_t out[4] = {0xff, 0xff, 0xff, 0xff};
    size_t len = 99;

    (void)state;
    assert_int_equal(hex_decode("aBcD", 4, out, sizeof(out), &len), 0);
    assert_int_equal(len, 2);
    assert_int_equal(out[0], 0xab);
    assert_int_equal(out[1], 0xcd);
    assert_int_equal(hex_decode("00FFa5", 6, out, sizeof(out), &len), 0); /* upper case */
    assert_int_equal(len, 3);
    assert_memory_equal(out, "\x00\xff\xa5", 3);
    assert_int_equal(hex_decode("", 0, out, sizeof(out), &len), 0);
    assert_int_equal(len, 0);
    assert_int_equal(hex_decode("abcdef", 4, out, sizeof(out), &len), 0); /* only @hexlen */
    assert_int_equal(len, 2);
    assert_int_equal(hex_decode("abc", 3, out, sizeof(out), &len), -1); /* odd */
    assert_int_equal(len, 0);
    assert_int_equal(hex_decode("a", 1, out, sizeof(out), &len), -1);
    assert_int_equal(hex_decode("zz", 2, out, sizeof(out), &len), -1);
    assert_int_equal(hex_decode("0x12", 4, out, sizeof(out), &len), -1);
    assert_int_equal(hex_decode("12 34", 5, out, sizeof(out), &len), -1);
    assert_int_equal(hex_decode("+1", 2, out, sizeof(out), &len), -1);
    assert_int_equal(hex_decode("1\0", 2, out, sizeof(out), &len), -1);
    assert_int_equal(hex_decode("0102030405", 10, out, sizeof(out), &len), -1); /* too long */
    /* a partly decoded secret is not left behind */
    memset(out, 0xff, sizeof(out));
    assert_int_equal(hex_decode("aabbzz", 6, out, sizeof(out), &len), -1);
    assert_int_equal(len, 0);
    assert_memory_equal(out, "\0\0\xff\xff", 4);
    for (int c = 0; c < 256; c++) {
        int want = c >= '0' && c <= '9'   ? c - '0'
                   : c >= 'a' && c <= 'f' ? c - 'a' + 10
                   : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                          : -1;

        assert_int_equal(hex_digit_value((char)c), want);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_next),    cmocka_unit_test(test_utf8_valid_strings),
        cmocka_unit_test(test_utf8_fit),     cmocka_unit_test(test_controls),
        cmocka_unit_test(test_log_sanitize), cmocka_unit_test(test_hex_encode),
        cmocka_unit_test(test_hex_decode),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
