/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conv.c - prompts and messages as frames; answers back.
 */
#include "helper/conv.h"

#include <stdlib.h>
#include <string.h>

#include "lib/common/log.h"
#include "lib/common/reason.h"
#include "lib/common/secmem.h"
#include "lib/common/wire.h"

int
conv_show(struct conv *c, bool error, const char *text)
{
    if (c->broken)
        return REASON_PROTOCOL;
    if (wire_write_text(c->out_fd, error ? W_ERROR : W_INFO, text) != WIRE_OK) {
        c->broken = true;
        return REASON_PROTOCOL;
    }
    return REASON_OK;
}

int
conv_ask(struct conv *c, bool echo, const char *prompt, char **answer)
{
    struct wire_frame *f = NULL;
    int reason = REASON_PROTOCOL;
    int rc;

    *answer = NULL;
    if (c->broken)
        return REASON_PROTOCOL;
    if (wire_write_text(c->out_fd, echo ? W_PROMPT_ECHO_ON : W_PROMPT_ECHO_OFF, prompt) !=
        WIRE_OK) {
        c->broken = true;
        return REASON_PROTOCOL;
    }
    if ((f = malloc(sizeof(*f))) == NULL)
        return REASON_INTERNAL;
    secmem_lock(f, sizeof(*f));
    rc = wire_read(c->in_fd, f, wire_now_ms() + c->answer_timeout);
    if (rc == WIRE_TIMEOUT) {
        reason = REASON_ANSWER_TIMEOUT;
        goto out;
    }
    if (rc != WIRE_OK) {
        log_msg(LOG_ERR, "reading the answer failed (%d); the module went away", rc);
        c->broken = true;
        goto out;
    }
    if (f->type == W_CANCEL && f->len == 0) {
        reason = REASON_CANCELLED;
        goto out;
    }
    if (f->type != W_ANSWER || f->len > WIRE_MAX_ANSWER) {
        log_msg(LOG_ERR, "expected ANSWER or CANCEL, got %s (%u bytes)", wire_type_name(f->type),
                f->len);
        goto out;
    }
    /* The answer is the user's text: NUL bytes end it like in a C string
     * rather than failing the protocol; invalid UTF-8 just won't match. */
    if ((*answer = secmem_strndup((const char *)f->payload, f->len)) == NULL) {
        reason = REASON_INTERNAL;
        goto out;
    }
    reason = REASON_OK;
out:
    wire_frame_wipe(f);
    free(f);
    return reason;
}

void
conv_log_sink(int priority, const char *line, void *arg)
{
    struct conv *c = arg;
    uint8_t buf[WIRE_MAX_PAYLOAD];
    size_t len = strlen(line);

    if (c->broken) {
        syslog(LOG_AUTHPRIV | priority, "%s", line);
        return;
    }
    if (len > sizeof(buf) - 1)
        len = sizeof(buf) - 1;
    buf[0] = (uint8_t)priority;
    memcpy(buf + 1, line, len);
    if (wire_write(c->out_fd, W_LOG, buf, len + 1) != WIRE_OK) {
        c->broken = true;
        syslog(LOG_AUTHPRIV | priority, "%s", line);
    }
}
