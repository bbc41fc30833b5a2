# SPDX-License-Identifier: BSD-3-Clause
"""Logins through the real libpam with backend = radius: a private
directory with crauth.conf and PAM service files per test, as
tests/pam/serverfixture.py does for the authUser server.

    class T(RadiusCase):
        def test_x(self):
            self.configure([server], secret)
            r = self.login("alice", answers("alicepw"))
            self.assertOutcome(r, "PAM_SUCCESS", 0)
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "pam"))
import pamharness as ph  # noqa: E402

CRAUTH = os.environ.get("CRAUTH", "tools/crauth")
HELPER = os.environ.get("CRAUTH_HELPER", "helper/crauth-helper")
PROMPTS = (ph.PAM_PROMPT_ECHO_OFF, ph.PAM_PROMPT_ECHO_ON)


def unused_udp_port():
    """A loopback UDP port nothing listens on: a datagram there brings back
    ICMP port unreachable (a server that refuses)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return "127.0.0.1:%d" % s.getsockname()[1]


def answers(*seq):
    """A conversation that answers the prompts, in order, with @seq."""
    left = list(seq)

    def conv(batch):
        out = []
        for style, _ in batch:
            if style not in PROMPTS:
                out.append(None)
            elif not left:
                raise ph.ConversationError()
            else:
                out.append(left.pop(0))
        return out
    return conv


class RadiusCase(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="crauth-pam-radius-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.conf = os.path.join(self.dir, "crauth.conf")
        self.cache = os.path.join(self.dir, "cache")
        self.service("crauth")

    def service(self, name, extra=(), password_first=False):
        ph.write_service(self.dir, name, ["conf=" + self.conf, "helper=" + HELPER, *extra],
                         password_first=password_first)

    def configure(self, servers, secret=None, method="auto", radius=(), auth=(), cache=(),
                  timeout=1, retries=1, extra=()):
        lines = ["[radius]"] + ["server = %s" % s for s in servers]
        if secret is not None:
            lines.append("secret = %s" % secret)
        lines += ["timeout = %d" % timeout, "retries = %d" % retries, *radius,
                  "[auth]", "backend = radius", "method = %s" % method, "fail_delay = 0", *auth,
                  "[cache]", "dir = %s" % self.cache, *cache, *extra]
        with open(self.conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        os.chmod(self.conf, 0o600)

    def login(self, user, conversation, service="crauth", **kw):
        return ph.authenticate(service, user, self.dir, conversation, **kw)

    def cached(self, *args):
        return subprocess.run([CRAUTH, "cache", *args, "--conf", self.conf], check=True,
                              capture_output=True, text=True).stdout

    def assertOutcome(self, result, pam, reason, extra=""):
        self.assertEqual((result.name, result.reason()), (pam, reason),
                         result.log + ("\n" + extra if extra else ""))
