/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_ntlm.c - known answers for lib/ntlm/ntlm_crypto.c and lib/ntlm/ntlm.c from
 * $VECTORS_DIR/ntlm.txt (MS-NLMP 4.2.1/4.2.4), the message layout our client
 * sends, and a table of malformed CHALLENGE messages that must be refused.
 * The deterministic hook is ntlm_testing.h's, set at run time on the same
 * libcrauth_ntlm the product links.
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
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "lib/common/hex.h"
#include "lib/common/secmem.h"
#include "lib/ntlm/ntlm.h"
#include "lib/ntlm/ntlm_testing.h"
#include "lib/ntlm/unicode.h"

#define MAX_VECTORS 64
#define MAX_HEX 512

static struct {
    char name[48];
    char value[600];
    bool used;
} vecs[MAX_VECTORS];
static size_t n_vecs;

static int
load_vectors(void **state)
{
    const char *dir = getenv("VECTORS_DIR");
    char path[512], line[700];
    FILE *f;

    (void)state;
    (void)snprintf(path, sizeof(path), "%s/ntlm.txt", dir != NULL ? dir : "tests/vectors");
    f = fopen(path, "r");
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
        if (strlen(line) >= sizeof(vecs[0].name) || strlen(bar + 1) >= sizeof(vecs[0].value)) {
            fprintf(stderr, "%s: line for %.40s too long\n", path, line);
            fclose(f);
            return -1;
        }
        memcpy(vecs[n_vecs].name, line, strlen(line) + 1);
        memcpy(vecs[n_vecs].value, bar + 1, strlen(bar + 1) + 1);
        n_vecs++;
    }
    fclose(f);
    return 0;
}

static const char *
vec_opt(const char *name)
{
    for (size_t i = 0; i < n_vecs; i++) {
        if (strcmp(vecs[i].name, name) == 0) {
            vecs[i].used = true;
            return vecs[i].value;
        }
    }
    return NULL;
}

static const char *
vec(const char *name)
{
    const char *v = vec_opt(name);

    if (v == NULL)
        fail_msg("vector %s missing from ntlm.txt", name);
    return v;
}

static size_t
vec_hex(const char *name, uint8_t *out, size_t cap)
{
    const char *h = vec(name);
    size_t n = 0;

    if (hex_decode(h, strlen(h), out, cap, &n) != 0)
        fail_msg("vector %s is not hex of at most %zu bytes", name, cap);
    return n;
}

static void
assert_vec(const char *name, const uint8_t *got, size_t len)
{
    uint8_t want[MAX_HEX];

    assert_int_equal(vec_hex(name, want, sizeof(want)), len);
    assert_memory_equal(got, want, len);
}

static void
test_ntowf(void **state)
{
    uint8_t nt[16], v2[16];

    (void)state;
    assert_int_equal(NTOWFv1(vec("password_utf8"), nt), NTLM_OK);
    assert_vec("ntowfv1", nt, 16);
    assert_int_equal(NTOWFv2(nt, vec("user_utf8"), vec("domain_utf8"), v2), NTLM_OK);
    assert_vec("ntowfv2", v2, 16);
    assert_int_equal(NTOWFv1("Pass\xf0\x9d\x84\x9e", nt), NTLM_OK); /* U+1D11E: surrogate pair */
    assert_vec("ntowfv1_nonbmp", nt, 16);
}

