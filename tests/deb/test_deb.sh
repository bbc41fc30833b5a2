#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The Debian package, end to end (root only; exit 77 otherwise):
#   1. build libpam-crauth from a copy of the working tree (tracked files and
#      untracked ones git does not ignore, so others' uncommitted work is in)
#      with dpkg-buildpackage -us -uc -b, in a temp dir;
#   2. lintian on the .changes: no error;
#   3. apt-get install ./libpam-crauth_*.deb and check what it set up: the
#      _crauth user, the helper 6755 _crauth:_crauth through dpkg-statoverride,
#      /var/lib/crauth and /run/crauth, the files, the pam-configs profile
#      present but not enabled, /etc/pam.d untouched;
#   4. log in with the installed files through the real libpam
#      (tests/deb/deb_login.py: reference server and embedded default);
#   5. enable the profile with pam-auth-update, check its place in
#      common-auth, then apt-get purge and check that everything is gone and
#      /etc/pam.d is byte for byte as before;
#   6. install again, start a login whose helper waits at its prompt (as
#      _crauth), purge: the purge must succeed although deluser cannot
#      remove the busy user, and say so; the user is removed afterwards.
# Along the way: `crauth check` passes on the fresh install and fails on a
# root-owned lock file; no installed text file under /usr/share/doc or
# /usr/share/pam-configs carries an SPDX-License-Identifier line.
# The machine is left as it was: a trap purges the package, puts back an
# existing /etc/security/crauth.conf and removes the temp dir.  It refuses to
# run (77) when libpam-crauth is installed or a _crauth user exists already,
# since the purge would remove them.  CRAUTH_DEB_KEEP=1 keeps the temp dir.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
helper=/usr/libexec/crauth/crauth-helper
conf=/etc/security/crauth.conf
ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
module=/usr/lib/$ma/security/pam_crauth.so

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (it installs and purges a package)"
for tool in dpkg-buildpackage dh lintian scdoc autoreconf apt-get /usr/bin/python3; do
    command -v "$tool" >/dev/null 2>&1 ||
        skip "$tool is missing (scripts/deps.sh test installs what this test needs)"
done
if dpkg-query -W -f='${Status}' libpam-crauth 2>/dev/null | grep -q 'ok installed'; then
    skip "libpam-crauth is installed already; this test does not touch an existing install"
fi
if getent passwd _crauth >/dev/null || getent group _crauth >/dev/null; then
    skip "a _crauth user or group exists already (make install-setuid?); purging would remove it"
fi

passed=0
failed=0
check() { # check DESCRIPTION COMMAND...
    what=$1
    shift
    if "$@" >/dev/null 2>&1; then
        passed=$((passed + 1))
        echo "ok - $what"
    else
        failed=$((failed + 1))
        echo "FAIL - $what"
    fi
}
same() { [ "$1" = "$2" ]; }
system_user_ok() {
    getent passwd _crauth |
        grep -q '^_crauth:x:[0-9]*:[0-9]*:[^:]*:/nonexistent:/usr/sbin/nologin$' &&
        [ "$(id -u _crauth)" -lt 1000 ]
}
user_group_ok() { [ "$(id -g _crauth)" = "$(getent group _crauth | cut -d: -f3)" ]; }
not_installed() { ! dpkg-query -W -f='${Status}' libpam-crauth 2>/dev/null | grep -q 'ok installed'; }
stat_is() { [ "$(stat -c '%F %a %U %G' "$1" 2>/dev/null)" = "$2" ]; }
gone() { [ ! -e "$1" ] && [ ! -L "$1" ]; }
sums() { find "$@" -type f -print | LC_ALL=C sort | xargs sha256sum; }
pamd_sums() { sums /etc/pam.d; }
# pam-auth-update's records: the install adds the profile to "seen", the
# purge takes it out again
varpam_sums() { sums /var/lib/pam; }
# licence tags belong in the sources, not in what an admin reads (in a
# pam-configs profile such a line is even read as a field)
no_spdx_line() {
    for f in $(find /usr/share/doc/libpam-crauth /usr/share/pam-configs/crauth -type f); do
        if zcat -f "$f" | grep -q 'SPDX-License-Identifier'; then
            echo "SPDX line in $f" >&2
            return 1
        fi
    done
}

