# SPDX-License-Identifier: BSD-3-Clause
"""Shared set-up for module tests against the reference authUser server.

Each test gets a private directory with crauth.conf and a PAM service file,
and one running reference server (instance "A") over TLS with the test CA.
Answers are computed with the crauth CLI from what the module showed, so
the C OATH code is checked against the server's independent Python one.
"""
import copy
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "server"))
import pamharness as ph  # noqa: E402
from authserver import AuthServer, DeadListener, closed_port  # noqa: E402,F401
from authsrv.policy import FakeClock  # noqa: E402
from authsrv.testing import KEY20, KEY32, USERS, shared_certs  # noqa: E402,F401

CRAUTH = os.environ.get("CRAUTH", "tools/crauth")
HELPER = os.environ.get("CRAUTH_HELPER", "helper/crauth-helper")
PROMPTS = (ph.PAM_PROMPT_ECHO_OFF, ph.PAM_PROMPT_ECHO_ON)
OCRA = "OCRA-1:HOTP-SHA1-6:QN08"


def cli(*args):
    return subprocess.run([CRAUTH, *args], check=True, capture_output=True,
                          text=True).stdout.strip()


def ocra(challenge, suite=OCRA, key=KEY20):
    return cli("ocra", "--suite", suite, "--key", key, "--question", challenge)


def challenge_of(batch):
    """The challenge shown in a conversation call (prompt or message)."""
    for _, text in reversed(batch):
        m = re.search(r"challenge (\S+?):? ", text + " ") or \
            re.search(r"[Cc]hallenge:? (\S+)", text)
        if m:
            return m.group(1).rstrip(":")
    return None


class ServerCase(unittest.TestCase):
    """A reference server plus a crauth config pointing at it."""

    users = USERS

    @classmethod
    def setUpClass(cls):
        cls.certs = shared_certs()

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="crauth-server-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.clock = FakeClock(time.time())
        self.srv = self.server("A")
        self.conf = os.path.join(self.dir, "crauth.conf")
        self.service("crauth")

    def server(self, instance, **kw):
        kw.setdefault("certfile", self.certs["server_cert"])
        kw.setdefault("keyfile", self.certs["server_key"])
        srv = AuthServer(users=copy.deepcopy(self.users), instance=instance, clock=self.clock,
                         **kw).start()
        self.addCleanup(srv.stop)
        return srv

    def service(self, name, extra=(), password_first=False):
        ph.write_service(self.dir, name, ["conf=" + self.conf, "helper=" + HELPER, *extra],
                         password_first=password_first)

    def configure(self, method="server-challenge", urls=None, keyword="getchallenge",
                  server="", auth="", connect_timeout=2, timeout=3, cache=""):
        urls = urls if urls is not None else [self.srv.url]
        lines = ["[server]"] + ["url = %s" % u for u in urls] + [
            "ca_file = %s" % self.certs["ca_cert"],
            "connect_timeout = %d" % connect_timeout, "timeout = %d" % timeout,
            server, "[auth]", "backend = server", "method = %s" % method,
            "keyword = %s" % keyword, "fail_delay = 0", auth,
            "[cache]", "dir = %s" % os.path.join(self.dir, "cache"), cache]
        with open(self.conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        os.chmod(self.conf, 0o600)

    def secrets(self, text):
        path = os.path.join(self.dir, "crauth.secret")
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o600)
        return path

    def login(self, user, conversation, service="crauth", **kw):
        return ph.authenticate(service, user, self.dir, conversation, **kw)

    # --- conversations, one per kind of client --------------------------------
    @staticmethod
    def kbdint(request="getchallenge", answer=ocra):
        """sshd keyboard-interactive / a terminal: reads the challenge, answers it."""
        def conv(batch):
            out = []
            for style, text in batch:
                if style not in PROMPTS:
                    out.append(None)
                elif "challenge" in text.lower() or challenge_of(batch):
                    out.append(answer(challenge_of(batch)))
                else:
                    out.append(request)
            return out
        return conv

    @staticmethod
    def same_answer(text):
        """sshd PasswordAuthentication and sudo -S: one string for every prompt."""
        return lambda batch: [text if s in PROMPTS else None for s, _ in batch]

    def assertOutcome(self, result, pam, reason):
        self.assertEqual((result.name, result.reason()), (pam, reason), result.log)


OCRA_TOKEN = {"type": "ocra", "key": KEY20, "suite": OCRA}
ONESPAN_USERS = dict(USERS, **{
    "rm-pwkw": {"token": OCRA_TOKEN, "policy": "2step", "request_method": "PasswordKeyword",
                "keyword": "cr", "static_password": "pw3"},
    "backend": {"token": OCRA_TOKEN, "policy": "2step", "request_method": "Keyword",
                "static_password": "pw4", "backend_auth": True},
    "vma-user": {"token": {"type": "vma", "digits": 6}, "policy": "vma", "keyword": "sms"},
    "vma-nokey": {"token": {"type": "vma", "digits": 6}, "policy": "vma", "keyword": "sms",
                  "vma_key": False},
})


class OneSpanCase(ServerCase):
    """ServerCase with the users of the OneSpan logon permutations."""

    users = ONESPAN_USERS

    def conversation(self, first, answer=ocra):
        """Types @first at the first prompt, then answers what the server asks:
        a challenge with @answer(challenge), a message alone with the OTP the
        server "sent" (the VMA)."""
        asked = []

        def conv(batch):
            out = []
            for style, text in batch:
                if style not in PROMPTS:
                    out.append(None)
                    continue
                asked.append(text)
                challenge = challenge_of(batch)
                if first is not None and len(asked) == 1:
                    out.append(first)
                elif challenge:
                    out.append(answer(challenge))
                else:
                    out.append(self.srv.sent_otps[self.user])
            return out
        return conv

    def login_as(self, user, conversation, **kw):
        self.user = user
        return self.login(user, conversation, **kw)