/* NTProofStr, LMv2, SessionBaseKey, KXKEY, EncryptedRandomSessionKey (4.2.4) */
static void
test_ntlmv2_response(void **state)
{
    uint8_t nt[16], key[16], sc[8], cc[8], tm[8], ti[128], temp[160], proof[16], lm[24];
    uint8_t sbk[16], kx[16], rsk[16], enc[16];
    size_t tilen;

    (void)state;
    assert_int_equal(NTOWFv1(vec("password_utf8"), nt), NTLM_OK);
    assert_int_equal(NTOWFv2(nt, vec("user_utf8"), vec("domain_utf8"), key), NTLM_OK);
    vec_hex("server_challenge", sc, 8);
    vec_hex("client_challenge", cc, 8);
    vec_hex("time", tm, 8);
    tilen = vec_hex("target_info", ti, sizeof(ti));
    assert_int_equal(ntlmv2_temp(tm, cc, ti, tilen, temp, NTLM_TEMP_FIXED_LEN + tilen), NTLM_OK);
    assert_int_equal(ntlmv2_temp(tm, cc, ti, tilen, temp, tilen), NTLM_ERR_ARG);
    assert_int_equal(NTProofStr(key, sc, temp, NTLM_TEMP_FIXED_LEN + tilen, proof), NTLM_OK);
    assert_vec("nt_proof_str", proof, 16);
    assert_int_equal(LMv2Response(key, sc, cc, lm), NTLM_OK);
    assert_vec("lmv2_response", lm, 24);
    assert_int_equal(SessionBaseKey(key, proof, sbk), NTLM_OK);
    assert_vec("session_base_key", sbk, 16);
    assert_int_equal(KXKEY(sbk, kx), NTLM_OK);
    assert_memory_equal(kx, sbk, 16);
    vec_hex("random_session_key", rsk, 16);
    assert_int_equal(EncryptedRandomSessionKey(kx, rsk, enc), NTLM_OK);
    assert_vec("encrypted_random_session_key", enc, 16);
}

static void
test_sign_seal_keys(void **state)
{
    uint32_t flags = (uint32_t)strtoul(vec("challenge_flags"), NULL, 16);
    uint8_t rsk[16], k[16];

    (void)state;
    vec_hex("random_session_key", rsk, 16);
    assert_int_equal(SIGNKEY(flags, rsk, NTLM_MODE_CLIENT, k), NTLM_OK);
    assert_vec("client_signing_key", k, 16);
    assert_int_equal(SIGNKEY(flags, rsk, NTLM_MODE_SERVER, k), NTLM_OK);
    assert_vec("server_signing_key", k, 16);
    assert_int_equal(SEALKEY(flags, rsk, NTLM_MODE_CLIENT, k), NTLM_OK);
    assert_vec("client_sealing_key", k, 16);
    assert_int_equal(SEALKEY(flags, rsk, NTLM_MODE_SERVER, k), NTLM_OK);
    assert_vec("server_sealing_key", k, 16);
    assert_int_equal(SIGNKEY(NTLMSSP_NEGOTIATE_NTLM, rsk, NTLM_MODE_CLIENT, k), NTLM_ERR_ARG);
}

static void
test_challenge_decode_spec(void **state)
{
    uint8_t msg[MAX_HEX], sc[8];
    size_t len = vec_hex("challenge_message", msg, sizeof(msg));
    struct ntlm_challenge ch;
    char err[NTLM_ERROR_SIZE];

    (void)state;
    assert_int_equal(ntlm_challenge_decode(msg, len, &ch, err, sizeof(err)), NTLM_OK);
    assert_string_equal(err, "");
    assert_int_equal(ch.flags, (uint32_t)strtoul(vec("challenge_flags"), NULL, 16));
    vec_hex("server_challenge", sc, 8);
    assert_memory_equal(ch.server_challenge, sc, 8);
    assert_int_equal(ch.target_name_len, 12);
    assert_memory_equal(ch.target_name, "S\0e\0r\0v\0e\0r\0", 12);
    assert_vec("target_info", ch.target_info, ch.target_info_len);
    assert_true(ch.has_version);
    assert_false(ch.has_timestamp);
    assert_false(ch.has_av_flags);
}

static struct ntlm_client *
new_spec_client(const char *ws, const char *spn)
{
    struct ntlm_client *c = NULL;

    assert_int_equal(ntlm_client_new(&c, vec("user_utf8"), vec("domain_utf8"), vec("password_utf8"),
                                     ws, spn),
                     NTLM_OK);
    return c;
}

/* The spec's client's "random" bytes, handed out in the order it drew them:
 * ClientChallenge, then (with KEY_EXCH) the RandomSessionKey. */
static struct {
    uint8_t bytes[NTLM_CHALLENGE_LEN + NTLM_KEY_LEN];
    size_t used;
} spec_random;

static int
spec_random_bytes(void *arg, uint8_t *out, size_t len)
{
    (void)arg;
    assert_true(len <= sizeof(spec_random.bytes) - spec_random.used);
    memcpy(out, spec_random.bytes + spec_random.used, len);
    spec_random.used += len;
    return NTLM_OK;
}

static uint64_t
spec_filetime(void *arg)
{
    (void)arg;
    return 0; /* vector "time" is Z(8) */
}

