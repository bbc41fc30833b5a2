#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""What real OneSpan sites configure, through the real libpam against the
reference server: the password formats (0, 4, any number, CREDFLD_DP_RESPONSE),
the 2-step request methods and back-end authentication, method auto serving
OTP, 2-step and Virtual Mobile Authenticator users on one host, and method
get-challenge (getChallenge, then authUser with the key)."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serverfixture import KEY20, OneSpanCase, challenge_of, cli, ocra, ph  # noqa: E402

class PasswordFormats(OneSpanCase):
    def test_format_4_sends_the_keyword_as_static_password(self):
        """The seed's own 2-step example: format 4, keyword in STATIC_PASSWORD."""
        self.configure("server-challenge", server="password_format = 4")
        r = self.login("twostep", self.kbdint())
        self.assertOutcome(r, "PAM_SUCCESS", 0)
        step1, step2 = self.srv.requests
        self.assertEqual(step1.attributes["CREDFLD_PASSWORD_FORMAT"], "4")
        self.assertEqual(step1.types["CREDFLD_PASSWORD_FORMAT"], "xsd:unsignedInt")
        self.assertEqual(step1.attributes["CREDFLD_STATIC_PASSWORD"], "getchallenge")
        self.assertNotIn("CREDFLD_PASSWORD", step1.attributes)
        self.assertEqual(step2.attributes["CREDFLD_PASSWORD"], ocra(challenge_of(r.calls[0])))
        self.assertNotIn("CREDFLD_STATIC_PASSWORD", step2.attributes)

    def test_dp_response(self):
        self.srv.set_options(otp_attribute="CREDFLD_DP_RESPONSE")
        self.configure("server-challenge", server="password_format = 4\n"
                       "response_attribute = CREDFLD_DP_RESPONSE")
        r = self.login("twostep", self.kbdint())
        self.assertOutcome(r, "PAM_SUCCESS", 0)
        step2 = self.srv.requests[1].attributes
        self.assertEqual(step2["CREDFLD_DP_RESPONSE"], ocra(challenge_of(r.calls[0])))
        self.assertNotIn("CREDFLD_PASSWORD", step2)
        # an OTP with the static password of the previous module
        self.service("crauth-tfp", ["try_first_pass"], password_first=True)
        self.configure("otp", server="password_format = 4\n"
                       "response_attribute = CREDFLD_DP_RESPONSE")
        code = cli("hotp", "--key", KEY20, "--counter", "0")
        r = self.login("hotp-static", lambda b: ["S3cret!" if t == "Password: " else code
                                                 for _, t in b], service="crauth-tfp")
        self.assertOutcome(r, "PAM_SUCCESS", 0)
        sent = self.srv.requests[-1].attributes
        self.assertEqual((sent["CREDFLD_STATIC_PASSWORD"], sent["CREDFLD_DP_RESPONSE"]),
                         ("S3cret!", code))
        self.assertNotIn("CREDFLD_PASSWORD", sent)

    def test_any_unsigned_32_bit_format(self):
        self.srv.set_options(separate_formats=(1, 4, 4294967295))
        self.configure("server-challenge", server="password_format = 4294967295")
        self.assertOutcome(self.login("twostep", self.kbdint()), "PAM_SUCCESS", 0)
        step1 = self.srv.requests[0]
        self.assertEqual(step1.attributes["CREDFLD_PASSWORD_FORMAT"], "4294967295")
        self.assertEqual(step1.attributes["CREDFLD_STATIC_PASSWORD"], "getchallenge")
        # a format the server does not know is its Fault: no verdict
        self.configure("server-challenge", server="password_format = 7")
        self.assertOutcome(self.login("twostep", self.kbdint()), "PAM_AUTH_ERR", 36)


