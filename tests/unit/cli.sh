#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The CLI contract (crauth(1)): the documented soft-token examples,
# explain, --help for every verb before anything else is parsed (exit 0,
# usage on stdout), --version, and errors as one line "crauth VERB: ..."
# with exit status 2 for a command line a verb cannot use, 1 when the work
# failed.
set -u
: "${CRAUTH:?set CRAUTH to the crauth binary}"
fails=0
errf=$(mktemp)
trap 'rm -f "$errf"' EXIT
expect() { # expect WANT CMD...
    want=$1; shift
    got=$("$@" 2>&1); rc=$?
    if [ "$rc" != 0 ] || [ "$got" != "$want" ]; then
        echo "FAIL: $* -> rc=$rc '$got' (want '$want')"; fails=$((fails + 1))
    fi
}
expect_error() { # expect_error PATTERN CMD...
    pat=$1; shift
    out=$("$@" 2>&1 >/dev/null); rc=$?
    lines=$(printf '%s\n' "$out" | wc -l)
    if [ "$rc" = 0 ] || [ "$lines" != 1 ] || ! printf '%s' "$out" | grep -q -- "$pat"; then
        echo "FAIL: $* -> rc=$rc, stderr '$out' (want one line matching '$pat')"
        fails=$((fails + 1))
    fi
}
K=3132333435363738393031323334353637383930
expect 237653 "$CRAUTH" ocra --suite OCRA-1:HOTP-SHA1-6:QN08 --key $K --question 00000000
expect 755224 "$CRAUTH" hotp --key $K --counter 0
expect 94287082 "$CRAUTH" totp --key $K --time 59 --digits 8
keyfile=$(mktemp); echo $K > "$keyfile"
expect 287082 "$CRAUTH" hotp --key-file "$keyfile" --counter 1
rm -f "$keyfile"
"$CRAUTH" explain 10 | grep -q "wrong-response" || { echo "FAIL: explain 10"; fails=$((fails + 1)); }
"$CRAUTH" explain user-unknown | grep -q "^14 " || { echo "FAIL: explain name"; fails=$((fails + 1)); }
[ "$("$CRAUTH" explain --all | grep -c '^[0-9]')" -ge 30 ] || { echo "FAIL: explain --all"; fails=$((fails + 1)); }
expect_error "not a reason code" "$CRAUTH" explain 12345
expect_error "QN08" "$CRAUTH" ocra --suite OCRA-1:HOTP-SHA1-6:QN08 --key $K --question 12AB
# RFC 6287 C.2: a mutual question, two QA08 challenges joined (from the vector file)
mutual=$(grep '^OCRA-1:HOTP-SHA256-8:QA08|[0-9a-f]*||CLI22220SRV11110|' \
    "${VECTORS_DIR:-$(dirname "$0")/../vectors}/ocra_mutual.txt")
expect "${mutual##*|}" "$CRAUTH" ocra --suite OCRA-1:HOTP-SHA256-8:QA08 \
    --key "$(echo "$mutual" | cut -d'|' -f2)" --question CLI22220SRV11110
expect_error "up to 16 characters" "$CRAUTH" ocra --suite OCRA-1:HOTP-SHA256-8:QA08 --key $K \
    --question CLI22220SRV111101
expect_error "counter" "$CRAUTH" hotp --key $K --counter -1
expect_error "unknown verb" "$CRAUTH" frobnicate
# echoed input cannot break the line or drive the terminal: C0, LF and the
# one-byte CSI (U+009B) each become '?'
expect_error 'question "12?\[2J?x?" does not fit' "$CRAUTH" ocra --suite OCRA-1:HOTP-SHA1-6:QN08 \
    --key $K --question "$(printf '12\033[2J\nx\302\233')"

# --help: exit 0, "usage: crauth VERB" on stdout, nothing on stderr, even
# where an option before it lacks its value
expect_help() { # expect_help VERB... -- ARGS...
    verb=""
    while [ "$1" != "--" ]; do verb="$verb $1"; shift; done
    shift
    out=$("$@" 2>"$errf"); rc=$?
    err=$(cat "$errf")
    case "$out" in
    "usage: crauth$verb"*) first=ok ;;
    *) first=bad ;;
    esac
    if [ "$rc" != 0 ] || [ -n "$err" ] || [ "$first" != ok ]; then
        echo "FAIL: $* -> rc=$rc, stdout '$(printf '%s' "$out" | head -1)', stderr '$err'"
        fails=$((fails + 1))
    fi
}
for verb in hotp totp ocra explain cache check cms-respond; do
    expect_help "$verb" -- "$CRAUTH" "$verb" --help