static void
set_spec_hook(struct ntlm_client *c, bool spec_form, const uint8_t *want_auth)
{
    struct ntlm_testing t = {.random_bytes = spec_random_bytes, .filetime = spec_filetime};

    vec_hex("client_challenge", spec_random.bytes, NTLM_CHALLENGE_LEN);
    vec_hex("random_session_key", spec_random.bytes + NTLM_CHALLENGE_LEN, NTLM_KEY_LEN);
    spec_random.used = 0;
    t.spec_form = spec_form;
    if (spec_form) {
        /* inputs the spec's client chose, not outputs: its flags and version */
        memcpy(&t.flags, want_auth + 60, 4); /* x86-64: little-endian like the wire */
        memcpy(t.version, want_auth + 64, 8);
    }
    assert_int_equal(ntlm_client_set_testing(c, &t), NTLM_OK);
}

static void
test_authenticate_spec(void **state)
{
    uint8_t chal[MAX_HEX], want[MAX_HEX], *neg = NULL, *auth = NULL;
    size_t chal_len = vec_hex("challenge_message", chal, sizeof(chal));
    size_t want_len = vec_hex("authenticate_message", want, sizeof(want));
    size_t neg_len = 0, auth_len = 0;
    struct ntlm_client *c = new_spec_client(vec("workstation_utf8"), NULL);

    (void)state;
    set_spec_hook(c, true, want);
    assert_int_equal(ntlm_client_negotiate(c, &neg, &neg_len), NTLM_OK);
    assert_int_equal(neg_len, 40);
    assert_int_equal(ntlm_client_authenticate(c, chal, chal_len, &auth, &auth_len), NTLM_OK);
    assert_int_equal(auth_len, want_len);
    assert_memory_equal(auth, want, want_len);
    assert_int_equal(spec_random.used, sizeof(spec_random.bytes)); /* both draws came from us */
    free(neg);
    free(auth);
    ntlm_client_free(c);
}

static int
failing_random_bytes(void *arg, uint8_t *out, size_t len)
{
    (void)arg;
    (void)out;
    (void)len;
    return NTLM_ERR_CRYPTO;
}

/* Without the hook the ClientChallenge is the CSPRNG's: two clients answer
 * the same CHALLENGE differently.  A random source that fails fails the
 * AUTHENTICATE, with nothing sent. */
static void
test_randomness_is_real_unless_hooked(void **state)
{
    uint8_t chal[MAX_HEX], *neg = NULL, *auth[2] = {NULL, NULL};
    size_t chal_len = vec_hex("challenge_message", chal, sizeof(chal));
    size_t neg_len = 0, auth_len[2] = {0, 0};
    struct ntlm_testing failing = {.random_bytes = failing_random_bytes};
    struct ntlm_client *c;

    (void)state;
    for (int i = 0; i < 2; i++) {
        c = new_spec_client(NULL, NULL);
        assert_int_equal(ntlm_client_negotiate(c, &neg, &neg_len), NTLM_OK);
        assert_int_equal(ntlm_client_authenticate(c, chal, chal_len, &auth[i], &auth_len[i]),
                         NTLM_OK);
        free(neg);
        ntlm_client_free(c);
    }
    assert_int_equal(auth_len[0], auth_len[1]);
    assert_memory_not_equal(auth[0], auth[1], auth_len[0]);
    free(auth[0]);
    free(auth[1]);
    c = new_spec_client(NULL, NULL);
    assert_int_equal(ntlm_client_set_testing(c, &failing), NTLM_OK);
    assert_int_equal(ntlm_client_negotiate(c, &neg, &neg_len), NTLM_OK);
    assert_int_equal(ntlm_client_authenticate(c, chal, chal_len, &auth[0], &auth_len[0]),
                     NTLM_ERR_CRYPTO);
    assert_null(auth[0]);
    free(neg);
    ntlm_client_free(c);
}

/* A CHALLENGE like 4.2.4's (Version, TargetName "Server") with the given AV list. */
static size_t
make_chal(uint8_t *m, uint32_t flags, const uint8_t *av, size_t avlen)
{
    uint8_t spec[MAX_HEX];

    vec_hex("challenge_message", spec, sizeof(spec));
    memcpy(m, spec, 68); /* header, Version and TargetName */
    for (int i = 0; i < 4; i++)
        m[20 + i] = (uint8_t)(flags >> (8 * i));
    m[40] = (uint8_t)avlen, m[41] = (uint8_t)(avlen >> 8);
    m[42] = m[40], m[43] = m[41];
    memcpy(m + 68, av, avlen);
    return 68 + avlen;
}