class RequestMethods(OneSpanCase):
    # user, [auth] request, keyword, what the user types, the step-1 request
    CASES = (
        ("twostep", "keyword", "getchallenge", None, "getchallenge"),
        ("twostep-pw", "password", "", "pw1", "pw1"),
        ("twostep-kwpw", "keyword+password", "cr", "pw2", "crpw2"),
        ("rm-pwkw", "password+keyword", "cr", "pw3", "pw3cr"),
    )

    def test_every_request_method_in_both_formats(self):
        for fmt in (0, 4):
            for user, request, keyword, typed, sent in self.CASES:
                with self.subTest(format=fmt, request=request):
                    before = len(self.srv.requests)
                    self.configure("server-challenge", keyword=keyword,
                                   server="password_format = %d" % fmt,
                                   auth="request = %s" % request)
                    r = self.login(user, self.kbdint(request=typed))
                    self.assertOutcome(r, "PAM_SUCCESS", 0)
                    prompts = r.texts(ph.PAM_PROMPT_ECHO_OFF)
                    self.assertEqual(prompts[0] == "Password or keyword: ", typed is not None)
                    step1, step2 = [q.attributes for q in self.srv.requests[before:]]
                    where = "CREDFLD_PASSWORD" if fmt == 0 else "CREDFLD_STATIC_PASSWORD"
                    self.assertEqual(step1[where], sent)
                    self.assertEqual(len([a for a in step1 if "PASSWORD" in a
                                          and a != "CREDFLD_PASSWORD_FORMAT"]), 1)
                    self.assertIn("CREDFLD_CHALLENGE_KEY", step2)
                    self.assertNotIn("CREDFLD_STATIC_PASSWORD", step2)

    def test_static_password_from_the_previous_module(self):
        self.service("crauth-ufp", ["use_first_pass"], password_first=True)
        self.configure("server-challenge", keyword="cr", server="password_format = 4",
                       auth="request = keyword+password")
        r = self.login("twostep-kwpw", self.kbdint(request="pw2"), service="crauth-ufp")
        self.assertOutcome(r, "PAM_SUCCESS", 0)
        self.assertEqual(self.srv.requests[0].attributes["CREDFLD_STATIC_PASSWORD"], "crpw2")
        self.assertEqual(r.texts(ph.PAM_PROMPT_ECHO_OFF)[0], "Password: ")  # pam_settok's own

    def test_wrong_static_password_is_a_wrong_answer(self):
        self.configure("server-challenge", keyword="", auth="request = password")
        r = self.login("twostep-pw", self.kbdint(request="nope"))
        self.assertOutcome(r, "PAM_AUTH_ERR", 10)
        self.assertIn("1011 STAT_LOCAL_PASSWORD_MISMATCH", r.log)
        self.assertEqual(len(self.srv.requests), 1)

    def test_back_end_authentication(self):
        """Keyword in step 1; the static password and the OTP in step 2."""
        for fmt in (0, 4):
            with self.subTest(format=fmt):
                before = len(self.srv.requests)
                self.configure("server-challenge", server="password_format = %d" % fmt,
                               auth="response = password+otp")
                r = self.login("backend", self.kbdint(request="pw4"))
                self.assertOutcome(r, "PAM_SUCCESS", 0)
                step1, step2 = [q.attributes for q in self.srv.requests[before:]]
                response = ocra(challenge_of(r.calls[-1]))
                if fmt == 0:
                    self.assertEqual(step1["CREDFLD_PASSWORD"], "getchallenge")
                    self.assertEqual(step2["CREDFLD_PASSWORD"], "pw4" + response)
                else:
                    self.assertEqual(step1["CREDFLD_STATIC_PASSWORD"], "getchallenge")
                    self.assertEqual((step2["CREDFLD_STATIC_PASSWORD"],
                                      step2["CREDFLD_PASSWORD"]), ("pw4", response))
        # without the password in the response step the server refuses
        self.configure("server-challenge")
        r = self.login("backend", self.kbdint())
        self.assertOutcome(r, "PAM_AUTH_ERR", 10)
        self.assertIn("STAT_LOCAL_PASSWORD_MISMATCH", r.log)

    def test_back_end_authentication_on_a_kept_challenge(self):
        """sudo's retry: the kept challenge is answered with the password again."""
        self.configure("server-challenge", auth="response = password+otp")
        r1 = self.login("backend", self.kbdint(request="pw4", answer=lambda c: "000000"))
        self.assertOutcome(r1, "PAM_AUTH_ERR", 10)
        r2 = self.login("backend", self.kbdint(request="pw4"))
        self.assertOutcome(r2, "PAM_SUCCESS", 0)
        self.assertEqual(challenge_of(r2.calls[-1]), challenge_of(r1.calls[-1]))
        self.assertEqual([q.kind for q in self.srv.requests], ["request", "response", "response"])
        self.assertTrue(self.srv.requests[-1].attributes["CREDFLD_PASSWORD"].startswith("pw4"))


