# SPDX-License-Identifier: BSD-3-Clause
"""Pause the helper at the other end of a server's connection, as a caller
can pause its own login (SIGSTOP from a debugger, a cgroup freezer, a CPU
quota of 0.1 %), while the server answers in time.

    pause = Paused.peer_of("tcp", conn.getpeername()[1])
    ...the server answers...
    pause.resume_after(seconds)   # the helper's deadlines pass while it is stopped

Frozen freezes the helper's main thread alone (cgroup v1's freezer takes
one thread's id in `tasks`, as a cgroup v2 "threaded" group a user owns
takes it in cgroup.threads): its other threads run on.  Throttled gives
the helper (or its main thread alone) a CPU quota: it runs, but for a
sliver of each period.

The wait in resume_after is the condition under test (wall time passing
while the helper cannot run), not synchronisation: the helper's state is
read from /proc before and after.
"""
import glob
import os
import select
import signal
import time


def _inode_of(proto, port, server_port=None):
    """The socket inode bound to 127.0.0.1:@port in /proc/net/@proto, and
    connected to 127.0.0.1:@server_port when that is given: Linux lets one
    local port serve connections to different peers, so the port alone may
    name another process's socket.  A closed connection that used the port
    before (TIME_WAIT) is listed with inode 0 and belongs to no process: it
    is skipped."""
    want = "0100007F:%04X" % port
    peer = "0100007F:%04X" % server_port if server_port is not None else None
    with open("/proc/net/%s" % proto) as f:
        for line in f.readlines()[1:]:
            fields = line.split()
            if fields[1] == want and fields[9] != "0" and peer in (None, fields[2]):
                return fields[9]
    raise LookupError("no %s socket on 127.0.0.1:%d" % (proto, port))


def _pid_holding(inode):
    target = "socket:[%s]" % inode
    for fd in glob.glob("/proc/[0-9]*/fd/*"):
        try:
            if os.readlink(fd) == target:
                return int(fd.split("/")[2])
        except OSError:
            continue
    raise LookupError("no process holds socket inode %s" % inode)


def _state(pid):
    with open("/proc/%d/stat" % pid) as f:
        return f.read().rsplit(")", 1)[1].split()[0]


class _Hold:
    @classmethod
    def peer_of(cls, proto, port, server_port=None, **kw):
        """Hold the process whose @proto ("tcp", "udp") socket is 127.0.0.1:@port
        (connected to 127.0.0.1:@server_port, if given; looked for again
        while /proc does not show it yet, a few times)."""
        for attempt in range(100):
            try:
                return cls(_pid_holding(_inode_of(proto, port, server_port)), **kw)
            except LookupError:
                if attempt == 99:
                    raise
                os.sched_yield()

    def _wait_out(self, seconds):
        left = self.since + seconds - time.monotonic()
        if left > 0:
            time.sleep(left)


class Paused(_Hold):
    def __init__(self, pid):
        self.pid = pid
        self.since = time.monotonic()
        os.kill(pid, signal.SIGSTOP)
        while _state(pid) not in ("T", "t"):  # the stop is delivered asynchronously
            os.sched_yield()

    def resume_after(self, seconds):
        self._wait_out(seconds)
        assert _state(self.pid) in ("T", "t"), "the helper ran while it was to be stopped"
        os.kill(self.pid, signal.SIGCONT)


class Frozen(_Hold):
    ROOT = "/sys/fs/cgroup/freezer"

    @classmethod
    def available(cls):
        return os.geteuid() == 0 and os.path.exists(os.path.join(cls.ROOT, "tasks"))

    def __init__(self, pid):
        self.tid = pid  # the main thread's id is the process's
        self.since = time.monotonic()
        self.dir = os.path.join(self.ROOT, "crauth-test-%d" % pid)
        os.mkdir(self.dir)
        _write(self.dir, "tasks", self.tid)
        _write(self.dir, "freezer.state", "FROZEN")
        while _read(self.dir, "freezer.state") != "FROZEN":  # FREEZING until it is
            os.sched_yield()

    def resume_after(self, seconds):
        self._wait_out(seconds)
        _write(self.dir, "freezer.state", "THAWED")
        try:
            _write(self.ROOT, "tasks", self.tid)
        except OSError:  # it has exited
            pass
        os.rmdir(self.dir)


class Throttled(_Hold):
    ROOT = "/sys/fs/cgroup/cpu"

    @classmethod
    def available(cls):
        return os.geteuid() == 0 and os.path.exists(os.path.join(cls.ROOT, "cpu.cfs_quota_us"))

    def __init__(self, pid, quota_us, period_us, main_thread_only=False):
        self.pid = pid
        self.members = "tasks" if main_thread_only else "cgroup.procs"
        self.dir = os.path.join(self.ROOT, "crauth-test-%d" % pid)
        os.mkdir(self.dir)
        _write(self.dir, "cpu.cfs_period_us", period_us)
        _write(self.dir, "cpu.cfs_quota_us", quota_us)
        _write(self.dir, self.members, pid)

    def release(self, timeout=60):
        """Once the helper has exited (or @timeout passed: then back to the
        root group at full speed), the group removed."""
        try:
            fd = os.pidfd_open(self.pid)
        except ProcessLookupError:
            fd = None
        if fd is not None:
            select.select([fd], [], [], timeout)  # readable when it exits
            os.close(fd)
        try:
            _write(self.ROOT, self.members, self.pid)
        except OSError:  # it has exited
            pass
        os.rmdir(self.dir)


def _write(where, name, value):
    with open(os.path.join(where, name), "w") as f:
        f.write("%s\n" % value)


def _read(where, name):
    with open(os.path.join(where, name)) as f:
        return f.read().strip()
