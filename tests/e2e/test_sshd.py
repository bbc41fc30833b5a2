#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The real sshd with pam_crauth.so, logged in to by paramiko and by OpenSSH's ssh.

sshd is a copy of /usr/sbin/sshd named sshd-crauth, so it runs the PAM
service /etc/pam.d/sshd-crauth, generated from conf/pam.d/sshd (or
sshd-fallback); its sshd_config includes conf/sshd_config.d/crauth.conf.
Every answer comes from `crauth` acting as the user's soft token, computed
from the challenge the client was shown.  Every test checks the reason
code in the module's log line.
"""
import os
import re
import socket
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2elib as e  # noqa: E402

try:
    import paramiko
except ImportError:   # the python3 on PATH may not be Debian's
    paramiko = None

SERVICE = "sshd-crauth"


class SshdCase(unittest.TestCase):
    """One user, one crauth config, one sshd per test."""

    snippet = "sshd"
    sshd_options = ()

    def setUp(self):
        if paramiko is None:
            self.skipTest("no paramiko: apt-get install python3-paramiko; use /usr/bin/python3")
        missing = e.need("/usr/sbin/sshd", "/usr/bin/ssh", "/usr/bin/ssh-keygen")
        if missing:
            self.skipTest("missing %s: apt-get install openssh-server openssh-client" % missing)
        e.lock_machine(self)
        self.log = e.LogCapture(self)
        self.user = e.TestUser(self)
        self.crauth = e.Crauth(self, self.user.name)
        e.install_pam_service(self, SERVICE, self.snippet, self.crauth)
        self.sshd = e.Sshd(self, self.user, self.sshd_options)
        self.since = self.log.mark()

    # -------------------------------------------------------------- paramiko
    def connect(self):
        """An SSH transport to our sshd, host key unchecked (it was made a moment ago)."""
        sock = socket.create_connection(("127.0.0.1", self.sshd.port), timeout=e.TIMEOUT)
        t = paramiko.Transport(sock)
        self.addCleanup(t.close)
        t.banner_timeout = t.auth_timeout = e.TIMEOUT
        t.start_client(timeout=e.TIMEOUT)
        return t

    def pubkey(self, t):
        """First factor; sshd answers 'partial success, keyboard-interactive next'."""
        key = paramiko.Ed25519Key.from_private_key_file(self.sshd.user_key)
        remaining = t.auth_publickey(self.user.name, key)
        self.assertEqual(remaining, ["keyboard-interactive"])

    def run_id(self, t):
        """`id -un` over a session channel: the login really happened."""
        chan = t.open_session(timeout=e.TIMEOUT)
        chan.settimeout(e.TIMEOUT)
        chan.exec_command("id -un")
        out = b""
        while True:
            data = chan.recv(4096)
            if not data:
                break
            out += data
        self.assertEqual(chan.recv_exit_status(), 0)
        return out.decode().strip()

    def ssh_argv(self, command, *options):
        """OpenSSH's client, no user or system config, throwaway host key."""
        return ["ssh", "-F", "/dev/null", "-p", str(self.sshd.port), "-i", self.sshd.user_key,
                "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=no",
                "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
                "-o", "PreferredAuthentications=publickey,keyboard-interactive",
                *options, "%s@127.0.0.1" % self.user.name, command]

    def responder(self, answer=e.ocra, password=None):
        """A keyboard-interactive handler that answers like a user with a token.

        It records every INFO_REQUEST as (instruction, [prompts]) in
        self.requests, to compare with what the design expects.
        """
        self.requests = []

        def handler(title, instruction, prompts):
            self.requests.append((instruction, [p for p, _echo in prompts]))
            answers = []
            for prompt, _echo in prompts:
                q = e.challenge_in(prompt)
                if q is not None:
                    answers.append(answer(q))
                elif "Password" in prompt and password is not None:
                    answers.append(password)
                else:
                    answers.append("")
            return answers
        return handler