#define AV(id, len) (id), 0, (len), 0
static const uint8_t av_ts[] = {AV(2, 4), 'D', 0, 'M', 0, AV(4, 0), AV(7, 8), 1,
                                2,        3,   4, 5,   6, 7,        8,        AV(0, 0)};

/* A throwaway self-signed certificate (DER) signed with @md (NULL for EdDSA). */
static int
make_cert_der(const char *keytype, const char *md, uint8_t **der)
{
    EVP_PKEY *k = md != NULL ? EVP_PKEY_Q_keygen(NULL, NULL, keytype, "P-256")
                             : EVP_PKEY_Q_keygen(NULL, NULL, keytype);
    X509 *x = X509_new();
    int len;

    assert_non_null(k);
    assert_non_null(x);
    assert_true(X509_set_pubkey(x, k));
    assert_true(X509_gmtime_adj(X509_getm_notBefore(x), 0));
    assert_true(X509_gmtime_adj(X509_getm_notAfter(x), 3600));
    assert_true(X509_sign(x, k, md != NULL ? EVP_get_digestbyname(md) : NULL) > 0);
    *der = NULL;
    len = i2d_X509(x, der);
    assert_true(len > 0);
    X509_free(x);
    EVP_PKEY_free(k);
    return len;
}

/* The normal (HTTP) form: MIC, Z(24) LM, server pairs echoed, Flags, CB, TargetName. */
static void
test_authenticate_mic(void **state)
{
    uint8_t chal[256], *neg = NULL, *auth = NULL, key[16], nt[16], proof[16], sbk[16], mic[16];
    uint8_t want_av[256], *copy, *der = NULL, cb[16];
    int der_len = make_cert_der("EC", "SHA256", &der);
    size_t chal_len, neg_len = 0, auth_len = 0, n = sizeof(av_ts) - 4, ntoff, ntlen;
    uint32_t flags = (uint32_t)strtoul(vec("challenge_flags"), NULL, 16);
    static const uint8_t z24[24] = {0};
    struct ntlm_client *c = new_spec_client("WS", "HTTP/server");

    (void)state;
    chal_len = make_chal(chal, flags, av_ts, sizeof(av_ts));
    set_spec_hook(c, false, NULL);
    assert_int_equal(ntlm_client_set_channel_binding(c, der, (size_t)der_len), NTLM_OK);
    assert_int_equal(ntlm_cert_channel_bindings_hash(der, (size_t)der_len, cb), NTLM_OK);
    assert_int_equal(ntlm_client_negotiate(c, &neg, &neg_len), NTLM_OK);
    /* 40 bytes: flags UNICODE|REQUEST_TARGET|NTLM|ALWAYS_SIGN|ESS, empty fields at 40, Version 0 */
    assert_memory_equal(neg,
                        "NTLMSSP\0\1\0\0\0\x05\x82\x08\0\0\0\0\0\x28\0\0\0"
                        "\0\0\0\0\x28\0\0\0\0\0\0\0\0\0\0\0",
                        40);
    assert_int_equal(ntlm_client_authenticate(c, chal, chal_len, &auth, &auth_len), NTLM_OK);
    assert_int_equal(auth[60] | auth[61] << 8 | auth[62] << 16 | auth[63] << 24,
                     flags & 0x00888205u);  /* UNICODE REQ_TARGET NTLM ALWAYS_SIGN ESS TI */
    assert_memory_equal(auth + 64, z24, 8); /* Version zero: no VERSION */
    assert_int_equal(auth[12], 24);         /* LM = Z(24) with a MIC */
    assert_memory_equal(auth + (auth[16] | auth[17] << 8), z24, 24);
    assert_int_equal(auth[52], 0); /* no EncryptedRandomSessionKey */
    /* the blob's AV list: server pairs verbatim, Flags=2, CB, TargetName, EOL */
    memcpy(want_av, av_ts, n);
    memcpy(want_av + n, (uint8_t[]){AV(6, 4), 2, 0, 0, 0, AV(10, 16)}, 12);
    memcpy(want_av + n + 12, cb, 16);
    memcpy(want_av + n + 28, (uint8_t[]){AV(9, 22)}, 4);
    memcpy(want_av + n + 32, "H\0T\0T\0P\0/\0s\0e\0r\0v\0e\0r\0", 22);
    memset(want_av + n + 54, 0, 4);
    ntoff = auth[24] | auth[25] << 8;
    ntlen = auth[20] | auth[21] << 8;
    assert_int_equal(ntlen, 16 + 28 + n + 58 + 4);
    assert_memory_equal(auth + ntoff + 16 + 8, av_ts + 16, 8); /* blob time = server's */
    assert_memory_equal(auth + ntoff + 16 + 28, want_av, n + 58);
    /* recompute NTProofStr and the MIC independently of the encoder */
    assert_int_equal(NTOWFv1(vec("password_utf8"), nt), NTLM_OK);
    assert_int_equal(NTOWFv2(nt, vec("user_utf8"), vec("domain_utf8"), key), NTLM_OK);
    assert_int_equal(NTProofStr(key, chal + 24, auth + ntoff + 16, ntlen - 16, proof), NTLM_OK);
    assert_memory_equal(proof, auth + ntoff, 16);
    assert_int_equal(SessionBaseKey(key, proof, sbk), NTLM_OK);
    copy = malloc(auth_len);
    assert_non_null(copy);
    memcpy(copy, auth, auth_len);
    memset(copy + 72, 0, 16);
    assert_int_equal(MIC(sbk, neg, neg_len, chal, chal_len, copy, auth_len, mic), NTLM_OK);
    assert_memory_equal(mic, auth + 72, 16);
    free(copy);
    assert_int_equal(ntlm_client_authenticate(c, chal, chal_len, &copy, &n), NTLM_ERR_ARG);
    OPENSSL_free(der);
    free(neg);
    free(auth);
    ntlm_client_free(c);
}

