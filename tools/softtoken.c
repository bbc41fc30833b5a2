/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * softtoken.c - the "crauth hotp", "crauth totp" and "crauth ocra" verbs: a
 * soft token on top of lib/core/otp.  Options are collected as strings first
 * (each at most once), then checked strictly, so every mistake ends in one
 * stderr line that names the option and says what to give instead.  Secret
 * values (key, PIN, PIN hash) are never echoed back, and their decoded forms
 * are wiped before returning.
 */
#include "tools/softtoken.h"

#include "lib/common/hex.h"
#include "lib/common/secmem.h"
#include "lib/core/otp.h"
#include "tools/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A key file holds at most OTP_MAX_KEY bytes as hex, plus room for the
 * whitespace editors and "echo" add around it. */
#define KEY_FILE_MAX (2 * OTP_MAX_KEY + 64)

/* S is at most 512 bytes (lib/core/otp.c refuses larger Snnn). */
#define SESSION_MAX 512

#define PIN_HASH_MAX 64

enum option_id {
    OPT_KEY,
    OPT_KEY_FILE,
    OPT_COUNTER,
    OPT_DIGITS,
    OPT_TIME,
    OPT_STEP,
    OPT_HASH,
    OPT_SUITE,
    OPT_QUESTION,
    OPT_PIN,
    OPT_PIN_HASH,
    OPT_SESSION,
    OPT_COUNT
};

/* getopt_long() values: above any character, so they never clash with '?' or ':'. */
#define OPTION_VALUE(id) (0x100 + (id))

