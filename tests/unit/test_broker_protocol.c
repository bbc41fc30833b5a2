/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_broker_protocol.c - the helper <-> crauth-broker messages
 * (lib/broker/protocol.c): HELLO, the call and the outcome, each round trip
 * field by field, and the reader's refusal of what a confused or hostile
 * peer may send (frames out of order, repeated, missing, too long, odd
 * text, unknown bits).  The helper acts on what it decodes and the broker
 * forwards secrets it reads, so both readers must be exact and strict.
 * Writer and reader share one process over a socketpair; every message
 * here fits the socket buffer, so it is written whole before it is read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/broker/protocol.h"
#include "lib/common/reason.h"
#include "lib/common/wire.h"

#define SOON() (wire_now_ms() + 1000)

static void
pair(int sv[2])
{
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
}

static void
unpair(int sv[2])
{
    close(sv[0]);
    close(sv[1]);
}

/* Nothing at all is waiting on @fd. */
static void
assert_nothing_sent(int fd)
{
    char c;

    assert_int_equal(recv(fd, &c, 1, MSG_DONTWAIT), -1);
    assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
}

static bool
all_zero(const void *p, size_t len)
{
    const unsigned char *b = p;

    for (size_t i = 0; i < len; i++)
        if (b[i] != 0)
            return false;
    return true;
}

/* ---- HELLO ---- */

static void
test_hello_round_trip(void **state)
{
    char err[128] = "untouched";
    int sv[2];

    (void)state;
    pair(sv);
    assert_int_equal(broker_put_hello(sv[0]), WIRE_OK);
    assert_int_equal(broker_put_hello(sv[1]), WIRE_OK);
    assert_int_equal(broker_get_hello(sv[1], SOON(), err, sizeof(err)), WIRE_OK);
    assert_int_equal(broker_get_hello(sv[0], SOON(), err, sizeof(err)), WIRE_OK);
    unpair(sv);
}

static void
test_hello_busy(void **state)
{
    char err[128] = "";
    int sv[2];

    (void)state;
    pair(sv);
    assert_int_equal(wire_write_text(sv[0], B_BUSY, "too many calls in flight"), WIRE_OK);
    assert_int_equal(broker_get_hello(sv[1], SOON(), err, sizeof(err)), WIRE_BAD);
    assert_non_null(strstr(err, "busy"));
    assert_non_null(strstr(err, "too many calls in flight"));
    unpair(sv);
}

static void
test_hello_other_version(void **state)
{
    uint8_t v2[2] = {0, BROKER_PROTOCOL + 1};
    uint8_t v_long[3] = {0, BROKER_PROTOCOL, 0};
    char err[128] = "";
    int sv[2];

    (void)state;
    pair(sv);
    assert_int_equal(wire_write(sv[0], B_HELLO, v2, sizeof(v2)), WIRE_OK);
    /* the right version in a payload of the wrong length */
    assert_int_equal(wire_write(sv[0], B_HELLO, v_long, sizeof(v_long)), WIRE_OK);
    /* a frame of the module's protocol, not the broker's */
    assert_int_equal(wire_write(sv[0], W_HELLO, v2, sizeof(v2)), WIRE_OK);
    assert_int_equal(broker_get_hello(sv[1], SOON(), err, sizeof(err)), WIRE_BAD);
    assert_non_null(strstr(err, "another protocol"));
    assert_int_equal(broker_get_hello(sv[1], SOON(), err, sizeof(err)), WIRE_BAD);
    assert_int_equal(broker_get_hello(sv[1], SOON(), err, sizeof(err)), WIRE_BAD);
    unpair(sv);
}

static void
test_hello_eof_and_timeout(void **state)
{
    char err[128] = "";
    int sv[2];

    (void)state;
    pair(sv);
    assert_int_equal(broker_get_hello(sv[1], wire_now_ms() - 1, err, sizeof(err)), WIRE_TIMEOUT);
    assert_string_equal(err, "no HELLO in time");
    close(sv[0]);
    assert_int_equal(broker_get_hello(sv[1], SOON(), err, sizeof(err)), WIRE_EOF);
    assert_string_equal(err, "closed before HELLO");
    close(sv[1]);
}

/* ---- the call ---- */

static void
assert_opt_string(const char *got, const char *want)
{
    if (want == NULL)
        assert_null(got);
    else {
        assert_non_null(got);
        assert_string_equal(got, want);
    }
}

static void
assert_same_request(const struct soap_request *got, const struct soap_request *want)
{
    assert_int_equal(got->operation, want->operation);
    assert_int_equal(got->password_format, want->password_format);
    assert_opt_string(got->userid, want->userid);
    assert_opt_string(got->domain, want->domain);
    assert_opt_string(got->component, want->component);
    assert_opt_string(got->password, want->password);
    assert_opt_string(got->static_password, want->static_password);
    assert_opt_string(got->challenge, want->challenge);
    assert_opt_string(got->challenge_key, want->challenge_key);
    assert_opt_string(got->dp_response, want->dp_response);
    assert_opt_string(got->request_host_code, want->request_host_code);
}

