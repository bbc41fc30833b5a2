#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""test_ntlm_auth.py - our NTLMv2 client against Samba's ntlm_auth acceptor.

ntlm_auth --helper-protocol=squid-2.5-ntlmssp with --username/--password
checks the AUTHENTICATE locally (no winbindd): NTv2 response, MIC, and that
every server AV pair is echoed.  Needs package winbind; exit 77 without it.

  NTLM_CLIENT_TOOL=/path/ntlm_client_tool /usr/bin/python3 tests/ntlm/test_ntlm_auth.py
"""
import base64
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ntlmtest  # noqa: E402

NTLM_AUTH = "/usr/bin/ntlm_auth"


class NtlmAuth:
    """One squid-2.5-ntlmssp helper conversation (YR/TT, KK/AF|NA)."""

    def __init__(self, conf, user, password, domain):
        self.proc = subprocess.Popen(
            [NTLM_AUTH, "--helper-protocol=squid-2.5-ntlmssp", "--configfile=" + conf,
             "--username=" + user, "--password=" + password, "--domain=" + domain],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            env=ntlmtest.system_env())

    def send(self, verb, token):
        self.proc.stdin.write(verb + b" " + base64.b64encode(token) + b"\n")
        self.proc.stdin.flush()
        return self.proc.stdout.readline().decode().strip()

    def close(self):
        self.proc.stdin.close()
        self.proc.stdout.close()
        self.proc.wait(timeout=10)


class TestNtlmAuth(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.conf = os.path.join(cls.tmp.name, "smb.conf")
        with open(cls.conf, "w") as f:
            f.write("[global]\n workgroup = TESTDOM\n netbios name = SRV\n"
                    " private dir = %s\n lock dir = %s\n state directory = %s\n"
                    " cache directory = %s\n" % ((cls.tmp.name,) * 4))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def exchange(self, client_pw, server_pw="testpassword", user="testuser", domain="TESTDOM",
                 server_user=None, tamper=None):
        server = NtlmAuth(self.conf, server_user or user, server_pw, "TESTDOM")
        try:
            with ntlmtest.Tool(user, domain, client_pw, spn="HTTP/srv.example") as tool:
                reply = server.send(b"YR", tool.negotiate())
                self.assertTrue(reply.startswith("TT "), reply)
                auth = tool.authenticate(base64.b64decode(reply[3:]))
            self.assertTrue(ntlmtest.has_mic(auth), "Samba sends a timestamp: MIC expected")
            if tamper:
                auth = tamper(auth)
            return server.send(b"KK", auth)
        finally:
            server.close()

    def test_right_password(self):
        self.assertEqual(self.exchange("testpassword"), "AF TESTDOM\\testuser")

    def test_wrong_password(self):
        self.assertTrue(self.exchange("wrongpassword").startswith("NA "))

    def test_corrupted_mic(self):
        reply = self.exchange("testpassword", tamper=ntlmtest.corrupt_mic)
        self.assertTrue(reply.startswith("NA "), reply)

    def test_lowercase_domain(self):
        # the domain is hashed as sent; Samba also tries it uppercased
        self.assertTrue(self.exchange("testpassword", domain="testdom").startswith("AF "))

    def test_unicode_credentials(self):
        # Latin-1 user name uppercased for NTOWFv2; non-BMP password as a surrogate pair
        pw = "p\u00e4ssw\u00f6rd\U0001d11e"
        reply = self.exchange(pw, server_pw=pw, user="j\u00fcrgen")
        self.assertTrue(reply.startswith("AF "), reply)


if __name__ == "__main__":
    if not os.access(NTLM_AUTH, os.X_OK):
        ntlmtest.skip("ntlm_auth (package winbind) not installed")
    ntlmtest.tool_path()
    sys.exit(0 if unittest.main(exit=False, verbosity=2).result.wasSuccessful() else 1)