/* Server Flags/TargetName/CB pairs: Flags gains bit 2 in place, ours replace the rest. */
static void
test_authenticate_replace(void **state)
{
    static const uint8_t av[] = {AV(6, 4), 1, 0, 0, 0, AV(9, 2), 'X', 0,        AV(10, 16),
                                 1,        1, 1, 1, 1, 1,        1,   1,        1,
                                 1,        1, 1, 1, 1, 1,        1,   AV(7, 8), 0,
                                 0,        0, 0, 0, 0, 0,        0,   AV(0, 0)};
    static const uint8_t want[] = {AV(6, 4), 3, 0, 0, 0, AV(7, 8), 0,   0, 0,
                                   0,        0, 0, 0, 0, AV(9, 2), 'Z', 0, AV(0, 0)};
    uint8_t chal[256], *neg = NULL, *auth = NULL;
    size_t chal_len, neg_len = 0, auth_len = 0, ntoff;
    struct ntlm_client *c = new_spec_client(NULL, "Z");

    (void)state;
    chal_len = make_chal(chal, 0xe28a8233u, av, sizeof(av));
    assert_int_equal(ntlm_client_negotiate(c, &neg, &neg_len), NTLM_OK);
    assert_int_equal(ntlm_client_authenticate(c, chal, chal_len, &auth, &auth_len), NTLM_OK);
    ntoff = auth[24] | auth[25] << 8;
    assert_int_equal(auth[20] | auth[21] << 8, 16 + 28 + sizeof(want) + 4);
    assert_memory_equal(auth + ntoff + 16 + 28, want, sizeof(want));
    free(neg);
    free(auth);
    ntlm_client_free(c);
}

struct bad_case {
    const char *what;
    int want;
    const char *msg; /* substring of the error text */
};