static void
call_round_trip(const char *conf, const char *url, unsigned index, const struct soap_request *req)
{
    struct broker_request got;
    int sv[2];

    pair(sv);
    assert_int_equal(broker_put_call(sv[0], conf, url, index, req), WIRE_OK);
    assert_int_equal(broker_get_call(sv[1], SOON(), &got), WIRE_OK);
    assert_string_equal(got.conf, conf);
    assert_string_equal(got.url, url);
    assert_int_equal(got.index, index);
    assert_same_request(&got.req, req);
    /* the message ends with B_END: nothing of it is left unread */
    assert_nothing_sent(sv[1]);
    broker_request_free(&got);
    assert_null(got.conf);
    assert_null(got.url);
    assert_null(got.req.userid);
    assert_null(got.req.password);
    for (size_t i = 0; i < sizeof(got.field) / sizeof(got.field[0]); i++)
        assert_null(got.field[i]);
    unpair(sv);
}

static void
test_call_all_fields(void **state)
{
    /* every field its own value, so a field decoded into another's slot shows */
    const struct soap_request req = {
        .userid = "j\xc3\xbcrgen",
        .domain = "example.org",
        .component = "PAM",
        .password_format = 0xfedcba98u,
        .password = "123456",
        .static_password = "s3cret static",
        .challenge = "4711",
        .challenge_key = "key-0815",
        .dp_response = "99887766",
        .request_host_code = "Yes",
        .operation = SOAP_AUTH_USER,
    };

    (void)state;
    call_round_trip("/etc/security/crauth.conf", "https://auth.example.org:8888/", 255, &req);
}

static void
test_call_null_fields(void **state)
{
    /* NULL is "not sent" and stays NULL; "" is sent and stays "" */
    const struct soap_request req = {
        .userid = "alice",
        .domain = "",
        .component = "PAM",
        .password_format = 0,
        .challenge_key = "k",
        .operation = SOAP_GET_CHALLENGE,
    };
    const struct soap_request last_only = {
        .request_host_code = "No",
        .password_format = 1,
    };

    (void)state;
    call_round_trip("/etc/crauth.conf", "https://a/", 0, &req);
    call_round_trip("", "", 7, &last_only);
}

/* B_CONF, B_URL and a B_CALL with @call (@len bytes) */
static void
put_head(int fd, const uint8_t *call, size_t len)
{
    assert_int_equal(wire_write_text(fd, B_CONF, "/etc/crauth.conf"), WIRE_OK);
    assert_int_equal(wire_write_text(fd, B_URL, "https://a/"), WIRE_OK);
    assert_int_equal(wire_write(fd, B_CALL, call, len), WIRE_OK);
}

static const uint8_t good_call[6] = {1, SOAP_AUTH_USER, 0, 0, 0, 2};

/* Read a call from what was written on @sv[0] (then closed) and expect
 * @want, or (want == WIRE_OK meaning "any failure") anything but WIRE_OK;
 * the request must come back empty either way. */
static void
assert_call_refused(int sv[2], int want)
{
    struct broker_request got;
    int rc;

    close(sv[0]);
    memset(&got, 0xa5, sizeof(got));
    rc = broker_get_call(sv[1], SOON(), &got);
    if (want == WIRE_OK)
        assert_int_not_equal(rc, WIRE_OK);
    else
        assert_int_equal(rc, want);
    assert_null(got.conf);
    assert_null(got.url);
    for (size_t i = 0; i < sizeof(got.field) / sizeof(got.field[0]); i++)
        assert_null(got.field[i]);
    assert_true(all_zero(&got.req, sizeof(got.req)));
    close(sv[1]);
}

static void
test_call_control(void **state)
{
    /* the hand-written frames the refusals below vary are themselves good */
    struct broker_request got;
    int sv[2];

    (void)state;
    pair(sv);
    put_head(sv[0], good_call, sizeof(good_call));
    assert_int_equal(wire_write_text(sv[0], B_FIELD + 0, "bob"), WIRE_OK);
    assert_int_equal(wire_write_text(sv[0], B_FIELD + 3, "pw"), WIRE_OK);
    assert_int_equal(wire_write(sv[0], B_END, NULL, 0), WIRE_OK);
    assert_int_equal(broker_get_call(sv[1], SOON(), &got), WIRE_OK);
    assert_int_equal(got.index, 1);
    assert_int_equal(got.req.password_format, 2);
    assert_string_equal(got.req.userid, "bob");
    assert_string_equal(got.req.password, "pw");
    assert_null(got.req.domain);
    broker_request_free(&got);
    unpair(sv);
}

static void
test_call_fields_out_of_order(void **state)
{
    int sv[2];

    (void)state;
    pair(sv);
    put_head(sv[0], good_call, sizeof(good_call));
    assert_int_equal(wire_write_text(sv[0], B_FIELD + 3, "pw"), WIRE_OK);
    assert_int_equal(wire_write_text(sv[0], B_FIELD + 1, "dom"), WIRE_OK);
    assert_int_equal(wire_write(sv[0], B_END, NULL, 0), WIRE_OK);
    assert_call_refused(sv, WIRE_BAD);
}

