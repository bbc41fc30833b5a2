/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wire.c - reading and writing frames over the module <-> helper pipes.
 *
 * Both ends treat the other as able to send anything: lengths are checked
 * against the cap before any byte of payload is read, text is validated as
 * UTF-8 without NUL, and every read has a deadline.
 */
#include "lib/common/wire.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/common/secmem.h"
#include "lib/common/utf8.h"

int64_t
wire_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* On a non-blocking descriptor (the helper's stdout) a reader that stops
 * reading costs at most WIRE_WRITE_TIMEOUT_MS per frame, never a hang. */
static int
write_all(int fd, const uint8_t *buf, size_t len)
{
    int64_t deadline = -1;

    while (len > 0) {
        ssize_t n = write(fd, buf, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd pfd = {.fd = fd, .events = POLLOUT};
            int64_t left;

            if (deadline < 0)
                deadline = wire_now_ms() + WIRE_WRITE_TIMEOUT_MS;
            if ((left = deadline - wire_now_ms()) <= 0)
                return WIRE_TIMEOUT;
            if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR)
                return WIRE_IO;
            continue;
        }
        if (n < 0)
            return WIRE_IO;
        buf += n;
        len -= (size_t)n;
    }
    return WIRE_OK;
}

int
wire_write(int fd, uint8_t type, const void *payload, size_t len)
{
    uint8_t buf[WIRE_HEADER + WIRE_MAX_PAYLOAD];
    int rc;

    if (len > WIRE_MAX_PAYLOAD)
        return WIRE_TOO_BIG;
    /* One write per frame, so a frame is never interleaved or half-sent
     * when the reader's pipe buffer has room. */
    buf[0] = type;
    buf[1] = (uint8_t)(len >> 8);
    buf[2] = (uint8_t)len;
    if (len > 0)
        memcpy(buf + WIRE_HEADER, payload, len);
    rc = write_all(fd, buf, WIRE_HEADER + len);
    secmem_wipe(buf, sizeof(buf));
    return rc;
}

int
wire_write_text(int fd, uint8_t type, const char *text)
{
    return wire_write(fd, type, text, strlen(text));
}

int
wire_decode(const uint8_t *buf, size_t len, struct wire_frame *frame, size_t *used)
{
    size_t plen;

    if (len < WIRE_HEADER)
        return WIRE_TRUNCATED;
    plen = ((size_t)buf[1] << 8) | buf[2];
    if (plen > WIRE_MAX_PAYLOAD)
        return WIRE_TOO_BIG;
    if (len - WIRE_HEADER < plen)
        return WIRE_TRUNCATED;
    frame->type = buf[0];
    frame->len = (uint16_t)plen;
    memcpy(frame->payload, buf + WIRE_HEADER, plen);
    frame->payload[plen] = '\0';
    *used = WIRE_HEADER + plen;
    return WIRE_OK;
}

/* Read exactly @len bytes before @deadline_ms.  @got counts what arrived so
 * EOF can be told apart from truncation. */
static int
read_exact(int fd, uint8_t *buf, size_t len, int64_t deadline_ms, size_t *got)
{
    *got = 0;
    while (*got < len) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int timeout = -1;
        ssize_t n;

        if (deadline_ms >= 0) {
            int64_t left = deadline_ms - wire_now_ms();

            if (left <= 0)
                return WIRE_TIMEOUT;
            timeout = left > 0x7fffffff ? 0x7fffffff : (int)left;
        }
        n = poll(&pfd, 1, timeout);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return WIRE_IO;
        }
        if (n == 0)
            return WIRE_TIMEOUT;
        n = read(fd, buf + *got, len - *got);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            return WIRE_IO;
        }
        if (n == 0)
            return WIRE_EOF;
        *got += (size_t)n;
    }
    return WIRE_OK;
}

int
wire_read(int fd, struct wire_frame *frame, int64_t deadline_ms)
{
    uint8_t hdr[WIRE_HEADER];
    size_t got, plen;
    int rc;

    rc = read_exact(fd, hdr, sizeof(hdr), deadline_ms, &got);
    if (rc == WIRE_EOF && got > 0)
        return WIRE_TRUNCATED;
    if (rc != WIRE_OK)
        return rc;
    plen = ((size_t)hdr[1] << 8) | hdr[2];
    if (plen > WIRE_MAX_PAYLOAD)
        return WIRE_TOO_BIG;
    frame->type = hdr[0];
    frame->len = (uint16_t)plen;
    rc = read_exact(fd, frame->payload, plen, deadline_ms, &got);
    if (rc == WIRE_EOF)
        return WIRE_TRUNCATED;
    if (rc != WIRE_OK)
        return rc;
    frame->payload[plen] = '\0';
    return WIRE_OK;
}

