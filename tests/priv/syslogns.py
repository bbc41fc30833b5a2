#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Runs a command with a private /dev/log and prints what reached it.

    syslogns.py CMD...   (as root)

In a mount namespace of its own, /dev becomes a tmpfs holding only null,
zero, urandom and a /dev/log datagram socket this script reads: the
system's syslog (if any) is untouched, and every line the command's
processes send (crauth-helper's own, for a non-root caller) is printed as
one JSON list once the command has ended.
"""
import ctypes
import json
import os
import socket
import stat
import subprocess
import sys

CLONE_NEWNS = 0x00020000
MS_REC, MS_PRIVATE = 0x4000, 1 << 18

libc = ctypes.CDLL(None, use_errno=True)
libc.mount.argtypes = [ctypes.c_char_p] * 3 + [ctypes.c_ulong, ctypes.c_void_p]


def check(rc, what):
    if rc != 0:
        e = ctypes.get_errno()
        raise OSError(e, "%s: %s" % (what, os.strerror(e)))


def main():
    check(libc.unshare(CLONE_NEWNS), "unshare")
    check(libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None), "make / private")
    check(libc.mount(b"tmpfs", b"/dev", b"tmpfs", 0, b"mode=0755"), "tmpfs on /dev")
    for name, minor in (("null", 3), ("zero", 5), ("urandom", 9)):
        os.mknod("/dev/" + name, 0o666 | stat.S_IFCHR, os.makedev(1, minor))
        os.chmod("/dev/" + name, 0o666)
    log = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    log.bind("/dev/log")
    os.chmod("/dev/log", 0o666)
    rc = subprocess.run(sys.argv[1:], stdout=sys.stderr).returncode
    lines = []
    log.setblocking(False)
    while True:
        try:
            lines.append(log.recv(8192).decode("utf-8", "replace"))
        except BlockingIOError:
            break
    print(json.dumps({"rc": rc, "lines": lines}))


if __name__ == "__main__":
    main()
