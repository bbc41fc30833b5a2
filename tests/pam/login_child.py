#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""One login in a process of its own, for tests that must preload a shim
into the PAM application (LD_PRELOAD takes effect only at exec):

    LD_PRELOAD=... /usr/bin/python3 login_child.py CONFDIR SERVICE USER ANSWER

Answers every prompt with ANSWER; prints {"name", "reason", "log"} as JSON.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pamharness as ph  # noqa: E402


def main():
    confdir, service, user, answer = sys.argv[1:5]
    r = ph.authenticate(service, user, confdir,
                        lambda msgs: [answer if s in (1, 2) else None for s, _ in msgs])
    print(json.dumps({"name": r.name, "reason": r.reason(), "log": r.log}))


if __name__ == "__main__":
    main()
