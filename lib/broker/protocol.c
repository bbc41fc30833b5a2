/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * protocol.c - the helper <-> broker messages (protocol.h), on
 * lib/common/wire.h's frames.  Numbers are big-endian, as in wire.c.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "lib/broker/protocol.h"
#include "lib/common/reason.h"
#include "lib/common/secmem.h"
#include "lib/common/utf8.h"
#include "lib/common/wire.h"

/* The request's text fields, in the order they travel; B_FIELD + i. */
static const size_t request_field[] = {
    offsetof(struct soap_request, userid),
    offsetof(struct soap_request, domain),
    offsetof(struct soap_request, component),
    offsetof(struct soap_request, password),
    offsetof(struct soap_request, static_password),
    offsetof(struct soap_request, challenge),
    offsetof(struct soap_request, challenge_key),
    offsetof(struct soap_request, dp_response),
    offsetof(struct soap_request, request_host_code),
};
#define N_REQUEST_FIELDS (sizeof(request_field) / sizeof(request_field[0]))
_Static_assert(N_REQUEST_FIELDS == sizeof(((struct broker_request *)0)->field) /
                                       sizeof(((struct broker_request *)0)->field[0]),
               "one broker_request.field per request field");

/* The reply's texts, in the order they travel; B_R_TEXT + i. */
#define TEXT(f)                                                                                    \
    {                                                                                              \
        offsetof(struct soap_reply, f), sizeof(((struct soap_reply *)0)->f)                        \
    }
static const struct {
    size_t offset, size;
} reply_text[] = {
    TEXT(return_enum),       TEXT(status_enum),          TEXT(challenge),
    TEXT(challenge_key),     TEXT(challenge_message),    TEXT(status_message),
    TEXT(auxiliary_message), TEXT(password_expire_date), TEXT(host_code),
    TEXT(error_desc),        TEXT(fault_code),           TEXT(fault_string),
};
#undef TEXT
#define N_REPLY_TEXTS (sizeof(reply_text) / sizeof(reply_text[0]))

/* The reply's presence flags, bit i of B_R_CODES's last byte. */
#define FLAG(f) offsetof(struct soap_reply, f)
static const size_t reply_flag[] = {
    FLAG(has_challenge),      FLAG(has_challenge_key),     FLAG(has_challenge_message),
    FLAG(has_status_message), FLAG(has_auxiliary_message), FLAG(has_password_expire_date),
    FLAG(has_host_code),
};
#undef FLAG
#define N_REPLY_FLAGS (sizeof(reply_flag) / sizeof(reply_flag[0]))

/* Read one frame of type @type before @deadline_ms. */
static int
expect(int fd, struct wire_frame *f, uint8_t type, int64_t deadline_ms)
{
    int rc = wire_read(fd, f, deadline_ms);

    if (rc != WIRE_OK)
        return rc;
    return f->type == type ? WIRE_OK : WIRE_BAD;
}

int
broker_put_hello(int fd)
{
    uint8_t v[2];

    wire_put16(v, BROKER_PROTOCOL);
    return wire_write(fd, B_HELLO, v, sizeof(v));
}

int
broker_get_hello(int fd, int64_t deadline_ms, char *err, size_t errlen)
{
    struct wire_frame f;
    const char *why;
    int rc = wire_read(fd, &f, deadline_ms);

    if (rc != WIRE_OK) {
        snprintf(err, errlen, "%s",
                 rc == WIRE_TIMEOUT ? "no HELLO in time"
                 : rc == WIRE_EOF   ? "closed before HELLO"
                                    : "HELLO unreadable");
        return rc;
    }
    if (f.type == B_BUSY) {
        snprintf(err, errlen, "busy: %s",
                 wire_text(&f, WIRE_MAX_PAYLOAD, &why) == WIRE_OK ? why : "?");
        return WIRE_BAD;
    }
    if (f.type != B_HELLO || f.len != 2 || wire_get16(f.payload) != BROKER_PROTOCOL) {
        snprintf(err, errlen, "speaks another protocol (not crauth-broker %d)", BROKER_PROTOCOL);
        return WIRE_BAD;
    }
    return WIRE_OK;
}

