#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The CLI contract: the documented soft-token examples, explain, and
# one-line errors with a non-zero exit.
set -u
: "${CRAUTH:?set CRAUTH to the crauth binary}"
fails=0
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
[ "$fails" = 0 ] && echo "cli: all passed"
exit $((fails > 0))