static void
test_call_field_repeated(void **state)
{
    int sv[2];

    (void)state;
    pair(sv);
    put_head(sv[0], good_call, sizeof(good_call));
    assert_int_equal(wire_write_text(sv[0], B_FIELD + 0, "alice"), WIRE_OK);
    assert_int_equal(wire_write_text(sv[0], B_FIELD + 0, "root"), WIRE_OK);
    assert_int_equal(wire_write(sv[0], B_END, NULL, 0), WIRE_OK);
    assert_call_refused(sv, WIRE_BAD);
}

static void
test_call_unknown_field(void **state)
{
    int sv[2];

    (void)state;
    pair(sv);
    put_head(sv[0], good_call, sizeof(good_call));
    assert_int_equal(wire_write_text(sv[0], B_FIELD + 9, "x"), WIRE_OK);
    assert_int_equal(wire_write(sv[0], B_END, NULL, 0), WIRE_OK);
    assert_call_refused(sv, WIRE_BAD);
}

static void
test_call_bad_operation(void **state)
{
    uint8_t call[6] = {0, 2, 0, 0, 0, 0};
    int sv[2];

    (void)state;
    pair(sv);
    put_head(sv[0], call, sizeof(call));
    assert_int_equal(wire_write(sv[0], B_END, NULL, 0), WIRE_OK);
    assert_call_refused(sv, WIRE_BAD);
}

static void
test_call_bad_call_length(void **state)
{
    uint8_t call[7] = {0, 0, 0, 0, 0, 0, 0};
    int sv[2];

    (void)state;
    pair(sv);
    put_head(sv[0], call, 5);
    assert_int_equal(wire_write(sv[0], B_END, NULL, 0), WIRE_OK);
    assert_call_refused(sv, WIRE_BAD);
    pair(sv);
    put_head(sv[0], call, 7);
    assert_int_equal(wire_write(sv[0], B_END, NULL, 0), WIRE_OK);
    assert_call_refused(sv, WIRE_BAD);
}

static void
test_call_bad_text(void **state)
{
    int sv[2];

    (void)state;
    /* a NUL inside a field */
    pair(sv);
    put_head(sv[0], good_call, sizeof(good_call));
    assert_int_equal(wire_write(sv[0], B_FIELD + 0, "ro\0ot", 5), WIRE_OK);
    assert_int_equal(wire_write(sv[0], B_END, NULL, 0), WIRE_OK);
    assert_call_refused(sv, WIRE_BAD);
    /* invalid UTF-8 in a field */
    pair(sv);
    put_head(sv[0], good_call, sizeof(good_call));
    assert_int_equal(wire_write(sv[0], B_FIELD + 3, "pw\xff", 3), WIRE_OK);
    assert_int_equal(wire_write(sv[0], B_END, NULL, 0), WIRE_OK);
    assert_call_refused(sv, WIRE_BAD);
    /* invalid UTF-8 (an overlong '/') in the configuration's path */
    pair(sv);
    assert_int_equal(wire_write(sv[0], B_CONF, "/etc\xc0\xaf", 6), WIRE_OK);
    assert_int_equal(wire_write_text(sv[0], B_URL, "https://a/"), WIRE_OK);
    assert_int_equal(wire_write(sv[0], B_CALL, good_call, sizeof(good_call)), WIRE_OK);
    assert_int_equal(wire_write(sv[0], B_END, NULL, 0), WIRE_OK);
    assert_call_refused(sv, WIRE_BAD);
    /* a NUL in the url */
    pair(sv);
    assert_int_equal(wire_write_text(sv[0], B_CONF, "/etc/crauth.conf"), WIRE_OK);
    assert_int_equal(wire_write(sv[0], B_URL, "https://a/\0b", 12), WIRE_OK);
    assert_int_equal(wire_write(sv[0], B_CALL, good_call, sizeof(good_call)), WIRE_OK);
    assert_int_equal(wire_write(sv[0], B_END, NULL, 0), WIRE_OK);
    assert_call_refused(sv, WIRE_BAD);
}

static void
test_call_missing_end(void **state)
{
    int sv[2];

    (void)state;
    pair(sv);
    put_head(sv[0], good_call, sizeof(good_call));
    assert_int_equal(wire_write_text(sv[0], B_FIELD + 0, "alice"), WIRE_OK);
    assert_call_refused(sv, WIRE_OK); /* any failure */
    /* a B_END that carries something is not the end */
    pair(sv);
    put_head(sv[0], good_call, sizeof(good_call));
    assert_int_equal(wire_write(sv[0], B_END, "x", 1), WIRE_OK);
    assert_call_refused(sv, WIRE_BAD);
}

