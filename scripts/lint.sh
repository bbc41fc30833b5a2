#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Static analysis of the C sources: the format (.clang-format), cppcheck,
# and clang-tidy with the checked-in .clang-tidy.  Any finding fails.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/build/lint"
rm -rf "$build" && mkdir -p "$build" && cd "$build"
"$top/configure" >/dev/null
bear -- make -j"$(nproc)" >/dev/null 2>&1
make -s check-format
cd "$top"
cppcheck --enable=warning,performance,portability --error-exitcode=1 --inline-suppr --quiet \
    -D_GNU_SOURCE -I . -I build/lint --suppress=missingIncludeSystem lib helper pam_module tools
echo "cppcheck: no findings"
out=$(run-clang-tidy -quiet -p "$build" -j "$(nproc)" "$top/(lib|helper|pam_module|tools)/" 2>&1 |
    sed 's/\x1b\[[0-9;]*m//g' | grep -E '(warning|error):' || true)
if [ -n "$out" ]; then
    printf '%s\n' "$out"
    exit 1
fi
echo "clang-tidy: no findings"