class KeyboardInteractive(SshdCase):
    """publickey,keyboard-interactive as shipped in conf/sshd_config.d/crauth.conf."""

    def test_paramiko_challenge_response(self):
        t = self.connect()
        self.pubkey(t)
        t.auth_interactive(self.user.name, self.responder())
        self.assertTrue(t.is_authenticated())
        self.assertEqual(self.run_id(t), self.user.name)
        # What OpenSSH 9.2's sshd does with the module's one conversation call
        # [TEXT_INFO "Challenge: N", ECHO_OFF "Response to challenge N: "]:
        # the info text is prepended to the prompt (not put in the
        # instruction), and after PAM succeeds sshd sends one more
        # INFO_REQUEST with no prompts at all.
        self.assertEqual(len(self.requests), 2, self.requests)
        (instruction, prompts), last = self.requests
        self.assertEqual(last, ("", []))
        self.assertEqual(instruction, "")
        self.assertEqual(len(prompts), 1)
        challenge = e.challenge_in(prompts[0])
        self.assertRegex(challenge, r"^\d{8}$")
        self.assertEqual(prompts[0], "Challenge: %s\nResponse to challenge %s: "
                         % (challenge, challenge))
        (reason, _name, user, line), = self.log.assert_reasons(self, SERVICE, [0], self.since)
        self.assertEqual(user, self.user.name)
        self.assertIn("rhost=127.0.0.1", line)

    def test_openssh_client_through_pty(self):
        p = e.Pty(self, self.ssh_argv("echo LOGGED-IN-AS-$(id -un)"))
        # ssh writes "(user@host) " and then the prompt sshd built: the info
        # line "Challenge: N", a newline, "Response to challenge N: ".
        m = p.expect(r"\(%s@127\.0\.0\.1\) Challenge: (\d{8})\n"
                     r"Response to challenge (\d{8}): " % re.escape(self.user.name))
        self.assertEqual(m.group(1), m.group(2))
        p.send(e.ocra(m.group(1)))
        p.expect(r"LOGGED-IN-AS-" + re.escape(self.user.name))
        self.assertEqual(p.wait(), 0, p.out)
        self.log.assert_reasons(self, SERVICE, [0], self.since)

    def test_openssh_client_retry_gets_new_challenge(self):
        """ssh retries keyboard-interactive (NumberOfPasswordPrompts, default 3):
        each retry is a new PAM transaction, so a new challenge."""
        p = e.Pty(self, self.ssh_argv("echo LOGGED-IN-AS-$(id -un)"))
        first = p.expect(r"Response to challenge (\d+): ").group(1)
        p.send(e.wrong(e.ocra(first)))
        second = p.expect(r"Response to challenge (\d+): ").group(1)
        self.assertNotEqual(first, second, "a retry must not reuse the challenge")
        p.send(e.ocra(second))
        p.expect(r"LOGGED-IN-AS-" + re.escape(self.user.name))
        self.assertEqual(p.wait(), 0, p.out)
        self.log.assert_reasons(self, SERVICE, [10, 0], self.since)

    def test_wrong_response_rejected(self):
        t = self.connect()
        self.pubkey(t)
        with self.assertRaises(paramiko.AuthenticationException):
            t.auth_interactive(self.user.name, self.responder(lambda q: e.wrong(e.ocra(q))))
        self.assertFalse(t.is_authenticated())
        (_r, name, _u, line), = self.log.assert_reasons(self, SERVICE, [10], self.since)
        self.assertEqual(name, "wrong-response")
        self.assertIn("challenge=shown", line)

    def test_openssh_client_wrong_response(self):
        p = e.Pty(self, self.ssh_argv("true", "-o", "NumberOfPasswordPrompts=1"))
        m = p.expect(r"Response to challenge (\w+): ")
        p.send(e.wrong(e.ocra(m.group(1))))
        p.expect(r"Permission denied")
        self.assertEqual(p.wait(), 255, p.out)
        self.log.assert_reasons(self, SERVICE, [10], self.since)


