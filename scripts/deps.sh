#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Install the Debian packages crauth needs.  `deps.sh build` for building and
# the demo, `deps.sh test` for the whole test suite, `deps.sh bench` for
# bench/run and what it compares crauth with.  Says which packages
# are missing and what each group is for before it installs anything;
# installs only what is missing, and runs apt-get update only when
# something is.
set -eu

# One group per line: what it is for, "|", its packages.
build_groups="the compiler and the autotools|autoconf automake libtool pkg-config gcc make libc6-dev
the libraries crauth links (PAM, OpenSSL, nettle, libcurl, expat, inih, libseccomp, libcrypt, libqrencode)|libpam0g-dev libpam-runtime libssl-dev nettle-dev libcurl4-openssl-dev libexpat1-dev libinih-dev libseccomp-dev libcrypt-dev libqrencode-dev
the man pages|scdoc
the demo's login driver and its random key|python3 openssl"
test_groups="$build_groups
the unit tests|libcmocka-dev
a cross-check against another OATH implementation|oathtool
the sanitizer builds and the fuzzers|clang libclang-rt-14-dev
the helper under memcheck|valgrind
static analysis and the format check|cppcheck clang-tidy clang-format bear
NTLM against other implementations: Samba's ntlm_auth, GSS-NTLMSSP, and Apache as an NTLM server (the tests run private instances; none need to be running)|winbind gss-ntlmssp python3-gssapi apache2 libapache2-mod-auth-gssapi
the end-to-end tests with the real sshd, ssh, sudo, su and login|openssh-server openssh-client python3-paramiko sudo util-linux login passwd
the proxy tests, squid as an HTTP CONNECT proxy with NTLM (a private instance)|squid
the Debian package test (build, lintian, install, purge)|debhelper lintian build-essential man-db
the RADIUS tests against FreeRADIUS (a private instance)|freeradius freeradius-utils
a login in a network namespace of its own, with every local port held|iproute2
x509 tokens on a smartcard, in software (PKCS#11)|softhsm2 opensc libengine-pkcs11-openssl
the QR code and hex dump checks of token enrolment|xxd zbar-tools"
bench_groups="$build_groups
callgrind and strace, for where the time goes|valgrind strace
curl, the floor a 2-step login is compared with|curl
pam_oath, pam_radius_auth and unix_chkpwd, what crauth is compared with|libpam-oath libpam-radius-auth libpam-modules-bin
FreeRADIUS and a network namespace for the dead-primary benchmark|freeradius iptables iproute2 time"

case "${1:-build}" in
build) groups=$build_groups ;;
test) groups=$test_groups ;;
bench) groups=$bench_groups ;;
*) echo "usage: $0 build|test|bench" >&2; exit 2 ;;
esac

installed() { dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q "ok installed"; }

missing=""
report=""
total=0
nl='
'
IFS_saved=$IFS
IFS=$nl
for group in $groups; do
    why=${group%%|*}
    IFS=$IFS_saved
    gmissing=""
    for p in ${group#*|}; do
        total=$((total + 1))
        installed "$p" || gmissing="$gmissing $p"
    done
    IFS=$nl
    if [ -n "$gmissing" ]; then
        missing="$missing$gmissing"
        report="$report  for $why:$gmissing$nl"
    fi
done
IFS=$IFS_saved

if [ -z "$missing" ]; then
    echo "deps.sh: all $total packages for \`${1:-build}\` are installed"
    exit 0
fi
count=$(echo $missing | wc -w)
if [ "$(id -u)" != 0 ]; then
    printf 'deps.sh: %s Debian packages are missing; run as root to install them:\n%s' \
        "$count" "$report" >&2
    exit 1
fi
printf 'deps.sh: installing %s missing Debian packages (of %s), with what they pull in:\n%s' \
    "$count" "$total" "$report"
export DEBIAN_FRONTEND=noninteractive
echo "deps.sh: apt-get update"
apt-get update -qq
echo "deps.sh: apt-get install --no-install-recommends$missing"
# -q: one line per package fetched, unpacked and set up, no progress bars
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing | grep -E '^(Get:|Setting up )' || true
for p in $missing; do
    installed "$p" || { echo "deps.sh: $p was not installed (see apt-get above)" >&2; exit 1; }
done
echo "deps.sh: done"
