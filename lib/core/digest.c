/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * digest.c - the hashes of digest.h over nettle.  Each context holds
 * key-derived state, so it is wiped before it goes out of scope.
 */
#include "lib/core/digest.h"

#include <nettle/hmac.h>
#include <nettle/memops.h>
#include <nettle/nettle-meta.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>

#include "lib/common/secmem.h"

/* Room for any of the three hashes' state. */
union hash_ctx {
    struct sha1_ctx sha1;
    struct sha256_ctx sha256;
    struct sha512_ctx sha512;
};

static const struct nettle_hash *
hash_of(enum digest_alg alg)
{
    switch (alg) {
    case DIGEST_SHA1:
        return &nettle_sha1;
    case DIGEST_SHA256:
        return &nettle_sha256;
    case DIGEST_SHA512:
        return &nettle_sha512;
    }
    return NULL;
}

size_t
digest_size(enum digest_alg alg)
{
    const struct nettle_hash *h = hash_of(alg);

    return h != NULL ? h->digest_size : 0;
}

bool
digest_hmac(enum digest_alg alg, const uint8_t *key, size_t keylen, const uint8_t *msg,
            size_t msglen, uint8_t out[DIGEST_MAX])
{
    const struct nettle_hash *h = hash_of(alg);
    union hash_ctx outer, inner, state;

    if (h == NULL)
        return false;
    hmac_set_key(&outer, &inner, &state, h, keylen, key);
    hmac_update(&state, h, msglen, msg);
    hmac_digest(&outer, &inner, &state, h, h->digest_size, out);
    secmem_wipe(&outer, sizeof(outer));
    secmem_wipe(&inner, sizeof(inner));
    secmem_wipe(&state, sizeof(state));
    return true;
}

bool
digest_hash(enum digest_alg alg, const struct iovec *iov, size_t n, uint8_t out[DIGEST_MAX])
{
    const struct nettle_hash *h = hash_of(alg);
    union hash_ctx ctx;

    if (h == NULL)
        return false;
    h->init(&ctx);
    for (size_t i = 0; i < n; i++)
        h->update(&ctx, iov[i].iov_len, iov[i].iov_base);
    h->digest(&ctx, h->digest_size, out);
    secmem_wipe(&ctx, sizeof(ctx));
    return true;
}

bool
digest_equal(const void *a, const void *b, size_t len)
{
    return memeql_sec(a, b, len) != 0;
}
