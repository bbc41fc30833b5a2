/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vector_file.h - reading the published known-answer vectors of
 * $VECTORS_DIR (default tests/vectors; format in its README.md) from a
 * cmocka test: each data line is handed to a check by column name, and a
 * line that does not match fails the run.  Include after cmocka.h.
 */
#ifndef CRAUTH_VECTOR_FILE_H
#define CRAUTH_VECTOR_FILE_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/common/hex.h"

#include "lib/core/otp.h"

#define UNUSED_VECTOR __attribute__((unused))

#define MAX_COLUMNS 16

/* One data line of a vector file, addressed by the column names that the
 * file's "# a|b|c" header declares, so the tests do not hard-code column order. */
struct vector_row {
    const char *file;
    unsigned line;
    size_t columns;
    char *names[MAX_COLUMNS];
    char *values[MAX_COLUMNS];
};

typedef bool (*vector_check)(const struct vector_row *row);

UNUSED_VECTOR static const char *
column(const struct vector_row *row, const char *name)
{
    for (size_t i = 0; i < row->columns; i++) {
        if (strcmp(row->names[i], name) == 0)
            return row->values[i];
    }
    fail_msg("%s: no column \"%s\" in the header", row->file, name);
    return NULL;
}

UNUSED_VECTOR static size_t
split_fields(char *text, char **fields)
{
    size_t n = 0;
    char *field;

    while ((field = strsep(&text, "|")) != NULL) {
        if (n == MAX_COLUMNS)
            fail_msg("more than %d fields", MAX_COLUMNS);
        fields[n++] = field;
    }
    return n;
}

UNUSED_VECTOR static uint64_t
parse_u64(const struct vector_row *row, const char *name, int base)
{
    const char *text = column(row, name);
    unsigned long long value;
    char *end;

    errno = 0;
    value = strtoull(text, &end, base);
    if (text[0] == '\0' || text[0] == '-' || *end != '\0' || errno != 0)
        fail_msg("%s:%u: %s \"%s\" is not a number", row->file, row->line, name, text);
    return value;
}

UNUSED_VECTOR static size_t
parse_hex(const struct vector_row *row, const char *name, uint8_t *out, size_t size)
{
    size_t len = 0;

    const char *hex = column(row, name);

    if (hex_decode(hex, strlen(hex), out, size, &len) != 0)
        fail_msg("%s:%u: %s is not hex", row->file, row->line, name);
    return len;
}

UNUSED_VECTOR static bool
report(const struct vector_row *row, int rc, const char *got)
{
    const char *want = column(row, "expected");

    if (rc == OTP_OK && strcmp(got, want) == 0 && otp_code_equal(got, want))
        return true;
    print_error("%s:%u: rc %d, got \"%s\", expected \"%s\"\n", row->file, row->line, rc, got, want);
    return false;
}

UNUSED_VECTOR static void
run_vector_file(const char *name, vector_check check)
{
    const char *dir = getenv("VECTORS_DIR");
    char path[4096];
    char *line = NULL, *header = NULL;
    size_t cap = 0;
    unsigned data_lines = 0, matched = 0;
    struct vector_row row = {.file = name};
    FILE *file;

    if (dir == NULL || dir[0] == '\0')
        dir = "tests/vectors";
    if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
        fail_msg("path too long");
    file = fopen(path, "r");
    if (file == NULL)
        fail_msg("cannot open %s: %s (set VECTORS_DIR)", path, strerror(errno));
    while (getline(&line, &cap, file) != -1) {
        row.line++;
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '#') {
            if (header == NULL && strchr(line, '|') != NULL) {
                header = strdup(line + 1 + strspn(line + 1, " "));
                assert_non_null(header);
                row.columns = split_fields(header, row.names);
            }
            continue;
        }
        if (line[0] == '\0')
            continue;
        data_lines++;
        if (header == NULL)
            fail_msg("%s: data before the \"# col|col\" header", path);
        if (split_fields(line, row.values) != row.columns) {
            print_error("%s:%u: wrong number of fields\n", name, row.line);
            continue;
        }
        if (check(&row))
            matched++;
    }
    print_message("%s: %u of %u vectors matched\n", name, matched, data_lines);
    free(line);
    free(header);
    fclose(file);
    assert_true(data_lines > 0);
    assert_int_equal(matched, data_lines);
}

#endif
