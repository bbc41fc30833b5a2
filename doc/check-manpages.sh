#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The man pages against the code (a `make check` test):
#   1. every page builds with scdoc without a message, the generated page is
#      not stale, and man(1) renders it without a warning;
#   2. every config key of lib/core/conf.c is documented in crauth.conf(5) under
#      its section, with the parser's default, and its range is the parser's
#      (both ends accepted, one past each end refused); no other key is;
#   3. every reason of lib/common/reason.c is in pam_crauth(8) with its name and PAM
#      code, and every code and name `crauth explain --all` prints is in
#      pam_crauth(8) or crauth(1);
#   4. every module argument lib/common/pam_args.h knows is in pam_crauth(8), and every
#      verb tools/crauth.c knows has a section in crauth(1).
# Environment (set by `make check`): TOP_SRCDIR, TOP_BUILDDIR, CRAUTH.
set -eu

srcdir=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
builddir=${TOP_BUILDDIR:-.}
crauth=${CRAUTH:-$builddir/tools/crauth}
facts=$builddir/doc/list-facts
pages="pam_crauth.8 crauth.conf.5 crauth.1 crauth-helper.8"
conf_scd=$srcdir/doc/crauth.conf.5.scd
pam_scd=$srcdir/doc/pam_crauth.8.scd
cli_scd=$srcdir/doc/crauth.1.scd

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
ok() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }

for prog in "$facts" "$crauth"; do
    if [ ! -x "$prog" ]; then
        echo "check-manpages: $prog is not built; run it through \`make check\`" >&2
        exit 99
    fi
done

# ---------------------------------------------------------------- 1. pages
scdoc_cmd=$(command -v scdoc || true)
man_cmd=$(command -v man || true)
[ -n "$scdoc_cmd" ] || echo "note: scdoc not found; only the generated pages are checked"
[ -n "$man_cmd" ] || echo "note: man not found; rendering is not checked"
for page in $pages; do
    src=$srcdir/doc/$page.scd
    if [ -f "$builddir/doc/$page" ]; then
        gen=$builddir/doc/$page
    else
        gen=$srcdir/doc/$page
    fi
    if [ -n "$scdoc_cmd" ]; then
        if "$scdoc_cmd" <"$src" >"$tmp/page" 2>"$tmp/err" && [ ! -s "$tmp/err" ]; then
            ok
        else
            fail "$page: scdoc: $(cat "$tmp/err")"
        fi
        # the date in .TH is the day it was built
        if [ -f "$gen" ] && grep -v '^\.TH ' "$gen" >"$tmp/a" &&
            grep -v '^\.TH ' "$tmp/page" >"$tmp/b" && cmp -s "$tmp/a" "$tmp/b"; then
            ok
        else
            fail "$page: $gen is missing or older than $src; run make"
        fi
    fi
    if [ -n "$man_cmd" ] && [ -f "$gen" ]; then
        LC_ALL=C.UTF-8 MANWIDTH=80 "$man_cmd" --warnings -E UTF-8 -l -Tutf8 -Z "$gen" \
            >/dev/null 2>"$tmp/err" || true
        if [ -s "$tmp/err" ]; then
            fail "$page: man --warnings: $(head -5 "$tmp/err")"
        else
            ok
        fi
    fi
done

# ---------------------------------------------------------------- 2. keys
# The lines of KEY's entry under "## [SECTION]" in crauth.conf(5), with the
# markup (* and backslashes) removed and the indentation kept.
key_block() { # SECTION KEY
    awk -v sec="## [$1]" -v key="*$2* = " '
        /^# / { insec = 0; inkey = 0 }
        /^## / { insec = ($0 == sec); inkey = 0; next }
        insec && /^\*/ { inkey = (index($0, key) == 1) }
        inkey { gsub(/[*\\]/, ""); print }
    ' "$conf_scd"
}

