#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The real su and login with pam_crauth.so, without touching /etc/pam.d.

su and login have fixed PAM service names ("su", "login") and no option to
choose another, so a service file of their own is not possible.  Instead
each runs inside a private mount namespace (`unshare --mount
--propagation private`) in which the file generated from conf/pam.d/su or
conf/pam.d/login is bind-mounted over /etc/pam.d/su or /etc/pam.d/login.
Only the processes in that namespace see it; the real file is never opened
for writing, and the mount disappears with the namespace's last process.
The @include'd common-* files are the machine's own.

su is run by `nobody` (setpriv), so it really authenticates the target
user, as for any non-root caller (root would pass pam_rootok).  login is run
by root on a pty, as getty would, with the user name on its command line.
"""
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2elib as e  # noqa: E402

PROMPT = r"Challenge: (\d+)\nResponse to challenge (\d+): "


def in_namespace(pam_file, service, *command):
    """argv: `command` in a mount namespace where /etc/pam.d/`service` is `pam_file`."""
    target = os.path.join(e.PAM_DIR, service)
    return ["unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-c",
            'mount --bind "$1" "$2" && shift 2 && exec "$@"', "sh", pam_file, target, *command]


class SuLoginCase(unittest.TestCase):
    snippet = None

    def setUp(self):
        missing = e.need("/usr/bin/unshare", "/usr/bin/setpriv", "/bin/su", "/bin/login")
        if missing:
            self.skipTest("missing %s: apt-get install util-linux login" % missing)
        e.lock_machine(self)
        self.log = e.LogCapture(self)
        self.user = e.TestUser(self)
        self.crauth = e.Crauth(self, self.user.name)
        self.pam_file = e.private_pam_file(self.crauth, self.snippet)
        self.since = self.log.mark()

    def answer_challenge(self, p, right=True):
        """Read the info line and prompt (both on the tty: misc_conv), answer."""
        m = p.expect(PROMPT)
        self.assertEqual(m.group(1), m.group(2))
        code = e.ocra(m.group(1))
        p.send(code if right else e.wrong(code))


class Su(SuLoginCase):
    snippet = "su"

    def su(self):
        cmd = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--",
               "su", self.user.name, "-c", "echo SU-AS-$(id -un)"]
        return e.Pty(self, in_namespace(self.pam_file, "su", *cmd))

    def test_password_then_token(self):
        p = self.su()
        p.expect(r"Password: ")
        p.send(self.user.password)
        self.answer_challenge(p)
        p.expect("SU-AS-" + re.escape(self.user.name))
        self.assertEqual(p.wait(), 0, p.out)
        (_r, _n, user, line), = self.log.assert_reasons(self, "su", [0], self.since)
        self.assertEqual(user, self.user.name)
        self.assertIn("tty=/dev/pts/", line)

    def test_wrong_response(self):
        p = self.su()
        p.expect(r"Password: ")
        p.send(self.user.password)
        self.answer_challenge(p, right=False)
        p.expect(r"su: Authentication failure")
        self.assertEqual(p.wait(), 1, p.out)
        self.log.assert_reasons(self, "su", [10], self.since)

    def test_wrong_password_never_reaches_token(self):
        """common-auth's pam_deny is requisite: a wrong password ends the stack,
        so no challenge is shown and pam_crauth.so logs nothing."""
        p = self.su()
        p.expect(r"Password: ")
        p.send("not-the-password")
        p.expect(r"su: Authentication failure")
        self.assertEqual(p.wait(), 1, p.out)
        self.assertNotIn("Challenge", p.out)
        # su logs "FAILED SU" after the whole stack has run; any line of
        # pam_crauth.so would have come before it on the same socket.
        self.log.wait_line(r"FAILED SU \(to %s\)" % re.escape(self.user.name), self.since)
        self.assertEqual(self.log.attempts("su", self.since), [])


class Login(SuLoginCase):
    """login(1) from the `login` package (shadow), on a pty, started by root."""

    snippet = "login"

    def login(self):
        return e.Pty(self, in_namespace(self.pam_file, "login", "login", self.user.name))

    def test_password_then_token_then_shell(self):
        p = self.login()
        p.expect(r"Password: ")
        p.send(self.user.password)
        self.answer_challenge(p)
        p.expect(r"\$ ")   # the user's bash prompt: logged in
        # What the shell prints differs from what the tty echoes back.
        p.send('echo "LOGIN-AS-$(id -un)"; exit')
        p.expect(r"\nLOGIN-AS-" + re.escape(self.user.name))
        self.assertEqual(p.wait(), 0, p.out)
        (_r, _n, _u, line), = self.log.assert_reasons(self, "login", [0], self.since)
        self.assertIn("tty=/dev/pts/", line)
        self.assertIn(" rhost=- ", line)   # login sets PAM_RHOST to ""

    def test_wrong_response(self):
        p = self.login()
        p.expect(r"Password: ")
        p.send(self.user.password)
        self.answer_challenge(p, right=False)
        # pam_faildelay in the snippet: 3 s, then login asks for a name again
        p.expect(r"Login incorrect")
        p.expect(r"login: ")   # it asks for a name again; the terminal goes away
        p.hangup()
        self.log.assert_reasons(self, "login", [10], self.since)


if __name__ == "__main__":
    e.require_root()
    unittest.main(verbosity=2)
