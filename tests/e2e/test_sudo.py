#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The real sudo with pam_crauth.so, run by an ordinary user.

sudo's PAM service is chosen per user in /etc/sudoers.d/crauth-e2e
(`Defaults:USER pam_service=sudo-crauth`), so /etc/pam.d/sudo is untouched;
/etc/pam.d/sudo-crauth is generated from conf/pam.d/sudo.  The user runs
sudo through `runuser -u USER --` (root starting a process as the user,
without authentication of its own), on a pty or, for `sudo -S`, on pipes.
"""
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2elib as e  # noqa: E402

SERVICE = "sudo-crauth"
PROMPT = r"Response to challenge (\d+): "


class SudoCase(unittest.TestCase):
    sudo_defaults = ()

    def setUp(self):
        missing = e.need("/usr/bin/sudo", "/usr/sbin/runuser", "/usr/sbin/visudo")
        if missing:
            self.skipTest("missing %s: apt-get install sudo util-linux" % missing)
        e.lock_machine(self)
        self.log = e.LogCapture(self)
        self.user = e.TestUser(self)
        self.crauth = e.Crauth(self, self.user.name)
        e.install_pam_service(self, SERVICE, "sudo", self.crauth)
        e.install_sudoers(self, self.user.name, self.sudo_defaults)
        self.since = self.log.mark()

    def sudo(self, *sudo_args, driver=e.Pty):
        return driver(self, ["runuser", "-u", self.user.name, "--", "sudo", *sudo_args,
                             "-u", "root", "/usr/bin/id", "-u"])

    def use_totp(self):
        """method = otp with a TOTP token: the only answer is a code, no challenge."""
        self.crauth.write_tokens("%s totp/30/6/sha1 %s\n" % (self.user.name, e.KEY20))
        self.crauth.write_conf(method="otp")


class SudoStdin(SudoCase):
    """`sudo -S`: the answer comes on stdin, prompts go to stderr."""

    def test_totp_code_on_stdin(self):
        self.use_totp()
        p = self.sudo("-S", driver=e.Piped)
        p.send(e.totp())
        self.assertEqual(p.wait(), 0, p.out)
        self.assertRegex(p.out, r"One-time password: \n?0\n")
        self.log.assert_reasons(self, SERVICE, [0], self.since)

    def test_wrong_code_on_stdin(self):
        """A wrong code; sudo asks again, stdin is at EOF: sudo gives up.

        The second attempt ends as `cancelled` (17): sudo's conversation
        fails at EOF ("no password was provided").
        """
        self.use_totp()
        p = self.sudo("-S", driver=e.Piped)
        p.send(e.wrong(e.totp()))
        p.close_stdin()
        self.assertEqual(p.wait(), 1, p.out)
        self.assertIn("Sorry, try again.", p.out)
        self.log.assert_reasons(self, SERVICE, [10, 17], self.since)

    def test_challenge_read_from_stderr(self):
        """client-challenge works with -S for a program that reads the prompt
        (it is on stderr, challenge included) before it writes the answer.
        Scripts that pipe the answer in blindly cannot: see the skip below."""
        p = self.sudo("-S", driver=e.Piped)
        q = p.expect(PROMPT).group(1)
        p.send(e.ocra(q))
        self.assertEqual(p.wait(), 0, p.out)
        self.assertTrue(p.out.endswith("0\n"), p.out)
        self.log.assert_reasons(self, SERVICE, [0], self.since)

    @unittest.skip("single_prompt not implemented yet in the helper (cache issue)")
    def test_single_prompt_two_runs(self):
        """single_prompt = yes: `echo X | sudo -S` twice, as ansible does.

        Expected once implemented (DESIGN.md §2 "single prompt"): the first
        run's answer only triggers the challenge, which is shown as a message
        (it must be PAM_ERROR_MSG: sudo authenticates with PAM_SILENT, and
        the module holds back PAM_TEXT_INFO then) while that run fails; the
        second run's answer is the response to the cached challenge.
        """
        self.crauth.write_conf(single_prompt="yes")
        p = self.sudo("-S", driver=e.Piped)
        p.send("anything")
        p.close_stdin()
        self.assertNotEqual(p.wait(), 0)
        q = e.challenge_in(p.out)
        self.assertIsNotNone(q, "the first run should show the challenge:\n" + p.out)
        p = self.sudo("-S", driver=e.Piped)
        p.send(e.ocra(q))
        p.close_stdin()
        self.assertEqual(p.wait(), 0, p.out)
        self.assertEqual(self.log.wait_attempts(SERVICE, 2, self.since)[-1][0], 0)


class SudoTerminal(SudoCase):
    """sudo on a terminal: the challenge is in the prompt; sudo retries."""

    def test_wrong_then_right_new_challenge(self):
        p = self.sudo()
        first = p.expect(PROMPT).group(1)
        p.send(e.wrong(e.ocra(first)))
        p.expect(r"Sorry, try again\.")
        second = p.expect(PROMPT).group(1)   # a new PAM transaction: a new challenge
        self.assertNotEqual(first, second)
        p.send(e.ocra(second))
        self.assertEqual(p.wait(), 0, p.out)
        self.assertTrue(p.out.endswith("\n0\n"), p.out)
        self.log.assert_reasons(self, SERVICE, [10, 0], self.since)
        # sudo authenticates with PAM_SILENT (sudoers `pam_silent`, on by
        # default), so the module holds back the "Challenge: N" info line:
        # the prompt is the only place the challenge shows up.
        self.assertNotIn("Challenge:", p.out)

    def test_three_wrong_answers(self):
        p = self.sudo()
        for _ in range(3):
            p.send(e.wrong(e.ocra(p.expect(PROMPT).group(1))))
        p.expect(r"3 incorrect password attempts")
        self.assertEqual(p.wait(), 1, p.out)
        self.log.assert_reasons(self, SERVICE, [10, 10, 10], self.since)

    def test_ctrl_d_cancels(self):
        """End of input at the prompt: the attempt ends as `cancelled` (17)."""
        p = self.sudo()
        p.expect(PROMPT)
        os.write(p.fd, b"\x04")   # ^D: sudo's tgetpass sees EOF
        self.assertEqual(p.wait(), 1, p.out)
        self.log.assert_reasons(self, SERVICE, [17], self.since)


class SudoNotSilent(SudoCase):
    """With `Defaults !pam_silent` sudo shows PAM_TEXT_INFO lines."""

    sudo_defaults = ("!pam_silent",)

    def test_info_line_shown(self):
        p = self.sudo()
        m = p.expect(r"Challenge: (\d+)\n" + PROMPT)
        self.assertEqual(m.group(1), m.group(2))
        p.send(e.ocra(m.group(1)))
        self.assertEqual(p.wait(), 0, p.out)
        self.log.assert_reasons(self, SERVICE, [0], self.since)


if __name__ == "__main__":
    e.require_root()
    unittest.main(verbosity=2)
