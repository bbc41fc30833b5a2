#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Wall-clock phases of a crauth 2-step login, from syscall timestamps.

Run as a script (under `strace -f --seccomp-bpf -ttt`, by b1_network.py) it
logs in N times between "MARK" writes; `phases(log)` turns the trace into
the median duration of each phase.  With --seccomp-bpf only the traced
syscalls (execve, connect, sendto, recvfrom, write, exit_group; clone is
seen through the child's first line) stop the process, so the timeline is
close to an untraced run, though not equal: read the phases as shares.

Events used (libcurl does its socket I/O with send/recv; the helper talks
to the module with write(1)):  the child's execve; its first write(1)
(HELLO); its connect; its first sendto (ClientHello); the last sendto
before the challenge is written (request 1; the one before it is the TLS
Finished); the challenge frame; the module's ANSWER write; the next sendto
(request 2); the RESULT write; the child's exit.
"""
import os
import re
import sys

LINE = re.compile(r"^(\d+)\s+(\d+\.\d+) (.*)$")
EXITED = re.compile(r"^\+\+\+ exited")

LABELS = [
    "PAM app: pam_start, module load, until the spawn",
    "posix_spawn + exec of the helper",
    "helper start to HELLO (ld.so; config parse; crauth-remote.so)",
    "HELLO to connect (cache, libcurl/OpenSSL init)",
    "connect to ClientHello (TCP, SSL_CTX, CA file)",
    "TLS handshake (both sides)",
    "step 1: request to challenge shown (server, XML)",
    "conversation: challenge to response sent (app callback, relay)",
    "step 2: response to verdict (server, XML)",
    "helper exit (atexit, unmapping)",
    "module after exit: reap, log line, pam_end",
    "total",
]


def _events(log):
    """[(pid, t, text)] in file order (strace -f writes them in time order)."""
    out = []
    with open(log) as f:
        for line in f:
            m = LINE.match(line)
            if m:
                out.append((int(m.group(1)), float(m.group(2)), m.group(3)))
    return out


def _one(evs, driver):
    """Phase durations of one login: evs from MARK start to MARK end."""
    t0, tend = evs[0][1], evs[-1][1]
    child = next(p for p, _, s in evs if s.startswith("execve(") and p != driver)
    mine = [(t, s) for p, t, s in evs if p == child]
    t_clone = next(t for p, t, s in evs if p == driver and s.startswith("clone"))
    t_exec = mine[0][0]
    writes = [t for t, s in mine if s.startswith("write(1,")]
    sends = [t for t, s in mine if s.startswith("sendto(")]
    t_hello, t_prompt, t_result = writes[0], writes[1], writes[-1]
    t_connect = next(t for t, s in mine if s.startswith("connect("))
    t_ch = sends[0]
    before = [t for t in sends if t < t_prompt]
    t_req1 = before[-1]
    t_answer = next(t for p, t, s in evs
                    if p == driver and t > t_prompt and s.startswith("write("))
    t_req2 = next(t for t in sends if t > t_answer)
    t_exited = next(t for t, s in mine if EXITED.match(s))
    points = [t0, t_clone, t_exec, t_hello, t_connect, t_ch, t_req1, t_prompt, t_req2, t_result,
              t_exited, tend]
    return [b - a for a, b in zip(points, points[1:])] + [tend - t0]


def phases(log):
    evs = _events(log)
    driver = next(p for p, _, s in evs if "MARK start" in s)
    logins, cur = [], None
    for e in evs:
        if e[0] == driver and "MARK start" in e[2]:
            cur = []
        if cur is not None:
            cur.append(e)
        if e[0] == driver and "MARK end" in e[2] and cur is not None:
            logins.append(cur)
            cur = None
    rows = [_one(login, driver) for login in logins[1:]]  # the first warms caches
    med = []
    for i, label in enumerate(LABELS):
        xs = sorted(r[i] for r in rows)
        med.append((label, xs[len(xs) // 2]))
    return med


def main():
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import common as c
    confdir, n = sys.argv[1], int(sys.argv[2])
    for _ in range(n + 1):
        os.write(1, b"MARK start\n")
        c.timed_login(confdir, "crauth", "bench", c.ocra_conv)
        os.write(1, b"MARK end\n")


if __name__ == "__main__":
    main()
