/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * token_add.c - `crauth token add`: enrol a hotp, totp or OCRA token, or a
 * set of backup codes.
 *
 * The key comes from --generate or a file (--key-file, '-' for stdin),
 * never from argv, which every user of the machine can read.  TYPE is
 * checked by the tokens file's own parser, so what is accepted here is
 * exactly what the helper accepts.  Nothing secret is printed until the line
 * is on disk, so a failed write never leaves an app or a sheet of paper
 * holding a key or codes the file does not know.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/common/hex.h"
#include "lib/common/reason.h"
#include "lib/common/secmem.h"
#include "lib/core/backup_code.h"
#include "lib/core/base32.h"
#include "lib/core/otpauth.h"
#include "lib/core/otpkey.h"
#include "lib/core/tokens.h"
#include "lib/core/tokens_edit.h"
#include "tools/cli.h"
#include "tools/qr_term.h"
#include "tools/token_cmd.h"

/* hex or base32 of OTP_MAX_KEY bytes, with room for blanks and newlines */
#define KEY_FILE_MAX 1024
#define LINE_MAX_LEN (TOKENS_MAX_USER + OCRA_SUITE_SIZE + 2 * OTP_MAX_KEY + 8)

static const char usage_add[] =
    "usage: crauth token add USER TYPE [--generate | --key-file F] [--force] [--issuer NAME]\n"
    "                        [--label TEXT] [--qr] [--tokens PATH] [--conf PATH]\n"
    "       crauth token add USER backup [--count N] [--tokens PATH] [--conf PATH]\n"
    "  TYPE: hotp/DIGITS, totp/STEP/DIGITS/HASH or an OCRA suite (see crauth(1))\n";

enum {
    OPT_TOKENS = 0x100,
    OPT_CONF,
    OPT_GENERATE,
    OPT_KEY_FILE,
    OPT_FORCE,
    OPT_ISSUER,
    OPT_LABEL,
    OPT_QR,
    OPT_COUNT
};

struct add_opts {
    const char *tokens, *conf, *key_file, *issuer, *label, *count;
    bool generate, force, qr;
};

/* read() rather than stdio, so no FILE buffer keeps a copy of the key. */
static int
read_key_file(const char *path, char buf[KEY_FILE_MAX])
{
    bool from_stdin = strcmp(path, "-") == 0;
    int fd = from_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    size_t len = 0;
    int rc = TOKEN_EXIT_FAILED;

    if (fd < 0)
        return token_fail(rc, "add: cannot open key file %s: %s", path, strerror(errno));
    for (;;) {
        ssize_t n = read(fd, buf + len, KEY_FILE_MAX - 1 - len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            token_fail(rc, "add: cannot read key file %s: %s", path, strerror(errno));
            goto out;
        }
        if (n == 0)
            break;
        len += (size_t)n;
        if (len == KEY_FILE_MAX - 1) {
            token_fail(rc, "add: key file %s is too long: it holds one key, hex or base32",
                       from_stdin ? "(stdin)" : path);
            goto out;
        }
    }
    buf[len] = '\0';
    if (strlen(buf) != len) {
        token_fail(rc, "add: key file %s contains a NUL byte", from_stdin ? "(stdin)" : path);
        goto out;
    }
    rc = 0;
out:
    if (!from_stdin)
        close(fd);
    return rc;
}

/* The key for @tok's kind: random, or from the file. */
static int
load_key(const struct add_opts *o, const struct token *tok, uint8_t *key, size_t *keylen)
{
    char text[KEY_FILE_MAX], err[256];
    enum otpkey_encoding enc;
    enum otp_hash hash = tok->kind == TOKEN_OCRA ? tok->suite.hash : tok->hash;
    int rc;

    if (o->generate) {
        *keylen = otpkey_size(hash);
        if (otpkey_generate(key, *keylen, err, sizeof(err)) != REASON_OK)
            return token_fail(TOKEN_EXIT_FAILED, "add: %s", err);
        return 0;
    }
    if ((rc = read_key_file(o->key_file, text)) != 0)
        goto out;
    rc = TOKEN_EXIT_FAILED;
    if (otpkey_decode_text(text, key, keylen, &enc, err, sizeof(err)) != REASON_OK) {
        token_fail(rc, "add: key file %s: %s", o->key_file, err);
        goto out;
    }
    if (*keylen < OTPKEY_MIN && !o->force) {
        token_fail(rc,
                   "add: the key is %zu bytes; RFC 4226 asks for at least %d: give a longer "
                   "key, or --force",
                   *keylen, OTPKEY_MIN);
        goto out;
    }
    token_note("key read as %s, %zu bytes", enc == OTPKEY_HEX ? "hex" : "base32", *keylen);
    rc = 0;
out:
    secmem_wipe(text, sizeof(text));
    return rc;
}

