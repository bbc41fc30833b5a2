#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Logins through the real libpam against the reference authUser server over
TLS: the three methods, the prompts each kind of client needs, failover,
where a response is sent, and HTTP/TLS client authentication."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serverfixture import (KEY20, KEY32, OCRA, PROMPTS, DeadListener, ServerCase,  # noqa: E402
                           challenge_of, cli, closed_port, ocra, ph)


class Methods(ServerCase):
    def test_a_server_login_maps_its_plugin_but_not_x509(self):
        """The server plugin (libcurl, OpenSSL) is mapped for backend =
        server, and the x509 plugin, for x509 tokens only, is not."""
        maps = []

        def look_then_answer(batch):
            (pid,) = ph.children_of(os.getpid())
            with open("/proc/%d/maps" % pid) as f:
                maps.extend(os.path.basename(line.split()[-1]) for line in f if "/" in line)
            return self.kbdint()(batch)
        self.configure("server-challenge")
        self.assertOutcome(self.login("twostep", look_then_answer), "PAM_SUCCESS", 0)
        self.assertIn("crauth-remote.so", maps)
        self.assertTrue([n for n in maps if n.startswith("libcurl")], sorted(set(maps)))
        self.assertNotIn("crauth-x509.so", maps)

    def test_two_step_keyword_challenge_response(self):
        self.configure("server-challenge")
        r = self.login("twostep", self.kbdint())
        self.assertOutcome(r, "PAM_SUCCESS", 0)
        # the server's message and the prompt with the challenge: one conversation call
        self.assertEqual(len(r.calls), 1)
        (s1, message), (s2, prompt) = r.calls[0]
        self.assertEqual((s1, s2), (ph.PAM_TEXT_INFO, ph.PAM_PROMPT_ECHO_OFF))
        challenge = challenge_of(r.calls[0])
        self.assertIn(challenge, message)
        self.assertIn(challenge, prompt)
        step1, step2 = self.srv.requests
        self.assertEqual(step1.attributes["CREDFLD_PASSWORD"], "getchallenge")
        self.assertEqual(step1.types["CREDFLD_PASSWORD_FORMAT"], "xsd:unsignedInt")
        self.assertIn("CREDFLD_CHALLENGE_KEY", step2.attributes)
        self.assertEqual(step1.conn_id, step2.conn_id)  # one kept-alive connection
        self.assertIn("server=127.0.0.1:%d" % self.srv.port, r.log)

    def test_two_step_keyword_typed_by_the_user(self):
        self.configure("server-challenge", keyword="")
        r = self.login("twostep", self.kbdint(request="getchallenge"))
        self.assertOutcome(r, "PAM_SUCCESS", 0)
        self.assertEqual([t for s, t in r.messages if s in PROMPTS][0], "Password or keyword: ")

    def test_two_step_static_password_from_the_previous_module(self):
        self.configure("server-challenge", keyword="")
        self.service("crauth-ufp", ["use_first_pass"], password_first=True)
        r = self.login("twostep-pw", self.kbdint(request="pw1"), service="crauth-ufp")
        self.assertOutcome(r, "PAM_SUCCESS", 0)
        self.assertEqual(self.srv.requests[0].attributes["CREDFLD_PASSWORD"], "pw1")

    def test_two_step_separate_password_format(self):
        self.configure("server-challenge", server="password_format = 1")
        r = self.login("twostep", self.kbdint())
        self.assertOutcome(r, "PAM_SUCCESS", 0)
        step1 = self.srv.requests[0]
        self.assertEqual(step1.attributes["CREDFLD_STATIC_PASSWORD"], "getchallenge")
        self.assertNotIn("CREDFLD_PASSWORD", step1.attributes)

    def test_otp_hotp_and_totp(self):
        self.configure("otp")
        r = self.login("hotp-user", self.same_answer(cli("hotp", "--key", KEY20,
                                                         "--counter", "0")))
        self.assertOutcome(r, "PAM_SUCCESS", 0)
        self.assertEqual(r.texts(), ["One-time password: "])
        code = cli("totp", "--key", KEY32, "--digits", "8", "--hash", "sha256")
        self.assertOutcome(self.login("totp-user", self.same_answer(code)), "PAM_SUCCESS", 0)

    def test_otp_with_static_password_both_formats(self):
        self.service("crauth-tfp", ["try_first_pass"], password_first=True)
        for fmt, counter in ((0, "0"), (1, "1")):
            self.configure("otp", server="password_format = %d" % fmt)
            code = cli("hotp", "--key", KEY20, "--counter", counter)

            def conv(batch):
                return ["S3cret!" if t == "Password: " else code for _, t in batch]
            sent = len(self.srv.requests)
            r = self.login("hotp-static", conv, service="crauth-tfp")
            self.assertOutcome(r, "PAM_SUCCESS", 0)
            # the earlier password went with the code, never as the code
            self.assertEqual(len(self.srv.requests), sent + 1)
            sent = self.srv.requests[-1].attributes
            if fmt == 0:
                self.assertEqual(sent["CREDFLD_PASSWORD"], "S3cret!" + code)
            else:
                self.assertEqual((sent["CREDFLD_STATIC_PASSWORD"], sent["CREDFLD_PASSWORD"]),
                                 ("S3cret!", code))

    def test_client_challenge_one_step(self):
        # the server policy 1-step needs: "Yes - Any Challenge", Challenge Check Mode 0
        self.srv.set_options(one_step_cr="any", challenge_check_mode=0)
        self.configure("client-challenge", auth="challenge_format = N08")
        r = self.login("onestep", self.kbdint())
        self.assertOutcome(r, "PAM_SUCCESS", 0)
        challenge = challenge_of(r.calls[0])
        self.assertRegex(challenge, r"^\d{8}$")
        self.assertEqual(self.srv.requests[0].attributes["CREDFLD_CHALLENGE"], challenge)

    def test_wrong_response(self):
        self.configure("server-challenge")
        r = self.login("twostep", self.kbdint(answer=lambda c: "000000"))
        self.assertOutcome(r, "PAM_AUTH_ERR", 10)
        self.assertIn("status=-1/1012 STAT_OTP_INCORRECT", r.log)

    def test_unknown_user(self):
        self.configure("otp")
        self.assertOutcome(self.login("nobody", self.same_answer("123456")),
                           "PAM_USER_UNKNOWN", 14)

    def test_locked_user(self):
        self.configure("otp")
        self.srv.lock("hotp-user")
        self.assertOutcome(self.login("hotp-user", self.same_answer("123456")),
                           "PAM_PERM_DENIED", 15)

    def test_expired_challenge(self):
        self.configure("server-challenge")

        def slow(challenge):
            self.clock.advance(61)  # the user took longer than the server allows
            return ocra(challenge)
        self.assertOutcome(self.login("twostep", self.kbdint(answer=slow)), "PAM_AUTH_ERR", 12)

    def test_keyword_to_a_user_without_challenges_is_a_mismatch(self):
        self.configure("otp")
        self.srv.set_fault("success_with_challenge")
        r = self.login("hotp-user", self.same_answer("123456"))
        self.assertOutcome(r, "PAM_AUTH_ERR", 37)
        self.assertIn("method = server-challenge", r.log)