/* Mutations of the 4.2.4 CHALLENGE (TargetName at 56/12, TargetInfo at 68/36). */
static size_t
mutate(int i, uint8_t *m, size_t len)
{
    static const uint8_t big[] = {AV(5, 0)};
    uint32_t f;

    memcpy(&f, m + 20, 4);
    switch (i) {
    case 0:
        return 31; /* short */
    case 1:
        m[0] = 'X';
        break; /* signature */
    case 2:
        m[8] = 3;
        break; /* type */
    case 3:
        m[16] = 200;
        break; /* TargetName past end */
    case 4:
        memcpy(m + 44, "\xf0\xff\xff\xff", 4);
        break; /* offset+len wraps */
    case 5:
        m[44] = 12;
        break; /* inside header */
    case 6:
        m[70] = 0x40;
        break; /* AV longer than rest */
    case 7:
        m[40] = 32;
        return len - 4; /* no EOL */
    case 8:
        m[100] = 6, m[102] = 3;
        m[40] = 43;
        return len + 7; /* Flags length 3 */
    case 9:
        m[100] = 7, m[102] = 7;
        m[40] = 47;
        return len + 11; /* Timestamp length 7 */
    case 10:
        m[100] = 7, m[102] = 8, m[112] = 7, m[114] = 8; /* duplicate Timestamp */
        m[40] = 60;
        return len + 24;
    case 11:
        memcpy(m + 68, big, 4);
        m[70] = 0xfc, m[71] = 0x0f; /* TargetInfo 4100 > cap */
        memset(m + 72, 0, 4096);
        m[40] = 0x04, m[41] = 0x10;
        return 68 + 4100;
    case 12:
        f &= ~NTLMSSP_NEGOTIATE_NTLM;
        memcpy(m + 20, &f, 4);
        break;
    case 13:
        f &= ~NTLMSSP_NEGOTIATE_UNICODE;
        memcpy(m + 20, &f, 4);
        break;
    case 14:
        f &= ~NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY;
        memcpy(m + 20, &f, 4);
        break;
    case 15:
        m[12] = 11;
        break; /* odd TargetName */
    case 16:
        m[102] = 1;
        m[40] = 37;
        return len + 1; /* EOL with length 1 */
    default:
        break;
    }
    return len;
}

static const struct bad_case bad_cases[] = {
    {"short", NTLM_ERR_DECODE, "not between 32"},
    {"signature", NTLM_ERR_DECODE, "signature"},
    {"type", NTLM_ERR_DECODE, "is not 2"},
    {"TargetName past end", NTLM_ERR_DECODE, "TargetName (offset 200, length 12) runs past"},
    {"offset+len overflow", NTLM_ERR_DECODE, "offset 4294967280, length 36) runs past"},
    {"offset in header", NTLM_ERR_DECODE, "TargetInfo offset 12 lies inside the 56-byte header"},
    {"AV too long", NTLM_ERR_DECODE, "has length 64, only 32 left"},
    {"no EOL", NTLM_ERR_DECODE, "without MsvAvEOL"},
    {"Flags length 3", NTLM_ERR_DECODE, "AV pair 6 at byte 32 has invalid length 3"},
    {"Timestamp length 7", NTLM_ERR_DECODE, "AV pair 7 at byte 32 has invalid length 7"},
    {"duplicate Timestamp", NTLM_ERR_DECODE, "AV pair 7 appears twice"},
    {"TargetInfo over cap", NTLM_ERR_DECODE, "TargetInfo is 4100 bytes"},
    {"no NTLM", NTLM_ERR_FLAGS, "lack NEGOTIATE_NTLM"},
    {"no UNICODE", NTLM_ERR_FLAGS, "lack NEGOTIATE_UNICODE"},
    {"no ESS", NTLM_ERR_FLAGS, "lack NEGOTIATE_EXTENDED_SESSIONSECURITY"},
    {"odd TargetName", NTLM_ERR_DECODE, "TargetName has odd length 11"},
    {"EOL length 1", NTLM_ERR_DECODE, "AV pair 0 at byte 32 has invalid length 1"},
};

static void
test_challenge_bad(void **state)
{
    static uint8_t spec[MAX_HEX], m[8192];
    size_t spec_len = vec_hex("challenge_message", spec, sizeof(spec));

    (void)state;
    for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
        struct ntlm_client *c = new_spec_client(NULL, "HTTP/x");
        uint8_t *neg = NULL, *auth = NULL;
        size_t neg_len = 0, auth_len = 0, len;
        struct ntlm_challenge ch;
        char err[NTLM_ERROR_SIZE];

        memset(m, 0, sizeof(m));
        memcpy(m, spec, spec_len);
        len = mutate((int)i, m, spec_len);
        assert_int_equal(ntlm_challenge_decode(m, len, &ch, err, sizeof(err)), bad_cases[i].want);
        if (strstr(err, bad_cases[i].msg) == NULL)
            fail_msg("case '%s': error '%s' lacks '%s'", bad_cases[i].what, err, bad_cases[i].msg);
        assert_int_equal(ntlm_client_negotiate(c, &neg, &neg_len), NTLM_OK);
        assert_int_equal(ntlm_client_authenticate(c, m, len, &auth, &auth_len), bad_cases[i].want);
        assert_null(auth);
        assert_string_equal(ntlm_client_error(c), err);
        free(neg);
        ntlm_client_free(c);
    }
}

