/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_soap_reply.c - libFuzzer harness for soap_parse_reply_of(), the
 * part of the SOAP client a hostile server controls.  Besides the
 * sanitizers, the contract traps when broken: a known result, err one
 * printable line, text fields terminated inside their arrays, nothing left
 * in the reply unless it was good.  The input's length picks the operation
 * and the HTTP charset (windows-1252 goes through our own table), so every
 * seed is read each way without a prefix byte that would spoil the seeds.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -I . \
 *       tests/fuzz/fuzz_soap_reply.c lib/remote/soap.c lib/remote/soap_reply.c \
 *       lib/remote/soap_tree.c lib/remote/soap_xml.c lib/common/utf8.c \
 *       lib/common/secmem.c $(pkg-config --cflags --libs expat)
 *   ./a.out tests/fuzz/corpus/soap_reply
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/remote/soap.h"

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            __builtin_trap();                                                                      \
    } while (0)

#define TERMINATED(a) CHECK(memchr((a), '\0', sizeof(a)) != NULL)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const charsets[] = {NULL, "ISO-8859-1", "utf-8", "windows-1252"};
    static const struct soap_reply zero;
    struct soap_reply r;
    char err[256];
    char *copy;
    int rc;

    /* An exact-size copy, so ASan sees any read past the body. */
    copy = malloc(size > 0 ? size : 1);
    if (copy == NULL)
        return 0;
    if (size > 0)
        memcpy(copy, data, size);
    memset(&r, 0x5a, sizeof(r));
    rc = soap_parse_reply_of((size & 4) ? SOAP_GET_CHALLENGE : SOAP_AUTH_USER, copy, size,
                             charsets[size & 3], &r, err, sizeof(err));
    free(copy);

    CHECK(rc == SOAP_OK || rc == SOAP_FAULT || rc == SOAP_MALFORMED);
    TERMINATED(err);
    for (const char *c = err; *c != '\0'; c++)
        CHECK(*c >= 0x20 && *c <= 0x7e);
    CHECK((rc == SOAP_OK) == (err[0] == '\0'));
    TERMINATED(r.return_enum);
    TERMINATED(r.status_enum);
    TERMINATED(r.challenge);
    TERMINATED(r.challenge_key);
    TERMINATED(r.challenge_message);
    TERMINATED(r.status_message);
    TERMINATED(r.auxiliary_message);
    TERMINATED(r.password_expire_date);
    TERMINATED(r.host_code);
    TERMINATED(r.error_desc);
    TERMINATED(r.fault_code);
    TERMINATED(r.fault_string);
    if (rc == SOAP_MALFORMED)
        CHECK(memcmp(&r, &zero, sizeof(r)) == 0);
    if (rc == SOAP_FAULT) {
        memset(r.fault_code, 0, sizeof(r.fault_code));
        memset(r.fault_string, 0, sizeof(r.fault_string));
        CHECK(memcmp(&r, &zero, sizeof(r)) == 0);
    }
    if (rc == SOAP_OK)
        CHECK(r.fault_code[0] == '\0' && r.fault_string[0] == '\0');
    return 0;
}