class Clients(ServerCase):
    """The same server-challenge flow driven the way each client drives PAM."""

    def test_password_authentication_and_sudo_dash_s(self):
        # one string for every prompt: the request and the response
        self.configure("server-challenge", keyword="")
        r = self.login("twostep", self.same_answer("getchallenge"))
        self.assertOutcome(r, "PAM_AUTH_ERR", 19)
        self.assertTrue(any("cannot show challenges" in t for t in r.texts(ph.PAM_ERROR_MSG)))
        self.assertEqual(len(self.srv.requests), 1)  # the useless response was never sent

    def test_login_one_prompt_at_a_time(self):
        # login(1) via misc_conv shows messages then prompts, one call per round
        self.configure("server-challenge", keyword="")
        seen = []

        def conv(batch):
            seen.append(len([1 for s, _ in batch if s in PROMPTS]))
            return self.kbdint()(batch)
        self.assertOutcome(self.login("twostep", conv), "PAM_SUCCESS", 0)
        self.assertEqual(seen, [1, 1])

    def test_challenge_text_is_configurable(self):
        self.configure("server-challenge",
                       auth='response_prompt = "Token code for {challenge}: "')
        r = self.login("twostep", self.kbdint())
        self.assertOutcome(r, "PAM_SUCCESS", 0)
        self.assertRegex(r.texts(ph.PAM_PROMPT_ECHO_OFF)[0], r"^Token code for \d{8}: $")


