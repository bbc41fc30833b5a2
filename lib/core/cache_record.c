/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cache_record.c - formatting and strict parsing of cache files.
 */
#include "lib/core/cache_record.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "lib/common/hex.h"
#include "lib/common/utf8.h"

#define HEADER "crauth-cache 1\n"

enum field_kind { F_TEXT, F_INT64, F_UINT32 };

struct field {
    const char *name;
    enum field_kind kind;
    size_t offset;
    unsigned types; /* bit (1 << type) for each record type carrying it */
    size_t size;    /* F_TEXT: the array, NUL included */
    bool optional;  /* may be missing (then 0): added after records were written */
};

#define OF(f) offsetof(struct cache_record, f)
#define SZ(f) sizeof(((struct cache_record *)0)->f)
#define T(t) (1u << (t))
static const struct field fields[] = {
    {"user", F_TEXT, OF(user), T(CACHE_CHALLENGE) | T(CACHE_USER), SZ(user), false},
    {"service", F_TEXT, OF(service), T(CACHE_CHALLENGE), SZ(service), false},
    {"rhost", F_TEXT, OF(rhost), T(CACHE_CHALLENGE), SZ(rhost), false},
    {"tty", F_TEXT, OF(tty), T(CACHE_CHALLENGE), SZ(tty), false},
    {"server", F_TEXT, OF(server), T(CACHE_CHALLENGE) | T(CACHE_SERVER), SZ(server), false},
    {"text", F_TEXT, OF(text), T(CACHE_CHALLENGE), SZ(text), false},
    {"key", F_TEXT, OF(key), T(CACHE_CHALLENGE), SZ(key), false},
    {"message", F_TEXT, OF(message), T(CACHE_CHALLENGE), SZ(message), false},
    {"created", F_INT64, OF(created), T(CACHE_CHALLENGE), SZ(created), false},
    {"expires", F_INT64, OF(expires), T(CACHE_CHALLENGE), SZ(expires), false},
    {"failures", F_UINT32, OF(failures), T(CACHE_USER), SZ(failures), false},
    {"window_start", F_INT64, OF(window_start), T(CACHE_USER), SZ(window_start), false},
    {"window", F_INT64, OF(window), T(CACHE_USER), SZ(window), true},
    {"down_since", F_INT64, OF(down_since), T(CACHE_SERVER), SZ(down_since), false},
};
#undef OF
#undef SZ
#undef T
#define N_FIELDS (sizeof(fields) / sizeof(fields[0]))

static const char *const type_names[] =
    {[CACHE_CHALLENGE] = "challenge", [CACHE_USER] = "user", [CACHE_SERVER] = "server"};

static bool
put(char *buf, size_t size, size_t *used, const char *s, size_t n)
{
    if (n >= size - *used)
        return false;
    memcpy(buf + *used, s, n);
    *used += n;
    buf[*used] = '\0';
    return true;
}

int
cache_record_format(const struct cache_record *r, char *buf, size_t size)
{
    size_t used = 0;
    char line[32 + 2 * CACHE_MESSAGE];

    if (size == 0 || r->type < CACHE_CHALLENGE || r->type > CACHE_SERVER)
        return -1;
    buf[0] = '\0';
    snprintf(line, sizeof(line), "%stype %s\n", HEADER, type_names[r->type]);
    if (!put(buf, size, &used, line, strlen(line)))
        return -1;
    for (size_t i = 0; i < N_FIELDS; i++) {
        const struct field *f = &fields[i];
        const void *p = (const char *)r + f->offset;
        int n;

        if (!(f->types & (1u << r->type)))
            continue;
        if (f->kind == F_TEXT) {
            size_t k = (size_t)snprintf(line, sizeof(line), "%s ", f->name);

            /* what parse_text would refuse is never written */
            if (!text_is_printable(p) ||
                hex_encode(p, strlen(p), line + k, sizeof(line) - k - 1) != 0)
                return -1;
            k += strlen(line + k);
            line[k++] = '\n';
            n = (int)k;
        } else if (f->kind == F_INT64) {
            n = snprintf(line, sizeof(line), "%s %lld\n", f->name, (long long)*(const int64_t *)p);
        } else {
            n = snprintf(line, sizeof(line), "%s %u\n", f->name, (unsigned)*(const uint32_t *)p);
        }
        if (!put(buf, size, &used, line, (size_t)n))
            return -1;
    }
    return (int)used;
}

