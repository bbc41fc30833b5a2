/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sanitizer_options.c - built into the helper only with --enable-sanitizers.
 *
 * The module starts the helper with an empty environment and stderr on
 * /dev/null, so ASAN_OPTIONS cannot reach it and reports would vanish.  Bake
 * the options in: abort on the first error (the module then sees a crash
 * and the test fails) and write the report where the test run looks.
 */
#ifndef SANITIZER_LOG_DIR
#define SANITIZER_LOG_DIR "/tmp"
#endif

const char *__asan_default_options(void);
const char *__ubsan_default_options(void);

const char *
__asan_default_options(void)
{
    return "abort_on_error=1:detect_leaks=1:log_path=" SANITIZER_LOG_DIR "/helper-asan";
}

const char *
__ubsan_default_options(void)
{
    return "print_stacktrace=1:halt_on_error=1:log_path=" SANITIZER_LOG_DIR "/helper-ubsan";
}
