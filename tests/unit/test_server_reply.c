/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_server_reply.c - what a parsed authUser or getChallenge reply means
 * (helper/server_reply.c), for every kind of request: status codes by
 * number and by name, their disagreements, echoes of what was sent, new
 * challenges with and without a refusal, message-only challenges, and the
 * messages a success shows (read back from the conversation's frames).
 */
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "helper/server_impl.h"
#include "lib/common/reason.h"
#include "lib/common/wire.h"

struct fixture {
    struct crauth_config cfg;
    struct conv conv;
    struct session s;
    int shown; /* read end of the conversation's frames */
};

static int
setup(void **state)
{
    static struct fixture f;
    int fds[2];

    memset(&f, 0, sizeof(f));
    assert_int_equal(pipe2(fds, O_CLOEXEC | O_NONBLOCK), 0);
    f.shown = fds[0];
    f.conv.in_fd = -1;
    f.conv.out_fd = fds[1];
    f.s.cfg = &f.cfg;
    f.s.conv = &f.conv;
    f.s.user = "u";
    *state = &f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;

    close(f->shown);
    close(f->conv.out_fd);
    return 0;
}

/* The texts shown since the last call, joined by '|'. */
static void
shown(struct fixture *f, char *out, size_t size)
{
    struct wire_frame fr;
    size_t used = 0;

    struct pollfd pfd = {.fd = f->shown, .events = POLLIN};

    out[0] = '\0';
    /* the frames are in the pipe already: read while there is something */
    while (poll(&pfd, 1, 0) == 1) {
        assert_int_equal(wire_read(f->shown, &fr, wire_now_ms() + 1000), WIRE_OK);
        assert_int_equal(fr.type, W_INFO);
        used += (size_t)snprintf(out + used, size - used, "%s%s", used ? "|" : "",
                                 (const char *)fr.payload);
        assert_true(used < size);
    }
}

static struct soap_reply
codes(int rc, int sc, const char *rc_enum, const char *sc_enum)
{
    struct soap_reply r;

    memset(&r, 0, sizeof(r));
    r.return_code = rc;
    r.status_code = sc;
    snprintf(r.return_enum, sizeof(r.return_enum), "%s", rc_enum);
    snprintf(r.status_enum, sizeof(r.status_enum), "%s", sc_enum);
    return r;
}

static void
with_challenge(struct soap_reply *r, const char *text, const char *key, const char *message)
{
    if (text != NULL) {
        r->has_challenge = true;
        snprintf(r->challenge, sizeof(r->challenge), "%s", text);
    }
    if (key != NULL) {
        r->has_challenge_key = true;
        snprintf(r->challenge_key, sizeof(r->challenge_key), "%s", key);
    }
    if (message != NULL) {
        r->has_challenge_message = true;
        snprintf(r->challenge_message, sizeof(r->challenge_message), "%s", message);
    }
}

static int
interpret(struct fixture *f, const struct soap_reply *r, enum server_step step,
          const struct challenge *answered, struct challenge *next, bool *fresh)
{
    f->s.detail[0] = '\0';
    memset(next, 0x5a, sizeof(*next));
    return server_interpret(&f->s, r, step, answered, 3, next, fresh);
}

static void
test_statuses(void **state)
{
    static const struct {
        int code;
        const char *name;
        int want;
    } cases[] = {
        {1000, "STAT_INVCREDENTIALS", REASON_WRONG_RESPONSE},
        {1011, "STAT_LOCAL_PASSWORD_MISMATCH", REASON_WRONG_RESPONSE},
        {1012, "STAT_OTP_INCORRECT", REASON_WRONG_RESPONSE},
        {1004, "STAT_EXP_CHALLENGE", REASON_CHALLENGE_EXPIRED},
        {1007, "STAT_LOCKED", REASON_LOCKED},
        {1009, "STAT_DISABLED", REASON_ACCOUNT_DISABLED},
        {1010, "STAT_NOT_FOUND", REASON_USER_UNKNOWN},
        {1005, "STAT_PERMISSION", REASON_SERVER_REFUSED},
        /* by number alone, by name alone */
        {1012, "", REASON_WRONG_RESPONSE},
        {1009, "STAT_SOMETHING_NEW", REASON_ACCOUNT_DISABLED},
        {4242, "STAT_OTP_INCORRECT", REASON_WRONG_RESPONSE},
        {4242, "STAT_LOCKED", REASON_LOCKED},
        /* agreeing in meaning, not in name: fine; disagreeing: refused */
        {1000, "STAT_OTP_INCORRECT", REASON_WRONG_RESPONSE},
        {1012, "STAT_LOCKED", REASON_SERVER_REFUSED},
        {1010, "STAT_INVCREDENTIALS", REASON_SERVER_REFUSED},
        /* neither known */
        {4242, "", REASON_SERVER_REFUSED},
        {1008, "STAT_OTP_USED", REASON_SERVER_REFUSED},
        {0, "STAT_SUCCESS", REASON_SERVER_REFUSED}, /* -1/0 */
    };
    struct fixture *f = *state;
    struct challenge next;
    bool fresh;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct soap_reply r = codes(-1, cases[i].code, "RET_FAILURE", cases[i].name);
        int got = interpret(f, &r, STEP_VERDICT, NULL, &next, &fresh);

        if (got != cases[i].want)
            fail_msg("%d %s: %d, want %d (%s)", cases[i].code, cases[i].name, got, cases[i].want,
                     f->s.detail);
        assert_false(fresh);
    }
}

