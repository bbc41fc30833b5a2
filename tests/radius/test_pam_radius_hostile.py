#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""backend = radius through the real libpam against peers that misbehave or
are not there, without FreeRADIUS or root: no server reachable
(PAM_AUTHINFO_UNAVAIL), only unauthenticated or forged replies (fail
closed), an Access-Challenge without State, an answer RADIUS cannot carry,
the failure limit, and the attributes of our Access-Requests.  The
emergency stack for RADIUS is in tests/pam/test_emergency.py.

  make check TESTS=tests/radius/test_pam_radius_hostile.py
"""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import radiuspkt as r  # noqa: E402
from hostile import HostileServer  # noqa: E402
from pamradius import RadiusCase, answers, unused_udp_port  # noqa: E402

SECRET = "pam-radius-hostile-secret"


class Hostile(RadiusCase):
    def peer(self, mode, **kw):
        srv = HostileServer(SECRET, mode, **kw).start()
        self.addCleanup(srv.stop)
        return srv

    def test_no_server_reachable(self):
        self.configure([unused_udp_port(), unused_udp_port()], SECRET)
        r = self.login("alice", answers("pw"))
        self.assertOutcome(r, "PAM_AUTHINFO_UNAVAIL", 30)
        self.assertIn("ICMP port unreachable", r.log)

    def test_rounds_count_against_the_failure_limit(self):
        # a server that answers every code with another Access-Challenge:
        # each answer after the first (the password, which brings the
        # challenge) is a guess, counted until a success resets the count
        srv = self.peer("rechallenge")
        self.configure([srv.server], SECRET, cache=["max_failures = 2"])
        r = self.login("alice", answers("pw", "111111", "222222", "333333", "444444"))
        self.assertOutcome(r, "PAM_MAXTRIES", 16)
        self.assertEqual(len(srv.requests), 3)   # pw and two codes
        r = self.login("alice", answers("pw"))
        self.assertOutcome(r, "PAM_MAXTRIES", 16)
        self.assertEqual(len(srv.requests), 3)

    def test_secret_in_the_secrets_file(self):
        srv = self.peer("good")
        secrets = os.path.join(self.dir, "crauth.secret")
        with open(secrets, "w") as f:
            f.write("[radius]\nsecret = %s\n" % SECRET)
        os.chmod(secrets, 0o600)
        self.configure([srv.server], extra=["[server]", "secrets = %s" % secrets])
        os.chmod(self.conf, 0o644)  # the main file holds no secret: anyone may read it
        self.assertOutcome(self.login("alice", answers("pw")), "PAM_SUCCESS", 0)
        self.assertEqual(srv.bad_requests, [])

    def test_server_by_name(self):
        # the lookup runs on glibc's resolver thread, under the seccomp filter;
        # "localhost" may be ::1 first, which refuses: the next address is tried
        srv = self.peer("good")
        self.configure(["localhost:%d" % srv.port], SECRET)
        self.assertOutcome(self.login("alice", answers("pw")), "PAM_SUCCESS", 0)

    def test_silent_servers_are_unreachable(self):
        srv = self.peer("silent")
        self.configure([srv.server], SECRET, retries=0)
        self.assertOutcome(self.login("alice", answers("pw")), "PAM_AUTHINFO_UNAVAIL", 30)

    def test_only_unverifiable_replies_fail_closed(self):
        for mode in ("no-ma", "forged-auth", "forged-ma", "wrong-id"):
            with self.subTest(mode=mode):
                srv = self.peer(mode)
                # a refusing server as well: one that answered without a verdict wins
                self.configure([unused_udp_port(), srv.server], SECRET)
                r = self.login("alice", answers("pw"))
                self.assertOutcome(r, "PAM_AUTH_ERR", 41)
                self.assertEqual(srv.bad_requests, [])

    def test_step_budget_covers_the_exchange(self):
        # one try of 11 s outlasts the helper's own 10 s: the module must be
        # told to wait for the servers too, or it kills the helper (72)
        srv = self.peer("silent")
        self.configure([srv.server], SECRET, timeout=11, retries=0)
        self.assertOutcome(self.login("alice", answers("pw")), "PAM_AUTHINFO_UNAVAIL", 30)
        self.assertEqual(len(srv.requests), 1)

    def test_malformed_reply_fails_closed(self):
        srv = self.peer("malformed")
        self.configure([srv.server], SECRET)
        self.assertOutcome(self.login("alice", answers("pw")), "PAM_AUTH_ERR", 35)

    def test_no_message_authenticator_accepted_only_when_allowed(self):
        srv = self.peer("no-ma")
        self.configure([srv.server], SECRET, radius=["require_message_authenticator = no"])
        self.assertOutcome(self.login("alice", answers("pw")), "PAM_SUCCESS", 0)

    def test_forgery_before_the_real_reply(self):
        # a forged Access-Accept first: discarded, the real reply decides
        srv = self.peer("forged-then-real", code=r.ACCESS_REJECT)
        self.configure([srv.server], SECRET)
        self.assertOutcome(self.login("alice", answers("pw")), "PAM_AUTH_ERR", 10)

    def test_challenge_without_state(self):
        srv = self.peer("good", code=r.ACCESS_CHALLENGE, attrs=[(r.REPLY_MESSAGE, b"Code?")])
        self.configure([srv.server, unused_udp_port()], SECRET)
        r_ = self.login("alice", answers("pw", "123456"))
        self.assertOutcome(r_, "PAM_AUTH_ERR", 37)
        self.assertIn("Access-Challenge without State", r_.log)
        self.assertEqual(len(srv.requests), 1)

    def test_reply_message_is_sanitised(self):
        srv = self.peer("good", code=r.ACCESS_CHALLENGE,
                        attrs=[(r.STATE, b"\x01\x02"), (r.REPLY_MESSAGE, b"a\x1b[2Jb\0c"),
                               (r.REPLY_MESSAGE, b"second")])
        self.configure([srv.server], SECRET)
        res = self.login("alice", answers("pw"))  # the conversation ends at round two
        self.assertIn("a?[2Jb?c\nsecond", res.texts())
        self.assertEqual(r.attr(srv.requests[0], r.STATE), [])

    def test_state_goes_back(self):
        srv = self.peer("good", code=r.ACCESS_CHALLENGE, attrs=[(r.STATE, b"\x00st\xff")])
        self.configure([srv.server], SECRET)
        self.login("alice", answers("pw", "654321"))
        first, second = srv.requests[:2]
        self.assertEqual(second["password"], b"654321")
        self.assertEqual(r.attr(second, r.STATE), [b"\x00st\xff"])
        self.assertEqual(r.attr(first, r.STATE), [])

    def test_too_many_rounds(self):
        srv = self.peer("good", code=r.ACCESS_CHALLENGE, attrs=[(r.STATE, b"s")])
        self.configure([srv.server], SECRET)
        res = self.login("alice", answers(*["1"] * 10))
        self.assertOutcome(res, "PAM_AUTH_ERR", 37)
        self.assertEqual(len(srv.requests), 5)  # the first answer and four rounds

    def test_answer_longer_than_user_password_holds(self):
        srv = self.peer("good")
        self.configure([srv.server], SECRET)
        res = self.login("alice", answers("x" * 129))
        self.assertOutcome(res, "PAM_AUTH_ERR", 10)
        self.assertEqual(srv.datagrams, [])
        self.assertOutcome(self.login("alice", answers("x" * 128)), "PAM_SUCCESS", 0)
        self.assertEqual(srv.requests[0]["password"], b"x" * 128)

    def test_failure_limit_counts_rejects(self):
        srv = self.peer("good", code=r.ACCESS_REJECT)
        self.configure([srv.server], SECRET, cache=["max_failures = 2"])
        for _ in range(2):
            self.assertOutcome(self.login("alice", answers("pw")), "PAM_AUTH_ERR", 10)
        self.assertOutcome(self.login("alice", answers("pw")), "PAM_MAXTRIES", 16)
        self.assertEqual(len(srv.requests), 2)

    def test_unreachable_servers_do_not_count(self):
        self.configure([unused_udp_port()], SECRET, cache=["max_failures = 1"])
        for _ in range(3):
            self.assertOutcome(self.login("alice", answers("pw")), "PAM_AUTHINFO_UNAVAIL", 30)

    def test_request_attributes(self):
        srv = self.peer("good")
        self.configure([srv.server], SECRET)
        self.login("alice", answers("pw"), rhost="192.0.2.7")
        req = srv.requests[0]
        self.assertEqual(r.attr(req, r.USER_NAME), [b"alice"])
        self.assertEqual(req["password"], b"pw")
        self.assertEqual(r.attr(req, r.CALLING_STATION_ID), [b"192.0.2.7"])
        self.assertEqual(r.attr(req, r.NAS_IP_ADDRESS), [bytes([127, 0, 0, 1])])
        self.configure([srv.server], SECRET, radius=["nas_identifier = host-a"])
        self.login("alice", answers("pw"))
        req = srv.requests[1]
        self.assertEqual(r.attr(req, r.NAS_IDENTIFIER), [b"host-a"])
        self.assertEqual(r.attr(req, r.NAS_IP_ADDRESS), [])
        self.assertEqual(r.attr(req, r.CALLING_STATION_ID), [])

    def test_rhost_too_long_for_calling_station_id(self):
        srv = self.peer("good")
        self.configure([srv.server], SECRET)
        res = self.login("alice", answers("pw"), rhost="h" * 300)
        self.assertOutcome(res, "PAM_SUCCESS", 0)
        self.assertEqual(r.attr(srv.requests[0], r.CALLING_STATION_ID), [])
        self.assertIn("calling_station_id=left out", res.log)


if __name__ == "__main__":
    unittest.main(verbosity=2)
