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
import socket
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2elib as e  # noqa: E402

SERVICE = "sudo-crauth"
PROMPT = r"Response to challenge (\d+): "


class SudoCase(unittest.TestCase):
    sudo_defaults = ()   # extra sudoers Defaults for the test user

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

    def test_single_prompt_two_runs(self):
        """single_prompt = yes, local backend: `echo X | sudo -S` twice.

        Expected once implemented (single_prompt in crauth.conf(5)): the first
        run's answer only triggers the challenge, which is shown as a message
        (it must be PAM_ERROR_MSG: sudo authenticates with PAM_SILENT, and
        the module holds back PAM_TEXT_INFO then) while that run fails; the
        second run's answer is the response to the cached challenge.  Run
        with passwd_tries=1, see SudoServerSinglePrompt for why.
        """
        e.install_sudoers(self, self.user.name, ["passwd_tries=1"])
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
        # sudo 1.9.13 calls pam_authenticate(pamh, PAM_SILENT), always; the
        # module still shows the "Challenge: N" line that goes with the
        # prompt, since it is part of the question, not information.
        self.assertIn("Challenge: %s\n" % first, p.out)

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

    def test_ctrl_c_cancels(self):
        """^C at the prompt: the terminal's SIGINT goes to sudo's process
        group, not to the helper (a session of its own, SIGINT ignored), so
        the attempt ends as `cancelled` (17), not `helper-crashed` (71)."""
        p = self.sudo()
        p.expect(PROMPT)
        os.write(p.fd, b"\x03")
        p.wait()
        got = self.log.wait_attempts(SERVICE, 1, self.since)
        self.assertEqual([r for r, *_ in got], [17], got)

    def test_hangup_cancels(self):
        """The terminal goes away at the prompt: cancelled, not crashed."""
        p = self.sudo()
        p.expect(PROMPT)
        p.hangup()
        got = self.log.wait_attempts(SERVICE, 1, self.since)
        self.assertEqual([r for r, *_ in got], [17], got)


class SudoServerDown(SudoCase):
    """No server can be reached: sudo says "Sorry, try again" after each
    attempt, and before it the module's one line, an error message that
    sudo shows despite PAM_SILENT, says why."""

    def setUp(self):
        super().setUp()
        # a port that refuses: bound, never listening, held for the test
        self.refusing = socket.socket()
        self.addCleanup(self.refusing.close)
        self.refusing.bind(("127.0.0.1", 0))
        url = "https://127.0.0.1:%d/" % self.refusing.getsockname()[1]
        self.crauth.write_conf(backend="server", method="server-challenge", urls=[url],
                               keyword="getchallenge")

    WHY = r"The authentication server could not be reached\.\r?\n"

    def test_terminal_says_why_every_time(self):
        p = self.sudo()
        for _ in range(2):
            p.expect(self.WHY)
            p.expect(r"Sorry, try again\.")
        p.expect(self.WHY)
        p.expect(r"3 incorrect password attempts")
        self.assertEqual(p.wait(), 1, p.out)
        self.assertEqual(p.out.count("could not be reached"), 3, p.out)
        self.log.assert_reasons(self, SERVICE, [30, 30, 30], self.since)

    def test_stdin(self):
        """sudo -S: the line goes to standard error, which a script sees."""
        e.install_sudoers(self, self.user.name, ["passwd_tries=1"])
        p = self.sudo("-S", driver=e.Piped)
        p.close_stdin()
        self.assertEqual(p.wait(), 1, p.out)
        self.assertIn("The authentication server could not be reached.", p.out)
        self.log.assert_reasons(self, SERVICE, [30], self.since)


