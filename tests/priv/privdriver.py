#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Runs as the unprivileged test user (started by test_privs.py with setpriv),
or as root playing su (real uid the user's, effective uid 0).

Does one PAM transaction through the set-id helper and, while the helper
waits for the answer, probes it from the caller's side: its ids, ptrace,
signals, session, ignored signals.  Options (a JSON object, fifth
argument): "limits" {"RLIMIT_X": [soft, hard]} set just before PAM starts,
"su_uid" to become a set-uid caller of that real uid.  Prints one JSON
object with what happened.
"""
import ctypes
import json
import os
import resource
import signal
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pam"))
import pamharness as ph  # noqa: E402

PTRACE_ATTACH = 16


def probe(pid):
    """What the calling user can see of and do to the helper."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
    out = {"pid": pid}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("Uid", "Gid", "Groups", "SigIgn", "CapEff", "CapPrm"):
                out[key.lower()] = value.split()
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    out["state"], out["sid"] = fields[0], int(fields[3])
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
    opts = json.loads(sys.argv[5]) if len(sys.argv) > 5 else {}
    seen = {}
    if "su_uid" in opts:
        os.setresuid(opts["su_uid"], 0, 0)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    for name in opts.get("ignore", []):
        signal.signal(getattr(signal, name), signal.SIG_IGN)
    if opts.get("block"):
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM, signal.SIGTERM, signal.SIGINT})
    for name, (soft, hard) in opts.get("limits", {}).items():
        resource.setrlimit(getattr(resource, name), (soft, hard))

    def conv(batch):
        helpers = ph.children_of(os.getpid())
        if helpers and "probe" not in seen and opts.get("probe", True):
            seen["probe"] = probe(helpers[0])
        return [answer if s in (ph.PAM_PROMPT_ECHO_OFF, ph.PAM_PROMPT_ECHO_ON) else None
                for s, _ in batch]
    r = ph.authenticate(service, user, confdir, conv, log_pipe=True)
    print(json.dumps({"pam": r.name, "reason": r.reason(), "log": r.log,
                      "texts": r.texts(), "probe": seen.get("probe")}))


if __name__ == "__main__":
    main()
