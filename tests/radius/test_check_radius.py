#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""`crauth check` with backend = radius: every step green against FreeRADIUS
over UDP and RadSec, --user with the password from standard input or typed
at a terminal (echo off, never in argv), and for each fault the step that
names it, against the hostile server.  The FreeRADIUS cases need root and
the freeradius package and are skipped without them.

  make check TESTS=tests/radius/test_check_radius.py
"""
import os
import pty
import pwd
import re
import select
import signal
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "server"))
import certs  # noqa: E402
import freeradius  # noqa: E402
import radiuspkt as r  # noqa: E402
from hostile import HostileServer  # noqa: E402
from pamradius import CRAUTH, RadiusCase, unused_udp_port  # noqa: E402

SECRET = "check-radius-secret"
PTY_TIMEOUT = 30  # seconds for the whole run at a terminal
# the helper itself, not a wrapper (valgrind): check looks for the plugin
# next to it
HELPER = os.path.join(os.environ.get("TOP_BUILDDIR", "."), "helper", "crauth-helper")


def own_cache(path):
    """The cache directory as `crauth check` wants it: owned by _crauth when
    that user exists (root can arrange it), else by us."""
    try:
        owner = pwd.getpwnam("_crauth")
    except KeyError:
        return
    if os.geteuid() != 0:
        raise unittest.SkipTest("user _crauth exists: the cache must be its, which needs root")
    os.chown(path, owner.pw_uid, owner.pw_gid)


class CheckCase(RadiusCase):
    def setUp(self):
        super().setUp()
        os.mkdir(self.cache, 0o700)
        own_cache(self.cache)
        # no PAM stacks: the system's /etc/pam.d is not this test's
        self.pamdir = os.path.join(self.dir, "pam.d")
        os.mkdir(self.pamdir)

    def check(self, *args, stdin=""):
        out = subprocess.run([CRAUTH, "check", "--conf", self.conf, "--helper", HELPER,
                              "--pamdir", self.pamdir, *args],
                             input=stdin, capture_output=True, text=True, timeout=60)
        return out, self.steps(out.stdout)

    @staticmethod
    def steps(stdout):
        found = {}
        for line in stdout.splitlines():
            m = re.match(r"  (ok|warn|FAIL)\s+(\S+)\s+(\S+)\s+(.*)$", line)
            if m:
                found[(m.group(2), m.group(3))] = (m.group(1), m.group(4))
        return found

    def failing(self, server, name, reason, *args, stdin=""):
        out, steps = self.check(*args, stdin=stdin)
        self.assertEqual(out.returncode, 1, out.stdout)
        state, text = steps[(server, name)]
        self.assertEqual(state, "FAIL", out.stdout)
        self.assertIn("[reason %d " % reason, text)
        self.assertIn("first failure: reason %d" % reason, out.stdout)
        return out, steps


class AgainstHostile(CheckCase):
    def peer(self, mode, **kw):
        srv = HostileServer(SECRET, mode, code=r.ACCESS_REJECT, **kw).start()
        self.addCleanup(srv.stop)
        return srv

    def test_green_probe(self):
        srv = self.peer("good")
        self.configure([srv.server], SECRET)
        out, steps = self.check()
        self.assertEqual(out.returncode, 0, out.stdout)
        for name in ("dns", "udp", "secret"):
            self.assertEqual(steps[(srv.server, name)][0], "ok", out.stdout)
        self.assertIn("Access-Reject for the probe user, verified: the shared secret matches; "
                      "Message-Authenticator present", steps[(srv.server, "secret")][1])
        (req,) = srv.requests
        self.assertEqual(r.attr(req, r.USER_NAME), [b"crauth-check-probe"])

    def test_refused(self):
        server = unused_udp_port()
        self.configure([server], SECRET)
        out, _ = self.failing(server, "udp", 30)
        self.assertIn("ICMP port unreachable", out.stdout)

    def test_unknown_name(self):
        self.configure(["no-such-host.invalid"], SECRET)
        self.failing("no-such-host.invalid", "dns", 30)

    def test_wrong_secret_on_our_side(self):
        # the server's replies do not verify with our secret
        srv = HostileServer(SECRET, "forged-auth", code=r.ACCESS_REJECT).start()
        self.addCleanup(srv.stop)
        self.configure([srv.server], SECRET)
        out, steps = self.failing(srv.server, "secret", 41)
        self.assertEqual(steps[(srv.server, "udp")][0], "ok")
        self.assertIn("is [radius] secret the server's secret", out.stdout)

    def test_wrong_secret_dropped_by_the_server(self):
        # a strict server drops a request whose Message-Authenticator fails
        srv = HostileServer("the-server-has-another", "good").start()
        self.addCleanup(srv.stop)
        self.configure([srv.server], SECRET, retries=0)
        out, _ = self.failing(srv.server, "udp", 30)
        self.assertIn("stays silent too when [radius] secret is wrong", out.stdout)
        self.assertEqual(len(srv.bad_requests), 1)

    def test_no_message_authenticator(self):
        srv = self.peer("no-ma")
        self.configure([srv.server], SECRET)
        self.failing(srv.server, "secret", 41)

    def test_probe_user_accepted_is_a_warning(self):
        srv = HostileServer(SECRET, "good", code=r.ACCESS_ACCEPT).start()
        self.addCleanup(srv.stop)
        self.configure([srv.server], SECRET)
        out, steps = self.check()
        self.assertEqual(steps[(srv.server, "probe")][0], "warn", out.stdout)

    def test_user_goes_to_one_server_only(self):
        a, b = self.peer("good"), self.peer("good")
        self.configure([a.server, b.server], SECRET)
        out, steps = self.check("--user", "alice", stdin="pw-from-stdin\n")
        self.assertIn("Access-Reject for alice", steps[(a.server, "user")][1])
        self.assertIn("not tried: sent to %s only" % a.server, steps[(b.server, "user")][1])
        self.assertEqual([q["password"] for q in a.requests],
                         [b"crauth-check-probe", b"pw-from-stdin"])
        self.assertEqual(len(b.requests), 1)

    def test_no_password(self):
        srv = self.peer("good")
        self.configure([srv.server], SECRET)
        out, steps = self.check("--user", "alice", stdin="")
        self.assertEqual(steps[("-", "user")][0], "FAIL", out.stdout)
        self.assertEqual(len(srv.requests), 1)  # the probe only


class AgainstFreeRadius(CheckCase):
    @classmethod
    def setUpClass(cls):
        why = freeradius.unavailable()
        if why is not None:
            raise unittest.SkipTest(why)
        cls.tmp = tempfile.TemporaryDirectory(prefix="crauth-check-radius-")
        cls.certs = certs.make_certs(os.path.join(cls.tmp.name, "pki"))
        cls.fr = freeradius.FreeRadius(cls.tmp.name, cls.certs).start()

    @classmethod
    def tearDownClass(cls):
        cls.fr.stop()
        cls.tmp.cleanup()

    def test_udp_all_green_with_user(self):
        self.configure([self.fr.udp_server], self.fr.secret)
        out, steps = self.check("--user", "alice", stdin="alicepw\n")
        self.assertEqual(out.returncode, 0, out.stdout + self.fr.log())
        self.assertIn("all checks passed", out.stdout)
        for name in ("dns", "udp", "secret", "user"):
            self.assertEqual(steps[(self.fr.udp_server, name)][0], "ok", out.stdout)
        self.assertEqual(steps[(self.fr.udp_server, "user")][1], "Access-Accept for alice")

    def test_wrong_secret(self):
        self.configure([self.fr.udp_server], "not-" + self.fr.secret, retries=0)
        out, _ = self.failing(self.fr.udp_server, "udp", 30)
        self.assertIn("stays silent too when [radius] secret is wrong", out.stdout)

    def test_user_rejected(self):
        self.configure([self.fr.udp_server], self.fr.secret)
        self.failing(self.fr.udp_server, "user", 10, "--user", "alice", stdin="wrong\n")

    def test_user_challenged(self):
        self.configure([self.fr.udp_server], self.fr.secret)
        out, steps = self.check("--user", "carol", stdin="carolpw\n")
        self.assertEqual(steps[(self.fr.udp_server, "user")],
                         ("ok", 'Access-Challenge for carol (not answered): '
                                '"Enter the first code"'), out.stdout)

    def test_radsec(self):
        c = self.certs
        self.configure([self.fr.tls_server], radius=[
            "transport = tls", "ca_file = %s" % c["ca_cert"],
            "client_cert = %s" % c["client_cert"], "client_key = %s" % c["client_key"]],
            auth=["keyword = alicepw"])
        out, steps = self.check("--user", "alice")
        self.assertEqual(out.returncode, 0, out.stdout + self.fr.log())
        for name in ("dns", "tls", "radius", "user"):
            self.assertEqual(steps[(self.fr.tls_server, name)][0], "ok", out.stdout)
        self.assertRegex(steps[(self.fr.tls_server, "tls")][1],
                         r"^verified, TLSv1\.[23]; subject .*, expires ")

    def test_radsec_other_ca(self):
        c = self.certs
        self.configure([self.fr.tls_server], radius=[
            "transport = tls", "ca_file = %s" % c["other_ca_cert"],
            "client_cert = %s" % c["client_cert"], "client_key = %s" % c["client_key"]])
        self.failing(self.fr.tls_server, "tls", 32)

    def test_password_typed_at_a_terminal(self):
        self.configure([self.fr.udp_server], self.fr.secret)
        pid, fd = pty.fork()
        if pid == 0:
            os.execv(CRAUTH, [CRAUTH, "check", "--conf", self.conf, "--helper", HELPER,
                              "--pamdir", self.pamdir, "--user", "alice"])
        seen, typed = b"", False
        deadline = time.monotonic() + PTY_TIMEOUT
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                break
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # EIO: the child is gone
                break
            if not chunk:
                break
            seen += chunk
            if not typed and b"Password for alice" in seen:
                os.write(fd, b"alicepw\n")
                typed = True
        done, status = os.waitpid(pid, os.WNOHANG)
        if done == 0:  # still waiting: end it, then fail
            os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
        os.close(fd)
        text = seen.decode(errors="replace")
        self.assertTrue(typed, text)
        self.assertNotIn("alicepw", text)  # not echoed
        self.assertIn("Access-Accept for alice", text)
        self.assertEqual(os.waitstatus_to_exitcode(status), 0, text)


if __name__ == "__main__":
    unittest.main(verbosity=2)