static void
host_name(char *buf, size_t size)
{
    if (gethostname(buf, size) != 0 || buf[0] == '\0')
        snprintf(buf, size, "localhost");
    buf[size - 1] = '\0';
}

/* Print what an app or a person needs: secret, URI, QR code; or, for
 * OCRA, the hex key.  Only after the line is on disk. */
static int
show_enrolment(const struct add_opts *o, const struct token *tok, const char *uri,
               const uint8_t *key, size_t keylen)
{
    char secret[2 * OTP_MAX_KEY + 8], err[256];
    int rc = 0;

    if (tok->kind == TOKEN_OCRA) {
        hex_encode(key, keylen, secret, sizeof(secret)); /* keylen <= OTP_MAX_KEY: it fits */
        printf("key: %s\n", secret);
        secmem_wipe(secret, sizeof(secret));
        return 0;
    }
    base32_encode(key, keylen, false, secret, sizeof(secret));
    printf("secret: %s\nuri: %s\n", secret, uri);
    secmem_wipe(secret, sizeof(secret));
    if ((o->qr || isatty(STDOUT_FILENO)) && qr_term_print(stdout, uri, err, sizeof(err)) != 0)
        rc = token_fail(TOKEN_EXIT_FAILED, "add: %s (the line is added; enter the secret by hand)",
                        err);
    return rc;
}

/* The line where @user already has @key in the file being edited, or 0
 * (also when the user's lines do not parse: the file's check says so). */
static int
line_with_key(const struct tokens_edit *ed, const char *user, const struct token *like,
              const uint8_t *key, size_t keylen)
{
    struct tokens t = {0}; /* tokens_parse leaves text and len alone */
    char err[256];
    int line = 0;

    if (ed->text != NULL &&
        tokens_parse(ed->text, ed->len, user, &t, err, sizeof(err)) == REASON_OK)
        line = tokens_line_with_key(&t, like, key, keylen);
    tokens_free(&t);
    return line;
}

static int
add_key_token(const char *user, const char *type, const struct token *tok, const struct add_opts *o)
{
    uint8_t key[OTP_MAX_KEY];
    size_t keylen = 0;
    char path[PATH_MAX], line[LINE_MAX_LEN], host[256], account[TOKENS_MAX_USER + 260];
    char uri[OTPAUTH_URI_SIZE] = "", err[512];
    struct tokens_edit ed;
    int rc, n, lineno = 0;

    /* the key first, as the caller: a root-only key file is read as root */
    if ((rc = load_key(o, tok, key, &keylen)) != 0)
        goto out;
    if (o->generate && tok->kind != TOKEN_OCRA) {
        struct otpauth p = {
            .totp = tok->kind == TOKEN_TOTP,
            .key = key,
            .keylen = keylen,
            .hash = tok->hash,
            .digits = tok->digits,
            .period = tok->step,
            .counter = 0,
        };

        host_name(host, sizeof(host));
        snprintf(account, sizeof(account), "%s@%s", user, host);
        p.issuer = o->issuer ? o->issuer : host;
        p.account = o->label ? o->label : account;
        if (otpauth_uri(&p, uri, sizeof(uri), err, sizeof(err)) != REASON_OK) {
            rc = token_fail(TOKEN_EXIT_USAGE, "add: %s; see --issuer and --label", err);
            goto out;
        }
    }
    n = snprintf(line, sizeof(line), "%s\t%s\t", user, type);
    if (n < 0 || (size_t)n >= sizeof(line) ||
        hex_encode(key, keylen, line + n, sizeof(line) - (size_t)n) != 0) {
        rc = token_fail(TOKEN_EXIT_USAGE, "add: the token's line would be longer than %d bytes",
                        LINE_MAX_LEN - 1);
        goto out;
    }
    if ((rc = token_resolve(o->tokens, o->conf, path, sizeof(path))) != 0)
        goto out;
    rc = TOKEN_EXIT_FAILED;
    if (tokens_edit_begin(path, TOKEN_LOCK_TIMEOUT_MS, &ed, err, sizeof(err)) != REASON_OK) {
        token_fail(rc, "%s", err);
        goto out;
    }
    if ((lineno = line_with_key(&ed, user, tok, key, keylen)) > 0) {
        tokens_edit_end(&ed);
        token_fail(rc,
                   "add: %s already has this key, at line %d of %s (a key on two lines "
                   "takes every code twice); to enrol it again: crauth token remove %s "
                   "--line %d",
                   user, lineno, path, user, lineno);
        goto out;
    }
    if (tokens_edit_append(&ed, line, &lineno, err, sizeof(err)) != REASON_OK ||
        tokens_edit_commit(&ed, err, sizeof(err)) != REASON_OK) {
        tokens_edit_end(&ed);
        token_fail(rc, "%s: %s", path, err);
        goto out;
    }
    tokens_edit_end(&ed);
    token_note("added %s token for %s at line %d of %s", type, user, lineno, path);
    rc = o->generate ? show_enrolment(o, tok, uri, key, keylen) : 0;
out:
    secmem_wipe(key, sizeof(key));
    secmem_wipe(line, sizeof(line));
    secmem_wipe(uri, sizeof(uri));
    return rc;
}