static void
test_call_wrong_first_frame(void **state)
{
    int sv[2];

    (void)state;
    /* the url first */
    pair(sv);
    assert_int_equal(wire_write_text(sv[0], B_URL, "https://a/"), WIRE_OK);
    assert_int_equal(wire_write_text(sv[0], B_CONF, "/etc/crauth.conf"), WIRE_OK);
    assert_int_equal(wire_write(sv[0], B_CALL, good_call, sizeof(good_call)), WIRE_OK);
    assert_int_equal(wire_write(sv[0], B_END, NULL, 0), WIRE_OK);
    assert_call_refused(sv, WIRE_BAD);
    /* a second HELLO */
    pair(sv);
    assert_int_equal(broker_put_hello(sv[0]), WIRE_OK);
    assert_call_refused(sv, WIRE_BAD);
    /* no B_URL */
    pair(sv);
    assert_int_equal(wire_write_text(sv[0], B_CONF, "/etc/crauth.conf"), WIRE_OK);
    assert_int_equal(wire_write(sv[0], B_CALL, good_call, sizeof(good_call)), WIRE_OK);
    assert_int_equal(wire_write(sv[0], B_END, NULL, 0), WIRE_OK);
    assert_call_refused(sv, WIRE_BAD);
    /* nothing at all: the helper's HELLO-only check */
    pair(sv);
    assert_call_refused(sv, WIRE_EOF);
}

static void
test_put_call_refuses(void **state)
{
    static char long_value[SOAP_MAX_VALUE + 2];
    struct soap_request req = {.userid = "alice", .component = "PAM"};
    struct broker_request got;
    int sv[2];

    (void)state;
    pair(sv);
    assert_int_equal(broker_put_call(sv[0], "/etc/crauth.conf", "https://a/", 256, &req), WIRE_BAD);
    /* refused before a byte was written */
    assert_nothing_sent(sv[1]);
    /* an invalid UTF-8 url is refused by name, not sent */
    assert_int_equal(broker_put_call(sv[0], "/etc/crauth.conf", "https://\xff/", 0, &req),
                     WIRE_BAD);
    assert_nothing_sent(sv[1]);
    unpair(sv);

    /* a field one byte over: refused; what went out is no call */
    memset(long_value, 'a', SOAP_MAX_VALUE + 1);
    req.password = long_value;
    pair(sv);
    assert_int_equal(broker_put_call(sv[0], "/etc/crauth.conf", "https://a/", 0, &req), WIRE_BAD);
    close(sv[0]);
    assert_int_not_equal(broker_get_call(sv[1], SOON(), &got), WIRE_OK);
    close(sv[1]);

    /* exactly SOAP_MAX_VALUE bytes still travel */
    long_value[SOAP_MAX_VALUE] = '\0';
    call_round_trip("/etc/crauth.conf", "https://a/", 0, &req);
}

/* ---- the outcome ---- */

static void
fill_text(char *dst, size_t size, char c)
{
    memset(dst, c, size - 1);
    dst[size - 1] = '\0';
}

/* A reply with every int set, the flags mixed, and every text at its
 * longest; a UTF-8 sequence in one so that bytes over 0x7f travel too. */
static void
full_reply(struct soap_reply *r)
{
    memset(r, 0, sizeof(*r));
    r->return_code = -12345;
    r->status_code = 0x7fffffff;
    r->error_code = (int)0x80000001u;
    r->has_challenge = true;
    r->has_challenge_key = false;
    r->has_challenge_message = true;
    r->has_status_message = false;
    r->has_auxiliary_message = true;
    r->has_password_expire_date = false;
    r->has_host_code = true;
    fill_text(r->return_enum, sizeof(r->return_enum), 'A');
    fill_text(r->status_enum, sizeof(r->status_enum), 'B');
    fill_text(r->challenge, sizeof(r->challenge), 'C');
    fill_text(r->challenge_key, sizeof(r->challenge_key), 'D');
    fill_text(r->challenge_message, sizeof(r->challenge_message), 'E');
    memcpy(r->challenge_message, "\xc3\xa9", 2);
    fill_text(r->status_message, sizeof(r->status_message), 'F');
    fill_text(r->auxiliary_message, sizeof(r->auxiliary_message), 'G');
    fill_text(r->password_expire_date, sizeof(r->password_expire_date), 'H');
    fill_text(r->host_code, sizeof(r->host_code), 'I');
    fill_text(r->error_desc, sizeof(r->error_desc), 'J');
    fill_text(r->fault_code, sizeof(r->fault_code), 'K');
    fill_text(r->fault_string, sizeof(r->fault_string), 'L');
}

