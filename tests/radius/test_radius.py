#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""lib/radius against a real FreeRADIUS 3.2 (freeradius.py): PAP accept and
reject, a two-round Access-Challenge with State echoed, Message-Authenticator
both ways, the attributes the server received, and RADIUS/TLS through its
tls listener with certificate checks both ways.  Peers that misbehave are in
test_radius_hostile.py.  Needs root and the freeradius package: exit 77
without them.

  TOP_BUILDDIR=build/dev /usr/bin/python3 tests/radius/test_radius.py
"""
import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "server"))
import certs  # noqa: E402
import freeradius  # noqa: E402
from radiustest import run_tool, tool_missing  # noqa: E402

FIRST, SECOND = b"Enter the first code", b"Almost there.\nEnter the second code"


class FreeRadiusCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="crauth-radius-")
        cls.certs = certs.make_certs(os.path.join(cls.tmp.name, "pki"))
        cls.fr = freeradius.FreeRadius(cls.tmp.name, cls.certs).start()

    @classmethod
    def tearDownClass(cls):
        cls.fr.stop()
        cls.tmp.cleanup()

    def udp(self, user, password, *options):
        return run_tool(self.fr.udp_server, user, password, self.fr.secret, *options)

    def tls(self, user, password, *options, server=None, ca=None, cert="client"):
        c = self.certs
        creds = ("--cert", c[cert + "_cert"], "--key", c[cert + "_key"]) if cert else ()
        return run_tool(server or self.fr.tls_server, user, password, "", "--tls", "--ca",
                        ca or c["ca_cert"], *creds, *options)

    def verdict(self, res, code):
        self.assertEqual((res.reason, res.code), ("ok", code), res.line + "\n" + self.fr.log())
        self.assertTrue(res.ma, "FreeRADIUS is set up to send Message-Authenticator")

    def two_rounds(self, send):
        """carol: password -> challenge -> code 1 -> challenge -> code 2 -> accept."""
        res = send("carol", "carolpw")
        self.verdict(res, "challenge")
        self.assertEqual(res.message, FIRST)
        self.assertTrue(res.state)
        first_state = res.state
        res = send("carol", "111111", "--state", first_state.hex())
        self.verdict(res, "challenge")
        self.assertEqual(res.message, SECOND)  # two Reply-Messages, joined
        self.assertNotEqual(res.state, first_state)
        res = send("carol", "222222", "--state", res.state.hex())
        self.verdict(res, "accept")


class TestUdp(FreeRadiusCase):
    def test_pap_accept(self):
        self.verdict(self.udp("alice", "alicepw"), "accept")

    def test_pap_reject(self):
        self.verdict(self.udp("alice", "alicepw "), "reject")
        self.verdict(self.udp("nobody", "alicepw"), "reject")

    def test_challenge_two_rounds(self):
        self.two_rounds(self.udp)

    def test_challenge_wrong_answer(self):
        res = self.udp("carol", "carolpw")
        self.verdict(res, "challenge")
        self.verdict(self.udp("carol", "222222", "--state", res.state.hex()), "reject")

    def test_challenge_state_not_issued(self):
        res = self.udp("carol", "carolpw")
        self.verdict(res, "challenge")
        forged = bytes(b ^ 0xFF for b in res.state)
        self.verdict(self.udp("carol", "111111", "--state", forged.hex()), "reject")

    def test_attributes_the_server_saw(self):
        res = self.udp("dave", "davepw", "--nas-id", "crauth-test",
                       "--calling-station-id", "192.0.2.7")
        self.verdict(res, "accept")
        self.assertEqual(res.message, b"nas-id=crauth-test nas-ip= nas-ipv6= csi=192.0.2.7")
        res = self.udp("dave", "davepw")
        self.verdict(res, "accept")
        self.assertEqual(res.message, b"nas-id= nas-ip=127.0.0.1 nas-ipv6= csi=")

    def test_many_reply_messages(self):
        res = self.udp("gina", "ginapw")
        self.verdict(res, "accept")
        self.assertTrue(res.truncated)
        self.assertEqual(len(res.message), 1023)
        self.assertEqual(res.message[:202], b"A" * 200 + b"\nB")

    def test_wrong_secret(self):
        # FreeRADIUS drops a request whose Message-Authenticator does not
        # verify, without a word: to the client that is a server not answering
        res = run_tool(self.fr.udp_server, "alice", "alicepw", self.fr.secret + "x",
                       "--timeout", "300", "--retries", "1")
        self.assertEqual(res.reason, "server-unreachable", res.line)
        self.assertIn("no reply", res.error)


class TestTls(FreeRadiusCase):
    def test_accept_and_reject(self):
        self.verdict(self.tls("alice", "alicepw"), "accept")
        self.verdict(self.tls("alice", "wrong"), "reject")

    def test_challenge_two_rounds(self):
        self.two_rounds(self.tls)

    def test_by_host_name(self):
        server = "localhost:%d" % self.fr.tls_port
        self.verdict(self.tls("alice", "alicepw", server=server), "accept")

    def test_server_certificate_from_another_ca(self):
        res = self.tls("alice", "alicepw", ca=self.certs["other_ca_cert"])
        self.assertEqual(res.reason, "tls-failure", res.line)
        self.assertIn("does not verify", res.error)

    def test_server_certificate_for_another_address(self):
        res = self.tls("alice", "alicepw", server=self.fr.tls_server_other_ip)
        self.assertEqual(res.reason, "tls-failure", res.line)
        self.assertIn("mismatch", res.error)

    def test_no_client_certificate(self):
        res = self.tls("alice", "alicepw", cert=None)
        self.assertEqual(res.reason, "tls-failure", res.line)

    def test_client_certificate_the_server_does_not_trust(self):
        res = self.tls("alice", "alicepw", cert="bad_client")
        self.assertEqual(res.reason, "tls-failure", res.line)

    def test_key_that_is_not_the_certificate_s(self):
        res = self.tls("alice", "alicepw", "--key", self.certs["bad_client_key"])
        self.assertEqual(res.reason, "config-error", res.line)
        self.assertIn("does not belong to client_cert", res.error)


if __name__ == "__main__":
    why = freeradius.unavailable() or tool_missing()
    if why:
        print("SKIP:", why)
        sys.exit(77)
    unittest.main(verbosity=2)
