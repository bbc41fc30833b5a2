#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""What real OneSpan servers answer, through the real libpam against the
reference server: the specific status codes (and the generic ones), the
server-side error, echoes of the key or challenge on success, a refusal
that brings a new challenge, the message-only challenge of the Virtual
Mobile Authenticator, every reply shape, and the messages and host code a
success shows."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serverfixture import KEY20, OneSpanCase, challenge_of, cli, ocra, ph  # noqa: E402


def hotp(counter):
    return cli("hotp", "--key", KEY20, "--counter", str(counter))


class Statuses(OneSpanCase):
    def test_wrong_otp_specific_and_generic(self):
        self.configure("otp")
        r = self.login("hotp-user", self.same_answer("000000"))
        self.assertOutcome(r, "PAM_AUTH_ERR", 10)
        self.assertIn("status=-1/1012 STAT_OTP_INCORRECT", r.log)
        self.srv.set_options(generic_status=True)
        r = self.login("hotp-user", self.same_answer("000000"))
        self.assertOutcome(r, "PAM_AUTH_ERR", 10)
        self.assertIn("status=-1/1000 STAT_INVCREDENTIALS", r.log)
        listing = cli("cache", "list", "--user", "hotp-user", "--conf", self.conf)
        self.assertIn("count=2", listing)                 # both counted

    def test_wrong_static_password(self):
        self.service("crauth-tfp", ["try_first_pass"], password_first=True)
        self.configure("otp")
        r = self.login("hotp-static", lambda b: ["nope" if t == "Password: " else hotp(0)
                                                 for _, t in b], service="crauth-tfp")
        self.assertOutcome(r, "PAM_AUTH_ERR", 10)
        self.assertIn("1011 STAT_LOCAL_PASSWORD_MISMATCH", r.log)

    def test_disabled_locked_unknown(self):
        self.configure("otp")
        self.srv.update_user("hotp-user", disabled=True)
        r = self.login("hotp-user", self.same_answer(hotp(0)))
        self.assertOutcome(r, "PAM_PERM_DENIED", 22)
        self.assertIn("account-disabled", r.log)
        self.srv.set_options(generic_status=True)         # 1009 becomes 1000
        self.assertOutcome(self.login("hotp-user", self.same_answer(hotp(0))), "PAM_AUTH_ERR", 10)

    def test_storage_error_is_no_verdict(self):
        other = self.server("B")
        self.srv.set_fault("storage_error")
        self.configure("otp", urls=[self.srv.url, other.url])
        r = self.login("hotp-user", self.same_answer(hotp(0)))
        self.assertOutcome(r, "PAM_SUCCESS", 0)            # B judged
        self.assertIn("server-error", r.log)
        self.configure("otp")
        r = self.login("hotp-user", self.same_answer(hotp(1)))
        self.assertOutcome(r, "PAM_AUTH_ERR", 40)          # fails closed

    def test_status_by_name_when_the_number_is_unknown(self):
        # auto: a refusal named STAT_OTP_INCORRECT with a number no table has,
        # carrying a challenge, is a wrong answer with a new challenge
        self.srv.set_options(challenge_codes=(-1, 4242, "RET_FAILURE", "STAT_OTP_INCORRECT"))
        self.configure("auto", keyword="getchallenge")
        r = self.login("twostep", self.kbdint(answer=lambda c: "1"))
        self.assertOutcome(r, "PAM_AUTH_ERR", 10)
        self.assertIn("new_challenge=sent with the refusal", r.log)
        # the name and the number disagreeing: refused, never a success
        self.srv.set_options(challenge_codes=(-1, 1012, "RET_FAILURE", "STAT_LOCKED"))
        r = self.login("twostep", self.kbdint())
        self.assertOutcome(r, "PAM_AUTH_ERR", 38)
        self.assertIn("statusCode and statusCodeEnum disagree", r.log)


class Verdicts(OneSpanCase):
    def test_success_echoing_the_key_or_challenge(self):
        for echo in ("key", "challenge", "both"):
            with self.subTest(echo=echo):
                self.srv.set_options(echo_challenge=echo, one_step_cr="any",
                                     challenge_check_mode=0)
                self.configure("server-challenge")
                self.assertOutcome(self.login("twostep", self.kbdint()), "PAM_SUCCESS", 0)
                self.configure("client-challenge")
                self.assertOutcome(self.login("onestep", self.kbdint()), "PAM_SUCCESS", 0)
                self.srv.set_options(one_step_cr="server")
                self.configure("get-challenge")
                self.assertOutcome(self.login("onestep", self.kbdint()), "PAM_SUCCESS", 0)

    def test_refusal_with_a_new_challenge_is_kept_for_the_retry(self):
        """server-challenge and sudo's retry: the new challenge replaces the old."""
        self.configure("server-challenge")
        self.srv.set_fault("failure_with_challenge", count=1, step="response")
        r1 = self.login("twostep", self.kbdint(answer=lambda c: "000000"))
        self.assertOutcome(r1, "PAM_AUTH_ERR", 10)
        self.assertIn("new_challenge=replaces the old one", r1.log)
        old = challenge_of(r1.calls[-1])
        r2 = self.login("twostep", self.kbdint())
        self.assertOutcome(r2, "PAM_SUCCESS", 0)
        self.assertNotEqual(challenge_of(r2.calls[-1]), old)
        self.assertEqual([q.kind for q in self.srv.requests], ["request", "response", "response"])

    def test_new_challenge_where_the_method_cannot_show_it(self):
        self.configure("otp")
        self.srv.set_fault("failure_with_challenge")
        r = self.login("twostep", self.same_answer("123456"))
        self.assertOutcome(r, "PAM_AUTH_ERR", 10)
        self.assertIn("new_challenge=not used by this method", r.log)


