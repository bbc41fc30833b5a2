/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * digest.c - the hashes of digest.h over nettle.  Each context holds
 * key-derived state, so it is wiped before it goes out of scope.
 */
#include "lib/core/digest.h"

#include <nettle/hmac.h>
#include <nettle/memops.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>

#include "lib/common/secmem.h"

size_t
digest_size(enum digest_alg alg)
{
    switch (alg) {
    case DIGEST_SHA1:
        return SHA1_DIGEST_SIZE;
    case DIGEST_SHA256:
        return SHA256_DIGEST_SIZE;
    case DIGEST_SHA512:
        return SHA512_DIGEST_SIZE;
    }
    return 0;
}

bool
digest_hmac(enum digest_alg alg, const uint8_t *key, size_t keylen, const uint8_t *msg,
            size_t msglen, uint8_t out[DIGEST_MAX])
{
    union {
        struct hmac_sha1_ctx sha1;
        struct hmac_sha256_ctx sha256;
        struct hmac_sha512_ctx sha512;
    } ctx;
    bool ok = true;

    switch (alg) {
    case DIGEST_SHA1:
        hmac_sha1_set_key(&ctx.sha1, keylen, key);
        hmac_sha1_update(&ctx.sha1, msglen, msg);
        hmac_sha1_digest(&ctx.sha1, SHA1_DIGEST_SIZE, out);
        break;
    case DIGEST_SHA256:
        hmac_sha256_set_key(&ctx.sha256, keylen, key);
        hmac_sha256_update(&ctx.sha256, msglen, msg);
        hmac_sha256_digest(&ctx.sha256, SHA256_DIGEST_SIZE, out);
        break;
    case DIGEST_SHA512:
        hmac_sha512_set_key(&ctx.sha512, keylen, key);
        hmac_sha512_update(&ctx.sha512, msglen, msg);
        hmac_sha512_digest(&ctx.sha512, SHA512_DIGEST_SIZE, out);
        break;
    default:
        ok = false;
    }
    secmem_wipe(&ctx, sizeof(ctx));
    return ok;
}

bool
digest_hash(enum digest_alg alg, const struct iovec *iov, size_t n, uint8_t out[DIGEST_MAX])
{
    union {
        struct sha1_ctx sha1;
        struct sha256_ctx sha256;
        struct sha512_ctx sha512;
    } ctx;
    bool ok = true;

    switch (alg) {
    case DIGEST_SHA1:
        sha1_init(&ctx.sha1);
        for (size_t i = 0; i < n; i++)
            sha1_update(&ctx.sha1, iov[i].iov_len, iov[i].iov_base);
        sha1_digest(&ctx.sha1, SHA1_DIGEST_SIZE, out);
        break;
    case DIGEST_SHA256:
        sha256_init(&ctx.sha256);
        for (size_t i = 0; i < n; i++)
            sha256_update(&ctx.sha256, iov[i].iov_len, iov[i].iov_base);
        sha256_digest(&ctx.sha256, SHA256_DIGEST_SIZE, out);
        break;
    case DIGEST_SHA512:
        sha512_init(&ctx.sha512);
        for (size_t i = 0; i < n; i++)
            sha512_update(&ctx.sha512, iov[i].iov_len, iov[i].iov_base);
        sha512_digest(&ctx.sha512, SHA512_DIGEST_SIZE, out);
        break;
    default:
        ok = false;
    }
    secmem_wipe(&ctx, sizeof(ctx));
    return ok;
}

bool
digest_equal(const void *a, const void *b, size_t len)
{
    return memeql_sec(a, b, len) != 0;
}
