#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Runs as the unprivileged test user (started by test_privs.py with setpriv).

Does one PAM transaction through the set-id helper and, while the helper
waits for the answer, probes it from the user's side: its ids, ptrace,
signals.  Prints one JSON object with what happened.
"""
import ctypes
import json
import os
import signal
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pam"))
import pamharness as ph  # noqa: E402

PTRACE_ATTACH = 16


def probe(pid):
    """What the calling user can see of and do to the helper."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("Uid", "Gid", "Groups"):
                out[key.lower()] = value.split()
    out["ptrace"] = "allowed" if libc.ptrace(PTRACE_ATTACH, pid, None, None) == 0 else \
        os.strerror(ctypes.get_errno())
    try:
        os.kill(pid, signal.SIGSEGV)   # would dump core if it could
        out["signal"] = "delivered"
    except PermissionError as e:
        out["signal"] = e.strerror
    try:
        with open("/proc/%d/mem" % pid, "rb") as f:
            f.read(1)
        out["mem"] = "readable"
    except OSError as e:
        out["mem"] = e.strerror
    return out


def main():
    service, user, confdir, answer = sys.argv[1:5]
    seen = {}

    def conv(batch):
        helpers = ph.children_of(os.getpid())
        if helpers and "probe" not in seen:
            seen["probe"] = probe(helpers[0])
        return [answer if s in (ph.PAM_PROMPT_ECHO_OFF, ph.PAM_PROMPT_ECHO_ON) else None
                for s, _ in batch]
    r = ph.authenticate(service, user, confdir, conv)
    print(json.dumps({"pam": r.name, "reason": r.reason(), "log": r.log,
                      "texts": r.texts(), "probe": seen.get("probe")}))


if __name__ == "__main__":
    main()