work=$(mktemp -d /tmp/crauth-deb.XXXXXX)
chmod 755 "$work" # apt's _apt user reads the .deb from here
installed=0
hold_pid=""
extra_pkgs=""
conf_saved=""
conf_ours=0 # from here on, whatever is at $conf is the test's
cleanup() {
    status=$?
    set +e
    if [ -n "$hold_pid" ]; then
        kill "$hold_pid" 2>/dev/null
        wait "$hold_pid" 2>/dev/null
    fi
    if [ "$installed" = 1 ]; then
        echo "cleanup: purging libpam-crauth"
        DEBIAN_FRONTEND=noninteractive apt-get purge -y -q libpam-crauth >/dev/null 2>&1
    fi
    if [ -n "$extra_pkgs" ]; then
        echo "cleanup: purging what the install pulled in:$extra_pkgs"
        # shellcheck disable=SC2086
        DEBIAN_FRONTEND=noninteractive apt-get purge -y -q $extra_pkgs >/dev/null 2>&1
    fi
    # step 6 may leave the _crauth user the purge could not remove; it did
    # not exist when this test started
    if [ "$installed" = 0 ] && getent passwd _crauth >/dev/null; then
        deluser --system --quiet _crauth >/dev/null 2>&1
    fi
    if [ "$installed" = 0 ] && getent group _crauth >/dev/null; then
        delgroup --system --quiet _crauth >/dev/null 2>&1
    fi
    if [ "$conf_ours" = 1 ]; then
        rm -f "$conf"
        [ -z "$conf_saved" ] || mv "$conf_saved" "$conf"
    fi
    if [ "${CRAUTH_DEB_KEEP:-0}" = 1 ]; then
        echo "kept: $work"
    else
        rm -rf "$work"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# ---------------------------------------------------------------- 1. build
echo "# copying the working tree to $work/src"
mkdir "$work/src"
if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
    git -C "$top" ls-files -z --cached --others --exclude-standard |
        (cd "$top" && tar --null --ignore-failed-read -T - -cf - 2>/dev/null) |
        tar -xf - -C "$work/src"
else
    (cd "$top" && tar --exclude=./build --exclude='./build-*' --exclude=./.git -cf - .) |
        tar -xf - -C "$work/src"
fi
echo "# dpkg-buildpackage -us -uc -b (log: $work/build.log)"
if ! (cd "$work/src" && dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1; then
    tail -60 "$work/build.log"
    echo "FAIL - dpkg-buildpackage (see above)"
    CRAUTH_DEB_KEEP=1
    exit 1
fi
deb=$(ls "$work"/libpam-crauth_*.deb)
changes=$(ls "$work"/crauth_*.changes)
check "dpkg-buildpackage built $(basename "$deb")" test -f "$deb"

# ---------------------------------------------------------------- 2. lintian
echo "# lintian --fail-on error $(basename "$changes")"
if lintian --fail-on error --display-info "$changes" >"$work/lintian.log" 2>&1; then
    lintian_ok=0
else
    lintian_ok=1
fi
sed 's/^/    /' "$work/lintian.log"
check "lintian: no error" same "$lintian_ok" 0

# ---------------------------------------------------------------- 3. install
pamd_before=$(pamd_sums)
varpam_before=$(varpam_sums)
overrides_before=$(dpkg-statoverride --list | LC_ALL=C sort)
if [ -e "$conf" ] || [ -L "$conf" ]; then
    conf_saved=$work/crauth.conf.saved
    mv "$conf" "$conf_saved"
    echo "# moved the existing $conf aside (put back at the end)"
fi
conf_ours=1
extra_pkgs=$(apt-get install -s -q "$deb" 2>/dev/null |
    sed -n 's/^Inst \([^ ]*\) .*/\1/p' | grep -v '^libpam-crauth$' | tr '\n' ' ' || true)
[ -z "$extra_pkgs" ] || extra_pkgs=" $extra_pkgs"
[ -z "$extra_pkgs" ] || echo "# the install pulls in:$extra_pkgs (purged again at the end)"
echo "# apt-get install -y $deb"
installed=1
if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$deb" >"$work/install.log" 2>&1; then
    cat "$work/install.log"
    echo "FAIL - apt-get install"
    exit 1
fi

check "_crauth is a system user with no home and no shell" system_user_ok
check "the _crauth group exists and is the user's" user_group_ok
check "statoverride: _crauth _crauth 6755 $helper" \
    same "$(dpkg-statoverride --list "$helper")" "_crauth _crauth 6755 $helper"
check "$helper is 6755 _crauth:_crauth" stat_is "$helper" "regular file 6755 _crauth _crauth"
check "the server backend's plugin is root's, next to the helper" \
    stat_is /usr/libexec/crauth/crauth-remote.so "regular file 644 root root"
check "the x509 token's plugin is root's, next to the helper" \
    stat_is /usr/libexec/crauth/crauth-x509.so "regular file 644 root root"
check "$helper has cap_setgid=ep and nothing else" \
    same "$(getcap "$helper" | sed 's/^[^ ]* //')" "cap_setgid=ep"
check "crauth-broker is root's, not set-id, next to the helper" \
    stat_is /usr/libexec/crauth/crauth-broker "regular file 755 root root"
check "its socket unit is installed and enabled: _crauth's, mode 0600" \
    sh -c 'grep -qx "SocketUser=_crauth" /lib/systemd/system/crauth-broker.socket &&
        grep -qx "SocketMode=0600" /lib/systemd/system/crauth-broker.socket &&
        test -L /etc/systemd/system/sockets.target.wants/crauth-broker.socket'
check "its service runs as _crauth" \
    grep -qx "User=_crauth" /lib/systemd/system/crauth-broker.service
check "the .deb ships the helper without set-id bits" \
    sh -c "dpkg-deb -c '$deb' | grep -q '^-rwxr-xr-x root/root .* \\.$helper\$'"
check "/var/lib/crauth is _crauth 0700" stat_is /var/lib/crauth "directory 700 _crauth _crauth"
check "/var/lib/crauth/tokens is _crauth 0600" \
    stat_is /var/lib/crauth/tokens "regular file 600 _crauth _crauth"
check "/run/crauth is _crauth 0700" stat_is /run/crauth "directory 700 _crauth _crauth"
check "the module is $module" test -f "$module"
check "no libtool .la file" sh -c "! dpkg -L libpam-crauth | grep -q '\\.la\$'"
check "/usr/bin/crauth runs" sh -c '/usr/bin/crauth explain 10 | grep -q "^10 wrong-response$"'
for page in man8/pam_crauth.8 man5/crauth.conf.5 man1/crauth.1 man8/crauth-helper.8; do
    check "man page /usr/share/man/$page.gz" test -f "/usr/share/man/$page.gz"
done
check "tmpfiles.d entry for /run/crauth" \
    grep -q '^d /run/crauth 0700 _crauth _crauth' /usr/lib/tmpfiles.d/crauth.conf
check "examples in /usr/share/doc/libpam-crauth/examples" \
    test -f /usr/share/doc/libpam-crauth/examples/crauth.conf -a \
    -f /usr/share/doc/libpam-crauth/examples/pam.d/sshd
check "no $conf is installed (embedded default)" gone "$conf"
check "the pam-configs profile is installed, Default: no" \
    grep -qx 'Default: no' /usr/share/pam-configs/crauth
check "pam_crauth is not in /etc/pam.d/common-auth" \
    sh -c '! grep -q pam_crauth /etc/pam.d/common-auth'
check "/etc/pam.d is unchanged by the install" same "$(pamd_sums)" "$pamd_before"
check "no SPDX-License-Identifier line in the installed docs and profile" no_spdx_line
check "crauth check passes on the fresh install (as root: it becomes _crauth)" \
    sh -c "crauth check >'$work/check.log' 2>&1"
[ -f "$work/check.log" ] && sed 's/^/    /' "$work/check.log"
chown root:root /var/lib/crauth/tokens.lock
check "crauth check fails on a root-owned tokens.lock, naming the chown" \
    sh -c "! crauth check >'$work/check-lock.log' 2>&1 &&
        grep -q 'FAIL.*lock.*chown _crauth:_crauth /var/lib/crauth/tokens.lock' '$work/check-lock.log'"
chown _crauth:_crauth /var/lib/crauth/tokens.lock

# whoever runs as _crauth owns /var/lib/crauth: a link it plants there
# (tokens.new -> a root file) must not be followed by the next configure
victim=/etc/crauth-deb-test.victim
install -o root -g root -m 0600 /dev/null "$victim"
echo "root's own" >"$victim"
mv /var/lib/crauth/tokens "$work/tokens.kept"
setpriv --reuid="$(id -u _crauth)" --regid="$(id -g _crauth)" --clear-groups \
    ln -s "$victim" /var/lib/crauth/tokens.new
/var/lib/dpkg/info/libpam-crauth.postinst configure >"$work/reconfigure.log" 2>&1 || true
check "configure follows no link planted in /var/lib/crauth" \
    sh -c "[ \"\$(stat -c '%U %a' '$victim')\" = 'root 600' ] && [ \"\$(cat '$victim')\" = \"root's own\" ]"
check "configure made the missing tokens file, _crauth 0600" \
    stat_is /var/lib/crauth/tokens "regular file 600 _crauth _crauth"
rm -f "$victim" /var/lib/crauth/tokens.new
mv "$work/tokens.kept" /var/lib/crauth/tokens

# an upgrade from a version whose postinst made the account without the
# mark: configure marks it (the purge is to remove it), but only when it is
# shaped as adduser --system made it
usermod -c "" _crauth
/var/lib/dpkg/info/libpam-crauth.postinst configure 0.0.1 >"$work/upgrade.log" 2>&1 || true
check "an upgrade marks the account an older postinst made" \
    same "$(getent passwd _crauth | cut -d: -f5 | cut -d, -f1)" "crauth helper"
usermod -c "" -d /var/empty _crauth
/var/lib/dpkg/info/libpam-crauth.postinst configure 0.0.1 >>"$work/upgrade.log" 2>&1 || true
check "but not one with another home (an admin's)" \
    same "$(getent passwd _crauth | cut -d: -f5)" ""
usermod -c "crauth helper" -d /nonexistent _crauth

# ---------------------------------------------------------------- 4. logins
echo "# logins through the installed module (tests/deb/deb_login.py)"
if /usr/bin/python3 "$top/tests/deb/deb_login.py" >"$work/login.log" 2>&1; then
    login_ok=0
else
    login_ok=1
fi
sed 's/^/    /' "$work/login.log"
check "logins through the installed files" same "$login_ok" 0
check "$conf is removed again" gone "$conf"

# ---------------------------------------------------------------- 5. profile, purge
# The profile can only be enabled where pam-auth-update manages common-auth.
if DEBIAN_FRONTEND=noninteractive pam-auth-update --enable crauth >"$work/pau.log" 2>&1 &&
    grep -q pam_crauth /etc/pam.d/common-auth; then
    check "enabled: the crauth line follows pam_permit (the Additional block)" \
        awk '/pam_permit\.so/ { p = NR } /pam_crauth\.so/ { c = NR } END { exit !(p && c > p) }' \
        /etc/pam.d/common-auth
    check "enabled: [success=ok user_unknown=ignore default=die] pam_crauth.so" \
        grep -Eq '^auth[[:space:]]+\[success=ok user_unknown=ignore default=die\][[:space:]]+pam_crauth\.so[[:space:]]*$' \
        /etc/pam.d/common-auth
else
    echo "# pam-auth-update does not manage common-auth here; profile not tried:"
    sed 's/^/    /' "$work/pau.log"
fi

# a secrets file as the README has it, root:_crauth 0640: kept by the
# purge, and not left to whoever gets _crauth's group number next
secret=/etc/security/crauth-deb-test.secret
install -o root -g _crauth -m 0640 /dev/null "$secret"
echo "# apt-get purge -y libpam-crauth"
if DEBIAN_FRONTEND=noninteractive apt-get purge -y -q libpam-crauth >"$work/purge.log" 2>&1; then
    installed=0
fi
check "a root:_crauth secrets file is root:root after the purge" \
    stat_is "$secret" "regular empty file 640 root root"
check "the purge says so" grep -q "are root's now.*$secret" "$work/purge.log"
rm -f "$secret"
check "apt-get purge libpam-crauth" same "$installed" 0
check "the package is gone from dpkg" not_installed
check "no _crauth user" sh -c '! getent passwd _crauth'
check "no _crauth group" sh -c '! getent group _crauth'
check "no statoverride for the helper" sh -c "! dpkg-statoverride --list '$helper'"
check "the statoverrides are as before" \
    same "$(dpkg-statoverride --list | LC_ALL=C sort)" "$overrides_before"
for path in /var/lib/crauth /run/crauth "$helper" /usr/libexec/crauth "$module" \
    /usr/bin/crauth /usr/share/pam-configs/crauth /usr/lib/tmpfiles.d/crauth.conf \
    /usr/share/doc/libpam-crauth /usr/share/man/man8/pam_crauth.8.gz "$conf" \
    /lib/systemd/system/crauth-broker.socket /lib/systemd/system/crauth-broker.service \
    /etc/systemd/system/sockets.target.wants/crauth-broker.socket; do
    check "gone: $path" gone "$path"
done
check "/etc/pam.d is byte for byte as before" same "$(pamd_sums)" "$pamd_before"
check "/var/lib/pam is byte for byte as before" same "$(varpam_sums)" "$varpam_before"

# ---------------------------------------------------------------- 6. purge, helper running
echo "# install again; a login waits at the helper's prompt while the package is purged"
installed=1
if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$deb" >"$work/install2.log" 2>&1; then
    cat "$work/install2.log"
    echo "FAIL - apt-get install (again)"
    exit 1
fi
mkfifo "$work/hold.in" "$work/hold.out"
/usr/bin/python3 "$top/tests/deb/deb_login.py" --hold <"$work/hold.in" >"$work/hold.out" 2>"$work/hold.err" &
hold_pid=$!
exec 8>"$work/hold.in" 9<"$work/hold.out"
read -r at_prompt <&9 || at_prompt=""
check "a login waits at the helper's prompt" same "$at_prompt" "at-prompt"
check "its helper runs as _crauth" pgrep -u _crauth -x crauth-helper
if DEBIAN_FRONTEND=noninteractive apt-get purge -y -q libpam-crauth >"$work/purge2.log" 2>&1; then
    installed=0
fi
check "apt-get purge succeeds while a helper runs as _crauth" same "$installed" 0
check "the purge says the busy _crauth user was kept" \
    grep -q "the user _crauth is still in use" "$work/purge2.log"
echo >&8
read -r outcome <&9 || outcome=""
exec 8>&- 9<&-
wait "$hold_pid" || true
hold_pid=""
check "the login ended once answered ($outcome)" sh -c "case '$outcome' in outcome*) ;; *) exit 1 ;; esac"
deluser --system --quiet _crauth >/dev/null 2>&1 || true
delgroup --system --quiet _crauth >/dev/null 2>&1 || true
check "no _crauth user once the helper is gone" sh -c '! getent passwd _crauth'

# ---------------------------------------------------------------- 7. someone else's _crauth
echo "# an account _crauth an admin made for logins: not taken, and kept by the purge"
useradd -m -s /bin/bash -K UID_MIN=64000 -K UID_MAX=64999 _crauth
installed=1
if DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$deb" >"$work/install3.log" 2>&1; then
    took=yes
else
    took=no
fi
check "the install refuses a login account called _crauth" same "$took" no
check "and says why" grep -q "not a system account without a login" "$work/install3.log"
DEBIAN_FRONTEND=noninteractive apt-get purge -y -q libpam-crauth >"$work/purge3.log" 2>&1 &&
    installed=0
check "the purge keeps the admin's account" getent passwd _crauth
userdel -r _crauth >/dev/null 2>&1
check "the package is gone again" not_installed

echo "test_deb: $passed passed, $failed failed"
[ "$failed" = 0 ]