static void
test_success(void **state)
{
    struct fixture *f = *state;
    struct challenge next;
    struct soap_reply r;
    bool fresh;

    r = codes(0, 0, "RET_SUCCESS", "STAT_SUCCESS");
    assert_int_equal(interpret(f, &r, STEP_VERDICT, NULL, &next, &fresh), REASON_OK);
    assert_int_equal(interpret(f, &r, STEP_AUTO, NULL, &next, &fresh), REASON_OK);
    r = codes(0, 0, "", "");
    assert_int_equal(interpret(f, &r, STEP_VERDICT, NULL, &next, &fresh), REASON_OK);
    /* 0/0 under a failure's name, or with a status message, is no success */
    r = codes(0, 0, "RET_SUCCESS", "STAT_OTP_INCORRECT");
    assert_int_equal(interpret(f, &r, STEP_VERDICT, NULL, &next, &fresh), REASON_SERVER_REFUSED);
    r = codes(0, 0, "RET_FAILURE", "STAT_SUCCESS");
    assert_int_equal(interpret(f, &r, STEP_VERDICT, NULL, &next, &fresh), REASON_SERVER_REFUSED);
    r = codes(0, 0, "RET_SUCCESS", "STAT_SUCCESS");
    r.has_status_message = true;
    assert_int_equal(interpret(f, &r, STEP_AUTO, NULL, &next, &fresh), REASON_SERVER_REFUSED);
    /* a request or getChallenge answered without a challenge */
    r = codes(0, 0, "RET_SUCCESS", "STAT_SUCCESS");
    assert_int_equal(interpret(f, &r, STEP_REQUEST, NULL, &next, &fresh), REASON_METHOD_MISMATCH);
    assert_int_equal(interpret(f, &r, STEP_GET_CHALLENGE, NULL, &next, &fresh),
                     REASON_METHOD_MISMATCH);
}

