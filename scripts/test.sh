#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The whole test suite, as CI runs it: install what is missing, build with
# warnings as errors, run `make check`, `make distcheck`, and the suite
# again under AddressSanitizer + UndefinedBehaviorSanitizer.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)
"$top/scripts/deps.sh" test

step() { printf '\n=== %s\n' "$*"; }
show_failures() {
    for log in $(find "$1" -name '*.log' -path '*tests*' 2>/dev/null); do
        grep -qE ':test-result: (FAIL|ERROR)' "${log%.log}.trs" 2>/dev/null &&
            { echo "--- $log"; tail -50 "$log"; }
    done
    return 1
}

cd "$top"
step "bootstrap"
autoreconf -fi >/dev/null 2>&1

step "build (gcc, -Werror) and make check"
rm -rf build/ci && mkdir -p build/ci && cd build/ci
"$top/configure" --enable-werror >/dev/null
make -j"$jobs" >/dev/null
make -j"$jobs" check || show_failures .

step "make distcheck"
make -j"$jobs" distcheck DISTCHECK_CONFIGURE_FLAGS=--enable-werror >distcheck.log 2>&1 ||
    { tail -80 distcheck.log; exit 1; }
tail -4 distcheck.log

step "build with ASan+UBSan and make check"
cd "$top"
rm -rf build/asan && mkdir -p build/asan/sanitizer-logs && cd build/asan
"$top/configure" --enable-werror --enable-sanitizers >/dev/null
make -j"$jobs" >/dev/null
make -j"$jobs" check || show_failures .
if [ -n "$(ls sanitizer-logs)" ]; then
    echo "sanitizer reports from the helper:"; cat sanitizer-logs/*; exit 1
fi

step "all tests passed"