static void
assert_same_reply(const struct soap_reply *got, const struct soap_reply *want)
{
    assert_int_equal(got->return_code, want->return_code);
    assert_int_equal(got->status_code, want->status_code);
    assert_int_equal(got->error_code, want->error_code);
    assert_int_equal(got->has_challenge, want->has_challenge);
    assert_int_equal(got->has_challenge_key, want->has_challenge_key);
    assert_int_equal(got->has_challenge_message, want->has_challenge_message);
    assert_int_equal(got->has_status_message, want->has_status_message);
    assert_int_equal(got->has_auxiliary_message, want->has_auxiliary_message);
    assert_int_equal(got->has_password_expire_date, want->has_password_expire_date);
    assert_int_equal(got->has_host_code, want->has_host_code);
    assert_string_equal(got->return_enum, want->return_enum);
    assert_string_equal(got->status_enum, want->status_enum);
    assert_string_equal(got->challenge, want->challenge);
    assert_string_equal(got->challenge_key, want->challenge_key);
    assert_string_equal(got->challenge_message, want->challenge_message);
    assert_string_equal(got->status_message, want->status_message);
    assert_string_equal(got->auxiliary_message, want->auxiliary_message);
    assert_string_equal(got->password_expire_date, want->password_expire_date);
    assert_string_equal(got->host_code, want->host_code);
    assert_string_equal(got->error_desc, want->error_desc);
    assert_string_equal(got->fault_code, want->fault_code);
    assert_string_equal(got->fault_string, want->fault_string);
    /* and nothing else: both were zeroed before they were filled */
    assert_memory_equal(got, want, sizeof(*got));
}

static void
test_outcome_ok(void **state)
{
    struct soap_reply sent, got;
    char err[128] = "untouched";
    int reason = -1, sv[2];

    (void)state;
    full_reply(&sent);
    pair(sv);
    assert_int_equal(broker_put_outcome(sv[0], REASON_OK, "", &sent), WIRE_OK);
    assert_int_equal(broker_get_outcome(sv[1], SOON(), &reason, err, sizeof(err), &got), WIRE_OK);
    assert_int_equal(reason, REASON_OK);
    assert_string_equal(err, "");
    assert_same_reply(&got, &sent);
    assert_nothing_sent(sv[1]);

    /* the other flags and empty texts */
    memset(&sent, 0, sizeof(sent));
    sent.has_challenge_key = true;
    sent.has_status_message = true;
    sent.has_password_expire_date = true;
    sent.return_code = 1;
    assert_int_equal(broker_put_outcome(sv[0], REASON_OK, NULL, &sent), WIRE_OK);
    memset(&got, 0x5a, sizeof(got));
    assert_int_equal(broker_get_outcome(sv[1], SOON(), &reason, err, sizeof(err), &got), WIRE_OK);
    assert_int_equal(reason, REASON_OK);
    assert_string_equal(err, "");
    assert_same_reply(&got, &sent);
    unpair(sv);
}

static void
test_outcome_fault(void **state)
{
    struct soap_reply sent, got;
    char err[128] = "";
    int reason = -1, sv[2];

    (void)state;
    memset(&sent, 0, sizeof(sent));
    strcpy(sent.fault_code, "soapenv:Server");
    strcpy(sent.fault_string, "Internal Error");
    sent.error_code = -1;
    pair(sv);
    assert_int_equal(broker_put_outcome(sv[0], REASON_SOAP_FAULT, "fault: Internal Error", &sent),
                     WIRE_OK);
    assert_int_equal(broker_get_outcome(sv[1], SOON(), &reason, err, sizeof(err), &got), WIRE_OK);
    assert_int_equal(reason, REASON_SOAP_FAULT);
    assert_string_equal(err, "fault: Internal Error");
    assert_same_reply(&got, &sent);
    unpair(sv);
}

static void
test_outcome_other_reason(void **state)
{
    struct soap_reply sent, got;
    struct wire_frame f;
    char err[128] = "";
    int reason = -1, sv[2];

    (void)state;
    full_reply(&sent); /* not sent: a server that did not answer has no reply */
    pair(sv);
    assert_int_equal(broker_put_outcome(sv[0], REASON_SERVER_UNREACHABLE,
                                        "https://a/: connect: Connection refused", &sent),
                     WIRE_OK);
    /* on the wire: B_OUTCOME then B_END, nothing between */
    assert_int_equal(wire_read(sv[1], &f, SOON()), WIRE_OK);
    assert_int_equal(f.type, B_OUTCOME);
    assert_int_equal(wire_read(sv[1], &f, SOON()), WIRE_OK);
    assert_int_equal(f.type, B_END);
    assert_int_equal(f.len, 0);

    assert_int_equal(broker_put_outcome(sv[0], REASON_SERVER_UNREACHABLE,
                                        "https://a/: connect: Connection refused", &sent),
                     WIRE_OK);
    memset(&got, 0x5a, sizeof(got));
    assert_int_equal(broker_get_outcome(sv[1], SOON(), &reason, err, sizeof(err), &got), WIRE_OK);
    assert_int_equal(reason, REASON_SERVER_UNREACHABLE);
    assert_string_equal(err, "https://a/: connect: Connection refused");
    assert_true(all_zero(&got, sizeof(got)));
    assert_nothing_sent(sv[1]);

    /* the largest reason a u16 carries, and no further */
    assert_int_equal(broker_put_outcome(sv[0], 0xffff, "x", NULL), WIRE_OK);
    assert_int_equal(broker_get_outcome(sv[1], SOON(), &reason, err, sizeof(err), &got), WIRE_OK);
    assert_int_equal(reason, 0xffff);
    assert_int_equal(broker_put_outcome(sv[0], 0x10000, "x", NULL), WIRE_BAD);
    assert_int_equal(broker_put_outcome(sv[0], -1, "x", NULL), WIRE_BAD);
    assert_nothing_sent(sv[1]);
    unpair(sv);
}