static void
test_echoes(void **state)
{
    struct fixture *f = *state;
    struct challenge answered = {.text = "12345678", .key = "K-1", .server = 0};
    struct challenge client = {.text = "12345678", .server = -1};
    struct challenge next;
    struct soap_reply r;
    bool fresh;

    /* what was sent, sent back with a success: a success */
    r = codes(0, 0, "RET_SUCCESS", "STAT_SUCCESS");
    with_challenge(&r, "12345678", "K-1", NULL);
    assert_int_equal(interpret(f, &r, STEP_VERDICT, &answered, &next, &fresh), REASON_OK);
    assert_false(fresh);
    r = codes(0, 0, "RET_SUCCESS", "STAT_SUCCESS");
    with_challenge(&r, NULL, "K-1", "Enter 12345678");
    assert_int_equal(interpret(f, &r, STEP_AUTO, &answered, &next, &fresh), REASON_OK);
    r = codes(0, 0, "RET_SUCCESS", "STAT_SUCCESS");
    with_challenge(&r, "12345678", NULL, NULL);
    assert_int_equal(interpret(f, &r, STEP_VERDICT, &client, &next, &fresh), REASON_OK);
    /* anything else is a new challenge */
    r = codes(0, 0, "RET_SUCCESS", "STAT_SUCCESS");
    with_challenge(&r, "12345678", "K-2", NULL);
    assert_int_equal(interpret(f, &r, STEP_VERDICT, &answered, &next, &fresh),
                     REASON_METHOD_MISMATCH);
    assert_non_null(strstr(f->s.detail, "answered the response with another challenge"));
    r = codes(0, 0, "RET_SUCCESS", "STAT_SUCCESS");
    with_challenge(&r, NULL, "K-1", NULL);
    assert_int_equal(interpret(f, &r, STEP_VERDICT, &client, &next, &fresh),
                     REASON_METHOD_MISMATCH);
    assert_int_equal(interpret(f, &r, STEP_VERDICT, NULL, &next, &fresh), REASON_METHOD_MISMATCH);
    assert_non_null(strstr(f->s.detail, "method = server-challenge or auto"));
    r = codes(0, 0, "RET_SUCCESS", "STAT_SUCCESS");
    with_challenge(&r, "87654321", "K-1", "Enter 87654321");
    assert_int_equal(interpret(f, &r, STEP_AUTO, &answered, &next, &fresh), SESSION_ANOTHER_ROUND);
    assert_true(fresh);
    assert_string_equal(next.text, "87654321");
    assert_string_equal(next.key, "K-1");
    assert_string_equal(next.message, "Enter 87654321");
    assert_int_equal(next.server, 3);
    assert_int_equal(next.round, 0);
    assert_int_equal(next.expires, 0);
}

static void
test_refusal_with_new_challenge(void **state)
{
    struct fixture *f = *state;
    struct challenge answered = {.text = "12345678", .key = "K-1", .server = 0};
    struct challenge next;
    struct soap_reply r;
    bool fresh;

    r = codes(-1, 1012, "RET_FAILURE", "STAT_OTP_INCORRECT");
    with_challenge(&r, "55554444", "K-2", "Wrong; enter 55554444");
    assert_int_equal(interpret(f, &r, STEP_VERDICT, &answered, &next, &fresh),
                     REASON_WRONG_RESPONSE);
    assert_true(fresh);
    assert_string_equal(next.key, "K-2");
    assert_int_equal(interpret(f, &r, STEP_AUTO, NULL, &next, &fresh), REASON_WRONG_RESPONSE);
    assert_true(fresh);
    /* a step-1 reply is a challenge whatever its codes */
    assert_int_equal(interpret(f, &r, STEP_REQUEST, NULL, &next, &fresh), REASON_OK);
    assert_true(fresh);
    /* the same key back with a refusal: wrong, nothing new */
    r = codes(-1, 1012, "RET_FAILURE", "STAT_OTP_INCORRECT");
    with_challenge(&r, NULL, "K-1", NULL);
    assert_int_equal(interpret(f, &r, STEP_VERDICT, &answered, &next, &fresh),
                     REASON_WRONG_RESPONSE);
    assert_false(fresh);
    /* other refusals stand, challenge or not */
    r = codes(-1, 1007, "RET_FAILURE", "STAT_LOCKED");
    with_challenge(&r, "55554444", "K-2", NULL);
    assert_int_equal(interpret(f, &r, STEP_AUTO, NULL, &next, &fresh), REASON_LOCKED);
    assert_false(fresh);
    /* a status none of ours: auto takes the challenge, a verdict step does not */
    r = codes(1, 4242, "", "");
    with_challenge(&r, "55554444", "K-2", NULL);
    assert_int_equal(interpret(f, &r, STEP_AUTO, NULL, &next, &fresh), SESSION_ANOTHER_ROUND);
    assert_true(fresh);
    assert_int_equal(interpret(f, &r, STEP_VERDICT, &answered, &next, &fresh),
                     REASON_METHOD_MISMATCH);
    assert_int_equal(interpret(f, &r, STEP_GET_CHALLENGE, NULL, &next, &fresh),
                     REASON_SERVER_REFUSED);
}