/* A new set of backup codes replaces the user's old set, used or not: the
 * sheet the user holds is the one that works. */
static int
add_backup(const char *user, const struct add_opts *o)
{
    static const enum token_kind backup = TOKEN_BACKUP;
    char codes[BACKUP_COUNT_MAX][BACKUP_CODE_SIZE], hash[BACKUP_HASH_SIZE];
    char path[PATH_MAX], line[TOKENS_MAX_USER + BACKUP_HASH_SIZE + 16], err[512];
    unsigned long count = BACKUP_COUNT_DEFAULT;
    struct tokens_edit ed;
    unsigned removed = 0;
    int rc = TOKEN_EXIT_FAILED, first = 0, last = 0;

    if (o->count != NULL && !token_parse_uint(o->count, BACKUP_COUNT_MAX, &count))
        return token_fail(TOKEN_EXIT_USAGE, "add: --count wants 1..%d", BACKUP_COUNT_MAX);
    if ((rc = token_resolve(o->tokens, o->conf, path, sizeof(path))) != 0)
        return rc;
    rc = TOKEN_EXIT_FAILED;
    if (tokens_edit_begin(path, TOKEN_LOCK_TIMEOUT_MS, &ed, err, sizeof(err)) != REASON_OK) {
        token_fail(rc, "%s", err);
        goto out;
    }
    if (tokens_edit_remove(&ed, user, 0, &backup, &removed, err, sizeof(err)) != REASON_OK)
        goto failed;
    for (unsigned long i = 0; i < count; i++) {
        if (backup_code_generate(codes[i], err, sizeof(err)) != REASON_OK ||
            backup_code_hash(codes[i], hash, err, sizeof(err)) != REASON_OK)
            goto failed;
        snprintf(line, sizeof(line), "%s\tbackup\t%s", user, hash);
        if (tokens_edit_append(&ed, line, &last, err, sizeof(err)) != REASON_OK)
            goto failed;
        if (i == 0)
            first = last;
    }
    if (tokens_edit_commit(&ed, err, sizeof(err)) != REASON_OK)
        goto failed;
    tokens_edit_end(&ed);
    for (unsigned long i = 0; i < count; i++)
        printf("%s\n", codes[i]);
    if (fflush(stdout) != 0) {
        token_fail(rc, "add: cannot print the codes: %s; run the command again", strerror(errno));
        goto out;
    }
    token_note("added %lu backup codes for %s at lines %d-%d of %s%s; each works once, and "
               "they are shown only now",
               count, user, first, last, path, removed > 0 ? " (the old set is removed)" : "");
    rc = 0;
    goto out;
failed:
    tokens_edit_end(&ed);
    token_fail(rc, "%s: %s", path, err);
out:
    secmem_wipe(codes, sizeof(codes));
    return rc;
}