static void
test_outcome_err_truncated(void **state)
{
    struct soap_reply got;
    char err[8];
    int reason = -1, sv[2];

    (void)state;
    pair(sv);
    assert_int_equal(broker_put_outcome(sv[0], REASON_SERVER_UNREACHABLE, "0123456789", NULL),
                     WIRE_OK);
    assert_int_equal(broker_get_outcome(sv[1], SOON(), &reason, err, sizeof(err), &got), WIRE_OK);
    assert_int_equal(reason, REASON_SERVER_UNREACHABLE);
    assert_string_equal(err, "0123456");
    unpair(sv);
    /* a cut falls between two characters: "ab" and the euro sign's three
     * bytes do not fit seven bytes whole, so the sign goes */
    pair(sv);
    assert_int_equal(broker_put_outcome(sv[0], REASON_SERVER_UNREACHABLE, "abcd\xe2\x82\xac", NULL),
                     WIRE_OK);
    assert_int_equal(broker_get_outcome(sv[1], SOON(), &reason, err, 6, &got), WIRE_OK);
    assert_string_equal(err, "abcd");
    unpair(sv);
}

/* ---- the outcome, refused ---- */

#define R_TEXTS 12

/* B_OUTCOME (REASON_OK, ""), B_R_CODES (@codes, @codes_len bytes), then
 * the reply texts in @order (a B_R_TEXT offset each, @n of them, "x"). */
static void
put_outcome_frames(int fd, const uint8_t *codes, size_t codes_len, const int *order, size_t n)
{
    uint8_t outcome[2] = {0, REASON_OK};

    assert_int_equal(wire_write(fd, B_OUTCOME, outcome, sizeof(outcome)), WIRE_OK);
    assert_int_equal(wire_write(fd, B_R_CODES, codes, codes_len), WIRE_OK);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(wire_write_text(fd, (uint8_t)(B_R_TEXT + order[i]), "x"), WIRE_OK);
}

static const int in_order[R_TEXTS] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
static const uint8_t good_codes[13] = {0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0x7f};

/* Read an outcome from what was written on @sv[0] (then closed): @want,
 * or anything but WIRE_OK when @want is WIRE_OK; the reply all zero. */
static void
assert_outcome_refused(int sv[2], int want)
{
    struct soap_reply got;
    char err[64];
    int reason, rc;

    close(sv[0]);
    memset(&got, 0x5a, sizeof(got));
    rc = broker_get_outcome(sv[1], SOON(), &reason, err, sizeof(err), &got);
    if (want == WIRE_OK)
        assert_int_not_equal(rc, WIRE_OK);
    else
        assert_int_equal(rc, want);
    assert_true(all_zero(&got, sizeof(got)));
    close(sv[1]);
}

static void
test_outcome_control(void **state)
{
    /* the hand-written frames the refusals below vary are themselves good */
    struct soap_reply got;
    char err[64];
    int reason = -1, sv[2];

    (void)state;
    pair(sv);
    put_outcome_frames(sv[0], good_codes, sizeof(good_codes), in_order, R_TEXTS);
    assert_int_equal(wire_write(sv[0], B_END, NULL, 0), WIRE_OK);
    assert_int_equal(broker_get_outcome(sv[1], SOON(), &reason, err, sizeof(err), &got), WIRE_OK);
    assert_int_equal(reason, REASON_OK);
    assert_int_equal(got.return_code, 1);
    assert_int_equal(got.status_code, 2);
    assert_int_equal(got.error_code, 3);
    assert_true(got.has_challenge && got.has_challenge_key && got.has_challenge_message &&
                got.has_status_message && got.has_auxiliary_message &&
                got.has_password_expire_date && got.has_host_code);
    assert_string_equal(got.return_enum, "x");
    assert_string_equal(got.fault_string, "x");
    unpair(sv);
}

