# SPDX-License-Identifier: BSD-3-Clause
"""Processes for the end-to-end tests: bounded runs, reaping, and drivers.

Nothing here sleeps to synchronise: a child's exit is waited for with a
pidfd and select(), its output with select() on the pipe or pty; every wait
has a deadline and fails with a message saying what it waited for.
"""
import os
import pty
import re
import select
import signal
import subprocess
import time

TIMEOUT = 30          # seconds: the bound on any single wait in these tests


def run(argv, timeout=TIMEOUT, check=True, **kw):
    """subprocess.run with a bound, text output, and the output in the error."""
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    try:
        cp = subprocess.run(argv, timeout=timeout, **kw)
    except subprocess.TimeoutExpired as e:
        raise AssertionError("%s did not finish within %ss" % (argv, timeout)) from e
    if check and cp.returncode != 0:
        raise AssertionError("%s exited %d: %s%s" % (argv, cp.returncode, cp.stdout, cp.stderr))
    return cp


def wait_exit(pid, timeout, what):
    """Wait (pidfd + select, no polling) until `pid` has exited; do not reap it."""
    pidfd = os.pidfd_open(pid)
    try:
        if not select.select([pidfd], [], [], timeout)[0]:
            raise AssertionError("%s (pid %d) did not exit within %ss" % (what, pid, timeout))
    finally:
        os.close(pidfd)


def wait_pid(pid, timeout, what):
    """Reap `pid` within `timeout` s; its wait status."""
    wait_exit(pid, timeout, what)
    return os.waitpid(pid, 0)[1]


def stop_pid(pid, what):
    """End and reap a child we started: SIGTERM, then SIGKILL if it ignores that."""
    try:
        os.kill(pid, signal.SIGTERM)
        try:
            return wait_pid(pid, 10, what)
        except AssertionError:
            os.kill(pid, signal.SIGKILL)
            return wait_pid(pid, 10, what)
    except (ProcessLookupError, ChildProcessError):
        return None


def stop_popen(proc, what):
    """stop_pid for a Popen child, letting Popen reap it.

    Its pipes are left to the threads reading them, which close them at EOF
    (closing a file another thread is blocked reading could hang).
    """
    if proc.poll() is None:
        proc.terminate()
        try:
            wait_exit(proc.pid, 10, what)
        except AssertionError:
            proc.kill()
            wait_exit(proc.pid, 10, what)
    proc.wait()


# ------------------------------------------------------------------ drivers
# The clean environment every driven program gets: nothing of the test
# runner's (LD_PRELOAD of a sanitizer build, SSH_AUTH_SOCK, ...) leaks in.
ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "TERM": "dumb", "LANG": "C"}


class _Driven:
    """A program driven like a user: expect() its output, send() it lines."""

    def __init__(self, test, argv):
        self.argv = argv
        self.out = ""          # everything read so far, \r\n turned into \n
        self._pos = 0          # expect() searches from here
        self.status = None
        test.addCleanup(self.close)

    def _read(self, timeout):
        if not select.select([self.fd], [], [], timeout)[0]:
            return False
        try:
            data = os.read(self.fd, 4096)
        except OSError:          # EIO: the child closed the terminal
            data = b""
        if not data:
            raise EOFError
        self.out += data.decode("utf-8", "replace").replace("\r\n", "\n")
        return True

    def expect(self, pattern, timeout=TIMEOUT):
        """Read until `pattern` (regex) appears after the last match; the match."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            m = rx.search(self.out, self._pos)
            if m:
                self._pos = m.end()
                return m
            left = deadline - time.monotonic()
            try:
                if left <= 0 or not self._read(left):
                    raise AssertionError("%s: no %r within %ss; output so far:\n%s"
                                         % (self.argv[0], pattern, timeout, self.out))
            except EOFError:
                raise AssertionError("%s: ended before %r appeared; output:\n%s"
                                     % (self.argv[0], pattern, self.out)) from None

    def wait(self, timeout=TIMEOUT):
        """Read to the end of output, reap the child; its exit code."""
        deadline = time.monotonic() + timeout
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0 or not self._read(left):
                    raise AssertionError("%s: output did not end within %ss:\n%s"
                                         % (self.argv[0], timeout, self.out))
        except EOFError:
            pass
        self.status = self._reap(max(1, deadline - time.monotonic()))
        return self.status


class Pty(_Driven):
    """A program on a new pseudo-terminal, which is its controlling tty.

    ssh, sudo, su and login read secrets from /dev/tty, not stdin, so a
    pipe is not enough: pty.fork() gives the child a new session with the
    pty as controlling terminal.
    """

    def __init__(self, test, argv):
        super().__init__(test, argv)
        pid, fd = pty.fork()
        if pid == 0:   # child: nothing but exec (the parent has threads)
            try:
                os.execvpe(argv[0], argv, ENV)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd

    def send(self, line):
        os.write(self.fd, (line + "\n").encode())

    def _reap(self, timeout):
        return os.waitstatus_to_exitcode(wait_pid(self.pid, timeout, self.argv[0]))

    def hangup(self, timeout=10):
        """Close our end, as a terminal going away does (SIGHUP to the
        session); reap the child, SIGKILLed if it outlives `timeout`."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        if self.status is None:
            try:
                self.status = os.waitstatus_to_exitcode(wait_pid(self.pid, timeout, self.argv[0]))
            except AssertionError:
                os.kill(self.pid, signal.SIGKILL)
                self.status = os.waitstatus_to_exitcode(wait_pid(self.pid, timeout, self.argv[0]))
        return self.status

    close = hangup


class Piped(_Driven):
    """A program on pipes (stderr merged into stdout), in a session of its own
    so it has no controlling terminal to fall back on."""

    def __init__(self, test, argv):
        super().__init__(test, argv)
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, bufsize=0, env=ENV,
                                     start_new_session=True)
        self.fd = self.proc.stdout.fileno()

    def send(self, line):
        self.proc.stdin.write((line + "\n").encode())

    def close_stdin(self):
        self.proc.stdin.close()

    def _reap(self, timeout):
        wait_exit(self.proc.pid, timeout, self.argv[0])
        return self.proc.wait()

    def close(self):
        if self.status is None:
            stop_popen(self.proc, self.argv[0])
            self.status = -1
        for f in (self.proc.stdin, self.proc.stdout):
            if not f.closed:
                f.close()
