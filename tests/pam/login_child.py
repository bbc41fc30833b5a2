#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""One login in a process of its own, for tests that must preload a shim
into the PAM application (LD_PRELOAD takes effect only at exec):

    LD_PRELOAD=... /usr/bin/python3 login_child.py CONFDIR SERVICE USER ANSWER [inspect]

Answers every prompt with ANSWER; prints {"name", "reason", "log"} as JSON.
With `inspect`, also "helper": the helper's scheduling policy, nice value,
allowed CPUs and I/O class (ionice) read at the first prompt, and "self": the same
of this process (for tests started under chrt, nice or taskset).
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pamharness as ph  # noqa: E402


def scheduling(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    with open("/proc/%d/status" % pid) as f:
        cpus = [ln.split(":", 1)[1].strip() for ln in f if ln.startswith("Cpus_allowed_list")]
    io = subprocess.run(["ionice", "-p", str(pid)], capture_output=True, text=True).stdout
    # stat fields after the name: nice is 19th, policy 41st of the whole line
    return {"nice": int(fields[16]), "policy": int(fields[38]), "cpus": cpus[0],
            "io": io.strip()}


def main():
    confdir, service, user, answer = sys.argv[1:5]
    inspect = "inspect" in sys.argv[5:]
    seen = {}

    def conv(msgs):
        if inspect and "helper" not in seen and any(s in (1, 2) for s, _ in msgs):
            (pid,) = ph.children_of(os.getpid())
            seen["helper"] = scheduling(pid)
        return [answer if s in (1, 2) else None for s, _ in msgs]
    r = ph.authenticate(service, user, confdir, conv)
    out = {"name": r.name, "reason": r.reason(), "log": r.log}
    if inspect:
        out.update(helper=seen.get("helper"), self=scheduling(os.getpid()))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