int
wire_text(const struct wire_frame *frame, size_t max, const char **text)
{
    if (frame->len > max || memchr(frame->payload, '\0', frame->len) != NULL ||
        !utf8_valid((const char *)frame->payload, frame->len))
        return WIRE_BAD;
    *text = (const char *)frame->payload;
    return WIRE_OK;
}

bool
wire_text_fits(const char *text, size_t max)
{
    size_t n = strlen(text);

    return n <= max && utf8_valid(text, n);
}

void
wire_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

void
wire_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

uint16_t
wire_get16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

uint32_t
wire_get32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

int
wire_put_start(uint8_t out[6], uint32_t flags)
{
    wire_put16(out, WIRE_VERSION);
    wire_put32(out + 2, flags);
    return 6;
}

int
wire_get_start(const struct wire_frame *frame, uint16_t *version, uint32_t *flags)
{
    if (frame->type != W_START || frame->len != 6)
        return WIRE_BAD;
    *version = wire_get16(frame->payload);
    *flags = wire_get32(frame->payload + 2);
    if (*flags & ~WIRE_F_ALL)
        return WIRE_BAD;
    return WIRE_OK;
}

int
wire_put_hello(uint8_t out[10], uint32_t budget_ms, uint32_t fail_delay_ms)
{
    wire_put16(out, WIRE_VERSION);
    wire_put32(out + 2, budget_ms);
    wire_put32(out + 6, fail_delay_ms);
    return 10;
}

int
wire_get_hello(const struct wire_frame *frame, uint16_t *version, uint32_t *budget_ms,
               uint32_t *fail_delay_ms)
{
    if (frame->type != W_HELLO || frame->len != 10)
        return WIRE_BAD;
    *version = wire_get16(frame->payload);
    *budget_ms = wire_get32(frame->payload + 2);
    *fail_delay_ms = wire_get32(frame->payload + 6);
    return WIRE_OK;
}

int
wire_write_result(int fd, int reason, const char *detail)
{
    uint8_t buf[WIRE_MAX_PAYLOAD];
    size_t dlen = detail ? strlen(detail) : 0;

    if (reason < 0 || reason > 0xffff)
        return WIRE_BAD;
    if (dlen > sizeof(buf) - 2)
        dlen = sizeof(buf) - 2;
    wire_put16(buf, (uint16_t)reason);
    if (dlen > 0)
        memcpy(buf + 2, detail, dlen);
    return wire_write(fd, W_RESULT, buf, dlen + 2);
}

int
wire_get_result(const struct wire_frame *frame, int *reason, const char **detail)
{
    const uint8_t *p = frame->payload + 2;
    size_t dlen;

    if (frame->type != W_RESULT || frame->len < 2)
        return WIRE_BAD;
    dlen = (size_t)frame->len - 2;
    if (memchr(p, '\0', dlen) != NULL || !utf8_valid((const char *)p, dlen))
        return WIRE_BAD;
    *reason = wire_get16(frame->payload);
    *detail = (const char *)p;
    return WIRE_OK;
}

void
wire_frame_wipe(struct wire_frame *frame)
{
    secmem_wipe(frame, sizeof(*frame));
}

const char *
wire_type_name(uint8_t type)
{
    switch (type) {
    case W_USER:
        return "USER";
    case W_SERVICE:
        return "SERVICE";
    case W_RHOST:
        return "RHOST";
    case W_TTY:
        return "TTY";
    case W_RUSER:
        return "RUSER";
    case W_CONF:
        return "CONF";
    case W_AUTHTOK:
        return "AUTHTOK";
    case W_START:
        return "START";
    case W_ANSWER:
        return "ANSWER";
    case W_CANCEL:
        return "CANCEL";
    case W_ACCOUNT:
        return "ACCOUNT";
    case W_HELLO:
        return "HELLO";
    case W_PROMPT_ECHO_OFF:
        return "PROMPT_ECHO_OFF";
    case W_PROMPT_ECHO_ON:
        return "PROMPT_ECHO_ON";
    case W_INFO:
        return "INFO";
    case W_ERROR:
        return "ERROR";
    case W_RESULT:
        return "RESULT";
    case W_LOG:
        return "LOG";
    default:
        return "UNKNOWN";
    }
}
