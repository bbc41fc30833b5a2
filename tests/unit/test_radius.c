/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_radius.c - lib/radius/packet.c against known answers and hostile
 * replies.  Published vectors: $VECTORS_DIR/radius.txt (RFC 2865 7.1,
 * RFC 5997 6).  Where no RFC publishes one (a request laid out as ours with
 * Message-Authenticator first, replies with and without a valid
 * Message-Authenticator): $TOP_SRCDIR/tests/radius/generated.txt, computed
 * by tests/radius/gen_vectors.py with Python's hashlib and hmac.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/common/reason.h"
#include "lib/radius/packet.h"

#define MAX_VECTORS 64

static struct {
    char *name;
    char *value; /* the rest of the line after the first '|' */
    bool used;
} vecs[MAX_VECTORS];
static size_t n_vecs;
static char secret[64]; /* generated.txt's "secret" */

static int
load_file(const char *path)
{
    char line[8192];
    FILE *f = fopen(path, "r");

    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        return -1;
    }
    while (fgets(line, sizeof(line), f) != NULL && n_vecs < MAX_VECTORS) {
        char *bar = strchr(line, '|');

        if (line[0] == '#' || bar == NULL)
            continue;
        *bar = '\0';
        bar[strcspn(bar + 1, "\r\n") + 1] = '\0';
        vecs[n_vecs].name = strdup(line);
        vecs[n_vecs].value = strdup(bar + 1);
        n_vecs++;
    }
    fclose(f);
    return 0;
}

static int
load_vectors(void **state)
{
    const char *dir = getenv("VECTORS_DIR"), *top = getenv("TOP_SRCDIR");
    char path[512];

    (void)state;
    snprintf(path, sizeof(path), "%s/radius.txt", dir != NULL ? dir : "tests/vectors");
    if (load_file(path) != 0)
        return -1;
    snprintf(path, sizeof(path), "%s/tests/radius/generated.txt", top != NULL ? top : ".");
    return load_file(path);
}

static int
free_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < n_vecs; i++) {
        free(vecs[i].name);
        free(vecs[i].value);
    }
    return 0;
}

static const char *
vec(const char *name)
{
    for (size_t i = 0; i < n_vecs; i++) {
        if (strcmp(vecs[i].name, name) == 0) {
            vecs[i].used = true;
            return vecs[i].value;
        }
    }
    fail_msg("vector %s missing", name);
    return NULL;
}

