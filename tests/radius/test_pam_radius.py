#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""backend = radius through the real libpam, the helper (with its seccomp
filter) and its plugin, against a real FreeRADIUS 3.2 (freeradius.py) and
the hostile server (hostile.py): PAP accept and reject, Access-Challenge
rounds in method auto and server-challenge, RadSec, failover past a dead
or lying server with dead-server memory, single_prompt over two attempts,
and the failure limit.  Peers that need no FreeRADIUS are in
test_pam_radius_hostile.py.  Needs root and the freeradius package: exit 77
without them.

  make check TESTS=tests/radius/test_pam_radius.py
"""
import glob
import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "server"))
import certs  # noqa: E402
import freeradius  # noqa: E402
from hostile import HostileServer  # noqa: E402
from pamradius import PROMPTS, RadiusCase, answers, ph, unused_udp_port  # noqa: E402

FIRST, SECOND = "Enter the first code", "Almost there.\nEnter the second code"
SENT = "A code was sent to your phone"


class FreeRadiusCase(RadiusCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="crauth-pam-radius-fr-")
        cls.certs = certs.make_certs(os.path.join(cls.tmp.name, "pki"))
        cls.fr = freeradius.FreeRadius(cls.tmp.name, cls.certs).start()

    @classmethod
    def tearDownClass(cls):
        cls.fr.stop()
        cls.tmp.cleanup()

    def udp(self, servers=None, **kw):
        self.configure(servers or [self.fr.udp_server], self.fr.secret, **kw)

    def radsec(self, server=None, **kw):
        c = self.certs
        self.configure([server or self.fr.tls_server], radius=[
            "transport = tls", "ca_file = %s" % c["ca_cert"],
            "client_cert = %s" % c["client_cert"], "client_key = %s" % c["client_key"]], **kw)

    def check(self, result, pam, reason):
        self.assertOutcome(result, pam, reason, self.fr.log())


class Pap(FreeRadiusCase):
    def test_accept(self):
        self.udp()
        r = self.login("alice", answers("alicepw"), rhost="192.0.2.7")
        self.check(r, "PAM_SUCCESS", 0)
        self.assertEqual(r.texts(), ["One-time password: "])
        self.assertIn("server=%s" % self.fr.udp_server, r.log)
        self.assertIn("radius=Access-Accept", r.log)

    def test_reject(self):
        self.udp()
        r = self.login("alice", answers("alicepw2"))
        self.check(r, "PAM_AUTH_ERR", 10)
        self.assertIn("radius=Access-Reject", r.log)
        self.check(self.login("nobody", answers("alicepw")), "PAM_AUTH_ERR", 10)

    def test_method_otp(self):
        self.udp(method="otp")
        self.check(self.login("alice", answers("alicepw")), "PAM_SUCCESS", 0)
        self.check(self.login("alice", answers("wrong")), "PAM_AUTH_ERR", 10)

    def test_password_of_the_earlier_module(self):
        # use_first_pass: PAM_AUTHTOK is the User-Password, nothing is asked
        self.service("crauth-ufp", ["use_first_pass"], password_first=True)
        for method in ("auto", "otp"):
            self.udp(method=method)
            r = self.login("alice", answers("alicepw"), service="crauth-ufp")
            self.check(r, "PAM_SUCCESS", 0)
            self.assertEqual(r.texts(), ["Password: "])

    def test_keyword_is_the_first_answer(self):
        # sent unasked; the server's challenges are then the user's to answer
        self.udp(auth=["keyword = carolpw"])
        r = self.login("carol", answers("111111", "222222"))
        self.check(r, "PAM_SUCCESS", 0)
        self.assertEqual(len(r.texts(ph.PAM_PROMPT_ECHO_OFF)), 2, r.texts())
        # an Access-Accept for the keyword alone: everyone knows a keyword,
        # so that proves nothing the user holds
        self.udp(auth=["keyword = alicepw"])
        r = self.login("alice", answers())
        self.check(r, "PAM_AUTH_ERR", 37)
        self.assertEqual(r.texts(), [])


class Challenge(FreeRadiusCase):
    def test_two_rounds_in_method_auto(self):
        self.udp()
        r = self.login("carol", answers("carolpw", "111111", "222222"))
        self.check(r, "PAM_SUCCESS", 0)
        # each round: the Reply-Messages (line feeds kept), then the prompt
        self.assertEqual(r.messages, [
            (ph.PAM_PROMPT_ECHO_OFF, "One-time password: "),
            (ph.PAM_TEXT_INFO, FIRST), (ph.PAM_PROMPT_ECHO_OFF, "One-time password: "),
            (ph.PAM_TEXT_INFO, SECOND), (ph.PAM_PROMPT_ECHO_OFF, "One-time password: ")])
        self.assertIn("rounds=2", r.log)

    def test_wrong_answer_in_a_round(self):
        self.udp()
        r = self.login("carol", answers("carolpw", "111111", "999999"))
        self.check(r, "PAM_AUTH_ERR", 10)

    def test_two_step_in_method_server_challenge(self):
        self.udp(method="server-challenge")
        r = self.login("erin", answers("erinpw", "333333"))
        self.check(r, "PAM_SUCCESS", 0)
        self.assertEqual(r.messages, [
            (ph.PAM_PROMPT_ECHO_OFF, "Password or keyword: "),
            (ph.PAM_TEXT_INFO, SENT), (ph.PAM_PROMPT_ECHO_OFF, "One-time password: ")])

    def test_server_challenge_with_the_keyword(self):
        self.udp(method="server-challenge", auth=["keyword = erinpw"])
        r = self.login("erin", answers("333333"))
        self.check(r, "PAM_SUCCESS", 0)
        self.assertEqual([t for s, t in r.messages if s in PROMPTS], ["One-time password: "])

    def test_server_challenge_accepted_without_challenge_is_a_mismatch(self):
        self.udp(method="server-challenge")
        r = self.login("alice", answers("alicepw"))
        self.check(r, "PAM_AUTH_ERR", 37)
        self.assertIn("set method = otp or auto", r.log)

    def test_a_second_round_in_server_challenge_is_a_mismatch(self):
        self.udp(method="server-challenge")
        r = self.login("carol", answers("carolpw", "111111"))
        self.check(r, "PAM_AUTH_ERR", 37)
        self.assertIn("method = auto answers any number of rounds", r.log)

    def test_method_otp_refuses_a_challenge(self):
        self.udp(method="otp")
        r = self.login("carol", answers("carolpw"))
        self.check(r, "PAM_AUTH_ERR", 37)
        self.assertIn("set method = auto", r.log)
        self.assertEqual(len([t for s, t in r.messages if s in PROMPTS]), 1)


class RadSec(FreeRadiusCase):
    def test_pap_and_two_rounds(self):
        self.radsec()
        self.check(self.login("alice", answers("alicepw")), "PAM_SUCCESS", 0)
        self.check(self.login("alice", answers("nope")), "PAM_AUTH_ERR", 10)
        r = self.login("carol", answers("carolpw", "111111", "222222"))
        self.check(r, "PAM_SUCCESS", 0)

    def test_by_name(self):
        self.radsec(server="localhost:%d" % self.fr.tls_port)
        self.check(self.login("alice", answers("alicepw")), "PAM_SUCCESS", 0)

    def test_certificate_for_another_name_is_a_tls_failure(self):
        self.radsec(server=self.fr.tls_server_other_ip)
        self.check(self.login("alice", answers("alicepw")), "PAM_AUTHINFO_UNAVAIL", 32)


class Failover(FreeRadiusCase):
    def test_refusing_first_server(self):
        self.udp([unused_udp_port(), self.fr.udp_server])
        self.check(self.login("alice", answers("alicepw")), "PAM_SUCCESS", 0)

    def test_silent_first_server_is_remembered(self):
        with HostileServer(self.fr.secret, "silent") as dead:
            self.udp([dead.server, self.fr.udp_server])
            r = self.login("alice", answers("alicepw"))
            self.check(r, "PAM_SUCCESS", 0)
            self.assertEqual(len(dead.datagrams), 2)  # one try and one retry
            r = self.login("alice", answers("alicepw"))
            self.check(r, "PAM_SUCCESS", 0)
            self.assertIn("skipped=%s" % dead.server, r.log)
            self.assertEqual(len(dead.datagrams), 2, "dead_time keeps the next login away")
            self.assertIn("server=radius:%s " % dead.server, self.cached("list"))

    def test_unauthenticated_and_forged_replies_are_no_verdict(self):
        for mode in ("no-ma", "forged-auth", "forged-ma"):
            with self.subTest(mode=mode), HostileServer(self.fr.secret, mode) as liar:
                self.udp([liar.server, self.fr.udp_server])
                r = self.login("alice", answers("alicepw"))
                self.check(r, "PAM_SUCCESS", 0)
                self.assertEqual(len(liar.requests), 2)  # it was asked (and retried)
                self.assertIn("unauthenticated-reply", r.log)
                self.assertIn("server=%s" % self.fr.udp_server, r.log)

    def test_second_round_goes_to_the_issuer_only(self):
        with HostileServer(self.fr.secret, "good") as other:
            # FreeRADIUS issues the State; the accepting liar behind it never sees the answer
            self.udp([self.fr.udp_server, other.server])
            r = self.login("carol", answers("carolpw", "111111", "222222"))
            self.check(r, "PAM_SUCCESS", 0)
            self.assertEqual(other.datagrams, [])


class Cache(FreeRadiusCase):
    def test_single_prompt_over_two_attempts(self):
        self.udp(method="server-challenge", auth=["single_prompt = yes"])
        r = self.login("erin", answers("erinpw"))
        self.check(r, "PAM_AUTH_ERR", 21)
        self.assertIn(SENT + " -- enter the response at the next prompt.",
                      r.texts(ph.PAM_ERROR_MSG))
        listing = self.cached("list")
        self.assertIn("server=%s " % self.fr.udp_server, listing)  # the issuer, from [radius]
        self.assertEqual(len(glob.glob(os.path.join(self.cache, "c-*"))), 1)
        r = self.login("erin", answers("333333"))
        self.check(r, "PAM_SUCCESS", 0)
        self.assertEqual(glob.glob(os.path.join(self.cache, "c-*")), [])

    def test_single_prompt_challenge_of_a_removed_server_is_discarded(self):
        self.udp(method="server-challenge", auth=["single_prompt = yes"])
        self.check(self.login("erin", answers("erinpw")), "PAM_AUTH_ERR", 21)
        self.udp([unused_udp_port()], method="server-challenge", auth=["single_prompt = yes"])
        r = self.login("erin", answers("333333"))
        self.assertIn("cached_challenge=unusable", r.log)

    def test_rejected_response_is_not_kept(self):
        # an Access-Reject ends the server's challenge: the next attempt asks anew
        self.udp(method="server-challenge", auth=["single_prompt = yes"])
        self.check(self.login("erin", answers("erinpw")), "PAM_AUTH_ERR", 21)
        self.check(self.login("erin", answers("000000")), "PAM_AUTH_ERR", 10)
        self.assertEqual(glob.glob(os.path.join(self.cache, "c-*")), [])
        r = self.login("erin", answers("erinpw"))
        self.check(r, "PAM_AUTH_ERR", 21)

    def test_failure_limit_counts_rejects(self):
        self.udp(cache=["max_failures = 2"])
        self.check(self.login("alice", answers("x1")), "PAM_AUTH_ERR", 10)
        self.check(self.login("alice", answers("x2")), "PAM_AUTH_ERR", 10)
        r = self.login("alice", answers("alicepw"))
        self.check(r, "PAM_MAXTRIES", 16)
        self.assertIn("recent_failures=2", r.log)


def main():
    why = freeradius.unavailable()
    if why is not None:
        print("SKIP: %s" % why)
        sys.exit(77)
    unittest.main(verbosity=2)


if __name__ == "__main__":
    main()
