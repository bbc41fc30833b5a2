#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""lib/radius against peers that misbehave, without FreeRADIUS or root.

hostile.py answers without Message-Authenticator, with forged
authenticators, for another Identifier, with a forgery before the real
reply; over RADIUS/TLS it answers in one-byte pieces, hangs up, sends a bad
Length or nothing; dead UDP and TCP ports; a TCP peer that never speaks TLS;
unusable parameters.  Also: the vectors file is what gen_vectors.py writes, and the
Python codec that computes it reproduces the RFCs' published numbers.

  TOP_BUILDDIR=build/dev /usr/bin/python3 tests/radius/test_radius_hostile.py
"""
import os
import socket
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "server"))
import certs  # noqa: E402
import radiuspkt as r  # noqa: E402
from authserver import DeadListener, closed_port  # noqa: E402
from hostile import HostileServer, TlsHostileServer  # noqa: E402
from radiustest import run_tool, tool_missing  # noqa: E402

SECRET = "hostile-test-secret"
FAST = ("--timeout", "300", "--retries", "1")  # a failing exchange costs 0.6 s


class TestHostile(unittest.TestCase):
    def exchange(self, mode, *options, code=r.ACCESS_ACCEPT, attrs=(), user="alice",
                 password="alicepw"):
        with HostileServer(SECRET, mode, code=code, attrs=attrs) as srv:
            res = run_tool(srv.server, user, password, SECRET, *FAST, *options)
        self.assertEqual(srv.bad_requests, [], "the client's requests must pass a strict check")
        return res, srv

    def test_good_reply_and_our_request(self):
        res, srv = self.exchange("good", "--calling-station-id", "192.0.2.7", "--state", "0a0b0c",
                                 attrs=[(r.REPLY_MESSAGE, b"hello")])
        self.assertEqual((res.reason, res.code, res.message, res.ma),
                         ("ok", "accept", b"hello", True), res.line)
        req = srv.requests[0]
        self.assertEqual(req["password"], b"alicepw")
        self.assertEqual(r.attr(req, r.USER_NAME), [b"alice"])
        self.assertEqual(r.attr(req, r.NAS_IP_ADDRESS), [bytes([127, 0, 0, 1])])
        self.assertEqual(r.attr(req, r.NAS_IDENTIFIER), [])
        self.assertEqual(r.attr(req, r.CALLING_STATION_ID), [b"192.0.2.7"])
        self.assertEqual(r.attr(req, r.STATE), [bytes.fromhex("0a0b0c")])

    def test_by_host_name(self):
        with HostileServer(SECRET, "good") as srv:
            res = run_tool("localhost:%d" % srv.port, "alice", "pw", SECRET, *FAST)
        self.assertEqual((res.reason, res.code), ("ok", "accept"), res.line)

    def test_nas_identifier_replaces_the_address(self):
        res, srv = self.exchange("good", "--nas-id", "crauth-test")
        self.assertEqual(res.reason, "ok", res.line)
        self.assertEqual(r.attr(srv.requests[0], r.NAS_IDENTIFIER), [b"crauth-test"])
        self.assertEqual(r.attr(srv.requests[0], r.NAS_IP_ADDRESS), [])

    def test_no_message_authenticator(self):
        res, srv = self.exchange("no-ma")
        self.assertEqual(res.reason, "unauthenticated-reply", res.line)
        self.assertIn("no Message-Authenticator", res.error)
        self.assertEqual(len(srv.requests), 2, "the first try's refusal must not end the exchange")
        res, _ = self.exchange("no-ma", "--allow-no-ma")
        self.assertEqual((res.reason, res.code, res.ma), ("ok", "accept", False), res.line)

    def test_forged_response_authenticator(self):
        for options in ((), ("--allow-no-ma",)):
            res, _ = self.exchange("forged-auth", *options)
            self.assertEqual(res.reason, "unauthenticated-reply", res.line)
            self.assertIn("Response Authenticator does not verify", res.error)

    def test_forged_message_authenticator(self):
        for options in ((), ("--allow-no-ma",)):  # present means it must verify
            res, _ = self.exchange("forged-ma", *options)
            self.assertEqual(res.reason, "unauthenticated-reply", res.line)
            self.assertIn("Message-Authenticator does not verify", res.error)

    def test_wrong_identifier(self):
        res, _ = self.exchange("wrong-id")
        self.assertEqual(res.reason, "unauthenticated-reply", res.line)
        self.assertIn("Identifier", res.error)

    def test_forgery_before_the_real_reply(self):
        # a forged Accept arrives first; the real Reject must decide
        res, _ = self.exchange("forged-then-real", code=r.ACCESS_REJECT,
                               attrs=[(r.REPLY_MESSAGE, b"real")])
        self.assertEqual((res.reason, res.code, res.message), ("ok", "reject", b"real"), res.line)

    def test_forgery_then_port_unreachable(self):
        # a reply that did not verify, then ICMP for the retry: something
        # answered, so this is no "nothing listens there" (which would open
        # the emergency path)
        res, _ = self.exchange("forged-then-gone")
        self.assertEqual(res.reason, "unauthenticated-reply", res.line)
        self.assertIn("1 reply from the RADIUS server", res.error)

    def test_malformed(self):
        res, _ = self.exchange("malformed")
        self.assertEqual(res.reason, "malformed-reply", res.line)
        self.assertIn("2 replies", res.error)

    def test_retransmission_is_the_same_packet(self):
        res, srv = self.exchange("second-copy")
        self.assertEqual((res.reason, res.message), ("ok", b"identical"), res.line)
        self.assertEqual(len(srv.datagrams), 2)

    def test_challenge_state_round_trip(self):
        state = bytes(range(1, 254))  # the longest State there is
        res, _ = self.exchange("good", code=r.ACCESS_CHALLENGE,
                               attrs=[(r.REPLY_MESSAGE, b"Code?"), (r.STATE, state)])
        self.assertEqual((res.reason, res.code, res.state), ("ok", "challenge", state), res.line)
        res, srv = self.exchange("good", "--state", state.hex())
        self.assertEqual(r.attr(srv.requests[0], r.STATE), [state])


class TestTlsHostile(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.certs = certs.make_certs(cls.tmp.name)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def exchange(self, mode, *options, **kw):
        c = self.certs
        with TlsHostileServer(c["server_cert"], c["server_key"], mode, **kw) as srv:
            res = run_tool(srv.server, "alice", "alicepw", "", "--tls", "--ca", c["ca_cert"],
                           *FAST, *options)
        return res, srv

    def test_good_reply_and_our_request(self):
        res, srv = self.exchange("good", attrs=[(r.REPLY_MESSAGE, b"over TLS")])
        self.assertEqual((res.reason, res.code, res.message, res.ma),
                         ("ok", "accept", b"over TLS", True), res.line)
        # the fixed secret "radsec" (RFC 6614 2.3) hides the password and signs
        self.assertEqual(srv.requests[0]["password"], b"alicepw")

    def test_reply_in_pieces(self):
        res, _ = self.exchange("split", code=r.ACCESS_CHALLENGE,
                               attrs=[(r.STATE, b"s" * 253), (r.REPLY_MESSAGE, b"m" * 253)])
        self.assertEqual((res.reason, res.code, res.state), ("ok", "challenge", b"s" * 253),
                         res.line)

    def test_hang_up_before_the_reply(self):
        res, _ = self.exchange("close")
        self.assertEqual(res.reason, "connection-lost", res.line)

    def test_bad_length(self):
        res, _ = self.exchange("bad-length")
        self.assertEqual(res.reason, "malformed-reply", res.line)
        self.assertIn("length 5", res.error)

    def test_no_reply(self):
        res, _ = self.exchange("silent")
        self.assertEqual(res.reason, "server-timeout", res.line)
        self.assertIn("the reply", res.error)


class TestDeadPeers(unittest.TestCase):
    def test_udp_port_closed(self):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        res = run_tool("127.0.0.1:%d" % port, "alice", "pw", SECRET, *FAST)
        self.assertEqual(res.reason, "server-unreachable", res.line)
        self.assertIn("ICMP port unreachable", res.error)

    def test_udp_no_reply(self):
        with HostileServer(SECRET, "silent") as srv:
            res = run_tool(srv.server, "alice", "pw", SECRET, "--timeout", "200",
                           "--retries", "2")
        self.assertEqual(res.reason, "server-unreachable", res.line)
        self.assertIn("3 tries of 200 ms", res.error)
        self.assertEqual(len(srv.datagrams), 3)
        self.assertEqual(len(set(srv.datagrams)), 1, "retransmissions are the same bytes")

    def test_tls_port_closed(self):
        res = run_tool("127.0.0.1:%d" % closed_port(), "alice", "pw", "", "--tls", "--ca",
                       self.ca, *FAST)
        self.assertEqual(res.reason, "server-unreachable", res.line)

    def test_tls_peer_silent(self):
        with DeadListener("hang") as dead:
            res = run_tool("127.0.0.1:%d" % dead.port, "alice", "pw", "", "--tls", "--ca",
                           self.ca, *FAST)
        self.assertEqual(res.reason, "server-timeout", res.line)
        self.assertIn("TLS handshake", res.error)

    def test_tls_peer_closes(self):
        with DeadListener("close") as dead:
            res = run_tool("127.0.0.1:%d" % dead.port, "alice", "pw", "", "--tls", "--ca",
                           self.ca, *FAST)
        self.assertEqual(res.reason, "tls-failure", res.line)

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.ca = os.path.join(self.tmp.name, "ca.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                        os.path.join(self.tmp.name, "ca.key"), "-out", self.ca, "-days", "1",
                        "-subj", "/CN=unused test CA"], check=True, capture_output=True)


class TestParameters(unittest.TestCase):
    def test_unusable(self):
        cases = [
            (("--tls", "--ca", "/nonexistent/ca.pem"), "127.0.0.1:1", SECRET,
             "cannot read ca_file /nonexistent/ca.pem"),
            (("--tls",), "127.0.0.1:1", SECRET, "needs ca_file"),
            ((), "127.0.0.1:1", "", "shared secret"),
            ((), "127.0.0.1:99999", SECRET, "is not HOST"),
            ((), "[::1", SECRET, "is not HOST"),
            ((), "a:b:c", SECRET, "is not HOST"),
            (("--timeout", "0"), "127.0.0.1:1", SECRET, "timeout"),
            (("--retries", "11"), "127.0.0.1:1", SECRET, "retries"),
        ]
        for options, server, secret, text in cases:
            res = run_tool(server, "alice", "pw", secret, *options)
            self.assertEqual(res.reason, "config-error", res.line)
            self.assertIn(text, res.error)

    def test_name_not_found(self):
        res = run_tool("no-such-host.invalid", "alice", "pw", SECRET, *FAST)
        self.assertEqual(res.reason, "server-unreachable", res.line)

    def test_password_never_printed(self):
        res = run_tool("127.0.0.1:1", "alice", "p" * 129, SECRET)
        self.assertEqual(res.reason, "config-error", res.line)
        self.assertNotIn("ppp", res.line)


class TestVectors(unittest.TestCase):
    def test_generated_file_is_current(self):
        subprocess.run([sys.executable, os.path.join(HERE, "gen_vectors.py"), "--check"],
                       check=True)

    def test_python_codec_reproduces_the_rfcs(self):
        """The codec that computes generated.txt gets the published numbers."""
        pub = {}
        with open(os.path.join(HERE, "..", "vectors", "radius.txt")) as f:
            for line in f:
                if line.strip() and not line.startswith("#"):
                    name, value = line.strip().split("|", 1)
                    pub[name] = value.encode() if name.endswith("_ascii") else bytes.fromhex(value)
        secret, req = pub["secret_ascii"], pub["rfc2865_7_1_request"]
        self.assertEqual(r.hide_password(pub["rfc2865_7_1_password_ascii"], secret, req[4:20]),
                         req[28:44])
        attrs = r.decode_attrs(pub["rfc2865_7_1_accept"][20:])
        self.assertEqual(r.reply(r.ACCESS_ACCEPT, 0, req[4:20], secret, attrs,
                                 message_authenticator=None), pub["rfc2865_7_1_accept"])
        status = pub["rfc5997_6_status_server"]
        self.assertEqual(r._with_message_authenticator(12, status[1], status[4:20], [], secret,
                                                       True), status)


if __name__ == "__main__":
    missing = tool_missing()
    if missing:
        print("SKIP:", missing)
        sys.exit(77)
    unittest.main(verbosity=2)
