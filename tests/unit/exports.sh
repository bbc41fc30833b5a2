#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# pam_crauth.so exports the three PAM entry points and nothing else: it is
# loaded into sshd, sudo and login, and any other symbol (wire_*, secmem_*,
# log_* of lib/common) would sit in their namespace, where it can clash with
# or be interposed by theirs.  pam_module/pam_crauth.sym keeps it so; this
# checks the built module.  A version node named by the script appears as
# an absolute symbol and is allowed.
set -u
so=${PAM_CRAUTH:?PAM_CRAUTH names the built pam_crauth.so}
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
want="pam_sm_acct_mgmt pam_sm_authenticate pam_sm_setcred"

command -v nm >/dev/null 2>&1 || { echo "SKIP: nm (binutils) is not installed"; exit 77; }
[ -f "$so" ] || { echo "FAIL: $so is not built"; exit 1; }
# "name {" opens a named version node; an anonymous one ("{") names none
nodes=$(sed -n 's/^[[:space:]]*\([A-Za-z_][A-Za-z0-9_.]*\)[[:space:]]*{.*/\1/p' \
    "$top/pam_module/pam_crauth.sym")
# nm -D may print NAME@@VERSION: the name is what counts
exported=$(nm -D --defined-only "$so" | awk 'NF >= 2 { sub(/@.*/, "", $NF); print $NF }' | sort -u)
[ -n "$exported" ] || { echo "FAIL: nm -D lists no symbol in $so"; exit 1; }

fails=0
for s in $exported; do
    case " $want $nodes " in
    *" $s "*) ;;
    *) echo "FAIL: pam_crauth.so exports $s"; fails=$((fails + 1)) ;;
    esac
done
for s in $want; do
    printf '%s\n' "$exported" | grep -qx "$s" ||
        { echo "FAIL: pam_crauth.so does not export $s"; fails=$((fails + 1)); }
done
[ "$fails" = 0 ] && echo "exports: pam_crauth.so exports $(echo $want) only"
exit $((fails != 0))
