/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_radius_reply.c - libFuzzer harness for radius_reply_check(), the
 * check of what a RADIUS server (or anyone who can send us a datagram)
 * returns.  Each input is checked twice against the request of
 * tests/radius/generated.txt: as it is, and with its Identifier, its
 * Message-Authenticator (the first one, if the attributes walk) and its
 * Response Authenticator made valid by an independent computation here, so
 * the code past the authenticators (State, Reply-Messages) is reached too.
 * Invariants trap when violated: a verdict is one of the three codes with
 * bounded State and message; a refusal says why and keeps nothing; a reply
 * made authentic here is never called unauthentic.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -I. \
 *       tests/fuzz/fuzz_radius_reply.c lib/radius/packet.c lib/common/secmem.c -lcrypto
 *   ./a.out tests/fuzz/corpus/radius_reply
 */
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "lib/common/reason.h"
#include "lib/radius/packet.h"

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            __builtin_trap();                                                                      \
    } while (0)

static const char secret[] = "crauth-test-secret";
static struct radius_request req;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static const uint8_t state[] = {0xc9, 0xf2, 0xe2, 0xac, 0x8f, 0xa2, 0x44, 0xe4,
                                    0x64, 0x5e, 0x01, 0xf0, 0x17, 0xef, 0x63, 0x68};
    struct radius_request_attrs a = {.user = "alice",
                                     .password = "correct horse",
                                     .nas_identifier = "crauth-test",
                                     .state = state,
                                     .state_len = sizeof(state),
                                     .calling_station_id = "192.0.2.7"};
    uint8_t auth[RADIUS_AUTH_LEN];
    char err[256];

    (void)argc;
    (void)argv;
    for (int i = 0; i < RADIUS_AUTH_LEN; i++)
        auth[i] = (uint8_t)(0x10 + i);
    CHECK(radius_request_build(&req, 0x5a, auth, secret, &a, err, sizeof(err)) == REASON_OK);
    return 0;
}

static void
check(const uint8_t *buf, size_t len, bool made_authentic)
{
    struct radius_result res;
    char err[256] = "";
    int reason = radius_reply_check(buf, len, &req, secret, true, &res, err, sizeof(err));

    CHECK(strlen(err) < sizeof(err));
    if (reason == REASON_OK) {
        CHECK(err[0] == '\0');
        CHECK(res.code == RADIUS_ACCESS_ACCEPT || res.code == RADIUS_ACCESS_REJECT ||
              res.code == RADIUS_ACCESS_CHALLENGE);
        CHECK(res.state_len <= RADIUS_MAX_VALUE);
        CHECK(res.message_len < sizeof(res.message) && res.message[res.message_len] == '\0');
        CHECK(res.message_authenticator);
    } else {
        CHECK(reason == REASON_MALFORMED_REPLY || reason == REASON_UNAUTHENTIC_REPLY);
        CHECK(err[0] != '\0');
        CHECK(res.code == 0 && res.state_len == 0 && res.message_len == 0);
        CHECK(!(made_authentic && reason == REASON_UNAUTHENTIC_REPLY));
    }
}

/* Offset of the first well-formed Message-Authenticator value if the
 * attributes of @p (Length @len) walk cleanly, else 0. */
static size_t
find_message_authenticator(const uint8_t *p, size_t len)
{
    size_t off = RADIUS_HEADER_LEN, found = 0;

    while (off < len) {
        if (len - off < 2 || p[off + 1] < 2 || p[off + 1] > len - off)
            return 0;
        if (p[off] == RADIUS_ATTR_MESSAGE_AUTHENTICATOR && found == 0 && p[off + 1] == 18)
            found = off + 2;
        off += p[off + 1];
    }
    return found;
}

/* RFC 3579 3.2, then RFC 2865 3, computed here with OpenSSL's one-shot calls. */
static bool
make_authentic(uint8_t *p, size_t size)
{
    size_t len, ma;
    unsigned int n = 0;
    uint8_t mac[EVP_MAX_MD_SIZE];
    EVP_MD_CTX *ctx;
    bool ok;

    if (size < RADIUS_HEADER_LEN)
        return false;
    len = (size_t)p[2] << 8 | p[3];
    if (len < RADIUS_HEADER_LEN || len > size || len > RADIUS_MAX_PACKET)
        return false;
    p[1] = req.data[1];
    memcpy(p + 4, req.data + 4, RADIUS_AUTH_LEN);
    if ((ma = find_message_authenticator(p, len)) == 0)
        return false;
    memset(p + ma, 0, RADIUS_AUTH_LEN);
    CHECK(HMAC(EVP_md5(), secret, (int)strlen(secret), p, len, mac, &n) != NULL && n == 16);
    memcpy(p + ma, mac, RADIUS_AUTH_LEN);
    ctx = EVP_MD_CTX_new();
    ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_md5(), NULL) == 1 &&
         EVP_DigestUpdate(ctx, p, len) == 1 && EVP_DigestUpdate(ctx, secret, strlen(secret)) &&
         EVP_DigestFinal_ex(ctx, mac, &n) == 1;
    EVP_MD_CTX_free(ctx);
    CHECK(ok && n == 16);
    memcpy(p + 4, mac, RADIUS_AUTH_LEN);
    return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t copy[RADIUS_MAX_PACKET + 64];
    bool authentic;

    check(data, size, false);
    if (size > sizeof(copy))
        return 0;
    memcpy(copy, data, size);
    authentic = make_authentic(copy, size);
    check(copy, size, authentic);
    return 0;
}
