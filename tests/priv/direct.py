#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Runs the set-id helper directly, without pam_crauth.so: what a hostile
local user can do.  Speaks the frames of lib/common/wire.h itself.

    direct.py HELPER USER ANSWER|- [hold]

Like a hostile caller, it starts the helper with SIGALRM, SIGTERM and
SIGUSR1 ignored and most signals blocked.  Prints one line per event:
"prompted" (then the helper's /proc status lines SigIgn, SigBlk and its
session as "sigign HEX", "sigblk HEX", "sid N pid N"), then "result N" (the
helper's verdict) or, with `hold`, stays at the prompt until its stdin
closes.
"""
import signal
import os
import struct
import subprocess
import sys

W_USER, W_SERVICE, W_START, W_ANSWER = 0x01, 0x02, 0x08, 0x09
W_HELLO, W_PROMPT_OFF, W_PROMPT_ON, W_RESULT = 0x41, 0x42, 0x43, 0x46


def frame(kind, payload=b""):
    return bytes([kind]) + struct.pack(">H", len(payload)) + payload


def read_frame(f):
    head = f.read(3)
    if len(head) < 3:
        return None, b""
    kind, n = head[0], struct.unpack(">H", head[1:])[0]
    return kind, f.read(n)


def main():
    helper, user, answer = sys.argv[1:4]
    hold = len(sys.argv) > 4 and sys.argv[4] == "hold"
    for sig in (signal.SIGALRM, signal.SIGTERM, signal.SIGUSR1):
        signal.signal(sig, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGHUP, signal.SIGCHLD})
    p = subprocess.Popen([helper], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env={},
                         restore_signals=False)
    p.stdin.write(frame(W_USER, user.encode()) + frame(W_SERVICE, b"direct")
                  + frame(W_START, struct.pack(">HI", 1, 0)))
    p.stdin.flush()
    while True:
        kind, payload = read_frame(p.stdout)
        if kind is None:
            print("eof", flush=True)
            break
        if kind in (W_PROMPT_OFF, W_PROMPT_ON):
            print("prompted", flush=True)
            with open("/proc/%d/status" % p.pid) as f:
                for line in f:
                    if line.startswith(("SigIgn:", "SigBlk:")):
                        print(line.replace(":", "").lower().strip(), flush=True)
            with open("/proc/%d/stat" % p.pid) as f:
                print("sid %s pid %d" % (f.read().rsplit(")", 1)[1].split()[3], p.pid),
                      flush=True)
            if hold:
                sys.stdin.read()   # until the test closes our stdin
                break
            p.stdin.write(frame(W_ANSWER, answer.encode()))
            p.stdin.flush()
        elif kind == W_RESULT:
            print("result %d" % struct.unpack(">H", payload[:2])[0], flush=True)
            break
    p.stdin.close()
    p.wait()


if __name__ == "__main__":
    main()
