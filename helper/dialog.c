/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dialog.c - what the user sees of a challenge, and the prompts: the
 * templates of [auth] filled in.  The challenge appears verbatim in a PAM
 * message (a contract: scripted clients read it there).
 */
#include <stdio.h>
#include <string.h>

#include "helper/flows.h"
#include "lib/common/reason.h"
#include "lib/common/secmem.h"
#include "lib/common/wire.h"

/* The prompt for a key-possession envelope, whose text is too long for a
 * prompt line: the envelope goes before it as a message. */
#define BLOCK_PROMPT "Response to the envelope above (40 hex digits): "

void
dialog_expand(const char *tmpl, const struct challenge *ch, bool prompt, char *out, size_t size)
{
    size_t o = 0;

    for (const char *p = tmpl; *p != '\0' && o + 1 < size;) {
        const char *value = NULL;

        if (strncmp(p, "{challenge}", 11) == 0)
            value = ch->text, p += 11;
        else if (strncmp(p, "{message}", 9) == 0)
            value = ch->message, p += 9;
        if (value == NULL) {
            out[o++] = *p++;
            continue;
        }
        o += (size_t)snprintf(out + o, size - o, "%s", value);
        if (o >= size)
            o = size - 1;
    }
    out[o] = '\0';
    /* inih strips trailing blanks, so a prompt gets its space back here */
    if (prompt && o > 0 && out[o - 1] != ' ' && o + 1 < size) {
        out[o++] = ' ';
        out[o] = '\0';
    }
}

int
dialog_ask(struct session *s, bool echo, const char *prompt, char **answer)
{
    int reason = conv_ask(s->conv, echo, prompt, answer);

    if (reason == REASON_OK && (*answer)[0] == '\0') {
        secmem_free_str(answer);
        reason = REASON_EMPTY_ANSWER;
    }
    return reason;
}

bool
dialog_first_pass_allowed(const struct session *s)
{
    return (s->flags & (WIRE_F_USE_FIRST_PASS | WIRE_F_TRY_FIRST_PASS)) != 0;
}

int
dialog_show_challenge(struct session *s, const struct challenge *ch)
{
    char text[CHALLENGE_MESSAGE_MAX + 64];
    int reason;

    if (ch->block[0] != '\0' && (reason = conv_show(s->conv, false, ch->block)) != REASON_OK)
        return reason;
    if (ch->message[0] != '\0')
        dialog_expand("{message}", ch, false, text, sizeof(text));
    else if (ch->text[0] != '\0')
        dialog_expand(s->cfg->challenge_text, ch, false, text, sizeof(text));
    else
        return REASON_OK;
    if (text[0] == '\0')
        return REASON_OK;
    return conv_show(s->conv, false, text);
}

void
dialog_response_prompt(struct session *s, const struct challenge *ch, char *out, size_t size)
{
    if (ch->text[0] != '\0')
        dialog_expand(s->cfg->response_prompt, ch, true, out, size);
    else if (ch->block[0] != '\0')
        snprintf(out, size, "%s", BLOCK_PROMPT);
    else /* a message-only challenge: the code was sent to the user */
        dialog_expand(s->cfg->otp_prompt, ch, true, out, size);
}
