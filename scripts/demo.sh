#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Build crauth, install it into a private prefix (nothing under /etc or /usr
# changes), and log a user in through the real libpam with the embedded
# default: no crauth.conf at all, so the helper uses the local OATH backend
# and its default tokens file.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh" build

build="$top/build/demo"
root="$build/root"
mkdir -p "$build"
cd "$top"
[ -x configure ] || autoreconf -fi >/dev/null 2>&1
cd "$build"
[ -f Makefile ] || "$top/configure" --prefix="$root" >/dev/null
make -j"$(nproc)" >/dev/null
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

exec /usr/bin/python3 "$top/scripts/demo_login.py" --confdir "$root/pam.d" \
    --service crauth-demo --user demo --suite OCRA-1:HOTP-SHA1-6:QN08 \
    --key-file "$build/demo.key" --crauth "$root/bin/crauth"