/* Edge cases real servers produce: all must be accepted and answered. */
static void
test_challenge_edge(void **state)
{
    static const uint8_t samba[] = {AV(2, 2), 'S', 0,        AV(1, 2), 'S', 0, AV(4, 0), AV(3, 2),
                                    's',      0,   AV(7, 8), 1,        2,   3, 4,        5,
                                    6,        7,   8,        AV(0, 0), 9,   9};
    uint8_t m[256], *neg = NULL, *auth = NULL;
    size_t len, neg_len = 0, auth_len = 0;
    struct ntlm_challenge ch;

    (void)state;
    for (int i = 0; i < 4; i++) {
        struct ntlm_client *c = new_spec_client(NULL, NULL);

        len = make_chal(m, 0xe28a8233u, samba, sizeof(samba));
        if (i >= 1)
            memset(m + 12, 0, 2); /* empty TargetName, TARGET_TYPE_SERVER still set */
        if (i == 2)
            len = 32; /* pre-TargetInfo server: 32 bytes */
        if (i == 3)
            m[23] &= 0xfd, m[40] = 0, len = 48; /* 48-byte header, no VERSION, no TargetInfo */
        assert_int_equal(ntlm_challenge_decode(m, len, &ch, NULL, 0), NTLM_OK);
        if (i < 2)
            assert_int_equal(ch.target_info_len, sizeof(samba) - 2); /* bytes after EOL dropped */
        assert_int_equal(ntlm_client_negotiate(c, &neg, &neg_len), NTLM_OK);
        assert_int_equal(ntlm_client_authenticate(c, m, len, &auth, &auth_len), NTLM_OK);
        free(neg);
        free(auth);
        ntlm_client_free(c);
    }
}

static void
test_utf8(void **state)
{
    static const char *bad[] = {"\xc0\xaf",     "\xe0\x80\xaf", "\xed\xa0\x80",
                                "\xed\xbf\xbf", "\xe2\x82",     "\xf4\x90\x80\x80",
                                "\x80",         "\xff",         "a\xf0\x9d\x84"};
    struct ntlm_client *c = NULL;
    uint8_t nt[16], a[16], b[16], *u = NULL;
    size_t ulen = 0;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(ntlm_client_new(&c, bad[i], "D", "p", NULL, NULL), NTLM_ERR_UTF8);
        assert_int_equal(ntlm_client_new(&c, "u", bad[i], "p", NULL, NULL), NTLM_ERR_UTF8);
        assert_int_equal(ntlm_client_new(&c, "u", "D", bad[i], NULL, NULL), NTLM_ERR_UTF8);
        assert_int_equal(ntlm_client_new(&c, "u", "D", "p", bad[i], NULL), NTLM_ERR_UTF8);
        assert_int_equal(ntlm_client_new(&c, "u", "D", "p", NULL, bad[i]), NTLM_ERR_UTF8);
        assert_null(c);
    }
    assert_int_equal(ntlm_client_new(&c, NULL, "D", "p", NULL, NULL), NTLM_ERR_ARG);
    /* NTOWFv2 uppercases the user (ASCII, Latin-1, Latin Extended-A), not the domain */
    assert_int_equal(NTOWFv1("p", nt), NTLM_OK);
    assert_int_equal(NTOWFv2(nt, "j\xc3\xbcrgen\xc5\x82", "Dom", a), NTLM_OK);
    assert_int_equal(NTOWFv2(nt, "J\xc3\x9cRGEN\xc5\x81", "Dom", b), NTLM_OK);
    assert_memory_equal(a, b, 16);
    assert_int_equal(NTOWFv2(nt, "user", "dom", b), NTLM_OK);
    assert_int_equal(NTOWFv2(nt, "user", "DOM", a), NTLM_OK);
    assert_memory_not_equal(a, b, 16);
    assert_int_equal(ntlm_utf8_to_utf16le("\xc3\xbf\xc3\x9f\xf0\x9d\x84\x9e", 1, &u, &ulen),
                     NTLM_OK);
    assert_int_equal(ulen, 8);
    assert_memory_equal(u, "\x78\x01\xdf\x00\x34\xd8\x1e\xdd", 8); /* Ÿ, ß kept, pair */
    secmem_free(u, ulen);
}