class Auto(OneSpanCase):
    """One host, one config: OTP users, 2-step users and VMA users."""

    def setUp(self):
        super().setUp()
        self.configure("auto", keyword="")

    def test_otp_user(self):
        code = cli("hotp", "--key", KEY20, "--counter", "0")
        r = self.login_as("hotp-user", self.conversation(code))
        self.assertOutcome(r, "PAM_SUCCESS", 0)
        self.assertEqual(r.texts(ph.PAM_PROMPT_ECHO_OFF), ["One-time password: "])
        self.assertEqual(len(self.srv.requests), 1)
        self.assertEqual(self.srv.requests[0].attributes["CREDFLD_PASSWORD"], code)

    def test_two_step_user(self):
        r = self.login_as("twostep", self.conversation("getchallenge"))
        self.assertOutcome(r, "PAM_SUCCESS", 0)
        step1, step2 = self.srv.requests
        self.assertEqual(step1.attributes["CREDFLD_PASSWORD"], "getchallenge")
        self.assertIn("CREDFLD_CHALLENGE_KEY", step2.attributes)
        self.assertEqual(step1.conn_id, step2.conn_id)
        self.assertIn("rounds=1", r.log)
        self.assertRegex(r.texts(ph.PAM_PROMPT_ECHO_OFF)[1], r"^Response to challenge \d{8}: $")

    def test_vma_user(self):
        for user, keyed in (("vma-user", True), ("vma-nokey", False)):
            with self.subTest(user=user):
                before = len(self.srv.requests)
                r = self.login_as(user, self.conversation("sms"))
                self.assertOutcome(r, "PAM_SUCCESS", 0)
                self.assertIn("An OTP has been sent to your phone", r.texts(ph.PAM_TEXT_INFO))
                self.assertEqual(r.texts(ph.PAM_PROMPT_ECHO_OFF),
                                 ["One-time password: ", "One-time password: "])
                step2 = self.srv.requests[before + 1].attributes
                self.assertEqual("CREDFLD_CHALLENGE_KEY" in step2, keyed)
                self.assertIn("challenge=message only", r.log)

    def test_wrong_answer_with_a_new_challenge_counts_and_goes_on(self):
        self.srv.set_fault("failure_with_challenge", count=1, step="response")
        r = self.login_as("twostep", self.conversation("getchallenge"))
        # the first response met the fault; the new challenge was answered
        self.assertOutcome(r, "PAM_SUCCESS", 0)
        self.assertIn("Wrong response. The server sent a new challenge.",
                      r.texts(ph.PAM_ERROR_MSG))
        self.assertIn("new_challenge=sent with the refusal", r.log)
        self.assertEqual([q.kind for q in self.srv.requests], ["request", "response", "response"])
        first, second = [challenge_of([(ph.PAM_PROMPT_ECHO_OFF, t)])
                         for t in r.texts(ph.PAM_PROMPT_ECHO_OFF)[1:]]
        self.assertNotEqual(first, second)
        # a wrong answer to each: both count towards max_failures
        self.srv.set_fault("failure_with_challenge", count=1, step="response")
        r = self.login_as("twostep", self.conversation("getchallenge", answer=lambda c: "1"))
        self.assertOutcome(r, "PAM_AUTH_ERR", 10)
        listing = cli("cache", "list", "--user", "twostep", "--conf", self.conf)
        self.assertIn("count=2", listing)

    def test_keyword_configured(self):
        """auto with a keyword: the request goes as in server-challenge."""
        self.configure("auto", keyword="getchallenge", server="password_format = 4")
        r = self.login_as("twostep", self.conversation(None))
        self.assertOutcome(r, "PAM_SUCCESS", 0)
        self.assertEqual(self.srv.requests[0].attributes["CREDFLD_STATIC_PASSWORD"],
                         "getchallenge")
        self.assertEqual(len(r.texts(ph.PAM_PROMPT_ECHO_OFF)), 1)

    def test_keyword_taken_as_a_login_is_refused(self):
        """auto with a keyword: a success for the keyword alone (no
        challenge; "an OTP was sent" beside it) proves nothing the user
        holds, whatever the codes say."""
        self.configure("auto", keyword="getchallenge", server="password_format = 4")
        self.srv.set_fault("plain_success", auxiliary_message="An OTP has been sent")
        r = self.login_as("twostep", self.conversation(None))
        self.assertOutcome(r, "PAM_AUTH_ERR", 37)
        self.assertIn("took the configured keyword as a login", r.log)
        self.assertEqual(len(self.srv.requests), 1)
        # a code the user typed is theirs: the same reply to it is a verdict
        self.configure("auto", keyword="")
        r = self.login_as("twostep", self.conversation("123456"))
        self.assertOutcome(r, "PAM_SUCCESS", 0)


