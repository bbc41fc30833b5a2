#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Build every libFuzzer harness with ASan+UBSan and run each for SECONDS,
# two at a time, on a copy of its seed corpus.  Prints executions per
# harness; exits non-zero if any harness found a crash, leak or UB.
#   fuzz.sh OUT_DIR SECONDS
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:?usage: fuzz.sh OUT_DIR SECONDS}
secs=${2:?usage: fuzz.sh OUT_DIR SECONDS}
mkdir -p "$out"
out=$(cd "$out" && pwd)

cc="clang -g -O1 -std=gnu11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined"
cc="$cc -fno-sanitize-recover=undefined -I$src"
xml="$(pkg-config --cflags --libs libxml-2.0)"

build() { # build NAME SOURCES... -- LIBS...
    name=$1; shift
    srcs=""; libs=""
    while [ $# -gt 0 ] && [ "$1" != -- ]; do srcs="$srcs $src/$1"; shift; done
    [ $# -gt 0 ] && shift
    libs="$*"
    # shellcheck disable=SC2086
    $cc -o "$out/fuzz_$name" "$src/tests/fuzz/fuzz_$name.c" $srcs $libs
}

build frames lib/common/wire.c lib/common/secmem.c lib/common/log.c
build config lib/core/conf.c lib/common/secmem.c lib/common/reason.c lib/common/log.c \
    lib/common/wire.c -- -linih
build tokens lib/core/tokens.c lib/core/otp.c lib/common/secmem.c lib/core/lockfile.c \
    lib/core/backup_code.c lib/core/fileio.c lib/common/reason.c -- -lcrypto -lcrypt
build soap_reply lib/remote/soap.c lib/remote/soap_reply.c lib/common/secmem.c lib/common/log.c \
    lib/common/wire.c -- $xml -lcrypto
build ntlm_challenge lib/ntlm/ntlm.c lib/ntlm/ntlm_crypto.c -- -lcrypto
build cache_record lib/core/cache_record.c
build key_text lib/core/otpkey.c lib/core/base32.c lib/core/otp.c lib/common/secmem.c -- -lcrypto

run_one() {
    name=$1
    corpus="$out/corpus/$name"
    mkdir -p "$corpus"
    cp "$src/tests/fuzz/corpus/$name"/* "$corpus/" 2>/dev/null || true
    if "$out/fuzz_$name" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$out/crash-$name-" "$corpus" \
        >"$out/$name.log" 2>&1; then
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$name.log")
        echo "fuzz $name: ${execs:-?} executions in ${secs}s, no findings"
    else
        echo "fuzz $name: FAILED, see $out/$name.log"; tail -30 "$out/$name.log"
        return 1
    fi
}

status=0
names="frames config tokens soap_reply ntlm_challenge cache_record key_text"
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