static void
test_outcome_texts_missing_or_out_of_order(void **state)
{
    int swapped[R_TEXTS] = {0, 1, 2, 4, 3, 5, 6, 7, 8, 9, 10, 11};
    int repeated[R_TEXTS] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 11};
    int sv[2];

    (void)state;
    /* the last text missing */
    pair(sv);
    put_outcome_frames(sv[0], good_codes, sizeof(good_codes), in_order, R_TEXTS - 1);
    assert_int_equal(wire_write(sv[0], B_END, NULL, 0), WIRE_OK);
    assert_outcome_refused(sv, WIRE_BAD);
    /* no text at all */
    pair(sv);
    put_outcome_frames(sv[0], good_codes, sizeof(good_codes), in_order, 0);
    assert_int_equal(wire_write(sv[0], B_END, NULL, 0), WIRE_OK);
    assert_outcome_refused(sv, WIRE_BAD);
    /* two swapped */
    pair(sv);
    put_outcome_frames(sv[0], good_codes, sizeof(good_codes), swapped, R_TEXTS);
    assert_int_equal(wire_write(sv[0], B_END, NULL, 0), WIRE_OK);
    assert_outcome_refused(sv, WIRE_BAD);
    /* one repeated in another's place */
    pair(sv);
    put_outcome_frames(sv[0], good_codes, sizeof(good_codes), repeated, R_TEXTS);
    assert_int_equal(wire_write(sv[0], B_END, NULL, 0), WIRE_OK);
    assert_outcome_refused(sv, WIRE_BAD);
    /* one too many */
    pair(sv);
    put_outcome_frames(sv[0], good_codes, sizeof(good_codes), in_order, R_TEXTS);
    assert_int_equal(wire_write_text(sv[0], B_R_TEXT + 11, "x"), WIRE_OK);
    assert_int_equal(wire_write(sv[0], B_END, NULL, 0), WIRE_OK);
    assert_outcome_refused(sv, WIRE_BAD);
    /* no B_R_CODES: straight to the texts */
    pair(sv);
    assert_int_equal(wire_write(sv[0], B_OUTCOME, "\0\0", 2), WIRE_OK);
    assert_int_equal(wire_write_text(sv[0], B_R_TEXT, "x"), WIRE_OK);
    assert_outcome_refused(sv, WIRE_BAD);
    /* no reply at all after REASON_OK */
    pair(sv);
    assert_int_equal(wire_write(sv[0], B_OUTCOME, "\0\0", 2), WIRE_OK);
    assert_int_equal(wire_write(sv[0], B_END, NULL, 0), WIRE_OK);
    assert_outcome_refused(sv, WIRE_BAD);
    /* cut off in the middle of the texts */
    pair(sv);
    put_outcome_frames(sv[0], good_codes, sizeof(good_codes), in_order, 5);
    assert_outcome_refused(sv, WIRE_OK); /* any failure */
}

static void
test_outcome_reply_after_other_reason(void **state)
{
    uint8_t outcome[2] = {0, REASON_SERVER_UNREACHABLE};
    int sv[2];

    (void)state;
    /* a reply where the reason says there is none */
    pair(sv);
    assert_int_equal(wire_write(sv[0], B_OUTCOME, outcome, sizeof(outcome)), WIRE_OK);
    assert_int_equal(wire_write(sv[0], B_R_CODES, good_codes, sizeof(good_codes)), WIRE_OK);
    assert_int_equal(wire_write(sv[0], B_END, NULL, 0), WIRE_OK);
    assert_outcome_refused(sv, WIRE_BAD);
}

static void
test_outcome_bad_codes(void **state)
{
    uint8_t codes[14];
    int sv[2];

    (void)state;
    memcpy(codes, good_codes, sizeof(good_codes));
    codes[13] = 0;
    /* bit 7: no such flag */
    codes[12] = 0x80;
    pair(sv);
    put_outcome_frames(sv[0], codes, 13, in_order, R_TEXTS);
    assert_int_equal(wire_write(sv[0], B_END, NULL, 0), WIRE_OK);
    assert_outcome_refused(sv, WIRE_BAD);
    codes[12] = 0xff;
    pair(sv);
    put_outcome_frames(sv[0], codes, 13, in_order, R_TEXTS);
    assert_int_equal(wire_write(sv[0], B_END, NULL, 0), WIRE_OK);
    assert_outcome_refused(sv, WIRE_BAD);
    /* one byte short, one byte long */
    codes[12] = 0;
    pair(sv);
    put_outcome_frames(sv[0], codes, 12, in_order, R_TEXTS);
    assert_int_equal(wire_write(sv[0], B_END, NULL, 0), WIRE_OK);
    assert_outcome_refused(sv, WIRE_BAD);
    pair(sv);
    put_outcome_frames(sv[0], codes, 14, in_order, R_TEXTS);
    assert_int_equal(wire_write(sv[0], B_END, NULL, 0), WIRE_OK);
    assert_outcome_refused(sv, WIRE_BAD);
}