class GetChallenge(OneSpanCase):
    def test_server_challenge_with_its_key(self):
        self.srv.set_options(one_step_cr="server")
        self.configure("get-challenge")
        r = self.login("onestep", self.kbdint())
        self.assertOutcome(r, "PAM_SUCCESS", 0)
        get, auth = self.srv.requests
        self.assertEqual(get.operation, "getChallenge")
        self.assertEqual(set(get.attributes), {"CREDFLD_USERID", "CREDFLD_COMPONENT_TYPE"})
        self.assertEqual(auth.operation, "authUser")
        self.assertTrue(auth.attributes["CREDFLD_CHALLENGE_KEY"].startswith("A-"))
        self.assertNotIn("CREDFLD_CHALLENGE", auth.attributes)
        self.assertEqual(auth.attributes["CREDFLD_PASSWORD"], ocra(challenge_of(r.calls[0])))
        self.assertEqual(get.conn_id, auth.conn_id)

    def test_policy_refusal_names_the_fix(self):
        self.configure("get-challenge")          # one_step_cr = no: 1005
        r = self.login("onestep", self.kbdint())
        self.assertOutcome(r, "PAM_AUTH_ERR", 38)
        self.assertIn("1005 STAT_PERMISSION", r.log)
        self.assertIn("client component record", r.log)

    def test_answer_goes_to_the_server_that_made_the_challenge(self):
        other = self.server("B")
        other.set_options(one_step_cr="server")
        self.srv.set_fault("http_status", status=503)
        self.configure("get-challenge", urls=[self.srv.url, other.url])
        self.assertOutcome(self.login("onestep", self.kbdint()), "PAM_SUCCESS", 0)
        self.assertEqual([q.operation for q in other.requests], ["getChallenge", "authUser"])
        self.assertEqual([q.operation for q in self.srv.requests], ["getChallenge"])

    def test_unknown_and_disabled_users(self):
        self.srv.set_options(one_step_cr="server")
        self.configure("get-challenge")
        self.assertOutcome(self.login("nobody", self.kbdint()), "PAM_USER_UNKNOWN", 14)
        self.srv.update_user("onestep", disabled=True)
        self.assertOutcome(self.login("onestep", self.kbdint()), "PAM_PERM_DENIED", 22)


if __name__ == "__main__":
    unittest.main(verbosity=2)
