/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_wire.c - frames: round trips, the size cap, truncation, deadlines,
 * text validation and the fixed-layout payloads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/common/wire.h"

static void
test_round_trip(void **state)
{
    int p[2];
    struct wire_frame f;
    const char *text;

    (void)state;
    assert_int_equal(pipe(p), 0);
    assert_int_equal(wire_write_text(p[1], W_PROMPT_ECHO_OFF, "Response: "), WIRE_OK);
    assert_int_equal(wire_write(p[1], W_CANCEL, NULL, 0), WIRE_OK);
    assert_int_equal(wire_read(p[0], &f, wire_now_ms() + 1000), WIRE_OK);
    assert_int_equal(f.type, W_PROMPT_ECHO_OFF);
    assert_int_equal(wire_text(&f, 100, &text), WIRE_OK);
    assert_string_equal(text, "Response: ");
    assert_int_equal(wire_read(p[0], &f, wire_now_ms() + 1000), WIRE_OK);
    assert_int_equal(f.type, W_CANCEL);
    assert_int_equal(f.len, 0);
    close(p[1]);
    assert_int_equal(wire_read(p[0], &f, wire_now_ms() + 1000), WIRE_EOF);
    close(p[0]);
}

static void
test_cap(void **state)
{
    static uint8_t big[WIRE_MAX_PAYLOAD + 1];
    uint8_t hdr[3] = {W_INFO, (WIRE_MAX_PAYLOAD + 1) >> 8, (WIRE_MAX_PAYLOAD + 1) & 0xff};
    struct wire_frame f;
    size_t used;
    int p[2];

    (void)state;
    assert_int_equal(wire_write(1, W_INFO, big, sizeof(big)), WIRE_TOO_BIG);
    assert_int_equal(wire_decode(hdr, sizeof(hdr), &f, &used), WIRE_TOO_BIG);
    assert_int_equal(pipe(p), 0);
    assert_int_equal(write(p[1], hdr, 3), 3);
    assert_int_equal(wire_read(p[0], &f, wire_now_ms() + 1000), WIRE_TOO_BIG);
    close(p[0]);
    close(p[1]);
}

static void
test_truncated_and_timeout(void **state)
{
    uint8_t partial[] = {W_INFO, 0, 5, 'a', 'b'};
    struct wire_frame f;
    size_t used;
    int p[2];

    (void)state;
    assert_int_equal(wire_decode(partial, sizeof(partial), &f, &used), WIRE_TRUNCATED);
    assert_int_equal(wire_decode(partial, 2, &f, &used), WIRE_TRUNCATED);
    assert_int_equal(pipe(p), 0);
    assert_int_equal(write(p[1], partial, sizeof(partial)), (ssize_t)sizeof(partial));
    /* the writer is still there: the deadline ends the wait */
    assert_int_equal(wire_read(p[0], &f, wire_now_ms() + 50), WIRE_TIMEOUT);
    close(p[1]);
    close(p[0]);
    assert_int_equal(pipe(p), 0);
    assert_int_equal(write(p[1], partial, sizeof(partial)), (ssize_t)sizeof(partial));
    close(p[1]);
    assert_int_equal(wire_read(p[0], &f, wire_now_ms() + 1000), WIRE_TRUNCATED);
    close(p[0]);
}

static void
test_text_validation(void **state)
{
    struct wire_frame f = {.type = W_INFO};
    const char *text;

    (void)state;
    memcpy(f.payload, "ab\0c", 4);
    f.len = 4;
    assert_int_equal(wire_text(&f, 100, &text), WIRE_BAD);
    memcpy(f.payload, "\xc3\xa9t\xc3\xa9", 5); /* "été" */
    f.len = 5;
    f.payload[5] = '\0';
    assert_int_equal(wire_text(&f, 100, &text), WIRE_OK);
    assert_int_equal(wire_text(&f, 4, &text), WIRE_BAD);
    /* the decoder itself is tested in test_text.c; here, that frames use it */
    memcpy(f.payload, "a\xc0\xaf", 4); /* an overlong '/' */
    f.len = 3;
    assert_int_equal(wire_text(&f, 100, &text), WIRE_BAD);
}

static void
test_fixed_payloads(void **state)
{
    struct wire_frame f;
    uint16_t version;
    uint32_t flags, budget, delay;
    const char *detail;
    int reason, p[2];

    (void)state;
    f.type = W_START;
    f.len = (uint16_t)wire_put_start(f.payload, WIRE_F_DEBUG | WIRE_F_TRY_FIRST_PASS);
    assert_int_equal(wire_get_start(&f, &version, &flags), WIRE_OK);
    assert_int_equal(version, WIRE_VERSION);
    assert_int_equal(flags, WIRE_F_DEBUG | WIRE_F_TRY_FIRST_PASS);
    f.payload[5] |= 0x80; /* an unknown flag */
    assert_int_equal(wire_get_start(&f, &version, &flags), WIRE_BAD);
    f.len = 5;
    assert_int_equal(wire_get_start(&f, &version, &flags), WIRE_BAD);

    f.type = W_HELLO;
    f.len = (uint16_t)wire_put_hello(f.payload, 12345, 2000);
    assert_int_equal(wire_get_hello(&f, &version, &budget, &delay), WIRE_OK);
    assert_int_equal(budget, 12345);
    assert_int_equal(delay, 2000);
    f.type = W_INFO;
    assert_int_equal(wire_get_hello(&f, &version, &budget, &delay), WIRE_BAD);

    assert_int_equal(pipe(p), 0);
    assert_int_equal(wire_write_result(p[1], 12, "method=otp"), WIRE_OK);
    assert_int_equal(wire_read(p[0], &f, wire_now_ms() + 1000), WIRE_OK);
    assert_int_equal(wire_get_result(&f, &reason, &detail), WIRE_OK);
    assert_int_equal(reason, 12);
    assert_string_equal(detail, "method=otp");
    assert_int_equal(wire_write_result(p[1], 70000, ""), WIRE_BAD);
    close(p[0]);
    close(p[1]);
    f.type = W_RESULT;
    f.len = 1;
    assert_int_equal(wire_get_result(&f, &reason, &detail), WIRE_BAD);
}

/* A reader that stops reading costs a non-blocking writer a bounded wait:
 * the helper's frames to a caller that filled its pipe. */
static void
test_write_to_a_full_pipe_gives_up(void **state)
{
    uint8_t junk[4096] = {0};
    int p[2];

    (void)state;
    assert_int_equal(pipe(p), 0);
    assert_int_equal(fcntl(p[1], F_SETFL, O_NONBLOCK), 0);
    while (write(p[1], junk, sizeof(junk)) > 0)
        ;
    assert_int_equal(wire_write(p[1], W_LOG, junk, 100), WIRE_TIMEOUT);
    close(p[0]);
    close(p[1]);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_cap),
        cmocka_unit_test(test_truncated_and_timeout),
        cmocka_unit_test(test_text_validation),
        cmocka_unit_test(test_fixed_payloads),
        cmocka_unit_test(test_write_to_a_full_pipe_gives_up),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
