#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Runs the set-id helper directly, without pam_crauth.so: what a hostile
local user can do.  Speaks the frames of lib/common/wire.h itself.

    direct.py HELPER USER ANSWER|- [hold|stall] [nostderr] [account=NAME]

Like a hostile caller, it starts the helper with SIGALRM, SIGTERM and
SIGUSR1 ignored and most signals blocked.  Prints one line per event:
"prompted" (then the helper's /proc status lines SigIgn, SigBlk and its
session as "sigign HEX", "sigblk HEX", "sid N pid N"), then "result N" (the
helper's verdict) or, with `hold`, stays at the prompt until its stdin
closes.  With `stall` it fills the helper's output pipe before it answers
and reads nothing more until its stdin closes, as a caller that stops
reading would: it prints "stalled", then "sigstop EPERM" (or "sigstop sent")
for its try at stopping the helper, and at the end "exit N", the helper's
exit status once the pipe is drained.  With `nostderr` the helper starts
with descriptor 2 closed, so that the next file it opens would get it.
With `account=NAME` the request names NAME as the account (an ACCOUNT frame,
which only a root caller's module may send).
"""
import fcntl
import signal
import os
import struct
import subprocess
import sys

W_USER, W_SERVICE, W_START, W_ANSWER, W_ACCOUNT = 0x01, 0x02, 0x08, 0x09, 0x0b
W_HELLO, W_PROMPT_OFF, W_PROMPT_ON, W_RESULT = 0x41, 0x42, 0x43, 0x46


def frame(kind, payload=b""):
    return bytes([kind]) + struct.pack(">H", len(payload)) + payload


def read_exactly(f, n):
    data = b""
    while len(data) < n:
        chunk = f.read(n - len(data))
        if not chunk:
            break
        data += chunk
    return data


def read_frame(f):
    head = read_exactly(f, 3)
    if len(head) < 3:
        return None, b""
    kind, n = head[0], struct.unpack(">H", head[1:])[0]
    return kind, read_exactly(f, n)


F_SETPIPE_SZ = 1031


def stall(p, out_w, out_r, answer):
    """Fill the helper's output pipe (we kept a copy of its write end), answer,
    try to stop the helper, and wait for the test; then drain and reap."""
    fcntl.fcntl(out_w, F_SETPIPE_SZ, 4096)
    os.set_blocking(out_w, False)
    try:
        while True:
            os.write(out_w, b"\0" * 4096)
    except BlockingIOError:
        pass
    p.stdin.write(frame(W_ANSWER, answer.encode()))
    p.stdin.flush()
    print("stalled", flush=True)
    try:
        os.kill(p.pid, signal.SIGSTOP)
        print("sigstop sent", flush=True)
        os.kill(p.pid, signal.SIGCONT)
    except PermissionError:
        print("sigstop EPERM", flush=True)
    sys.stdin.read()   # until the test closes our stdin
    os.close(out_w)
    while os.read(out_r, 65536):
        pass
    p.stdin.close()
    print("exit %d" % p.wait(), flush=True)


def main():
    helper, user, answer = sys.argv[1:4]
    modes = set(sys.argv[4:])
    hold, stalling = "hold" in modes, "stall" in modes
    for sig in (signal.SIGALRM, signal.SIGTERM, signal.SIGUSR1):
        signal.signal(sig, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGHUP, signal.SIGCHLD})
    out_r, out_w = os.pipe()
    p = subprocess.Popen([helper], stdin=subprocess.PIPE, stdout=out_w, env={},
                         restore_signals=False,
                         preexec_fn=(lambda: os.close(2)) if "nostderr" in modes else None)
    if not stalling:
        os.close(out_w)
    p.stdout = os.fdopen(out_r, "rb", buffering=0)
    account = b"".join(frame(W_ACCOUNT, m[len("account="):].encode())
                       for m in modes if m.startswith("account="))
    p.stdin.write(frame(W_USER, user.encode()) + frame(W_SERVICE, b"direct") + account
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
            if stalling:
                stall(p, out_w, out_r, answer)
                return
            p.stdin.write(frame(W_ANSWER, answer.encode()))
            p.stdin.flush()
        elif kind == W_RESULT:
            print("result %d" % struct.unpack(">H", payload[:2])[0], flush=True)
            break
    p.stdin.close()
    p.wait()


if __name__ == "__main__":
    main()