static void
test_base64(void **state)
{
    static const char *bad[] = {"TlRMTVNTUAABAAAA=", " TlRMTVN", "TlR=TVNT", "TlRMTVN\n",
                                "TlRM-VNT",          "T===",     "",         "TlRMTV=T"};
    static const uint8_t neg[] = "NTLMSSP";
    uint8_t *d = NULL;
    size_t dlen = 0;
    char *e = NULL;

    (void)state;
    assert_int_equal(ntlm_b64_encode(neg, sizeof(neg), &e), NTLM_OK);
    assert_string_equal(e, "TlRMTVNTUAA=");
    assert_int_equal(ntlm_b64_decode(e, strlen(e), &d, &dlen), NTLM_OK);
    assert_int_equal(dlen, 8);
    assert_memory_equal(d, neg, 8);
    free(d);
    free(e);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(ntlm_b64_decode(bad[i], strlen(bad[i]), &d, &dlen), NTLM_ERR_DECODE);
        assert_null(d);
    }
    e = malloc(30000);
    assert_non_null(e);
    memset(e, 'A', 30000);
    assert_int_equal(ntlm_b64_decode(e, 30000, &d, &dlen), NTLM_ERR_DECODE);
    free(e);
}

/* RFC 5929 4.1: SHA-1/MD5-signed certificates are hashed with SHA-256, others
 * with their own hash; Ed25519 has none (undefined). */
static void
test_cert_binding(void **state)
{
    static const struct {
        const char *key, *sign_md, *cb_md;
    } cases[] = {
        {"EC", "SHA1", "SHA256"},
        {"EC", "SHA256", "SHA256"},
        {"EC", "SHA384", "SHA384"},
        {"ED25519", NULL, NULL},
    };
    uint8_t app[MAX_HEX], want[16], got[16], *der = NULL;

    (void)state;
    /* optional vectors: the MS-NLMP/Chromium example application data and hash */
    if (vec_opt("cb_application_data") != NULL) {
        size_t n = vec_hex("cb_application_data", app, sizeof(app));

        assert_int_equal(ntlm_channel_bindings_hash(app, n, got), NTLM_OK);
        assert_vec("channel_bindings_hash", got, 16);
    }
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t len = (size_t)make_cert_der(cases[i].key, cases[i].sign_md, &der);
        unsigned int hl = 0;

        if (cases[i].cb_md == NULL) {
            assert_int_equal(ntlm_cert_channel_bindings_hash(der, len, got), NTLM_ERR_ARG);
        } else {
            memcpy(app, "tls-server-end-point:", 21);
            assert_true(
                EVP_Digest(der, len, app + 21, &hl, EVP_get_digestbyname(cases[i].cb_md), NULL));
            assert_int_equal(ntlm_channel_bindings_hash(app, 21 + hl, want), NTLM_OK);
            assert_int_equal(ntlm_cert_channel_bindings_hash(der, len, got), NTLM_OK);
            assert_memory_equal(got, want, 16);
        }
        assert_int_equal(ntlm_cert_channel_bindings_hash(der, len - 1, got), NTLM_ERR_DECODE);
        OPENSSL_free(der);
    }
}

/* Runs last: a vector added to ntlm.txt without a test here fails loudly. */
static void
test_all_vectors_used(void **state)
{
    (void)state;
    assert_true(n_vecs > 0);
    for (size_t i = 0; i < n_vecs; i++) {
        if (!vecs[i].used)
            fail_msg("vector %s in ntlm.txt is not checked by any test", vecs[i].name);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ntowf),
        cmocka_unit_test(test_ntlmv2_response),
        cmocka_unit_test(test_sign_seal_keys),
        cmocka_unit_test(test_challenge_decode_spec),
        cmocka_unit_test(test_authenticate_spec),
        cmocka_unit_test(test_randomness_is_real_unless_hooked),
        cmocka_unit_test(test_authenticate_mic),
        cmocka_unit_test(test_authenticate_replace),
        cmocka_unit_test(test_challenge_bad),
        cmocka_unit_test(test_challenge_edge),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_base64),
        cmocka_unit_test(test_cert_binding),
        cmocka_unit_test(test_all_vectors_used),
    };

    return cmocka_run_group_tests(tests, load_vectors, NULL);
}