/* Field @field (0-based, '|'-separated) of vector @name, as bytes. */
static size_t
vec_hex_field(const char *name, int field, uint8_t *out, size_t cap)
{
    const char *h = vec(name);
    size_t n;

    for (int i = 0; i < field; i++) {
        h = strchr(h, '|');
        assert_non_null(h);
        h++;
    }
    n = strcspn(h, "|") / 2;
    assert_true(n <= cap);
    for (size_t i = 0; i < n; i++) {
        unsigned v = 0;

        assert_int_equal(sscanf(h + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
    return n;
}

static size_t
vec_hex(const char *name, uint8_t *out, size_t cap)
{
    return vec_hex_field(name, 0, out, cap);
}

static void
load_secret(void)
{
    uint8_t s[sizeof(secret)];
    size_t n;

    if (secret[0] != '\0')
        return;
    n = vec_hex("secret", s, sizeof(s) - 1);
    memcpy(secret, s, n);
}

/* The request every generated reply answers. */
static void
generated_request(struct radius_request *req)
{
    memset(req, 0, sizeof(*req));
    req->len = vec_hex("request", req->data, sizeof(req->data));
    load_secret();
}

/* Check generated reply @name against the generated request. */
static int
check(const char *name, bool require_ma, struct radius_result *res)
{
    struct radius_request req;
    uint8_t buf[RADIUS_MAX_PACKET + 8];
    size_t len = vec_hex(name, buf, sizeof(buf));
    char err[256] = "";
    int reason;

    generated_request(&req);
    reason = radius_reply_check(buf, len, &req, secret, require_ma, res, err, sizeof(err));
    if (reason != REASON_OK)
        assert_true(err[0] != '\0'); /* every refusal says why */
    return reason;
}

/* Check @buf (a mutated reply) against the generated request. */
static int
check_buf(const uint8_t *buf, size_t len)
{
    struct radius_request req;
    struct radius_result res;
    char err[256] = "";
    int reason;

    generated_request(&req);
    reason = radius_reply_check(buf, len, &req, secret, true, &res, err, sizeof(err));
    if (reason != REASON_OK) {
        assert_true(err[0] != '\0');
        assert_int_equal(res.code, 0); /* nothing of a refused reply is kept */
    }
    return reason;
}

/* ------------------------------------------------------------ published */

static void
test_password_rfc2865(void **state)
{
    uint8_t req[RADIUS_MAX_PACKET], out[RADIUS_MAX_PASSWORD];
    size_t len = vec_hex("rfc2865_7_1_request", req, sizeof(req)), outlen = 0;
    char err[128];

    (void)state;
    assert_int_equal(len, 56);
    /* User-Name "nemo" at 20..25, then User-Password: type 2, length 18 */
    assert_int_equal(req[26], RADIUS_ATTR_USER_PASSWORD);
    assert_int_equal(req[27], 18);
    assert_int_equal(radius_password_hide(vec("rfc2865_7_1_password_ascii"), vec("secret_ascii"),
                                          req + 4, out, &outlen, err, sizeof(err)),
                     REASON_OK);
    assert_int_equal(outlen, 16);
    assert_memory_equal(out, req + 28, 16);
}

static void
test_reply_published(void **state)
{
    static const struct {
        const char *request, *reply;
    } pairs[] = {
        {"rfc2865_7_1_request", "rfc2865_7_1_accept"},
        {"rfc5997_6_status_server", "rfc5997_6_accept"},
    };
    struct radius_request req;
    struct radius_result res;
    uint8_t buf[RADIUS_MAX_PACKET];
    char err[256];

    (void)state;
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        size_t len;

        memset(&req, 0, sizeof(req));
        req.len = vec_hex(pairs[i].request, req.data, sizeof(req.data));
        len = vec_hex(pairs[i].reply, buf, sizeof(buf));
        /* no Message-Authenticator in these: accepted only when not required */
        assert_int_equal(radius_reply_check(buf, len, &req, vec("secret_ascii"), false, &res, err,
                                            sizeof(err)),
                         REASON_OK);
        assert_int_equal(res.code, RADIUS_ACCESS_ACCEPT);
        assert_false(res.message_authenticator);
        assert_int_equal(radius_reply_check(buf, len, &req, vec("secret_ascii"), true, &res, err,
                                            sizeof(err)),
                         REASON_UNAUTHENTIC_REPLY);
        assert_non_null(strstr(err, "no Message-Authenticator"));
        assert_int_equal(radius_reply_check(buf, len, &req, "xyzzy5462", false, &res, err,
                                            sizeof(err)),
                         REASON_UNAUTHENTIC_REPLY);
        buf[len - 1] ^= 1; /* an attribute (or the authenticator) changed in flight */
        assert_int_equal(radius_reply_check(buf, len, &req, vec("secret_ascii"), false, &res, err,
                                            sizeof(err)),
                         REASON_UNAUTHENTIC_REPLY);
    }
}

/* ------------------------------------------------------------ requests */

static void
test_password_lengths(void **state)
{
    static const int lens[] = {0, 1, 15, 16, 17, 128};
    uint8_t auth[RADIUS_AUTH_LEN], out[RADIUS_MAX_PASSWORD], want[RADIUS_MAX_PASSWORD];
    char pw[RADIUS_MAX_PASSWORD + 2], err[128], name[32];
    size_t outlen;

    (void)state;
    load_secret();
    vec_hex("request_authenticator", auth, sizeof(auth));
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        uint8_t raw[RADIUS_MAX_PASSWORD];

        snprintf(name, sizeof(name), "password_%d", lens[i]);
        assert_int_equal(vec_hex_field(name, 0, raw, sizeof(raw)), (size_t)lens[i]);
        memcpy(pw, raw, (size_t)lens[i]);
        pw[lens[i]] = '\0';
        assert_int_equal(radius_password_hide(pw, secret, auth, out, &outlen, err, sizeof(err)),
                         REASON_OK);
        assert_int_equal(vec_hex_field(name, 1, want, sizeof(want)), outlen);
        assert_memory_equal(out, want, outlen);
    }
    memset(pw, 'x', RADIUS_MAX_PASSWORD + 1);
    pw[RADIUS_MAX_PASSWORD + 1] = '\0';
    assert_int_equal(radius_password_hide(pw, secret, auth, out, &outlen, err, sizeof(err)),
                     REASON_CONFIG);
    assert_null(strstr(err, "xxx")); /* the password never appears in a message */
}

static void
test_request_build(void **state)
{
    static const uint8_t state_v[] = {0xc9, 0xf2, 0xe2, 0xac, 0x8f, 0xa2, 0x44, 0xe4,
                                      0x64, 0x5e, 0x01, 0xf0, 0x17, 0xef, 0x63, 0x68};
    static const uint8_t ip4[] = {192, 0, 2, 1};
    static const uint8_t ip6[] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    struct radius_request_attrs a = {.user = "alice",
                                     .password = "correct horse",
                                     .nas_identifier = "crauth-test",
                                     .state = state_v,
                                     .state_len = sizeof(state_v),
                                     .calling_station_id = "192.0.2.7"};
    struct radius_request req, want;
    uint8_t auth[RADIUS_AUTH_LEN], id;
    char err[128];

    (void)state;
    generated_request(&want);
    vec_hex("request_authenticator", auth, sizeof(auth));
    vec_hex("request_id", &id, 1);
    assert_int_equal(radius_request_build(&req, id, auth, secret, &a, err, sizeof(err)), REASON_OK);
    assert_int_equal(req.len, want.len);
    assert_memory_equal(req.data, want.data, req.len);
    /* Message-Authenticator is the first attribute */
    assert_int_equal(req.data[20], RADIUS_ATTR_MESSAGE_AUTHENTICATOR);

    a = (struct radius_request_attrs){.user = "bob",
                                      .password = "",
                                      .nas_address = ip4,
                                      .nas_address_len = 4,
                                      .calling_station_id = ""};
    assert_int_equal(radius_request_build(&req, id, auth, secret, &a, err, sizeof(err)), REASON_OK);
    want.len = vec_hex("request_nas_ip", want.data, sizeof(want.data));
    assert_int_equal(req.len, want.len);
    assert_memory_equal(req.data, want.data, req.len);

    a = (struct radius_request_attrs){.user = "bob",
                                      .password = "pw",
                                      .nas_address = ip6,
                                      .nas_address_len = 16};
    assert_int_equal(radius_request_build(&req, id, auth, secret, &a, err, sizeof(err)), REASON_OK);
    want.len = vec_hex("request_nas_ipv6", want.data, sizeof(want.data));
    assert_int_equal(req.len, want.len);
    assert_memory_equal(req.data, want.data, req.len);
}

static void
test_request_limits(void **state)
{
    static const uint8_t ip4[] = {192, 0, 2, 1};
    uint8_t auth[RADIUS_AUTH_LEN] = {1}, big[RADIUS_MAX_VALUE + 1] = {0};
    char name[RADIUS_MAX_VALUE + 2], err[128];
    struct radius_request req;
    struct radius_request_attrs a = {.user = "u",
                                     .password = "p",
                                     .nas_address = ip4,
                                     .nas_address_len = 4};

    (void)state;
    memset(name, 'n', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    assert_int_equal(radius_request_build(&req, 1, auth, "s", &a, err, sizeof(err)), REASON_OK);

    a.user = "";
    assert_int_equal(radius_request_build(&req, 1, auth, "s", &a, err, sizeof(err)), REASON_CONFIG);
    a.user = name; /* 254 bytes */
    assert_int_equal(radius_request_build(&req, 1, auth, "s", &a, err, sizeof(err)), REASON_CONFIG);
    name[RADIUS_MAX_VALUE] = '\0'; /* 253: the most an attribute holds */
    assert_int_equal(radius_request_build(&req, 1, auth, "s", &a, err, sizeof(err)), REASON_OK);
    a.user = "u";

    a.state = big;
    a.state_len = sizeof(big);
    assert_int_equal(radius_request_build(&req, 1, auth, "s", &a, err, sizeof(err)), REASON_CONFIG);
    a.state_len = RADIUS_MAX_VALUE;
    assert_int_equal(radius_request_build(&req, 1, auth, "s", &a, err, sizeof(err)), REASON_OK);
    a.state_len = 0;
    assert_int_equal(radius_request_build(&req, 1, auth, "s", &a, err, sizeof(err)), REASON_CONFIG);
    a.state = NULL;

    a.nas_address_len = 0; /* RFC 2865 4.1: NAS-IP-Address or NAS-Identifier */
    assert_int_equal(radius_request_build(&req, 1, auth, "s", &a, err, sizeof(err)), REASON_CONFIG);
    a.nas_identifier = "";
    assert_int_equal(radius_request_build(&req, 1, auth, "s", &a, err, sizeof(err)), REASON_CONFIG);
    a.nas_identifier = "nas";
    a.calling_station_id = name;
    name[RADIUS_MAX_VALUE] = 'n';
    assert_int_equal(radius_request_build(&req, 1, auth, "s", &a, err, sizeof(err)), REASON_CONFIG);
}

/* ------------------------------------------------------------ replies */

static void
test_replies_good(void **state)
{
    struct radius_result res;

    (void)state;
    assert_int_equal(check("accept_ma_first", true, &res), REASON_OK);
    assert_int_equal(res.code, RADIUS_ACCESS_ACCEPT);
    assert_true(res.message_authenticator);
    assert_int_equal(res.state_len, 0);
    assert_int_equal(res.message_len, 0);

    assert_int_equal(check("accept_ma_last", true, &res), REASON_OK);
    assert_string_equal(res.message, "Welcome");

    assert_int_equal(check("challenge", true, &res), REASON_OK);
    assert_int_equal(res.code, RADIUS_ACCESS_CHALLENGE);
    assert_string_equal(res.message, "Almost there.\nEnter the code: \xc3\xa9\xe2\x82\xac");
    assert_int_equal(res.message_len, strlen(res.message));
    assert_false(res.message_truncated);
    assert_int_equal(res.state_len, 16);
    assert_memory_equal(res.state,
                        "\xc9\xf2\xe2\xac\x8f\xa2\x44\xe4\x64\x5e\x01\xf0\x17\xef"
                        "\x63\x68",
                        16);

    assert_int_equal(check("challenge_state_253", true, &res), REASON_OK);
    assert_int_equal(res.state_len, RADIUS_MAX_VALUE);
    for (size_t i = 0; i < RADIUS_MAX_VALUE; i++)
        assert_int_equal(res.state[i], i);

    /* RFC 2865 3: octets beyond Length are padding */
    assert_int_equal(check("accept_padded", true, &res), REASON_OK);
    assert_int_equal(res.code, RADIUS_ACCESS_ACCEPT);

    /* without a Message-Authenticator only when the caller relaxed it */
    assert_int_equal(check("reject_no_ma", false, &res), REASON_OK);
    assert_int_equal(res.code, RADIUS_ACCESS_REJECT);
    assert_false(res.message_authenticator);
    assert_string_equal(res.message, "Denied");
}

static void
test_many_messages(void **state)
{
    struct radius_result res;

    (void)state;
    assert_int_equal(check("many_messages", true, &res), REASON_OK);
    assert_true(res.message_truncated);
    assert_int_equal(res.message_len, RADIUS_MESSAGE_SIZE - 1);
    assert_int_equal(strlen(res.message), RADIUS_MESSAGE_SIZE - 1);
    assert_int_equal(res.message[0], 'A');
    assert_int_equal(res.message[199], 'A');
    assert_int_equal(res.message[200], '\n');
    assert_int_equal(res.message[201], 'B');
    assert_int_equal(res.state_len, 1); /* State after the messages still counts */
    assert_int_equal(res.state[0], 's');
}

static void
test_replies_unauthentic(void **state)
{
    static const char *const forged[] = {"accept_bad_ma", "accept_bad_auth", "accept_wrong_secret"};
    struct radius_result res;
    uint8_t buf[RADIUS_MAX_PACKET];
    size_t len;

    (void)state;
    assert_int_equal(check("reject_no_ma", true, &res), REASON_UNAUTHENTIC_REPLY);
    assert_int_equal(res.code, 0);
    for (size_t i = 0; i < sizeof(forged) / sizeof(forged[0]); i++) {
        /* a Message-Authenticator that is there must verify, required or not */
        assert_int_equal(check(forged[i], true, &res), REASON_UNAUTHENTIC_REPLY);
        assert_int_equal(check(forged[i], false, &res), REASON_UNAUTHENTIC_REPLY);
        assert_int_equal(res.code, 0);
    }

    len = vec_hex("accept_ma_first", buf, sizeof(buf));
    buf[1] ^= 0x01; /* another Identifier */
    assert_int_equal(check_buf(buf, len), REASON_UNAUTHENTIC_REPLY);
    buf[1] ^= 0x01;
    assert_int_equal(check_buf(buf, len), REASON_OK);
    buf[4] ^= 0x80; /* the Response Authenticator */
    assert_int_equal(check_buf(buf, len), REASON_UNAUTHENTIC_REPLY);
    buf[4] ^= 0x80;
    buf[0] = RADIUS_ACCESS_REJECT; /* a verdict flipped in flight */
    assert_int_equal(check_buf(buf, len), REASON_UNAUTHENTIC_REPLY);
    buf[0] = RADIUS_ACCESS_ACCEPT;
    buf[30] ^= 0x01; /* the Message-Authenticator value */
    assert_int_equal(check_buf(buf, len), REASON_UNAUTHENTIC_REPLY);
}

static void
test_replies_malformed(void **state)
{
    static const char *const bad[] = {"two_states",    "two_mas",      "empty_state",
                                      "empty_message", "code_request", "code_accounting_response"};
    struct radius_result res;
    uint8_t buf[RADIUS_MAX_PACKET + 8], orig[RADIUS_MAX_PACKET];
    size_t len;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(check(bad[i], true, &res), REASON_MALFORMED_REPLY);

    /* accept_ma_last: Reply-Message "Welcome" (9 bytes) at 20, then the MA at 29 */
    len = vec_hex("accept_ma_last", orig, sizeof(orig));
    assert_int_equal(len, 47);
#define RESET() memcpy(buf, orig, len)
    RESET();
    assert_int_equal(check_buf(buf, len), REASON_OK);
    assert_int_equal(check_buf(buf, 0), REASON_MALFORMED_REPLY);
    assert_int_equal(check_buf(buf, RADIUS_HEADER_LEN - 1), REASON_MALFORMED_REPLY);
    assert_int_equal(check_buf(buf, len - 1), REASON_MALFORMED_REPLY); /* Length > datagram */
    buf[3] = 19;                                                       /* Length below the header */
    assert_int_equal(check_buf(buf, len), REASON_MALFORMED_REPLY);
    buf[2] = 0x10;
    buf[3] = 0x01; /* 4097 */
    memset(buf + len, 0, sizeof(buf) - len);
    assert_int_equal(check_buf(buf, sizeof(buf)), REASON_MALFORMED_REPLY);
    RESET();
    buf[21] = 0; /* attribute length 0: would loop forever if trusted */
    assert_int_equal(check_buf(buf, len), REASON_MALFORMED_REPLY);
    buf[21] = 1;
    assert_int_equal(check_buf(buf, len), REASON_MALFORMED_REPLY);
    buf[21] = 255; /* past the end of the packet */
    assert_int_equal(check_buf(buf, len), REASON_MALFORMED_REPLY);
    buf[20] = 26; /* the same for an attribute we do not otherwise look at */
    buf[21] = 0;
    assert_int_equal(check_buf(buf, len), REASON_MALFORMED_REPLY);
    buf[21] = 1;
    assert_int_equal(check_buf(buf, len), REASON_MALFORMED_REPLY);
    buf[21] = 255;
    assert_int_equal(check_buf(buf, len), REASON_MALFORMED_REPLY);
    RESET();
    buf[30] = 19; /* the MA's length overruns by one */
    assert_int_equal(check_buf(buf, len), REASON_MALFORMED_REPLY);
    buf[30] = 17; /* and a MA of 15 bytes, with a stray byte after */
    assert_int_equal(check_buf(buf, len), REASON_MALFORMED_REPLY);
    RESET();
    buf[3] = (uint8_t)(len + 1); /* Length covers one byte more: a lone byte */
    buf[len] = RADIUS_ATTR_STATE;
    assert_int_equal(check_buf(buf, len + 1), REASON_MALFORMED_REPLY);
#undef RESET
}

/* Runs last: a vector added to the files without a test here fails loudly. */
static void
test_all_vectors_used(void **state)
{
    (void)state;
    assert_true(n_vecs > 0);
    for (size_t i = 0; i < n_vecs; i++)
        if (!vecs[i].used)
            fail_msg("vector %s is not checked by any test", vecs[i].name);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_password_rfc2865),  cmocka_unit_test(test_reply_published),
        cmocka_unit_test(test_password_lengths),  cmocka_unit_test(test_request_build),
        cmocka_unit_test(test_request_limits),    cmocka_unit_test(test_replies_good),
        cmocka_unit_test(test_many_messages),     cmocka_unit_test(test_replies_unauthentic),
        cmocka_unit_test(test_replies_malformed), cmocka_unit_test(test_all_vectors_used),
    };

    return cmocka_run_group_tests(tests, load_vectors, free_vectors);
}
