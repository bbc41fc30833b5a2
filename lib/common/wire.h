/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wire.h - frames between pam_crauth.so and crauth-helper.
 *
 * A frame is  type (1 byte) | length (2 bytes, big endian) | payload.
 * The payload is capped at WIRE_MAX_PAYLOAD; a longer length is an error,
 * never a reason to allocate.  Text payloads are UTF-8 without NUL bytes.
 *
 * Conversation, in order (anything else is a protocol error):
 *   module -> helper  USER SERVICE [RHOST] [TTY] [RUSER] [CONF] [AUTHTOK] START
 *   helper -> module  HELLO                    (or RESULT if the config is bad)
 *   helper -> module  INFO | ERROR | LOG       (no answer)
 *   helper -> module  PROMPT_ECHO_ON | PROMPT_ECHO_OFF
 *   module -> helper  ANSWER | CANCEL
 *   ...
 *   helper -> module  RESULT, then the helper exits with status = reason code
 */
#ifndef CRAUTH_WIRE_H
#define CRAUTH_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WIRE_VERSION 1
#define WIRE_HEADER 3
#define WIRE_MAX_PAYLOAD 4096
#define WIRE_MAX_ANSWER 512         /* PAM_MAX_RESP_SIZE */
#define WIRE_MAX_NAME 256           /* USER, SERVICE and RUSER frames */
#define WIRE_MAX_PLACE 1024         /* RHOST and TTY frames */
#define WIRE_WRITE_TIMEOUT_MS 10000 /* a frame to a reader that stopped reading */

enum wire_type {
    /* module -> helper */
    W_USER = 0x01,    /* text: the user to authenticate */
    W_SERVICE = 0x02, /* text: PAM service name */
    W_RHOST = 0x03,   /* text: PAM_RHOST */
    W_TTY = 0x04,     /* text: PAM_TTY */
    W_RUSER = 0x05,   /* text: PAM_RUSER */
    W_CONF = 0x06,    /* text: conf= path */
    W_AUTHTOK = 0x07, /* text, secret: PAM_AUTHTOK from an earlier module */
    W_START = 0x08,   /* u16 version, u32 flags (WIRE_F_*) */
    W_ANSWER = 0x09,  /* text, secret: answer to the last prompt */
    W_CANCEL = 0x0a,  /* empty: the conversation failed */
    W_ACCOUNT = 0x0b, /* text: the account's own name (pw_name), when USER is another spelling */
    /* helper -> module */
    W_HELLO = 0x41,           /* u16 version, u32 step budget ms, u32 failure delay ms */
    W_PROMPT_ECHO_OFF = 0x42, /* text */
    W_PROMPT_ECHO_ON = 0x43,  /* text */
    W_INFO = 0x44,            /* text */
    W_ERROR = 0x45,           /* text */
    W_RESULT = 0x46,          /* u16 reason, then text: log detail without secrets */
    W_LOG = 0x47,             /* u8 syslog priority, then text: a log line for the module */
};

/* W_START flags: the PAM arguments the helper acts on. */
#define WIRE_F_DEBUG 0x1u
#define WIRE_F_USE_FIRST_PASS 0x2u
#define WIRE_F_TRY_FIRST_PASS 0x4u
#define WIRE_F_ALL 0x7u

enum wire_status {
    WIRE_OK = 0,         /* a whole frame was read or written */
    WIRE_EOF = -1,       /* the peer closed before the first byte of a frame */
    WIRE_TRUNCATED = -2, /* the peer closed in the middle of a frame */
    WIRE_TOO_BIG = -3,   /* the length field exceeds WIRE_MAX_PAYLOAD */
    WIRE_TIMEOUT = -4,   /* the deadline passed */
    WIRE_IO = -5,        /* read/write/poll failed; errno is set */
    WIRE_BAD = -6,       /* a payload does not fit its type */
};

struct wire_frame {
    uint8_t type;
    uint16_t len;
    /* +1 so text payloads can be NUL-terminated in place */
    uint8_t payload[WIRE_MAX_PAYLOAD + 1];
};

/* Write one frame, looping over partial writes and EINTR; on a
 * non-blocking @fd waiting at most WIRE_WRITE_TIMEOUT_MS for room
 * (WIRE_TIMEOUT).  The caller makes sure SIGPIPE cannot kill the process. */
int wire_write(int fd, uint8_t type, const void *payload, size_t len);
int wire_write_text(int fd, uint8_t type, const char *text);

/* Read one frame.  @deadline_ms is a CLOCK_MONOTONIC time in ms, or -1 to
 * wait forever.  On WIRE_OK the payload is NUL-terminated after len bytes. */
int wire_read(int fd, struct wire_frame *frame, int64_t deadline_ms);

/* Decode one frame from memory (used by wire_read and the fuzzer):
 * WIRE_OK with *used set, WIRE_TRUNCATED if more bytes are needed,
 * WIRE_TOO_BIG if the length is over the cap. */
int wire_decode(const uint8_t *buf, size_t len, struct wire_frame *frame, size_t *used);

/* Does @text fit a text frame of at most @max bytes: no more, and UTF-8
 * (what wire_text asks of the frame)?  The sender asks first, so that an
 * odd value is dropped or refused by name, not read as a protocol error. */
bool wire_text_fits(const char *text, size_t max);

/* The payload as text: WIRE_OK if it holds no NUL byte and is valid UTF-8
 * of at most @max bytes; *text then points into the frame. */
int wire_text(const struct wire_frame *frame, size_t max, const char **text);

/* Numbers in payloads are big-endian, in this byte order everywhere
 * (also lib/broker/protocol.c's messages). */
void wire_put16(uint8_t *p, uint16_t v);
void wire_put32(uint8_t *p, uint32_t v);
uint16_t wire_get16(const uint8_t *p);
uint32_t wire_get32(const uint8_t *p);

/* Fixed-layout payloads. */
int wire_put_start(uint8_t out[6], uint32_t flags);
int wire_get_start(const struct wire_frame *frame, uint16_t *version, uint32_t *flags);
int wire_put_hello(uint8_t out[10], uint32_t budget_ms, uint32_t fail_delay_ms);
int wire_get_hello(const struct wire_frame *frame, uint16_t *version, uint32_t *budget_ms,
                   uint32_t *fail_delay_ms);
/* RESULT: reason + detail; the detail is truncated to fit. */
int wire_write_result(int fd, int reason, const char *detail);
int wire_get_result(const struct wire_frame *frame, int *reason, const char **detail);

/* Wipe a frame that may have carried a secret. */
void wire_frame_wipe(struct wire_frame *frame);

/* A human name for a frame type, for log lines. */
const char *wire_type_name(uint8_t type);

/* Milliseconds on CLOCK_MONOTONIC, for deadlines. */
int64_t wire_now_ms(void);

#endif