int
broker_put_call(int fd, const char *conf, const char *url, unsigned index,
                const struct soap_request *req)
{
    uint8_t call[6];
    int rc;

    if (index > 0xff || !wire_text_fits(conf, WIRE_MAX_PAYLOAD) ||
        !wire_text_fits(url, WIRE_MAX_PAYLOAD))
        return WIRE_BAD;
    call[0] = (uint8_t)index;
    call[1] = (uint8_t)req->operation;
    wire_put32(call + 2, req->password_format);
    if ((rc = wire_write_text(fd, B_CONF, conf)) != WIRE_OK ||
        (rc = wire_write_text(fd, B_URL, url)) != WIRE_OK ||
        (rc = wire_write(fd, B_CALL, call, sizeof(call))) != WIRE_OK)
        return rc;
    for (size_t i = 0; i < N_REQUEST_FIELDS; i++) {
        const char *v = *(const char *const *)((const char *)req + request_field[i]);

        if (v == NULL)
            continue;
        /* soap_build_request refuses such a value too; here it would
         * not even fit a frame */
        if (!wire_text_fits(v, SOAP_MAX_VALUE))
            return WIRE_BAD;
        if ((rc = wire_write_text(fd, (uint8_t)(B_FIELD + i), v)) != WIRE_OK)
            return rc;
    }
    return wire_write(fd, B_END, NULL, 0);
}

int
broker_get_call(int fd, int64_t deadline_ms, struct broker_request *out)
{
    struct wire_frame f;
    const char *text;
    size_t next = 0; /* fields arrive in order, each at most once */
    int rc;

    memset(out, 0, sizeof(*out));
    if ((rc = expect(fd, &f, B_CONF, deadline_ms)) != WIRE_OK ||
        (rc = wire_text(&f, WIRE_MAX_PAYLOAD, &text)) != WIRE_OK ||
        (out->conf = secmem_strdup(text)) == NULL)
        goto fail;
    if ((rc = expect(fd, &f, B_URL, deadline_ms)) != WIRE_OK ||
        (rc = wire_text(&f, WIRE_MAX_PAYLOAD, &text)) != WIRE_OK ||
        (out->url = secmem_strdup(text)) == NULL)
        goto fail;
    if ((rc = expect(fd, &f, B_CALL, deadline_ms)) != WIRE_OK)
        goto fail;
    if (f.len != 6 || f.payload[1] > SOAP_GET_CHALLENGE) {
        rc = WIRE_BAD;
        goto fail;
    }
    out->index = f.payload[0];
    out->req.operation = (enum soap_operation)f.payload[1];
    out->req.password_format = wire_get32(f.payload + 2);
    for (;;) {
        size_t i;

        if ((rc = wire_read(fd, &f, deadline_ms)) != WIRE_OK)
            goto fail;
        if (f.type == B_END && f.len == 0)
            break;
        i = (size_t)f.type - B_FIELD;
        if (f.type < B_FIELD || i >= N_REQUEST_FIELDS || i < next ||
            wire_text(&f, SOAP_MAX_VALUE, &text) != WIRE_OK) {
            rc = WIRE_BAD;
            goto fail;
        }
        if ((out->field[i] = secmem_strdup(text)) == NULL) {
            rc = WIRE_IO;
            goto fail;
        }
        *(const char **)((char *)&out->req + request_field[i]) = out->field[i];
        next = i + 1;
    }
    wire_frame_wipe(&f);
    return WIRE_OK;
fail:
    wire_frame_wipe(&f);
    broker_request_free(out);
    return rc == WIRE_OK ? WIRE_IO : rc;
}

void
broker_request_free(struct broker_request *r)
{
    secmem_free_str(&r->conf);
    secmem_free_str(&r->url);
    for (size_t i = 0; i < sizeof(r->field) / sizeof(r->field[0]); i++)
        secmem_free_str(&r->field[i]);
    memset(&r->req, 0, sizeof(r->req));
}