class SudoServerSinglePrompt(SudoCase):
    """single_prompt = yes with the reference authUser server (server-challenge,
    keyword configured): one question per PAM transaction.

    Attempt 1 asks nothing: the helper sends the keyword, the server issues
    a challenge, the module shows it as PAM_ERROR_MSG ("Enter challenge N
    into your token -- enter the response at the next prompt.", which sudo
    prints despite PAM_SILENT) and the attempt fails with reason 21
    (challenge-issued).  The next attempt -- sudo's own retry, or the next
    sudo run -- answers the kept challenge.
    """

    def setUp(self):
        super().setUp()
        self.srv, ca_file = e.reference_server(self, self.user.name)
        self.crauth.write_conf(backend="server", method="server-challenge", urls=[self.srv.url],
                               ca_file=ca_file, keyword="getchallenge", single_prompt="yes")

    ISSUED = r"Enter challenge (\d+) into your token -- enter the response at the next prompt\."

    def test_terminal_retry_answers_the_challenge(self):
        p = self.sudo()
        q = p.expect(self.ISSUED).group(1)
        p.expect(r"Sorry, try again\.")
        self.assertEqual(p.expect(PROMPT).group(1), q)
        p.send(e.ocra(q))
        self.assertEqual(p.wait(), 0, p.out)
        self.log.assert_reasons(self, SERVICE, [21, 0], self.since)

    def test_stdin_read_by_a_program(self):
        """sudo -S: the message goes to stderr (no tty), the retry reads stdin."""
        p = self.sudo("-S", driver=e.Piped)
        q = p.expect(self.ISSUED).group(1)
        self.assertEqual(p.expect(PROMPT).group(1), q)
        p.send(e.ocra(q))
        self.assertEqual(p.wait(), 0, p.out)
        self.log.assert_reasons(self, SERVICE, [21, 0], self.since)

    def run_piped(self, line):
        """`echo LINE | sudo -S ...`: stdin written and closed before sudo asks."""
        p = self.sudo("-S", driver=e.Piped)
        p.send(line)
        p.close_stdin()
        return p.wait(), p.out

    def test_two_runs_with_passwd_tries_1(self):
        """The scripted two-run flow (`echo X | sudo -S` twice) works when sudo
        makes one attempt per run: Defaults passwd_tries=1."""
        e.install_sudoers(self, self.user.name, ["passwd_tries=1"])
        status, out = self.run_piped("ignored")
        self.assertEqual(status, 1, out)
        q = e.challenge_in(out)
        self.assertIsNotNone(q, out)
        status, out = self.run_piped(e.ocra(q))
        self.assertEqual(status, 0, out)
        self.log.assert_reasons(self, SERVICE, [21, 0], self.since)

    def test_two_runs_with_sudo_retries(self):
        """The same flow with sudo's default 3 tries: run 1's own retries take
        the challenge -- attempt 2 reads the piped line (wrong, kept), attempt
        3 meets end of input (cancelled, the challenge is put back) -- so
        run 2's response still meets the challenge run 1 showed."""
        status, out = self.run_piped("ignored")
        q = e.challenge_in(out)
        self.assertIsNotNone(q, out)
        got = self.log.wait_attempts(SERVICE, 3, self.since)
        self.assertEqual([r for r, *_ in got], [21, 10, 17])
        self.assertIn("challenge_kept=unanswered", got[2][3])
        status, out = self.run_piped(e.ocra(q))
        self.assertEqual(status, 0, out)


class SudoServerThroughBroker(SudoCase):
    """The same server login with its calls handed to crauth-broker: sudo's
    helper (run as root) asks a broker of root's, and the second sudo run's
    calls go over the connection the broker kept from the first."""

    def setUp(self):
        super().setUp()
        self.srv, ca_file = e.reference_server(self, self.user.name)
        sock = e.start_broker(self, self.crauth)
        self.crauth.write_conf(backend="server", method="server-challenge", urls=[self.srv.url],
                               ca_file=ca_file, keyword="getchallenge", broker=sock)

    def test_two_sudo_runs_one_tls_handshake(self):
        for run in (1, 2):
            p = self.sudo()
            q = p.expect(PROMPT).group(1)
            p.send(e.ocra(q))
            self.assertEqual(p.wait(), 0, p.out)
            if run == 1:
                handshakes = self.srv.stats["tls_handshakes"]
        self.assertEqual(self.srv.stats["tls_handshakes"], handshakes)
        self.log.assert_reasons(self, SERVICE, [0, 0], self.since)


if __name__ == "__main__":
    e.require_root()
    unittest.main(verbosity=2)