/* Parse TYPE the way the tokens file does, with a stand-in key. */
static int
check_type(const char *user, const char *type, struct token *tok)
{
    char line[LINE_MAX_LEN];
    struct tokens_entry e;
    size_t pos = 0;
    int n = 0, rc = TOKEN_EXIT_USAGE;

    memset(tok, 0, sizeof(*tok));
    if (strcmp(type, "x509") == 0)
        return token_fail(rc, "add: x509 lines hold a certificate path, not a key: write them "
                              "by hand");
    if (snprintf(line, sizeof(line), "%s %s 00", user, type) >= (int)sizeof(line) ||
        !tokens_next(line, strlen(line), &pos, &n, &e))
        return token_fail(rc, "add: TYPE is too long");
    if (e.kind != TOKENS_ENTRY_TOKEN || e.type_len != strlen(type))
        token_fail(rc, "add: TYPE '%s': %s", type,
                   e.kind == TOKENS_ENTRY_BAD ? e.message : "not a TYPE");
    else
        rc = 0;
    *tok = e.tok;
    tokens_entry_wipe(&e);
    return rc;
}

int
cmd_token_add(int argc, char **argv)
{
    static const struct option opts[] = {
        {"tokens", required_argument, NULL, OPT_TOKENS},
        {"conf", required_argument, NULL, OPT_CONF},
        {"generate", no_argument, NULL, OPT_GENERATE},
        {"key-file", required_argument, NULL, OPT_KEY_FILE},
        {"force", no_argument, NULL, OPT_FORCE},
        {"issuer", required_argument, NULL, OPT_ISSUER},
        {"label", required_argument, NULL, OPT_LABEL},
        {"qr", no_argument, NULL, OPT_QR},
        {"count", required_argument, NULL, OPT_COUNT},
        {NULL, 0, NULL, 0},
    };
    struct add_opts o = {0};
    struct token tok;
    const char *user, *type;
    int c, rc;

    if (cli_wants_help(argc, argv)) {
        fputs(usage_add, stdout);
        return 0;
    }
    opterr = 0;
    optind = 0;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        switch (c) {
        case OPT_TOKENS:
            o.tokens = optarg;
            break;
        case OPT_CONF:
            o.conf = optarg;
            break;
        case OPT_GENERATE:
            o.generate = true;
            break;
        case OPT_KEY_FILE:
            o.key_file = optarg;
            break;
        case OPT_FORCE:
            o.force = true;
            break;
        case OPT_ISSUER:
            o.issuer = optarg;
            break;
        case OPT_LABEL:
            o.label = optarg;
            break;
        case OPT_QR:
            o.qr = true;
            break;
        case OPT_COUNT:
            o.count = optarg;
            break;
        default:
            return token_fail(TOKEN_EXIT_USAGE,
                              "add: bad option '%s'; see `crauth token add "
                              "--help`",
                              argv[optind - 1]);
        }
    }
    if (argc - optind != 2)
        return token_fail(TOKEN_EXIT_USAGE, "add: give USER and TYPE; see `crauth token add "
                                            "--help`");
    user = argv[optind];
    type = argv[optind + 1];
    if (!token_user_ok(user))
        return token_fail(TOKEN_EXIT_USAGE,
                          "add: '%s' cannot be a USER of the tokens file "
                          "(1..%d characters, no blank)",
                          user, TOKENS_MAX_USER);
    if (strcmp(type, "backup") == 0) {
        if (o.generate || o.key_file || o.force || o.issuer || o.label || o.qr)
            return token_fail(TOKEN_EXIT_USAGE, "add: backup codes take only --count, --tokens "
                                                "and --conf");
        return add_backup(user, &o);
    }
    if (o.count != NULL)
        return token_fail(TOKEN_EXIT_USAGE, "add: --count is for backup codes");
    if (o.generate == (o.key_file != NULL))
        return token_fail(TOKEN_EXIT_USAGE, "add: give --generate or --key-file F (the key is "
                                            "never taken from the command line)");
    if (!o.generate && (o.issuer || o.label || o.qr))
        return token_fail(TOKEN_EXIT_USAGE, "add: --issuer, --label and --qr go with "
                                            "--generate");
    if ((rc = check_type(user, type, &tok)) == 0)
        rc = add_key_token(user, type, &tok, &o);
    secmem_wipe(&tok, sizeof(tok));
    return rc;
}