int
broker_put_outcome(int fd, int reason, const char *err, const struct soap_reply *reply)
{
    uint8_t buf[WIRE_MAX_PAYLOAD];
    size_t n = err != NULL ? strnlen(err, sizeof(buf) - 2) : 0;
    int rc;

    if (reason < 0 || reason > 0xffff)
        return WIRE_BAD;
    wire_put16(buf, (uint16_t)reason);
    memcpy(buf + 2, err != NULL ? err : "", n);
    if ((rc = wire_write(fd, B_OUTCOME, buf, n + 2)) != WIRE_OK)
        return rc;
    if (reason == REASON_OK || reason == REASON_SOAP_FAULT) {
        uint8_t codes[13] = {0};

        wire_put32(codes, (uint32_t)reply->return_code);
        wire_put32(codes + 4, (uint32_t)reply->status_code);
        wire_put32(codes + 8, (uint32_t)reply->error_code);
        for (size_t i = 0; i < N_REPLY_FLAGS; i++)
            if (*(const bool *)((const char *)reply + reply_flag[i]))
                codes[12] |= (uint8_t)(1u << i);
        if ((rc = wire_write(fd, B_R_CODES, codes, sizeof(codes))) != WIRE_OK)
            return rc;
        for (size_t i = 0; i < N_REPLY_TEXTS; i++) {
            const char *t = (const char *)reply + reply_text[i].offset;

            rc = wire_write(fd, (uint8_t)(B_R_TEXT + i), t, strnlen(t, reply_text[i].size - 1));
            if (rc != WIRE_OK)
                return rc;
        }
    }
    return wire_write(fd, B_END, NULL, 0);
}

/* B_OUTCOME's payload: u16 reason, then its line. */
static int
read_outcome(const struct wire_frame *f, int *reason, char *err, size_t errlen)
{
    size_t n;

    const char *line = (const char *)f->payload + 2;

    if (f->type != B_OUTCOME || f->len < 2 || memchr(line, '\0', f->len - 2u) != NULL ||
        !utf8_valid(line, f->len - 2u))
        return WIRE_BAD;
    *reason = wire_get16(f->payload);
    /* cut, if it must be, between two characters */
    n = utf8_fit(line, f->len - 2u, errlen - 1);
    memcpy(err, line, n);
    err[n] = '\0';
    return WIRE_OK;
}

int
broker_get_outcome(int fd, int64_t deadline_ms, int *reason, char *err, size_t errlen,
                   struct soap_reply *reply)
{
    struct wire_frame f;
    int rc;

    memset(reply, 0, sizeof(*reply));
    if ((rc = wire_read(fd, &f, deadline_ms)) != WIRE_OK ||
        (rc = read_outcome(&f, reason, err, errlen)) != WIRE_OK)
        goto out;
    if (*reason == REASON_OK || *reason == REASON_SOAP_FAULT) {
        const char *text;

        if ((rc = expect(fd, &f, B_R_CODES, deadline_ms)) != WIRE_OK)
            goto out;
        if (f.len != 13 || (f.payload[12] >> N_REPLY_FLAGS) != 0) {
            rc = WIRE_BAD;
            goto out;
        }
        reply->return_code = (int32_t)wire_get32(f.payload);
        reply->status_code = (int32_t)wire_get32(f.payload + 4);
        reply->error_code = (int32_t)wire_get32(f.payload + 8);
        for (size_t i = 0; i < N_REPLY_FLAGS; i++)
            *(bool *)((char *)reply + reply_flag[i]) = (f.payload[12] >> i) & 1u;
        for (size_t i = 0; i < N_REPLY_TEXTS; i++) {
            if ((rc = expect(fd, &f, (uint8_t)(B_R_TEXT + i), deadline_ms)) != WIRE_OK ||
                (rc = wire_text(&f, reply_text[i].size - 1, &text)) != WIRE_OK)
                goto out;
            memcpy((char *)reply + reply_text[i].offset, text, f.len);
        }
    }
    rc = expect(fd, &f, B_END, deadline_ms);
    if (rc == WIRE_OK && f.len != 0)
        rc = WIRE_BAD;
out:
    wire_frame_wipe(&f);
    if (rc != WIRE_OK)
        secmem_wipe(reply, sizeof(*reply));
    return rc;
}