static void complain(const char *verb, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/* One line on stderr.  Control characters (from echoed user input) become
 * '?', so the message stays one line and cannot drive the terminal. */
static void
complain(const char *verb, const char *format, ...)
{
    char prefix[64];
    va_list ap;

    snprintf(prefix, sizeof(prefix), "crauth %s: ", verb);
    va_start(ap, format);
    cli_line_v(prefix, format, ap, "");
    va_end(ap);
}

static const char *
result_text(int rc)
{
    switch (rc) {
    case OTP_ERR_ARG:
        return "a parameter is out of range";
    case OTP_ERR_SUITE:
        return "the OCRA suite is malformed";
    case OTP_ERR_QUESTION:
        return "the question does not fit the suite";
    case OTP_ERR_INPUT:
        return "the inputs do not match what the suite uses";
    case OTP_ERR_CRYPTO:
        return "OpenSSL failed; check the OpenSSL installation and its configuration";
    default:
        return "unexpected internal error";
    }
}

/* Store each "--name VALUE" in @values; a repeated option is an error
 * because silently letting the last one win hides typos in scripts.  The
 * leading '+' stops at the first operand instead of permuting argv.
 * --help was handled before (cli_wants_help). */
static bool
collect_options(const char *verb, int argc, char **argv, const struct option *longopts,
                const char *values[OPT_COUNT])
{
    int opt, longindex = -1;

    opterr = 0;
    optind = 0; /* GNU: full reinitialisation, so the verbs may run more than once */
    while ((opt = getopt_long(argc, argv, "+:", longopts, &longindex)) != -1) {
        if (opt == ':') {
            complain(verb, "option \"%s\" needs a value; see \"crauth %s --help\"",
                     argv[optind - 1], verb);
            return false;
        }
        if (opt < OPTION_VALUE(0) || opt >= OPTION_VALUE(OPT_COUNT)) {
            complain(verb, "unknown option \"%s\"; see \"crauth %s --help\"", argv[optind - 1],
                     verb);
            return false;
        }
        if (values[opt - OPTION_VALUE(0)] != NULL) {
            complain(verb, "option \"--%s\" is given twice; give it once",
                     longindex >= 0 ? longopts[longindex].name : "?");
            return false;
        }
        values[opt - OPTION_VALUE(0)] = optarg;
        longindex = -1;
    }
    if (optind < argc) {
        complain(verb,
                 "unexpected argument \"%s\"; all inputs are --options, see \"crauth %s "
                 "--help\"",
                 argv[optind], verb);
        return false;
    }
    return true;
}

/* --help anywhere, before any parsing: the usage on stdout. */
static bool
help(const char *verb, int argc, char **argv, const char *usage)
{
    if (!cli_wants_help(argc, argv))
        return false;
    printf("usage: crauth %s %s\n", verb, usage);
    return true;
}

/* strtoull() alone accepts " 12", "+12" and "-12" (the latter wrapping
 * around), so the first character must already be a digit. */
static bool
parse_u64(const char *text, uint64_t max, uint64_t *value)
{
    unsigned long long parsed;
    char *end;

    if (text[0] < '0' || text[0] > '9')
        return false;
    errno = 0;
    parsed = strtoull(text, &end, 10);
    if (errno != 0 || *end != '\0' || parsed > max)
        return false;
    *value = parsed;
    return true;
}

static bool
parse_digits(const char *verb, const char *text, unsigned *digits)
{
    uint64_t value;

    if (!parse_u64(text, OTP_MAX_DIGITS, &value) || value < OTP_MIN_DIGITS) {
        complain(verb, "--digits \"%s\" is not supported; give a number from %d to %d", text,
                 OTP_MIN_DIGITS, OTP_MAX_DIGITS);
        return false;
    }
    *digits = (unsigned)value;
    return true;
}

static bool
parse_counter(const char *verb, const char *text, uint64_t *counter)
{
    if (!parse_u64(text, UINT64_MAX, counter)) {
        complain(verb,
                 "--counter \"%s\" is not a counter; give a decimal number from 0 to "
                 "%" PRIu64,
                 text, UINT64_MAX);
        return false;
    }
    return true;
}

/* @text NULL means "now", which is what a soft token normally wants. */
static bool
parse_time(const char *verb, const char *text, int64_t *unix_time)
{
    uint64_t value;

    if (text == NULL) {
        time_t now = time(NULL);

        if (now < 0) {
            complain(verb, "the system clock is unusable; give --time UNIX explicitly");
            return false;
        }
        *unix_time = (int64_t)now;
        return true;
    }
    if (!parse_u64(text, INT64_MAX, &value)) {
        complain(verb,
                 "--time \"%s\" is not a time; give seconds since 1970-01-01 UTC, from 0 "
                 "to %" PRId64,
                 text, INT64_MAX);
        return false;
    }
    *unix_time = (int64_t)value;
    return true;
}

/* read() rather than stdio, so no FILE buffer keeps a copy of the key. */
static bool
read_key_file(const char *verb, const char *path, char buf[KEY_FILE_MAX], char **hex)
{
    bool from_stdin = strcmp(path, "-") == 0;
    int fd = from_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    size_t len = 0;
    bool ok = false;
    char *start, *end;

    if (fd < 0) {
        complain(verb, "cannot open key file \"%s\": %s; check the path and its permissions", path,
                 strerror(errno));
        return false;
    }
    for (;;) {
        ssize_t n = read(fd, buf + len, KEY_FILE_MAX - 1 - len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            complain(verb, "cannot read key file \"%s\": %s", path, strerror(errno));
            goto out;
        }
        if (n == 0)
            break;
        len += (size_t)n;
        if (len == KEY_FILE_MAX - 1) {
            complain(verb,
                     "key file \"%s\" is too long; it must hold only the hex key (at most "
                     "%d bytes)",
                     path, OTP_MAX_KEY);
            goto out;
        }
    }
    buf[len] = '\0';
    /* A NUL inside would make the hex decoder stop early and use a shorter key. */
    if (strlen(buf) != len) {
        complain(verb, "key file \"%s\" contains a NUL byte; it must hold only the hex key", path);
        goto out;
    }
    for (start = buf; *start == ' ' || *start == '\t' || *start == '\n' || *start == '\r';)
        start++;
    end = start + strlen(start);
    while (end > start && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r'))
        *--end = '\0';
    *hex = start;
    ok = true;
out:
    if (!from_stdin)
        close(fd);
    return ok;
}

/* 0, or the exit status: CLI_USAGE for the command line, CLI_FAILED for a
 * key file that cannot be read or holds no key. */
static int
load_key(const char *verb, const char *values[OPT_COUNT], uint8_t key[OTP_MAX_KEY], size_t *keylen)
{
    char file_buf[KEY_FILE_MAX];
    char *trimmed = NULL;
    const char *hex;
    const char *origin = "--key";
    int status = CLI_USAGE;

    if ((values[OPT_KEY] == NULL) == (values[OPT_KEY_FILE] == NULL)) {
        complain(verb, values[OPT_KEY] == NULL
                           ? "no key given; use --key-file PATH (or --key HEX)"
                           : "--key and --key-file are exclusive; give only one");
        return CLI_USAGE;
    }
    if (values[OPT_KEY_FILE] != NULL) {
        status = CLI_FAILED;
        if (!read_key_file(verb, values[OPT_KEY_FILE], file_buf, &trimmed))
            goto out;
        hex = trimmed;
        origin = "the key file";
    } else {
        hex = values[OPT_KEY];
        /* kept for scripts (a documented verb), but a key in argv is seen
         * by every user through ps and /proc: say so to a person */
        if (isatty(STDERR_FILENO))
            fprintf(stderr,
                    "crauth %s: warning: --key shows the key to every user of this "
                    "machine (ps, /proc); use --key-file PATH or --key-file - (stdin)\n",
                    verb);
    }
    if (hex[0] == '\0') {
        complain(verb, "%s is empty; give the key as hex digits", origin);
    } else if (strlen(hex) / 2 > OTP_MAX_KEY) {
        complain(verb, "%s is longer than %d bytes; use a shorter key", origin, OTP_MAX_KEY);
    } else if (hex_decode(hex, strlen(hex), key, OTP_MAX_KEY, keylen) != 0) {
        complain(verb, "%s is not hex; give an even number of 0-9/a-f digits, no separators",
                 origin);
    } else {
        status = 0;
    }
out:
    secmem_wipe(file_buf, sizeof(file_buf));
    return status;
}

static int
print_code(const char *verb, const char *code)
{
    if (printf("%s\n", code) < 0 || fflush(stdout) != 0) {
        complain(verb, "cannot write to standard output: %s", strerror(errno));
        return CLI_FAILED;
    }
    return EXIT_SUCCESS;
}

#define KEY_OPTIONS                                                                                \
    {"key", required_argument, NULL, OPTION_VALUE(OPT_KEY)},                                       \
    {                                                                                              \
        "key-file", required_argument, NULL, OPTION_VALUE(OPT_KEY_FILE)                            \
    }

int
cmd_hotp(int argc, char **argv)
{
    static const struct option longopts[] = {
        KEY_OPTIONS,
        {"counter", required_argument, NULL, OPTION_VALUE(OPT_COUNTER)},
        {"digits", required_argument, NULL, OPTION_VALUE(OPT_DIGITS)},
        {NULL, 0, NULL, 0},
    };
    const char *verb = "hotp";
    const char *values[OPT_COUNT] = {NULL};
    uint8_t key[OTP_MAX_KEY];
    size_t keylen = 0;
    uint64_t counter = 0;
    unsigned digits = 6;
    char code[OTP_CODE_SIZE] = "";
    int status = CLI_USAGE, rc;

    if (help(verb, argc, argv, "--key HEX|--key-file PATH --counter N [--digits D]")) {
        status = EXIT_SUCCESS;
        goto out;
    }
    if (!collect_options(verb, argc, argv, longopts, values))
        goto out;
    if (values[OPT_COUNTER] == NULL) {
        complain(verb, "--counter is missing; give the token's event counter, e.g. --counter 0");
        goto out;
    }
    if (!parse_counter(verb, values[OPT_COUNTER], &counter))
        goto out;
    if (values[OPT_DIGITS] != NULL && !parse_digits(verb, values[OPT_DIGITS], &digits))
        goto out;
    if ((status = load_key(verb, values, key, &keylen)) != 0)
        goto out;
    status = CLI_FAILED;
    rc = otp_hotp(key, keylen, counter, digits, OTP_SHA1, code);
    if (rc != OTP_OK) {
        complain(verb, "cannot compute the code: %s", result_text(rc));
        goto out;
    }
    status = print_code(verb, code);
out:
    secmem_wipe(key, sizeof(key));
    secmem_wipe(code, sizeof(code));
    return status;
}

int
cmd_totp(int argc, char **argv)
{
    static const struct option longopts[] = {
        KEY_OPTIONS,
        {"time", required_argument, NULL, OPTION_VALUE(OPT_TIME)},
        {"step", required_argument, NULL, OPTION_VALUE(OPT_STEP)},
        {"digits", required_argument, NULL, OPTION_VALUE(OPT_DIGITS)},
        {"hash", required_argument, NULL, OPTION_VALUE(OPT_HASH)},
        {NULL, 0, NULL, 0},
    };
    const char *verb = "totp";
    const char *values[OPT_COUNT] = {NULL};
    uint8_t key[OTP_MAX_KEY];
    size_t keylen = 0;
    int64_t unix_time = 0;
    uint64_t step = 30;
    unsigned digits = 6;
    enum otp_hash hash = OTP_SHA1;
    char code[OTP_CODE_SIZE] = "";
    int status = CLI_USAGE, rc;

    if (help(verb, argc, argv,
             "--key HEX|--key-file PATH [--time UNIX] [--step S] [--digits D] "
             "[--hash sha1|sha256|sha512]")) {
        status = EXIT_SUCCESS;
        goto out;
    }
    if (!collect_options(verb, argc, argv, longopts, values))
        goto out;
    if (!parse_time(verb, values[OPT_TIME], &unix_time))
        goto out;
    if (values[OPT_STEP] != NULL && (!parse_u64(values[OPT_STEP], UINT_MAX, &step) || step == 0)) {
        complain(verb, "--step \"%s\" is not a time step; give seconds from 1 to %u",
                 values[OPT_STEP], UINT_MAX);
        goto out;
    }
    if (values[OPT_DIGITS] != NULL && !parse_digits(verb, values[OPT_DIGITS], &digits))
        goto out;
    if (values[OPT_HASH] != NULL && otp_hash_parse(values[OPT_HASH], &hash) != OTP_OK) {
        complain(verb, "--hash \"%s\" is not supported; use sha1, sha256 or sha512",
                 values[OPT_HASH]);
        goto out;
    }
    if ((status = load_key(verb, values, key, &keylen)) != 0)
        goto out;
    status = CLI_FAILED;
    rc = otp_totp(key, keylen, unix_time, (unsigned)step, digits, hash, code);
    if (rc != OTP_OK) {
        complain(verb, "cannot compute the code: %s", result_text(rc));
        goto out;
    }
    status = print_code(verb, code);
out:
    secmem_wipe(key, sizeof(key));
    secmem_wipe(code, sizeof(code));
    return status;
}

/* "QN08 (numeric, up to 8 digits)", for messages about --question. */
static void
describe_question_format(const struct ocra_suite *suite, char *buf, size_t size)
{
    char detail[64];
    int n;

    switch (suite->q_format) {
    case 'N':
        n = snprintf(detail, sizeof(detail), "numeric, up to %u digits", suite->q_max);
        break;
    case 'A':
        n = snprintf(detail, sizeof(detail), "alphanumeric 0-9A-Za-z, up to %u characters",
                     suite->q_max);
        break;
    default:
        n = snprintf(detail, sizeof(detail), "hexadecimal, up to %u hex digits", suite->q_max);
        break;
    }
    if (n < 0 || (size_t)n >= sizeof(detail))
        detail[0] = '\0';
    n = snprintf(buf, size, "Q%c%02u (%s)", suite->q_format, suite->q_max, detail);
    if (n < 0 || (size_t)n >= size)
        buf[0] = '\0';
}

/* Whether an option the suite does or does not use was given accordingly. */
static bool
suite_input_matches(const char *verb, const struct ocra_suite *suite, bool used, bool given,
                    const char *option, const char *meaning)
{
    if (used && !given)
        complain(verb, "suite %s includes %s; give %s", suite->text, meaning, option);
    else if (!used && given)
        complain(verb, "suite %s does not include %s; drop %s", suite->text, meaning, option);
    return used == given;
}

/* P from --pin (hashed here with the suite's PH) or --pin-hash (already hashed). */
static bool
load_pin_hash(const char *verb, const struct ocra_suite *suite, const char *values[OPT_COUNT],
              uint8_t pin_hash[PIN_HASH_MAX], size_t *pin_hash_len)
{
    size_t expected;

    if (values[OPT_PIN] != NULL && values[OPT_PIN_HASH] != NULL) {
        complain(verb, "--pin and --pin-hash are exclusive; give only one");
        return false;
    }
    if (!suite_input_matches(verb, suite, suite->pin,
                             values[OPT_PIN] != NULL || values[OPT_PIN_HASH] != NULL,
                             "--pin PIN or --pin-hash HEX", "the PIN (P)"))
        return false;
    if (!suite->pin)
        return true;
    if (values[OPT_PIN] != NULL) {
        if (ocra_pin_hash(suite, values[OPT_PIN], pin_hash, PIN_HASH_MAX, pin_hash_len) != OTP_OK) {
            complain(verb, "cannot hash --pin; give a non-empty PIN");
            return false;
        }
        return true;
    }
    expected = suite->pin_hash == OTP_SHA1 ? 20 : suite->pin_hash == OTP_SHA256 ? 32 : 64;
    if (hex_decode(values[OPT_PIN_HASH], strlen(values[OPT_PIN_HASH]), pin_hash, PIN_HASH_MAX,
                   pin_hash_len) != 0 ||
        *pin_hash_len != expected) {
        complain(verb, "--pin-hash must be the %s of the PIN as %zu hex digits",
                 otp_hash_name(suite->pin_hash), 2 * expected);
        return false;
    }
    return true;
}

static bool
load_session(const char *verb, const struct ocra_suite *suite, const char *hex,
             uint8_t session[SESSION_MAX], size_t *session_len)
{
    if (!suite_input_matches(verb, suite, suite->session_len != 0, hex != NULL, "--session HEX",
                             "the session information (S)"))
        return false;
    if (hex == NULL)
        return true;
    if (hex[0] == '\0' ||
        hex_decode(hex, strlen(hex), session, suite->session_len, session_len) != 0) {
        complain(verb,
                 "--session must be 1 to %u bytes as hex (an even number of 0-9/a-f "
                 "digits); shorter values are zero-padded on the left",
                 suite->session_len);
        return false;
    }
    return true;
}

int
cmd_ocra(int argc, char **argv)
{
    static const struct option longopts[] = {
        KEY_OPTIONS,
        {"suite", required_argument, NULL, OPTION_VALUE(OPT_SUITE)},
        {"question", required_argument, NULL, OPTION_VALUE(OPT_QUESTION)},
        {"counter", required_argument, NULL, OPTION_VALUE(OPT_COUNTER)},
        {"pin", required_argument, NULL, OPTION_VALUE(OPT_PIN)},
        {"pin-hash", required_argument, NULL, OPTION_VALUE(OPT_PIN_HASH)},
        {"session", required_argument, NULL, OPTION_VALUE(OPT_SESSION)},
        {"time", required_argument, NULL, OPTION_VALUE(OPT_TIME)},
        {NULL, 0, NULL, 0},
    };
    const char *verb = "ocra";
    const char *values[OPT_COUNT] = {NULL};
    struct ocra_suite suite;
    struct ocra_input in;
    uint8_t key[OTP_MAX_KEY];
    uint8_t pin_hash[PIN_HASH_MAX];
    uint8_t session[SESSION_MAX];
    size_t keylen = 0;
    int64_t unix_time = 0;
    char question_format[96];
    char response[OCRA_OUT_SIZE] = "";
    int status = CLI_USAGE, rc;

    memset(&in, 0, sizeof(in));
    if (help(verb, argc, argv,
             "--suite SUITE --key HEX|--key-file PATH [--question Q] "
             "[--counter N] [--pin PIN | --pin-hash HEX] [--session HEX] "
             "[--time UNIX]")) {
        status = EXIT_SUCCESS;
        goto out;
    }
    if (!collect_options(verb, argc, argv, longopts, values))
        goto out;
    if (values[OPT_SUITE] == NULL) {
        complain(verb, "--suite is missing; give the RFC 6287 suite, e.g. OCRA-1:HOTP-SHA1-6:QN08");
        goto out;
    }
    if (ocra_suite_parse(values[OPT_SUITE], &suite) != OTP_OK) {
        complain(verb,
                 "--suite \"%s\" is not a valid RFC 6287 suite; expected the form "
                 "OCRA-1:HOTP-SHA1-6:C-QN08-PSHA1-S064-T1M",
                 values[OPT_SUITE]);
        goto out;
    }

    describe_question_format(&suite, question_format, sizeof(question_format));
    if (values[OPT_QUESTION] == NULL) {
        complain(verb, "--question is missing; suite %s needs the challenge, format %s", suite.text,
                 question_format);
        goto out;
    }
    /* one challenge, or RFC 6287 7.3's mutual question: two joined */
    if (ocra_question_check(&suite, values[OPT_QUESTION]) != OTP_OK) {
        if (ocra_mutual_question_check(&suite, values[OPT_QUESTION]) != OTP_OK) {
            complain(verb,
                     "--question \"%.*s\" does not fit suite format %s, nor two such "
                     "challenges joined (a mutual question, up to %u characters)",
                     OCRA_MAX_MUTUAL_QUESTION + 1, values[OPT_QUESTION], question_format,
                     2 * suite.q_max);
            goto out;
        }
        in.mutual = true;
    }
    in.question = values[OPT_QUESTION];

    if (!suite_input_matches(verb, &suite, suite.counter, values[OPT_COUNTER] != NULL,
                             "--counter N", "the counter (C)"))
        goto out;
    if (suite.counter && !parse_counter(verb, values[OPT_COUNTER], &in.counter))
        goto out;
    if (!load_pin_hash(verb, &suite, values, pin_hash, &in.pin_hash_len))
        goto out;
    in.pin_hash = suite.pin ? pin_hash : NULL;
    if (!load_session(verb, &suite, values[OPT_SESSION], session, &in.session_len))
        goto out;
    in.session = suite.session_len != 0 ? session : NULL;
    /* Without --time a T suite uses the clock, as a hardware token would. */
    if (suite.time_step == 0 && values[OPT_TIME] != NULL) {
        complain(verb, "suite %s does not include the timestamp (T); drop --time", suite.text);
        goto out;
    }
    if (suite.time_step != 0) {
        if (!parse_time(verb, values[OPT_TIME], &unix_time))
            goto out;
        in.time_steps = (uint64_t)unix_time / suite.time_step;
    }
    if ((status = load_key(verb, values, key, &keylen)) != 0)
        goto out;
    status = CLI_FAILED;

    rc = ocra_compute(&suite, key, keylen, &in, response, sizeof(response));
    if (rc != OTP_OK) {
        complain(verb, "cannot compute the response: %s", result_text(rc));
        goto out;
    }
    status = print_code(verb, response);
out:
    secmem_wipe(key, sizeof(key));
    secmem_wipe(pin_hash, sizeof(pin_hash));
    secmem_wipe(session, sizeof(session));
    secmem_wipe(response, sizeof(response));
    return status;
}