class KeyPossession(SshdCase):
    """An x509 token: the CMS envelope reaches the client whole, inside the
    keyboard-interactive prompt, and a scripted client that holds the key
    decrypts it and answers; nothing is forwarded."""

    PEM = re.compile(r"-----BEGIN CMS-----\n[A-Za-z0-9+/=\n]+?-----END CMS-----\n?")

    def setUp(self):
        super().setUp()
        import subprocess
        import tempfile
        d = tempfile.mkdtemp(prefix="crauth-e2e-x509-")
        self.addCleanup(subprocess.run, ["rm", "-rf", d])
        os.chmod(d, 0o755)
        self.key, self.cert = os.path.join(d, "user.key"), os.path.join(d, "user.crt")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                        self.key, "-out", self.cert, "-subj", "/CN=%s" % self.user.name,
                        "-days", "2"], check=True, capture_output=True)
        os.chmod(self.cert, 0o644)
        self.crauth.write_tokens("%s x509 %s\n" % (self.user.name, self.cert))
        self.crauth.write_conf()

    def decrypt(self, text):
        import subprocess
        pem = self.PEM.search(text)
        self.assertIsNotNone(pem, text)
        out = subprocess.run("openssl cms -decrypt -binary -inform PEM -inkey '%s' | xxd -p"
                             % self.key, shell=True, input=pem.group(0).encode(),
                             capture_output=True, check=True)
        return out.stdout.decode().strip()

    def test_paramiko_decrypts_the_envelope(self):
        t = self.connect()
        self.pubkey(t)
        seen = []

        def handler(title, instruction, prompts):
            seen.append((instruction, [p for p, _ in prompts]))
            return [self.decrypt(instruction + "\n" + p) for p, _ in prompts]
        t.auth_interactive(self.user.name, handler)
        self.assertTrue(t.is_authenticated())
        self.assertEqual(self.run_id(t), self.user.name)
        # one round: the whole envelope and the prompt in one INFO_REQUEST
        prompt = seen[0][1][0]
        self.assertTrue(prompt.startswith("-----BEGIN CMS-----\n"), prompt)
        self.assertTrue(prompt.endswith("Response to the envelope above (40 hex digits): "))
        self.log.assert_reasons(self, SERVICE, [0], self.since)

    def test_openssh_client_through_pty(self):
        p = e.Pty(self, self.ssh_argv("echo LOGGED-IN-AS-$(id -un)"))
        m = p.expect(r"(?s)(-----BEGIN CMS-----.*?-----END CMS-----)\r?\n\r?\n?"
                     r"Response to the envelope above \(40 hex digits\): ")
        p.send(self.decrypt(m.group(1).replace("\r\n", "\n") + "\n"))
        p.expect(r"LOGGED-IN-AS-" + re.escape(self.user.name))
        self.assertEqual(p.wait(), 0, p.out)
        self.log.assert_reasons(self, SERVICE, [0], self.since)

    def test_wrong_answer(self):
        t = self.connect()
        self.pubkey(t)
        with self.assertRaises(paramiko.AuthenticationException):
            t.auth_interactive(self.user.name, lambda title, ins, prompts: ["00" * 20])
        self.log.assert_reasons(self, SERVICE, [23], self.since)


