/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_broker.c - libFuzzer harness for the helper <-> broker messages
 * (lib/broker/protocol.h): the first byte chooses the reader, the rest is
 * what the peer sent, handed over a pipe that is closed after it (so every
 * read ends at once, in data or at its end).
 *
 *   even  the broker reading calls (broker_get_call), one after another
 *   odd   the helper reading outcomes (broker_get_outcome)
 *
 * What a reader accepts must hold what its header promises: NUL-terminated
 * texts that fit, and a reply left all zero on any failure.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/broker/protocol.h"
#include "lib/common/reason.h"
#include "lib/common/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
read_calls(int fd)
{
    struct broker_request r;

    while (broker_get_call(fd, wire_now_ms() + 1000, &r) == WIRE_OK) {
        if (r.conf == NULL || r.url == NULL || r.index > 0xff ||
            r.req.operation > SOAP_GET_CHALLENGE)
            abort();
        if (r.req.userid != NULL && strlen(r.req.userid) > SOAP_MAX_VALUE)
            abort();
        broker_request_free(&r);
    }
}

static void
read_outcomes(int fd)
{
    struct soap_reply reply;
    char err[300];
    int reason;

    while ((broker_get_outcome(fd, wire_now_ms() + 1000, &reason, err, sizeof(err), &reply)) ==
           WIRE_OK) {
        if (strlen(err) >= sizeof(err) || reason < 0 || reason > 0xffff ||
            strnlen(reply.challenge, sizeof(reply.challenge)) == sizeof(reply.challenge) ||
            strnlen(reply.status_message, sizeof(reply.status_message)) ==
                sizeof(reply.status_message))
            abort();
    }
    for (size_t i = 0; i < sizeof(reply); i++)
        if (((const unsigned char *)&reply)[i] != 0)
            abort(); /* a failed read leaves nothing behind */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int p[2];

    if (size < 1 || size > 65536 || pipe2(p, O_CLOEXEC) != 0)
        return 0;
    /* a pipe holds 64 KiB: the write never waits */
    if (size > 1 && write(p[1], data + 1, size - 1) != (ssize_t)(size - 1))
        abort();
    close(p[1]);
    if (data[0] % 2 == 0)
        read_calls(p[0]);
    else
        read_outcomes(p[0]);
    close(p[0]);
    return 0;
}
