/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cms_key.h - the private key that answers a key-possession challenge
 * (`crauth cms-respond`): a PEM file, encrypted or not, or a key on a
 * smartcard or HSM reached through PKCS#11.
 */
#ifndef CRAUTH_CMS_KEY_H
#define CRAUTH_CMS_KEY_H

#include <stddef.h>

#include <openssl/evp.h>

struct cms_key_source {
    const char *key_file;      /* PEM private key (PKCS #8 or traditional) */
    const char *pass_file;     /* its pass phrase; NULL: ask on the terminal if needed */
    const char *pkcs11_uri;    /* RFC 7512 "pkcs11:..." instead of key_file */
    const char *pin_file;      /* the token's PIN; NULL: pin-value in the URI, or ask */
    const char *pkcs11_module; /* the PKCS#11 library; NULL: the engine's default */
};

struct cms_key {
    EVP_PKEY *pkey;
    void *engine; /* the PKCS#11 engine, kept initialised while the key is used */
};

/* Load the key @src names.  REASON_OK, or REASON_CERT_INVALID with one line
 * in @err (unreadable, wrong pass phrase or PIN, no such object). */
int cms_key_load(const struct cms_key_source *src, struct cms_key *key, char *err, size_t errlen);
void cms_key_free(struct cms_key *key);

/* Read a small file the user owns (key, certificate, pass phrase, PIN) of
 * at most @max bytes into a new NUL-terminated buffer (wiped and freed with
 * secmem_free_str).  @private_file: refuse a file others may read or write.
 * REASON_OK or REASON_CERT_INVALID with @err. */
int cms_read_user_file(const char *path, const char *what, size_t max, int private_file, char **out,
                       size_t *len, char *err, size_t errlen);

#endif