class PasswordAuthentication(SshdCase):
    """sshd's PasswordAuthentication: one password, given to every PAM prompt."""

    sshd_options = ("AuthenticationMethods password", "PasswordAuthentication yes")

    def setUp(self):
        super().setUp()
        self.crauth.write_tokens("%s totp/30/6/sha1 %s\n" % (self.user.name, e.KEY20))
        self.crauth.write_conf(method="otp")

    def test_totp_code_as_password(self):
        t = self.connect()
        t.auth_password(self.user.name, e.totp())
        self.assertTrue(t.is_authenticated())
        self.assertEqual(self.run_id(t), self.user.name)
        self.log.assert_reasons(self, SERVICE, [0], self.since)

    def test_wrong_code_as_password(self):
        t = self.connect()
        with self.assertRaises(paramiko.AuthenticationException):
            t.auth_password(self.user.name, e.wrong(e.totp()))
        self.log.assert_reasons(self, SERVICE, [10], self.since)

    def test_challenge_never_reaches_password_client(self):
        """client-challenge over PasswordAuthentication cannot work, and why.

        sshd answers the module's prompt with the password the client sent
        before any challenge existed, and keeps PAM_TEXT_INFO/ERROR_MSG of a
        password attempt in its `loginmsg` buffer, which is only printed in
        a session after a *successful* login (OpenSSH auth-pam.c,
        sshpam_passwd_conv).  So the attempt fails as a wrong response and
        the client is told nothing about the challenge.
        """
        self.crauth.write_tokens("%s %s %s\n" % (self.user.name, e.OCRA_SUITE, e.KEY20))
        self.crauth.write_conf(method="client-challenge")
        t = self.connect()
        with self.assertRaises(paramiko.AuthenticationException):
            t.auth_password(self.user.name, "123456")
        self.assertIsNone(e.challenge_in((t.get_banner() or b"").decode()))
        (_r, _n, _u, line), = self.log.assert_reasons(self, SERVICE, [10], self.since)
        self.assertIn("challenge=shown", line)   # "shown" to sshd, not to the user



class ServerBackend(SshdCase):
    """backend = server against the reference authUser server, server-challenge."""

    def setUp(self):
        super().setUp()
        self.srv, ca_file = e.reference_server(self, self.user.name)
        self.crauth.write_conf(backend="server", method="server-challenge", urls=[self.srv.url],
                               ca_file=ca_file, keyword="getchallenge")

    def test_keyboard_interactive_server_challenge(self):
        t = self.connect()
        self.pubkey(t)
        t.auth_interactive(self.user.name, self.responder())
        self.assertEqual(self.run_id(t), self.user.name)
        self.assertEqual(len(self.requests[0][1]), 1, self.requests)
        (_r, _n, _u, line), = self.log.assert_reasons(self, SERVICE, [0], self.since)
        self.assertIn("request=keyword", line)

    def test_openssh_retry_reuses_the_challenge(self):
        """ssh's keyboard-interactive retry is a new PAM transaction; with
        [cache] reuse_challenge (default yes) it gets the same challenge."""
        p = e.Pty(self, self.ssh_argv("echo LOGGED-IN-AS-$(id -un)"))
        first = p.expect(r"Response to challenge (\d+): ").group(1)
        p.send(e.wrong(e.ocra(first)))
        self.assertEqual(p.expect(r"Response to challenge (\d+): ").group(1), first)
        p.send(e.ocra(first))
        p.expect(r"LOGGED-IN-AS-" + re.escape(self.user.name))
        self.assertEqual(p.wait(), 0, p.out)
        self.log.assert_reasons(self, SERVICE, [10, 0], self.since)


class ServerPasswordSinglePrompt(SshdCase):
    """PasswordAuthentication + single_prompt = yes + server-challenge."""

    sshd_options = PasswordAuthentication.sshd_options

    def setUp(self):
        super().setUp()
        self.srv, ca_file = e.reference_server(self, self.user.name)
        self.crauth.write_conf(backend="server", method="server-challenge", urls=[self.srv.url],
                               ca_file=ca_file, keyword="getchallenge", single_prompt="yes")

    def test_mechanics_work_but_the_challenge_is_not_shown(self):
        """Attempt 1 gets a challenge issued (reason 21) and the module shows
        it as PAM_ERROR_MSG -- which sshd puts in `loginmsg`, shown only
        after a successful login, so the client sees nothing (OpenSSH
        auth-pam.c sshpam_passwd_conv; no banner during password auth).
        Given the challenge out of band (here: from the server's records),
        attempt 2 with its response logs in.  Over sshd, challenges need
        keyboard-interactive; the README says so."""
        t = self.connect()
        with self.assertRaises(paramiko.AuthenticationException):
            t.auth_password(self.user.name, "anything")
        self.assertIsNone(t.get_banner())
        self.log.assert_reasons(self, SERVICE, [21], self.since)
        (q,) = {k.challenge for k in self.srv.issued_keys.values()}
        t.auth_password(self.user.name, e.ocra(q))
        self.assertEqual(self.run_id(t), self.user.name)
        self.log.assert_reasons(self, SERVICE, [21, 0], self.since)



