#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Build crauth, install it into a private prefix (nothing under /etc or /usr
# changes), and log a user in through the real libpam with the embedded
# default: no crauth.conf at all, so the helper uses the local OATH backend
# and its default tokens file.  Each step says what it does before it does
# it and how long it took.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/build/demo"
root="$build/root"
jobs=$(nproc)

started=$(date +%s)
step_no=0
step() { # step TEXT: a numbered heading, with the time the previous step took
    now=$(date +%s)
    [ "$step_no" = 0 ] || echo "demo.sh:   (${step_no}/5 took $((now - last)) s)"
    step_no=$((step_no + 1))
    last=$now
    echo "demo.sh: $step_no/5 $*"
}
last=$started

step "the Debian packages the build needs (scripts/deps.sh build: it lists what is missing, and why, before installing it)"
"$top/scripts/deps.sh" build

step "configure into build/demo (prefix build/demo/root)"
mkdir -p "$build"
cd "$top"
[ -x configure ] || autoreconf -fi >/dev/null 2>&1
cd "$build"
[ -f Makefile ] || "$top/configure" --prefix="$root" >/dev/null

step "compile (make -j$jobs; the longest step on a fresh tree, quiet until it is done)"
make -j"$jobs" >/dev/null

step "install into build/demo/root (nothing outside it changes)"
make install >/dev/null

# The embedded default reads PREFIX/var/lib/crauth/tokens; give the demo
# user an OCRA token (a challenge to answer) with a fresh random key.
mkdir -p "$root/var/lib/crauth" "$root/var/run" "$root/pam.d"
openssl rand -hex 20 > "$build/demo.key"
chmod 600 "$build/demo.key"
rm -f "$root/etc/security/crauth.conf"
printf 'demo  OCRA-1:HOTP-SHA1-6:QN08  %s\n' "$(cat "$build/demo.key")" \
    > "$root/var/lib/crauth/tokens"
chmod 600 "$root/var/lib/crauth/tokens"
printf 'auth required %s/lib/security/pam_crauth.so\n' "$root" > "$root/pam.d/crauth-demo"
printf 'auth required pam_deny.so\n' > "$root/pam.d/other"

step "log the user demo in twice through the real libpam: the right response, then a wrong one"
/usr/bin/python3 "$top/scripts/demo_login.py" --confdir "$root/pam.d" \
    --service crauth-demo --user demo --suite OCRA-1:HOTP-SHA1-6:QN08 \
    --key-file "$build/demo.key" --crauth "$root/bin/crauth"
echo "demo.sh: done in $(($(date +%s) - started)) s"
