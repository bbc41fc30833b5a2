#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The whole test suite, as CI runs it: install what is missing, then
#   1. build with warnings as errors, `make check`, cppcheck and clang-tidy,
#      `make distcheck`
#   2. the suite again built with ASan+UBSan
#   3. the suite again with the helper under valgrind memcheck
#   4. real sshd/ssh/sudo/su/login, the privilege tests with a really
#      set-id helper, and the Debian package installed and purged (root only)
#   5. every fuzz harness for 45 s
# Each step is announced before it runs and its time shown after it.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)
started=$(date +%s)
last=""
step() { # step TEXT: a heading, after the time the previous step took
    now=$(date +%s)
    [ -z "$last" ] || printf '    (%d s; %d s so far)\n' $((now - last)) $((now - started))
    last=$now
    printf '\n=== %s\n' "$*"
}

cat <<EOF
test.sh: the whole suite, as CI runs it.  What it does to this machine:
  - installs the Debian packages the tests need that are missing
    (scripts/deps.sh test lists them, with what each is for, first): servers
    among them (apache2, squid, winbind, freeradius, openssh-server) that
    the tests run as private instances on their own ports
  - as root: adds throwaway users, PAM services named *-crauth and a
    sudoers drop-in while the end-to-end tests run, and installs and purges
    the Debian package libpam-crauth; each is undone at the end
  - everything else stays under $top/build
EOF
step "packages (scripts/deps.sh test)"
"$top/scripts/deps.sh" test

show_failures() { # every test's log whose result says it failed (tests/, doc/)
    for trs in $(find "$1" -name '*.trs' 2>/dev/null); do
        log=${trs%.trs}.log
        grep -qE ':test-result: (FAIL|ERROR)' "$trs" 2>/dev/null &&
            { echo "--- $log"; tail -50 "$log"; }
    done
    return 1
}
configure_in() { # configure_in DIR ARGS...
    dir=$1; shift
    rm -rf "$top/build/$dir" && mkdir -p "$top/build/$dir" && cd "$top/build/$dir"
    "$top/configure" --enable-werror "$@" >/dev/null
    make -j"$jobs" >/dev/null
}

cd "$top"
step "bootstrap"
autoreconf -fi >/dev/null 2>&1

step "build (gcc, -Werror) and make check"
configure_in ci
make -j"$jobs" check || show_failures .

step "static analysis: cppcheck, clang-tidy"
"$top/scripts/lint.sh"
cd "$top/build/ci"

step "make distcheck"
make -j"$jobs" distcheck DISTCHECK_CONFIGURE_FLAGS=--enable-werror >distcheck.log 2>&1 ||
    { tail -80 distcheck.log; exit 1; }
tail -4 distcheck.log

step "ASan+UBSan build and make check"
configure_in asan --enable-sanitizers
mkdir -p sanitizer-logs
make -j"$jobs" check || show_failures .
if [ -n "$(ls sanitizer-logs)" ]; then
    echo "sanitizer reports from the helper:"; cat sanitizer-logs/*; exit 1
fi

step "helper under valgrind memcheck"
cd "$top/build/ci"
mkdir -p valgrind && rm -f valgrind/*
# --run-libc-freeres=no: the helper leaves with _exit, so glibc's exit-time
# freeing is not part of its run; with a name lookup still running on a
# thread (the proxy test's silent name server) it reports false errors.
cat > valgrind/helper <<WRAP
#!/bin/sh
exec /usr/bin/valgrind -q --error-exitcode=99 --leak-check=full --run-libc-freeres=no \\
    --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \\
    --log-file=$top/build/ci/valgrind/report.%p $top/build/ci/helper/crauth-helper
WRAP
chmod 755 valgrind/helper
CRAUTH_UNDER_VALGRIND=1 make -j"$jobs" check HELPER_UNDER_TEST="$top/build/ci/valgrind/helper" ||
    show_failures .
for r in valgrind/report.*; do
    [ -s "$r" ] && { echo "valgrind: $r"; cat "$r"; exit 1; }
done
echo "valgrind: no errors, no leaks in $(ls valgrind/report.* | wc -l) helper runs"

if [ "$(id -u)" = 0 ]; then
    step "real clients: sshd, ssh, paramiko, sudo, su, login"
    cd "$top/build/ci"
    TOP_BUILDDIR="$top/build/ci" /usr/bin/python3 "$top/tests/e2e/run.py"

    step "privilege tests with a set-uid/set-gid _crauth helper"
    configure_in priv --sysconfdir="$top/build/priv/etc"
    CRAUTH_PRIV_TESTS=1 make check TESTS=tests/priv/test_privs.py || show_failures .

    step "Debian package: build, lintian, install, log in, purge"
    sh "$top/tests/deb/test_deb.sh"
else
    step "privilege tests skipped: not root"
fi

step "fuzzing: every harness for 45 s"
"$top/tests/fuzz/fuzz.sh" "$top/build/fuzz" 45

step "all tests passed"
echo "test.sh: done in $(($(date +%s) - started)) s"