static void
test_outcome_bad_frames(void **state)
{
    static char too_long[64 + 1];
    uint8_t outcome[2] = {0, REASON_SERVER_UNREACHABLE};
    int sv[2];

    (void)state;
    /* an outcome frame shorter than its reason */
    pair(sv);
    assert_int_equal(wire_write(sv[0], B_OUTCOME, outcome, 1), WIRE_OK);
    assert_int_equal(wire_write(sv[0], B_END, NULL, 0), WIRE_OK);
    assert_outcome_refused(sv, WIRE_BAD);
    pair(sv);
    assert_int_equal(wire_write(sv[0], B_OUTCOME, NULL, 0), WIRE_OK);
    assert_int_equal(wire_write(sv[0], B_END, NULL, 0), WIRE_OK);
    assert_outcome_refused(sv, WIRE_BAD);
    /* a NUL in the error line */
    pair(sv);
    assert_int_equal(wire_write(sv[0], B_OUTCOME,
                                "\0\x1e"
                                "a\0b",
                                5),
                     WIRE_OK);
    assert_int_equal(wire_write(sv[0], B_END, NULL, 0), WIRE_OK);
    assert_outcome_refused(sv, WIRE_BAD);
    /* an error line that is not UTF-8 */
    pair(sv);
    assert_int_equal(wire_write(sv[0], B_OUTCOME,
                                "\0\x1e"
                                "bad\xff\xfe",
                                7),
                     WIRE_OK);
    assert_int_equal(wire_write(sv[0], B_END, NULL, 0), WIRE_OK);
    assert_outcome_refused(sv, WIRE_BAD);
    /* not an outcome first */
    pair(sv);
    assert_int_equal(wire_write(sv[0], B_END, NULL, 0), WIRE_OK);
    assert_outcome_refused(sv, WIRE_BAD);
    /* a B_END with a payload, after a reply and after none */
    pair(sv);
    put_outcome_frames(sv[0], good_codes, sizeof(good_codes), in_order, R_TEXTS);
    assert_int_equal(wire_write(sv[0], B_END, "x", 1), WIRE_OK);
    assert_outcome_refused(sv, WIRE_BAD);
    pair(sv);
    assert_int_equal(wire_write(sv[0], B_OUTCOME, outcome, sizeof(outcome)), WIRE_OK);
    assert_int_equal(wire_write(sv[0], B_END, "x", 1), WIRE_OK);
    assert_outcome_refused(sv, WIRE_BAD);
    /* no B_END at all */
    pair(sv);
    put_outcome_frames(sv[0], good_codes, sizeof(good_codes), in_order, R_TEXTS);
    assert_outcome_refused(sv, WIRE_OK); /* any failure */
    /* a reply text one byte over its field (return_enum, 64 bytes) */
    memset(too_long, 'A', 64);
    pair(sv);
    put_outcome_frames(sv[0], good_codes, sizeof(good_codes), in_order, 0);
    assert_int_equal(wire_write_text(sv[0], B_R_TEXT + 0, too_long), WIRE_OK);
    assert_outcome_refused(sv, WIRE_BAD);
    /* invalid UTF-8 in a reply text */
    pair(sv);
    put_outcome_frames(sv[0], good_codes, sizeof(good_codes), in_order, 0);
    assert_int_equal(wire_write(sv[0], B_R_TEXT + 0, "a\xc3", 2), WIRE_OK);
    assert_outcome_refused(sv, WIRE_BAD);
    /* a NUL in a reply text */
    pair(sv);
    put_outcome_frames(sv[0], good_codes, sizeof(good_codes), in_order, 0);
    assert_int_equal(wire_write(sv[0], B_R_TEXT + 0, "a\0b", 3), WIRE_OK);
    assert_outcome_refused(sv, WIRE_BAD);
    /* nothing: the broker closed */
    pair(sv);
    assert_outcome_refused(sv, WIRE_EOF);
}

static void
test_outcome_deadline(void **state)
{
    struct soap_reply got;
    char err[64];
    int reason, sv[2];

    (void)state;
    pair(sv);
    memset(&got, 0x5a, sizeof(got));
    /* the broker is there (sv[0] open) but says nothing */
    assert_int_equal(broker_get_outcome(sv[1], wire_now_ms() - 1, &reason, err, sizeof(err), &got),
                     WIRE_TIMEOUT);
    assert_true(all_zero(&got, sizeof(got)));
    unpair(sv);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hello_round_trip),
        cmocka_unit_test(test_hello_busy),
        cmocka_unit_test(test_hello_other_version),
        cmocka_unit_test(test_hello_eof_and_timeout),
        cmocka_unit_test(test_call_all_fields),
        cmocka_unit_test(test_call_null_fields),
        cmocka_unit_test(test_call_control),
        cmocka_unit_test(test_call_fields_out_of_order),
        cmocka_unit_test(test_call_field_repeated),
        cmocka_unit_test(test_call_unknown_field),
        cmocka_unit_test(test_call_bad_operation),
        cmocka_unit_test(test_call_bad_call_length),
        cmocka_unit_test(test_call_bad_text),
        cmocka_unit_test(test_call_missing_end),
        cmocka_unit_test(test_call_wrong_first_frame),
        cmocka_unit_test(test_put_call_refuses),
        cmocka_unit_test(test_outcome_ok),
        cmocka_unit_test(test_outcome_fault),
        cmocka_unit_test(test_outcome_other_reason),
        cmocka_unit_test(test_outcome_err_truncated),
        cmocka_unit_test(test_outcome_control),
        cmocka_unit_test(test_outcome_texts_missing_or_out_of_order),
        cmocka_unit_test(test_outcome_reply_after_other_reason),
        cmocka_unit_test(test_outcome_bad_codes),
        cmocka_unit_test(test_outcome_bad_frames),
        cmocka_unit_test(test_outcome_deadline),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
