#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Install the Debian packages crauth needs.  `deps.sh build` for building and
# the demo, `deps.sh test` for the whole test suite, `deps.sh bench` for
# bench/run and the programs it compares crauth with.  Installs only what is
# missing, and runs apt-get update only when something is.
set -eu

build="autoconf automake libtool pkg-config gcc make libc6-dev python3 openssl
       libpam0g-dev libpam-runtime libssl-dev libcurl4-openssl-dev libexpat1-dev libinih-dev
       libseccomp-dev scdoc libcrypt-dev libqrencode-dev"
test="$build libcmocka-dev oathtool clang libclang-rt-14-dev valgrind cppcheck clang-tidy bear
      winbind gss-ntlmssp python3-gssapi apache2 libapache2-mod-auth-gssapi
      openssh-server openssh-client python3-paramiko sudo util-linux login passwd squid
      debhelper lintian build-essential man-db freeradius freeradius-utils
      softhsm2 opensc libengine-pkcs11-openssl xxd zbar-tools"

bench="$build valgrind strace curl freeradius libpam-radius-auth libpam-oath iptables iproute2
       time libpam-modules-bin"

case "${1:-build}" in
build) want=$build ;;
test) want=$test ;;
bench) want=$bench ;;
*) echo "usage: $0 build|test|bench" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "deps.sh: missing packages:$missing (run as root to install them)" >&2
    exit 1
fi
echo "deps.sh: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
