/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * protocol.h - what crauth-helper and crauth-broker say to each other on
 * the broker's Unix socket (doc/design.md, "The broker").
 *
 * One connection carries one SOAP call: the helper connects, both sides
 * send HELLO, the helper sends the call (the configuration it read, the
 * url it means, the server's index and the request's fields), the broker
 * answers with the outcome (a reason code and a one-line error) and, when
 * a server answered with a result or a Fault, the parsed reply, field by
 * field.  Frames are lib/common/wire.h's (type, length, payload, a 4 KiB
 * cap, every read with a deadline); the types below are their own range.
 *
 * Every text is checked on arrival as the module's frames are: no NUL,
 * valid UTF-8, within its field's size.  A frame out of order, repeated or
 * missing makes the whole message WIRE_BAD.  Secrets (the request's
 * password fields) travel here as they travel to the server; both ends
 * wipe them.
 */
#ifndef CRAUTH_BROKER_PROTOCOL_H
#define CRAUTH_BROKER_PROTOCOL_H

#include "lib/tier_helper_side.h"

#include <stdint.h>

#include "lib/core/conf.h"
#include "lib/remote/soap.h"

#define BROKER_PROTOCOL 1
/* connect and HELLO, both ways, on a local socket */
#define BROKER_HELLO_MS 1000
/* the broker's bound for reading a whole call once HELLO is done */
#define BROKER_CALL_READ_MS 2000
/* what the helper allows the broker beyond its calls' own bounds */
#define BROKER_MARGIN_MS 1000

/* The longest one call through the broker may take, in ms: a try on a
 * kept connection (no connect: timeout), then one on a new connection
 * (connect_timeout + timeout, and one timeout more for NTLM's NEGOTIATE
 * leg), and the margin. */
static inline long
broker_call_limit_ms(const struct crauth_config *cfg)
{
    long legs = cfg->http_auth == HTTP_AUTH_NTLM ? 3 : 2;

    return (cfg->connect_timeout + legs * cfg->timeout) * 1000 + BROKER_MARGIN_MS;
}

enum broker_frame {
    B_HELLO = 0x61,   /* u16 protocol version (both ways) */
    B_BUSY = 0x62,    /* text: the broker will not take the call (instead of HELLO) */
    B_CONF = 0x63,    /* text: the configuration file the helper read */
    B_URL = 0x64,     /* text: the url at @index in it, as the helper read it */
    B_CALL = 0x65,    /* u8 index, u8 operation, u32 password_format */
    B_OUTCOME = 0x66, /* u16 reason, then text: the error line ("" with REASON_OK) */
    B_R_CODES = 0x67, /* i32 return_code, i32 status_code, i32 error_code, u8 has-bits */
    B_END = 0x6f,     /* empty: the message is complete */
    B_FIELD = 0x70,   /* + i: request field i (broker_request_field), text */
    B_R_TEXT = 0x80,  /* + i: reply text field i, text; every one, in order */
};

/* A call as the broker received it.  The strings are the broker's own
 * (secmem): free with broker_request_free, which wipes them. */
struct broker_request {
    char *conf;
    char *url;
    unsigned index;
    struct soap_request req; /* its strings point into @field */
    char *field[9];          /* one per request field, in their order on the wire */
};

/* HELLO, and reading the peer's HELLO (or B_BUSY, as WIRE_BAD with @err
 * naming the broker's reason).  Wire status; @err set on failure. */
int broker_put_hello(int fd);
int broker_get_hello(int fd, int64_t deadline_ms, char *err, size_t errlen);

/* The helper's side of a call: write it, read the answer.  On WIRE_OK,
 * *reason is the broker's outcome and @err its line; @reply is filled
 * when *reason is REASON_OK or REASON_SOAP_FAULT, and zero otherwise. */
int broker_put_call(int fd, const char *conf, const char *url, unsigned index,
                    const struct soap_request *req);
int broker_get_outcome(int fd, int64_t deadline_ms, int *reason, char *err, size_t errlen,
                       struct soap_reply *reply);

/* The broker's side. */
int broker_get_call(int fd, int64_t deadline_ms, struct broker_request *out);
void broker_request_free(struct broker_request *r);
int broker_put_outcome(int fd, int reason, const char *err, const struct soap_reply *reply);

#endif
