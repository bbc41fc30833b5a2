#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Build every libFuzzer harness (tests/fuzz/fuzz_NAME.c) in OUT_DIR/build,
# configured with --enable-fuzzing (clang, ASan+UBSan, the product's own
# library objects; tests/fuzz/local.mk), and run each for SECONDS, two at a
# time, on a corpus seeded from the unit-test fixtures it names below and
# its own seeds in tests/fuzz/corpus/NAME/.  Prints executions per harness;
# exits non-zero if any harness found a crash, leak or UB.
#   fuzz.sh OUT_DIR SECONDS
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:?usage: fuzz.sh OUT_DIR SECONDS}
secs=${2:?usage: fuzz.sh OUT_DIR SECONDS}
mkdir -p "$out"
out=$(cd "$out" && pwd)
build="$out/build"

# Seeds kept elsewhere in the tree, so that no file is kept twice:
#   DIR/       every file in it
#   FILE       that file
#   FILE@KEY   the hex value on the line "KEY|HEX" (the tests/vectors format)
fixtures() {
    case $1 in
    soap_reply) echo tests/unit/soap_replies/ ;;
    config) echo conf/crauth.conf ;;
    ntlm_challenge) echo tests/vectors/ntlm.txt@challenge_message ;;
    esac
}

seed() { # seed NAME: fill $out/corpus/NAME (kept between runs: it grows)
    corpus="$out/corpus/$1"
    mkdir -p "$corpus"
    if [ -d "$src/tests/fuzz/corpus/$1" ]; then cp "$src/tests/fuzz/corpus/$1"/* "$corpus/"; fi
    for f in $(fixtures "$1"); do
        case $f in
        */)
            for g in "$src/$f"*; do cp "$g" "$corpus/fixture-$(basename "$g")"; done ;;
        *@*)
            hex=$(sed -n "s/^${f#*@}|//p" "$src/${f%@*}")
            [ -n "$hex" ] || { echo "fuzz.sh: no ${f#*@} in ${f%@*}" >&2; return 1; }
            /usr/bin/python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(sys.argv[1]))' \
                "$hex" >"$corpus/fixture-${f#*@}" ;;
        *)
            cp "$src/$f" "$corpus/fixture-$(basename "$f")" ;;
        esac
    done
}

names=""
for c in "$src"/tests/fuzz/fuzz_*.c; do
    n=${c##*/fuzz_}
    names="$names ${n%.c}"
done

[ -x "$src/configure" ] || (cd "$src" && autoreconf -fi >/dev/null 2>&1)
mkdir -p "$build"
if ! grep -q '^FUZZ_LDFLAGS = -fsanitize=fuzzer' "$build/Makefile" 2>/dev/null; then
    if ! (cd "$build" && "$src/configure" CC=clang CFLAGS="-g -O1" --enable-fuzzing) \
        >"$build/configure.out" 2>&1; then
        echo "fuzz.sh: configure --enable-fuzzing failed in $build:"
        tail -5 "$build/configure.out"
        exit 1
    fi
fi
if ! make -C "$build" -j2 fuzz-harnesses >"$build/make.out" 2>&1; then
    echo "fuzz.sh: building the harnesses failed (see $build/make.out):"
    tail -30 "$build/make.out"
    exit 1
fi
for name in $names; do
    [ -x "$build/tests/fuzz/fuzz_$name" ] ||
        { echo "fuzz.sh: tests/fuzz/fuzz_$name.c is not in tests/fuzz/local.mk"; exit 1; }
    seed "$name"
done

run_one() {
    name=$1
    if "$build/tests/fuzz/fuzz_$name" -max_total_time="$secs" -max_len=65536 -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$out/crash-$name-" \
        "$out/corpus/$name" >"$out/$name.log" 2>&1; then
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$name.log")
        echo "fuzz $name: ${execs:-?} executions in ${secs}s, no findings"
    else
        echo "fuzz $name: FAILED, see $out/$name.log"; tail -30 "$out/$name.log"
        return 1
    fi
}

status=0
# shellcheck disable=SC2086
set -- $names
while [ $# -gt 0 ]; do
    run_one "$1" & p1=$!
    p2=""
    if [ $# -gt 1 ]; then run_one "$2" & p2=$!; fi
    wait $p1 || status=1
    [ -n "$p2" ] && { wait "$p2" || status=1; }
    shift; [ $# -gt 0 ] && shift
done
exit $status
