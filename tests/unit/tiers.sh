#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The link tiers of Makefile.am, checked on the sources: every header above
# lib/common carries its tier guard (so the compiler refuses a wrong
# include), the module includes lib/common only, tools/ never includes
# helper/, the helper executable and lib/core include no OpenSSL, no product source but lib/ntlm's includes the NTLM test hook,
# and every project include is path-qualified from the top.
set -u
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$top" || exit 1
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

for h in lib/*/*.h; do
    case $h in lib/common/*) continue ;; esac
    grep -q '#include "lib/tier_helper_side.h"' "$h" || fail "$h lacks its tier guard"
done
for h in helper/*.h; do
    case $h in helper/tier_helper_only.h|helper/sandbox_filter.h) continue ;; esac
    grep -q '#include "helper/tier_helper_only.h"' "$h" || fail "$h lacks its tier guard"
done
grep -n '#include "' pam_module/*.c pam_module/*.h |
    grep -v '#include "\(lib/common\|pam_module\)/' | while read -r l; do
    echo "FAIL: the module includes beyond lib/common: $l"; done | grep . && fails=$((fails + 1))
grep -n '#include "helper/' tools/*.c tools/*.h && fail "tools/ includes helper/"
for h in broker/*.h; do
    grep -q '#include "lib/tier_helper_side.h"' "$h" || fail "$h lacks its tier guard"
done
grep -n '#include "helper/' broker/*.[ch] && fail "broker/ includes helper/"
# the helper reaches the broker with libc alone (a login through it maps
# no libcurl, expat or OpenSSL)
grep -n '#include <\(openssl\|curl\|expat\)' lib/broker/*.[ch] &&
    fail "lib/broker includes no OpenSSL, libcurl or expat header"
# a login with an OATH token maps no libcrypto (helper/plugin.h): lib/core
# and the helper's own sources reach OpenSSL only through a plugin
grep -n '#include <openssl/' lib/core/*.[ch] lib/common/*.[ch] $(ls helper/*.[ch] |
    grep -v '^helper/\(plugin_remote\|plugin_x509\|transport_direct\|backend_radius\)\.c$') &&
    fail "lib/core, lib/common and the helper executable include no OpenSSL header"
# the NTLM test hook (fixed randomness) is for tests/ only
grep -n '#include "lib/ntlm/ntlm_testing.h"' lib/*/*.[ch] helper/*.[ch] pam_module/*.[ch] \
    tools/*.[ch] | grep -v '^lib/ntlm/ntlm\(_crypto\)\{0,1\}\.c:' &&
    fail "only lib/ntlm and tests/ may include lib/ntlm/ntlm_testing.h"
grep -n '#include "[^/"]*"' lib/*/*.[ch] helper/*.[ch] broker/*.[ch] pam_module/*.[ch] tools/*.[ch] &&
    fail "an include is not path-qualified (write \"lib/common/wire.h\", not \"wire.h\")"
[ "$fails" = 0 ] && echo "tiers: all headers guarded, all includes within their tier"
exit $((fails != 0))