class Servers(ServerCase):
    def test_failover_from_refused(self):
        self.configure("otp", urls=["https://127.0.0.1:%d/" % closed_port(), self.srv.url])
        code = cli("hotp", "--key", KEY20, "--counter", "0")
        r = self.login("hotp-user", self.same_answer(code))
        self.assertOutcome(r, "PAM_SUCCESS", 0)
        self.assertIn("server-unreachable", r.log)  # the first one is named in the log

    def test_failover_from_hanging_server(self):
        with DeadListener("hang") as dead:
            self.configure("server-challenge", urls=[dead.url, self.srv.url], connect_timeout=1)
            r = self.login("twostep", self.kbdint())
            self.assertOutcome(r, "PAM_SUCCESS", 0)
            self.assertEqual(dead.attempts, 1)

    def test_all_servers_unreachable(self):
        self.configure("otp", urls=["https://127.0.0.1:%d/" % closed_port(),
                                    "https://127.0.0.1:%d/" % closed_port()])
        r = self.login("hotp-user", self.same_answer("123456"))
        self.assertOutcome(r, "PAM_AUTHINFO_UNAVAIL", 30)
        self.assertEqual(r.calls[0][0][1], "One-time password: ")

    def test_response_goes_to_the_issuing_server_only(self):
        other = self.server("B")
        self.configure("server-challenge", urls=[self.srv.url, other.url])
        self.srv.set_fault("reset", step="response")  # A dies between the two steps
        r = self.login("twostep", self.kbdint())
        # A was asked, and B cannot take A's key: not "no server could be
        # asked", which would open the fallback path, but challenge-unknown
        self.assertOutcome(r, "PAM_AUTH_ERR", 13)
        self.assertEqual(other.requests, [])          # never B, which has no such key
        # (libcurl resends once on a fresh connection when a reused one dies,
        # so A may see the response twice; it is the same request to A)
        kinds = [q.kind for q in self.srv.requests]
        self.assertEqual(kinds[0], "request")
        self.assertEqual(set(kinds[1:]), {"response"})

    def test_challenge_from_second_server_answered_there(self):
        other = self.server("B")
        self.configure("server-challenge", urls=[self.srv.url, other.url])
        self.srv.set_fault("http_status", status=503)
        self.assertOutcome(self.login("twostep", self.kbdint()), "PAM_SUCCESS", 0)
        self.assertEqual([q.kind for q in other.requests], ["request", "response"])

    def test_basic_auth(self):
        srv = self.server("basic", basic_auth=("svc", "hunter2"))
        secrets = self.secrets("[server]\nhttp_password = hunter2\n")
        self.configure("otp", urls=[srv.url],
                       server="http_auth = basic\nhttp_user = svc\nsecrets = %s" % secrets)
        code = cli("hotp", "--key", KEY20, "--counter", "0")
        self.assertOutcome(self.login("hotp-user", self.same_answer(code)), "PAM_SUCCESS", 0)
        self.secrets("[server]\nhttp_password = wrong\n")
        r = self.login("hotp-user", self.same_answer(code))
        self.assertOutcome(r, "PAM_AUTH_ERR", 33)
        self.assertNotIn("hunter2", r.log)

    def test_client_certificate(self):
        srv = self.server("mtls", client_ca=self.certs["client_ca_cert"])
        self.configure("otp", urls=[srv.url],
                       server="client_cert = %s\nclient_key = %s" % (self.certs["client_cert"],
                                                                    self.certs["client_key"]))
        code = cli("hotp", "--key", KEY20, "--counter", "0")
        self.assertOutcome(self.login("hotp-user", self.same_answer(code)), "PAM_SUCCESS", 0)
        self.configure("otp", urls=[srv.url])
        r = self.login("hotp-user", self.same_answer(code))
        self.assertNotEqual(r.name, "PAM_SUCCESS")
        self.assertIn(r.reason(), (32, 39))

    def test_pinned_key(self):
        self.configure("otp", server="pinned_pubkey = %s" % self.certs["pin"])
        code = cli("hotp", "--key", KEY20, "--counter", "0")
        self.assertOutcome(self.login("hotp-user", self.same_answer(code)), "PAM_SUCCESS", 0)
        self.configure("otp", server="pinned_pubkey = sha256//"
                       "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
        self.assertOutcome(self.login("hotp-user", self.same_answer(code)),
                           "PAM_AUTHINFO_UNAVAIL", 32)


if __name__ == "__main__":
    unittest.main(verbosity=2)