class VirtualMobile(OneSpanCase):
    def test_server_challenge_message_only(self):
        for user, keyed in (("vma-user", True), ("vma-nokey", False)):
            with self.subTest(user=user):
                before = len(self.srv.requests)
                self.configure("server-challenge", keyword="sms")
                r = self.login_as(user, self.conversation(None))
                self.assertOutcome(r, "PAM_SUCCESS", 0)
                self.assertEqual(r.texts(ph.PAM_TEXT_INFO), ["An OTP has been sent to your phone"])
                self.assertEqual(r.texts(ph.PAM_PROMPT_ECHO_OFF), ["One-time password: "])
                step2 = self.srv.requests[before + 1].attributes
                self.assertEqual("CREDFLD_CHALLENGE_KEY" in step2, keyed)

    def test_single_prompt(self):
        self.configure("server-challenge", keyword="sms", auth="single_prompt = yes")
        self.user = "vma-user"
        r1 = self.login("vma-user", self.same_answer("x"))
        self.assertOutcome(r1, "PAM_AUTH_ERR", 21)
        self.assertIn("An OTP has been sent to your phone -- enter the response at the next "
                      "prompt.", r1.texts(ph.PAM_ERROR_MSG))
        r2 = self.login("vma-user", self.same_answer(self.srv.sent_otps["vma-user"]))
        self.assertOutcome(r2, "PAM_SUCCESS", 0)


class Shapes(OneSpanCase):
    """Each reply shape on the three kinds of reply: a challenge, a success,
    a refusal."""

    def test_each_shape(self):
        for shape in ("no_wrapper", "padded_values", "valueless_attribute",
                      "repeated_status_message", "latin1", "typed_leaves", "self_closed"):
            with self.subTest(shape=shape):
                self.srv.set_shape(shape)
                self.configure("server-challenge")
                self.assertOutcome(self.login("twostep", self.kbdint()), "PAM_SUCCESS", 0)
                r = self.login("twostep", self.kbdint(answer=lambda c: "000000"))
                self.assertOutcome(r, "PAM_AUTH_ERR", 10)
                self.srv.set_options(one_step_cr="server")
                self.configure("get-challenge")
                self.assertOutcome(self.login("onestep", self.kbdint()), "PAM_SUCCESS", 0)
        self.srv.set_shape()

    def test_all_shapes_at_once(self):
        self.srv.set_shape("no_wrapper", "padded_values", "valueless_attribute",
                           "repeated_status_message", "latin1", "typed_leaves", "self_closed")
        self.configure("otp")
        self.assertOutcome(self.login("hotp-user", self.same_answer(hotp(0))), "PAM_SUCCESS", 0)
        r = self.login("hotp-user", self.same_answer("000000"))
        self.assertOutcome(r, "PAM_AUTH_ERR", 10)

    def test_latin1_message_reaches_the_log_as_utf8(self):
        self.srv.set_shape("latin1")
        self.configure("otp")
        r = self.login("hotp-user", self.same_answer("000000"))
        self.assertOutcome(r, "PAM_AUTH_ERR", 10)
        self.assertIn("ung\u00fcltige Anmeldung", r.log)


class Messages(OneSpanCase):
    def test_auxiliary_message_and_password_expiry(self):
        self.srv.update_user("hotp-user", auxiliary_message="Maintenance on Sunday\u009b2J",
                             password_expire_date="2026-12-31")
        self.configure("otp")
        r = self.login("hotp-user", self.same_answer(hotp(0)))
        self.assertOutcome(r, "PAM_SUCCESS", 0)
        self.assertEqual(r.texts(ph.PAM_TEXT_INFO),
                         ["Maintenance on Sunday?2J", "Your password expires on 2026-12-31."])
        # a refusal shows nothing of the kind
        r = self.login("hotp-user", self.same_answer("000000"))
        self.assertEqual(r.texts(ph.PAM_TEXT_INFO), [])

    def test_host_code(self):
        self.configure("otp", server="request_host_code = yes")
        code = hotp(0)
        r = self.login("hotp-user", self.same_answer(code))
        self.assertOutcome(r, "PAM_SUCCESS", 0)
        sent = self.srv.requests[-1].attributes
        self.assertIn("CREDFLD_REQUEST_HOST_CODE", sent)
        host_code = self.srv.host_code_for("hotp-user", code)
        self.assertEqual(r.texts(ph.PAM_TEXT_INFO),
                         ["Host code: %s (check it on your token)" % host_code])
        # two steps: asked with the response, not with the request
        self.configure("server-challenge", server="request_host_code = yes")
        r = self.login("twostep", self.kbdint())
        self.assertOutcome(r, "PAM_SUCCESS", 0)
        step1, step2 = [q.attributes for q in self.srv.requests[-2:]]
        self.assertNotIn("CREDFLD_REQUEST_HOST_CODE", step1)
        self.assertIn("CREDFLD_REQUEST_HOST_CODE", step2)
        response = ocra(challenge_of(r.calls[0]))
        self.assertIn("Host code: %s (check it on your token)"
                      % self.srv.host_code_for("twostep", response), r.texts(ph.PAM_TEXT_INFO))
        # not asked: not sent, not shown
        self.configure("otp")
        r = self.login("hotp-user", self.same_answer(hotp(1)))
        self.assertNotIn("CREDFLD_REQUEST_HOST_CODE", self.srv.requests[-1].attributes)
        self.assertEqual(r.texts(ph.PAM_TEXT_INFO), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