static void
test_message_only(void **state)
{
    struct fixture *f = *state;
    struct challenge next;
    struct soap_reply r;
    bool fresh;

    r = codes(0, 0, "RET_SUCCESS", "STAT_SUCCESS");
    with_challenge(&r, NULL, NULL, "An OTP has been sent to your phone\x1b[2J");
    assert_int_equal(interpret(f, &r, STEP_REQUEST, NULL, &next, &fresh), REASON_OK);
    assert_true(fresh);
    assert_string_equal(next.text, "");
    assert_string_equal(next.key, "");
    assert_string_equal(next.message, "An OTP has been sent to your phone?[2J");
    assert_int_equal(interpret(f, &r, STEP_AUTO, NULL, &next, &fresh), SESSION_ANOTHER_ROUND);
    /* never a success: the code was only sent */
    assert_int_equal(interpret(f, &r, STEP_VERDICT, NULL, &next, &fresh), REASON_METHOD_MISMATCH);
    r = codes(0, 0, "RET_SUCCESS", "STAT_SUCCESS");
    with_challenge(&r, NULL, "K-9", "sent");
    assert_int_equal(interpret(f, &r, STEP_REQUEST, NULL, &next, &fresh), REASON_OK);
    assert_string_equal(next.key, "K-9");
    /* getChallenge needs the text and the key */
    assert_int_equal(interpret(f, &r, STEP_GET_CHALLENGE, NULL, &next, &fresh),
                     REASON_METHOD_MISMATCH);
    with_challenge(&r, "12345678", NULL, NULL);
    assert_int_equal(interpret(f, &r, STEP_GET_CHALLENGE, NULL, &next, &fresh), REASON_OK);
    assert_string_equal(next.text, "12345678");
}

static void
test_unusable_challenge(void **state)
{
    static const char *const texts[][2] = {
        {"", "K"},
        {"12\n34", "K"},
        {"1234", "K\x7f"},
        {"1234", "K\tx"},
    };
    struct fixture *f = *state;
    struct challenge next;
    bool fresh;

    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        struct soap_reply r = codes(0, 0, "", "");

        with_challenge(&r, texts[i][0], texts[i][1], NULL);
        assert_int_equal(interpret(f, &r, STEP_REQUEST, NULL, &next, &fresh),
                         REASON_MALFORMED_REPLY);
        assert_false(fresh);
    }
}

static void
test_messages_of_a_success(void **state)
{
    struct fixture *f = *state;
    struct challenge next;
    struct soap_reply r;
    char text[2048];
    bool fresh;

    shown(f, text, sizeof(text));
    r = codes(0, 0, "RET_SUCCESS", "STAT_SUCCESS");
    r.has_auxiliary_message = true;
    snprintf(r.auxiliary_message, sizeof(r.auxiliary_message), "Hello\x1b]0;x\x07");
    r.has_password_expire_date = true;
    snprintf(r.password_expire_date, sizeof(r.password_expire_date), "2026-12-31");
    r.has_host_code = true;
    snprintf(r.host_code, sizeof(r.host_code), "502714");
    assert_int_equal(interpret(f, &r, STEP_VERDICT, NULL, &next, &fresh), REASON_OK);
    shown(f, text, sizeof(text));
    assert_string_equal(text, "Hello?]0;x?|Your password expires on 2026-12-31.|"
                              "Host code: 502714 (check it on your token)");
    /* nothing for whoever only names a user */
    r.return_code = -1;
    r.status_code = 1012;
    assert_int_equal(interpret(f, &r, STEP_VERDICT, NULL, &next, &fresh), REASON_WRONG_RESPONSE);
    shown(f, text, sizeof(text));
    assert_string_equal(text, "");
    /* a host code asked for and not sent is noted */
    f->cfg.request_host_code = true;
    r = codes(0, 0, "", "");
    assert_int_equal(interpret(f, &r, STEP_VERDICT, NULL, &next, &fresh), REASON_OK);
    assert_non_null(strstr(f->s.detail, "host_code=not sent by the server"));
    f->cfg.request_host_code = false;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_statuses),
        cmocka_unit_test(test_success),
        cmocka_unit_test(test_echoes),
        cmocka_unit_test(test_refusal_with_new_challenge),
        cmocka_unit_test(test_message_only),
        cmocka_unit_test(test_unusable_challenge),
        cmocka_unit_test(test_messages_of_a_success),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