/* Hex into a NUL-terminated text field; no NUL, no control character. */
static bool
parse_text(const char *v, size_t n, char *out, size_t size)
{
    size_t len = 0;

    if (size == 0 || hex_decode(v, n, (uint8_t *)out, size - 1, &len) != 0)
        return false;
    out[len] = '\0';
    return strlen(out) == len && text_is_printable(out);
}

static bool
parse_number(const char *v, size_t n, bool negative_ok, uint64_t max, int64_t *out)
{
    bool neg = negative_ok && n > 0 && v[0] == '-';
    uint64_t x = 0;

    if (neg)
        v++, n--;
    if (n == 0 || n > 20 || (n > 1 && v[0] == '0'))
        return false;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9' || x > (max - (uint64_t)(v[i] - '0')) / 10)
            return false;
        x = x * 10 + (uint64_t)(v[i] - '0');
    }
    *out = neg ? -(int64_t)x : (int64_t)x;
    return true;
}

static int
fail(char *err, size_t errlen, const char *what, int line)
{
    snprintf(err, errlen, "line %d: %s", line, what);
    return -1;
}

int
cache_record_parse(const char *buf, size_t len, struct cache_record *r, char *err, size_t errlen)
{
    bool seen[N_FIELDS] = {0};
    size_t pos = strlen(HEADER);
    int line = 2;

    memset(r, 0, sizeof(*r));
    if (len > CACHE_MAX_FILE)
        return fail(err, errlen, "file too large", 0);
    if (len < pos || memcmp(buf, HEADER, pos) != 0)
        return fail(err, errlen, "missing 'crauth-cache 1' header", 1);
    if (memchr(buf, '\0', len) != NULL)
        return fail(err, errlen, "NUL byte", 0);
    for (; pos < len; line++) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        const char *sp, *v;
        size_t n, vn, i;

        if (nl == NULL)
            return fail(err, errlen, "last line not terminated", line);
        n = (size_t)(nl - (buf + pos));
        sp = memchr(buf + pos, ' ', n);
        if (sp == NULL)
            return fail(err, errlen, "not 'name value'", line);
        v = sp + 1;
        vn = n - (size_t)(v - (buf + pos));
        if (line == 2) {
            if ((size_t)(sp - (buf + pos)) != 4 || memcmp(buf + pos, "type", 4) != 0)
                return fail(err, errlen, "second line must be the type", line);
            for (int t = CACHE_CHALLENGE; t <= CACHE_SERVER; t++)
                if (strlen(type_names[t]) == vn && memcmp(v, type_names[t], vn) == 0)
                    r->type = (enum cache_type)t;
            if (r->type == 0)
                return fail(err, errlen, "unknown type", line);
            pos += n + 1;
            continue;
        }
        for (i = 0; i < N_FIELDS; i++)
            if (strlen(fields[i].name) == (size_t)(sp - (buf + pos)) &&
                memcmp(fields[i].name, buf + pos, (size_t)(sp - (buf + pos))) == 0)
                break;
        if (i == N_FIELDS || !(fields[i].types & (1u << r->type)))
            return fail(err, errlen, "unknown field for this type", line);
        if (seen[i])
            return fail(err, errlen, "field repeated", line);
        seen[i] = true;
        {
            void *p = (char *)r + fields[i].offset;
            int64_t x;
            bool ok;

            if (fields[i].kind == F_TEXT) {
                ok = parse_text(v, vn, p, fields[i].size);
            } else if (fields[i].kind == F_INT64) {
                ok = parse_number(v, vn, true, INT64_MAX, &x);
                if (ok)
                    *(int64_t *)p = x;
            } else {
                ok = parse_number(v, vn, false, UINT32_MAX, &x);
                if (ok)
                    *(uint32_t *)p = (uint32_t)x;
            }
            if (!ok)
                return fail(err, errlen, "bad value", line);
        }
        pos += n + 1;
    }
    if (r->type == 0)
        return fail(err, errlen, "no type", line);
    for (size_t i = 0; i < N_FIELDS; i++)
        if ((fields[i].types & (1u << r->type)) && !seen[i] && !fields[i].optional)
            return fail(err, errlen, "a field is missing", line);
    return 0;
}
