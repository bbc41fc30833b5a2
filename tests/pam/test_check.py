#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""`crauth check` against the reference server: every step green on a good
setup, and for each kind of fault the step that names it."""
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serverfixture import (CRAUTH, AuthServer, DeadListener, ServerCase,  # noqa: E402
                           closed_port)

# the helper itself, not a wrapper (valgrind): check looks for the plugin
# next to it
HELPER = os.path.join(os.environ.get("TOP_BUILDDIR", "."), "helper", "crauth-helper")


class CheckCase(ServerCase):
    def setUp(self):
        super().setUp()
        self.pamdir = os.path.join(self.dir, "pam.d")
        os.mkdir(self.pamdir)
        cache = os.path.join(self.dir, "cache")
        os.mkdir(cache, 0o700)
        try:  # check wants the cache owned by _crauth when that user exists
            owner = pwd.getpwnam("_crauth")
        except KeyError:
            return
        if os.geteuid() != 0:
            self.skipTest("user _crauth exists: the cache must be its, which needs root")
        os.chown(cache, owner.pw_uid, owner.pw_gid)

    def configure(self, urls=None, **kw):
        super().configure("server-challenge", urls=urls, timeout=2, **kw)

    def check(self, *args, helper=HELPER, prefix=(), timeout=60):
        out = subprocess.run([*prefix, CRAUTH, "check", "--conf", self.conf, "--helper", helper,
                              "--pamdir", self.pamdir, *args],
                             capture_output=True, text=True, timeout=timeout)
        steps = {}
        for line in out.stdout.splitlines():
            m = re.match(r"  (ok|warn|FAIL)\s+(\S+)\s+(\S+)\s+(.*)$", line)
            if m:
                steps[(m.group(2), m.group(3))] = (m.group(1), m.group(4))
        return out, steps


class Check(CheckCase):
    def test_all_green(self):
        self.configure()
        out, steps = self.check("--user", "twostep")
        self.assertEqual(out.returncode, 0, out.stdout)
        self.assertIn("all checks passed", out.stdout)
        server = "127.0.0.1:%d" % self.srv.port
        for name in ("dns", "tcp", "tls", "http", "soap", "challenge"):
            self.assertEqual(steps[(server, name)][0], "ok", out.stdout)
        self.assertEqual(steps[("-", "plugin")][0], "ok", out.stdout)
        self.assertIn("expires", steps[(server, "tls")][1])
        self.assertRegex(steps[(server, "challenge")][1], r"got challenge \d{8}")
        # only the probe user and the challenge request were sent; no response
        self.assertEqual([q.kind for q in self.srv.requests], ["response", "request"])
        self.assertEqual(self.srv.requests[0].attributes["CREDFLD_USERID"], "crauth-check-probe")

    def test_get_challenge(self):
        self.srv.set_options(one_step_cr="server")
        ServerCase.configure(self, "get-challenge", timeout=2)
        out, steps = self.check("--user", "onestep")
        self.assertEqual(out.returncode, 0, out.stdout)
        server = "127.0.0.1:%d" % self.srv.port
        self.assertRegex(steps[(server, "challenge")][1], r"got challenge \d{8}")
        self.assertEqual([q.operation for q in self.srv.requests], ["authUser", "getChallenge"])

    def test_charset_named_by_http_only(self):
        self.srv.set_shape("latin1")
        self.configure()
        out, steps = self.check("--user", "twostep")
        self.assertEqual(out.returncode, 0, out.stdout)

    def failing_step(self, name, reason, fault=None, urls=None, **params):
        if fault:
            self.srv.set_fault(fault, **params)
        self.configure(urls=urls)
        out, steps = self.check()
        self.assertEqual(out.returncode, 1, out.stdout)
        failed = [(k[1], v[1]) for k, v in steps.items() if v[0] == "FAIL"]
        self.assertEqual(failed[0][0], name, out.stdout)
        self.assertIn("[reason %d " % reason, failed[0][1])
        self.assertIn("first failure: reason %d" % reason, out.stdout)
        self.assertIn("fix:", out.stdout)
        return out

    def test_refused(self):
        self.failing_step("tcp", 30, urls=["https://127.0.0.1:%d/" % closed_port()])

    def test_hanging_handshake(self):
        # connect_timeout covers TCP and the TLS handshake: a server that
        # never finishes the handshake could not be connected to
        with DeadListener("hang") as dead:
            out = self.failing_step("tls", 30, urls=[dead.url])
            self.assertIn("SSL connection timeout", out.stdout)

    def test_wrong_host_certificate(self):
        srv = AuthServer(users={}, certfile=self.certs["wrong_host_cert"],
                         keyfile=self.certs["wrong_host_key"]).start()
        self.addCleanup(srv.stop)
        self.failing_step("tls", 32, urls=[srv.url])

    def test_expired_certificate(self):
        srv = AuthServer(users={}, certfile=self.certs["expired_cert"],
                         keyfile=self.certs["expired_key"]).start()
        self.addCleanup(srv.stop)
        out = self.failing_step("tls", 32, urls=[srv.url])
        self.assertIn("expired", out.stdout)

    def test_http_auth_refused(self):
        self.failing_step("http", 33, "http_status", status=401)

    def test_http_error(self):
        self.failing_step("http", 34, "http_status", status=404)

    def test_http_unavailable(self):
        self.failing_step("http", 42, "http_status", status=503)

    def test_redirect(self):
        self.failing_step("http", 34, "redirect_http")

    def test_wrong_content_type(self):
        self.failing_step("http", 34, "wrong_content_type")

    def test_timeout(self):
        self.failing_step("http", 31, "hang")

    def test_reset(self):
        self.failing_step("http", 39, "reset")

    def test_soap_fault(self):
        self.failing_step("soap", 36, "soap_fault")

    def test_malformed(self):
        self.failing_step("soap", 35, "malformed_xml")

    def test_no_challenge_for_an_otp_user(self):
        self.configure()
        out, steps = self.check("--user", "hotp-user")
        self.assertEqual(out.returncode, 1)
        server = "127.0.0.1:%d" % self.srv.port
        self.assertEqual(steps[(server, "challenge")][0], "FAIL", out.stdout)

    def test_config_error_names_file_and_line(self):
        with open(self.conf, "w") as f:
            f.write("[auth]\nbakend = server\n")
        out, steps = self.check()
        self.assertEqual(out.returncode, 1)
        self.assertIn("crauth.conf:2: unknown key 'bakend'", steps[("-", "config")][1])
        self.assertIn("first failure: reason 50", out.stdout)

    def test_plugin_missing(self):
        """backend = server needs crauth-remote.so next to the helper."""
        self.configure()
        libexec = os.path.join(self.dir, "libexec")
        os.mkdir(libexec, 0o755)
        helper = os.path.join(libexec, "crauth-helper")
        shutil.copy(HELPER, helper)
        out, steps = self.check(helper=helper)
        self.assertEqual(out.returncode, 1, out.stdout)
        result, text = steps[("-", "plugin")]
        self.assertEqual(result, "FAIL", out.stdout)
        self.assertIn("backend = server needs %s/crauth-remote.so" % libexec, text)
        self.assertIn("[reason 61 helper-privileges]", text)
        # writable by its group: refused as the helper refuses it
        shutil.copy(os.path.join(os.path.dirname(HELPER), "crauth-remote.so"), libexec)
        plugin = os.path.join(libexec, "crauth-remote.so")
        os.chmod(plugin, 0o664)
        out, steps = self.check(helper=helper)
        result, text = steps[("-", "plugin")]
        self.assertEqual(result, "FAIL", out.stdout)
        self.assertIn("chown root:root %s && chmod 0644 %s" % (plugin, plugin), text)
        os.chmod(plugin, 0o644)
        out, steps = self.check(helper=helper)
        self.assertEqual(steps[("-", "plugin")][0], "ok", out.stdout)

    def test_help_is_not_a_check(self):
        out = subprocess.run([CRAUTH, "check", "--helper", "--help"], capture_output=True,
                             text=True, timeout=60)
        self.assertEqual((out.returncode, out.stderr), (0, ""))
        self.assertTrue(out.stdout.startswith("usage: crauth check "), out.stdout)
        self.assertNotIn("--helper", out.stdout)


@unittest.skipIf(os.geteuid() != 0 or shutil.which("unshare") is None,
                 "needs root and unshare (a private /etc/resolv.conf)")
class SilentNameServer(CheckCase):
    """check's own name lookup is bounded by connect_timeout, like a login's:
    a name server that never answers costs connect_timeout (2 s here), not
    what resolv.conf allows (30 s here, past the 25 s this test waits)."""

    def test_lookup_ends_at_connect_timeout(self):
        dns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.addCleanup(dns.close)
        try:
            dns.bind(("127.0.0.2", 53))   # held, never read: a name server that never answers
        except OSError as exc:
            self.skipTest("127.0.0.2:53 is taken (%s)" % exc)
        resolv = os.path.join(self.dir, "resolv.conf")
        with open(resolv, "w") as f:
            f.write("nameserver 127.0.0.2\noptions timeout:30 attempts:1\n")
        self.configure(urls=["https://crauth-check.invalid:%d/" % self.srv.port])
        out, steps = self.check(timeout=25, prefix=[
            "unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-c",
            'mount --bind "$1" /etc/resolv.conf && shift && exec "$@"', "sh", resolv])
        self.assertEqual(out.returncode, 1, out.stdout + out.stderr)
        where = "crauth-check.invalid:%d" % self.srv.port
        result, text = steps[(where, "dns")]
        self.assertEqual(result, "FAIL", out.stdout)
        self.assertIn("resolving %s did not finish within connect_timeout" % where, text)
        self.assertNotIn((where, "tcp"), steps)
        self.assertEqual(self.srv.requests, [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