class ServerDown(SshdCase):
    """backend = server with its only url on a closed loopback port."""

    def setUp(self):
        super().setUp()
        self.crauth.write_conf(backend="server", method="client-challenge",
                               urls=["https://127.0.0.1:%d/" % e.closed_port()])

    def skip_if_no_server_backend(self):
        got = self.log.attempts(SERVICE, self.since)
        if got and "not available in this build" in got[-1][3]:
            self.skipTest("backend = server is not available in this build of the helper "
                          "(the server backend is being finished): " + got[-1][3])

    def test_required_refuses_login(self):
        """Plain `required`: no server, no login (reason 30, PAM_AUTHINFO_UNAVAIL)."""
        t = self.connect()
        self.pubkey(t)
        with self.assertRaises(paramiko.AuthenticationException):
            t.auth_interactive(self.user.name, self.responder())
        self.log.wait_attempts(SERVICE, 1, self.since)
        self.skip_if_no_server_backend()
        (_r, name, _u, _l), = self.log.assert_reasons(self, SERVICE, [30], self.since)
        self.assertEqual(name, "server-unreachable")


class ServerDownFallback(ServerDown):
    """conf/pam.d/sshd-fallback: [authinfo_unavail=ignore] then the Unix password."""

    snippet = "sshd-fallback"

    def test_fallback_password_only_when_unreachable(self):
        t = self.connect()
        self.pubkey(t)
        try:
            t.auth_interactive(self.user.name, self.responder(password=self.user.password))
        except paramiko.AuthenticationException:
            self.log.wait_attempts(SERVICE, 1, self.since)
            self.skip_if_no_server_backend()
            raise
        self.assertEqual(self.run_id(t), self.user.name)
        self.log.wait_attempts(SERVICE, 1, self.since)
        self.skip_if_no_server_backend()
        self.log.assert_reasons(self, SERVICE, [30], self.since)
        prompts = [p for _i, ps in self.requests for p in ps]
        self.assertTrue(any("Password" in p for p in prompts), prompts)

    def test_fallback_wrong_password_refused(self):
        """The emergency path still needs the right password."""
        t = self.connect()
        self.pubkey(t)
        with self.assertRaises(paramiko.AuthenticationException):
            t.auth_interactive(self.user.name, self.responder(password="not-the-password"))
        self.log.wait_attempts(SERVICE, 1, self.since)
        self.skip_if_no_server_backend()
        self.log.assert_reasons(self, SERVICE, [30], self.since)

    def test_fallback_not_taken_on_wrong_response(self):
        """With the local backend (reachable), a wrong response dies: no password asked."""
        self.crauth.write_conf()   # local backend, client-challenge
        t = self.connect()
        self.pubkey(t)
        with self.assertRaises(paramiko.AuthenticationException):
            t.auth_interactive(self.user.name,
                               self.responder(lambda q: e.wrong(e.ocra(q)), self.user.password))
        self.log.assert_reasons(self, SERVICE, [10], self.since)
        prompts = [p for _i, ps in self.requests for p in ps]
        self.assertFalse(any("Password" in p for p in prompts), prompts)

    test_required_refuses_login = None   # that is ServerDown's stack, not this one


if __name__ == "__main__":
    e.require_root()
    unittest.main(verbosity=2)