done
for verb in add list remove resync; do
    expect_help token "$verb" -- "$CRAUTH" token "$verb" --help
done
expect_help token -- "$CRAUTH" token --help
expect_help check -- "$CRAUTH" check --helper --help
expect_help check -- "$CRAUTH" check --conf --help
expect_help hotp -- "$CRAUTH" hotp --counter --help
expect_help cache -- "$CRAUTH" cache list --user --help
expect_help "" -- "$CRAUTH" --help
# no option the usage does not document: check's test-only --helper
if "$CRAUTH" check --help | grep -q -- --helper; then
    echo "FAIL: crauth check --help shows the test-only --helper"; fails=$((fails + 1))
fi
if "$CRAUTH" --help | grep -q -- --helper; then
    echo "FAIL: crauth --help shows the test-only --helper"; fails=$((fails + 1))
fi

# --version
v=$("$CRAUTH" --version 2>&1); rc=$?
if [ "$rc" != 0 ] || ! printf '%s' "$v" | grep -Eqx 'crauth [0-9]+\.[0-9]+(\.[0-9]+)?[^ ]*'; then
    echo "FAIL: crauth --version -> rc=$rc '$v'"; fails=$((fails + 1))
fi

# exit status and prefix: expect_status STATUS VERB CMD... -- one stderr line
# "crauth VERB: ...", nothing on stdout
expect_status() {
    want=$1 prefix="crauth $2: "; shift 2
    out=$("$@" 2>"$errf" </dev/null); rc=$?
    err=$(cat "$errf")
    lines=$(printf '%s\n' "$err" | wc -l)
    case "$err" in
    "$prefix"*) pre=ok ;;
    *) pre=bad ;;
    esac
    if [ "$rc" != "$want" ] || [ "$lines" != 1 ] || [ "$pre" != ok ] || [ -n "$out" ]; then
        echo "FAIL: $* -> rc=$rc (want $want), stderr '$err' (want one line '$prefix...')"
        fails=$((fails + 1))
    fi
}
# a command line the verb cannot use: 2
expect_status 2 hotp "$CRAUTH" hotp --key $K
expect_status 2 hotp "$CRAUTH" hotp --counter 1
expect_status 2 hotp "$CRAUTH" hotp --key $K --counter 1 --bogus
expect_status 2 hotp "$CRAUTH" hotp --key $K --counter
expect_status 2 hotp "$CRAUTH" hotp --key $K --counter 1 --counter 2
expect_status 2 hotp "$CRAUTH" hotp --key $K --counter 1 extra
expect_status 2 totp "$CRAUTH" totp --key $K --hash md5
expect_status 2 ocra "$CRAUTH" ocra --key $K --question 1
expect_status 2 ocra "$CRAUTH" ocra --suite OCRA-1:HOTP-SHA1-6:QN08 --key $K
expect_status 2 explain "$CRAUTH" explain
expect_status 2 explain "$CRAUTH" explain 1 2
expect_status 2 cache "$CRAUTH" cache
expect_status 2 cache "$CRAUTH" cache frob
expect_status 2 cache "$CRAUTH" cache list --bogus
expect_status 2 cache "$CRAUTH" cache list --user
expect_status 2 check "$CRAUTH" check --bogus
expect_status 2 check "$CRAUTH" check --user
expect_status 2 check "$CRAUTH" check extra
expect_status 2 cms-respond "$CRAUTH" cms-respond
expect_status 2 token "$CRAUTH" token frob
expect_status 2 token "$CRAUTH" token add
expect_status 2 token "$CRAUTH" token list --bogus
# the work failed: 1
expect_status 1 hotp "$CRAUTH" hotp --key-file /nonexistent/key --counter 1
expect_status 1 cache "$CRAUTH" cache list --conf /nonexistent/crauth.conf
[ "$fails" = 0 ] && echo "cli: all passed"
exit $((fails > 0))