"$facts" keys >"$tmp/keys"
"$facts" defaults >"$tmp/defaults" || fail "list-facts defaults: see above"
[ -s "$tmp/keys" ] || fail "list-facts printed no config keys"
while IFS= read -r key; do
    section=${key%%.*}
    name=${key#*.}
    key_block "$section" "$name" >"$tmp/block"
    if [ ! -s "$tmp/block" ]; then
        fail "crauth.conf(5): no entry \"*$name* = ...\" under \"## [$section]\""
        continue
    fi
    ok
    want=$(awk -v k="$key" 'index($0, k "=") == 1 { print substr($0, length(k) + 2); exit }' \
        "$tmp/defaults")
    # "Default: VALUE" then the end, punctuation or a space.  A path is the
    # installed one (/var/lib/...), the build's may have a prefix before it.
    if awk -v want="$want" '
        { sub(/^\t+/, "") }
        index($0, "Default: ") != 1 { next }
        {
            v = substr($0, 10)
            if (want ~ /^\//) {
                sub(/[ ].*/, "", v); sub(/[.,;:]$/, "", v)
                if (v ~ /^\// && substr(want, length(want) - length(v) + 1) == v) found = 1
            } else if (index(v, want) == 1) {
                rest = substr(v, length(want) + 1)
                if (rest == "" || rest ~ /^[.,;: ]/) found = 1
            }
        }
        END { exit !found }' "$tmp/block"; then
        ok
    else
        fail "crauth.conf(5) [$section] $name: no line \"Default: *$want*\"" \
            "(found: $(grep 'Default:' "$tmp/block" | sed 's/^[[:space:]]*//'))"
    fi
    range=$(sed -n 's/.*Range: \([0-9][0-9]*\) to \([0-9][0-9]*\).*/\1 \2/p' "$tmp/block")
    case $want in
    '' | *[!0-9]*) continue ;;
    esac
    if [ -z "$range" ]; then
        fail "crauth.conf(5) [$section] $name: a number, but no \"Range: MIN to MAX\""
        continue
    fi
    # shellcheck disable=SC2086 # "MIN MAX" into $1 $2
    set -- $range
    for probe in "$1 ok" "$2 ok" "$(($1 - 1)) error" "$(($2 + 1)) error"; do
        value=${probe% *}
        expect=${probe#* }
        printf '[%s]\n%s = %s\n' "$section" "$name" "$value" >"$tmp/probe.conf"
        got=$("$facts" parse "$tmp/probe.conf" || true)
        case $got in
        "$expect"*) ok ;;
        *) fail "crauth.conf(5) [$section] $name: Range $1 to $2, but $value gives: $got" ;;
        esac
    done
done <"$tmp/keys"

# no documented key that the parser does not know
awk '
    /^# / { inkeys = ($0 == "# KEYS"); next }
    inkeys && /^## \[/ { sec = substr($0, 5, length($0) - 5); next }
    inkeys && sec != "" && /^\*[a-z_]+\* = / { split($0, f, "*"); print sec "." f[2] }
' "$conf_scd" >"$tmp/documented"
while IFS= read -r key; do
    if grep -F -x -e "$key" "$tmp/keys" >/dev/null; then
        ok
    else
        fail "crauth.conf(5) documents $key, which lib/core/conf.c does not know"
    fi
done <"$tmp/documented"

# ---------------------------------------------------------------- 3. reasons
"$facts" reasons >"$tmp/reasons"
[ -s "$tmp/reasons" ] || fail "list-facts printed no reasons"
while read -r code name pam; do
    if grep -F -x -e "*$code $name* ($pam)" "$pam_scd" >/dev/null; then
        ok
    else
        fail "pam_crauth(8): no entry \"*$code $name* ($pam)\" (lib/common/reason.c)"
    fi
done <"$tmp/reasons"
grep '^\*[0-9][0-9]* [a-z-]*\* (PAM_[A-Z_]*)$' "$pam_scd" |
    sed 's/^\*\([0-9]*\) \([a-z-]*\)\* (\(PAM_[A-Z_]*\))$/\1 \2 \3/' >"$tmp/doc_reasons"
while IFS= read -r line; do
    if grep -F -x -e "$line" "$tmp/reasons" >/dev/null; then
        ok
    else
        fail "pam_crauth(8) documents reason \"$line\", which lib/common/reason.c does not have"
    fi
done <"$tmp/doc_reasons"

"$crauth" explain --all | grep -E '^[0-9]+ [a-z-]+$' >"$tmp/explain" ||
    fail "crauth explain --all printed no \"CODE NAME\" lines"
while read -r code name; do
    if cat "$pam_scd" "$cli_scd" | grep -F -e "$code $name" >/dev/null; then
        ok
    else
        fail "\"$code $name\" from crauth explain --all is in neither pam_crauth(8) nor crauth(1)"
    fi
done <"$tmp/explain"

# ---------------------------------------------------------------- 4. arguments, verbs
# the list the module's parser names in its messages
args=$(sed -n 's/^#define PAM_ARGS_KNOWN "\(.*\)"$/\1/p' "$srcdir/lib/common/pam_args.h")
if [ -z "$args" ]; then
    fail "lib/common/pam_args.h: PAM_ARGS_KNOWN was not found; update this test"
fi
for arg in $(echo "$args" | tr -d ','); do
    arg=${arg%%/PATH}
    if grep -F -e "*$arg*" "$pam_scd" | grep -q '^\*'; then
        ok
    else
        fail "pam_crauth(8): argument $arg (lib/common/pam_args.h) has no entry \"*$arg*\""
    fi
done
verbs=$(sed -n 's/.*{"\([a-z]*\)", cmd_[a-z_]*}.*/\1/p' "$srcdir/tools/crauth.c")
[ -n "$verbs" ] || fail "tools/crauth.c: no {\"verb\", cmd_...} entries found; update this test"
for verb in $verbs; do
    if grep -F -x -e "## $verb" "$cli_scd" >/dev/null; then
        ok
    else
        fail "crauth(1): verb $verb (tools/crauth.c) has no \"## $verb\" section"
    fi
done

echo "check-manpages: $passed passed, $failed failed"
[ "$failed" = 0 ]
