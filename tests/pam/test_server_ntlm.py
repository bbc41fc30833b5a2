#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""http_auth = ntlm and proxies, through the real libpam: full two-step
logins (keyword -> challenge -> OCRA response) against the reference
authUser server behind
  - Apache + mod_auth_gssapi + gss-ntlmssp (NTLM and Negotiate schemes, the
    connection each leg went on, from Apache's access log);
  - a Python HTTPS front with gss-ntlmssp as acceptor through python3-gssapi,
    which checks our channel binding against its own certificate;
  - hostile fronts (malformed CHALLENGE, a 100 KB header, no challenge, a
    closed connection): each fails closed with its own reason;
  - squid as CONNECT proxy with ntlm (Samba ntlm_auth), basic and no
    authentication.
Each group skips (77 overall when nothing ran) without its packages.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "ntlm"))
from serverfixture import DeadListener, ServerCase, closed_port  # noqa: E402
import ntlmtest  # noqa: E402

DOMAIN, USER, PASSWORD = "TESTDOM", "testuser", "testpassword"
IDENTITY = DOMAIN + "\\" + USER
PROXY = ("TESTDOM", "proxyuser", "proxy-pass")


def missing(*paths):
    return [p for p in paths if not os.path.exists(p)]


APACHE_MISSING = missing("/usr/sbin/apache2", "/usr/lib/apache2/modules/mod_auth_gssapi.so",
                         "/etc/gss/mech.d/mech.ntlmssp.conf")
try:
    import gssapi  # noqa: F401
    GSSAPI_MISSING = missing("/etc/gss/mech.d/mech.ntlmssp.conf")
except ImportError:
    GSSAPI_MISSING = ["python3-gssapi"]
SQUID_MISSING = missing("/usr/sbin/squid", "/usr/bin/ntlm_auth",
                        "/usr/lib/squid/basic_ncsa_auth")
ran = []


class NtlmCase(ServerCase):
    def setUp(self):
        super().setUp()
        ran.append(self.id())

    def write_conf(self, url, ca_file, server_lines=(), http_password=PASSWORD,
                   proxy_password=None):
        secrets = ["[server]"]
        if http_password is not None:
            secrets.append("http_password = %s" % http_password)
        if proxy_password is not None:
            secrets.append("proxy_password = %s" % proxy_password)
        lines = ["[server]", "url = %s" % url, "ca_file = %s" % ca_file,
                 "connect_timeout = 5", "timeout = 10",
                 "secrets = %s" % self.secrets("\n".join(secrets) + "\n"), *server_lines,
                 "[auth]", "backend = server", "method = server-challenge",
                 "keyword = getchallenge", "fail_delay = 0",
                 "[cache]", "dir = %s" % os.path.join(self.dir, "cache")]
        with open(self.conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        os.chmod(self.conf, 0o600)

    def ntlm_conf(self, url, ca_file, password=PASSWORD, user=IDENTITY, extra=()):
        self.write_conf(url, ca_file, ["http_auth = ntlm", "http_user = %s" % user, *extra],
                        http_password=password)

    def backend(self):
        """The reference server over plain http, behind a front doing TLS."""
        return self.server("plain", certfile=None, keyfile=None)

    def assertNoSecret(self, r, *secrets):
        for secret in secrets:
            self.assertNotIn(secret, r.log)


@unittest.skipIf(APACHE_MISSING, "missing %s" % APACHE_MISSING)
class ApacheFront(NtlmCase):
    """Apache + mod_auth_gssapi + gss-ntlmssp in front of the reference server.
    mod_auth_gssapi gives gss-ntlmssp no channel bindings, so our binding is
    accepted unchecked here (ChannelBinding below checks it)."""

    def apache(self, **kw):
        import apache
        a = apache.PrivateApache(self.backend().url, **kw).start()
        self.addCleanup(a.stop)
        self.ntlm_conf(a.url, a.cert)
        return a

    def login_twostep(self, **kw):
        return self.login("twostep", self.kbdint(), **kw)

    def test_two_step_login_on_one_connection(self):
        a = self.apache()
        r = self.login_twostep()
        self.assertOutcome(r, "PAM_SUCCESS", 0)
        a.halt()
        log = a.access_log()
        # NEGOTIATE (empty body) -> 401, AUTHENTICATE with step 1 -> 200, and
        # step 2 on the same authenticated connection without a new handshake
        self.assertEqual([(k, s, m) for _, k, s, m, _ in log],
                         [(0, 401, "POST"), (1, 200, "POST"), (2, 200, "POST")], log)
        self.assertEqual(len({port for port, *_ in log}), 1, log)
        self.assertEqual(log[0][4], 0)  # the code never went before authentication
        self.assertEqual([q.kind for q in self.srv_plain.requests], ["request", "response"])

    def backend(self):
        self.srv_plain = super().backend()
        return self.srv_plain

    def test_wrong_password_is_http_auth_refused(self):
        a = self.apache()
        self.ntlm_conf(a.url, a.cert, password="not-the-password")
        r = self.login_twostep()
        self.assertOutcome(r, "PAM_AUTH_ERR", 33)
        self.assertIn("refused the NTLM credentials for %s" % IDENTITY, r.log)
        self.assertNoSecret(r, "not-the-password", PASSWORD)
        self.assertEqual(self.srv_plain.requests, [])

    def test_negotiate_only_server(self):
        a = self.apache(negotiate_only=True)
        self.service("crauth", ["debug"])
        r = self.login_twostep()
        self.assertOutcome(r, "PAM_SUCCESS", 0)
        self.assertIn("accepted %s (Negotiate)" % IDENTITY, r.log)
        a.halt()
        log = a.access_log()
        # "NTLM" NEGOTIATE refused -> the same under "Negotiate" -> AUTHENTICATE -> step 2
        self.assertEqual([s for _, _, s, _, _ in log], [401, 401, 200, 200], log)
        self.assertEqual(len({port for port, *_ in log}), 1, log)

    def test_ntlm_scheme_picked_when_both_offered(self):
        self.apache()
        self.service("crauth", ["debug"])
        r = self.login_twostep()
        self.assertOutcome(r, "PAM_SUCCESS", 0)
        self.assertIn("accepted %s (NTLM)" % IDENTITY, r.log)

    def test_connection_closed_between_steps_authenticates_again(self):
        a = self.apache(extra="MaxKeepAliveRequests 1")
        r = self.login_twostep()
        self.assertOutcome(r, "PAM_SUCCESS", 0)
        a.halt()
        log = a.access_log()
        # Apache closes after two requests: step 2 runs a new handshake on a
        # new connection, and its body goes only with the AUTHENTICATE
        self.assertEqual([(k, s, n == 0) for _, k, s, _, n in log],
                         [(0, 401, True), (1, 200, False), (0, 401, True), (1, 200, False)],
                         log)
        self.assertEqual(len({port for port, *_ in log}), 2, log)


@unittest.skipIf(GSSAPI_MISSING, "missing %s" % GSSAPI_MISSING)
class ChannelBinding(NtlmCase):
    """gss-ntlmssp as acceptor, with tls-server-end-point bindings."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        import tempfile
        cls.tmp = tempfile.TemporaryDirectory()
        users = os.path.join(cls.tmp.name, "users")
        with open(users, "w") as f:
            f.write("%s:%s:%s\n" % (DOMAIN, USER, PASSWORD))
        os.environ["NTLM_USER_FILE"] = users  # read by gss-ntlmssp in this process
        cls.cert, _ = ntlmtest.make_cert(cls.tmp.name, "front")
        cls.key = os.path.join(cls.tmp.name, "front.key")
        _, cls.other_der = ntlmtest.make_cert(cls.tmp.name, "other")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()
        super().tearDownClass()

    def front(self, mode="gssapi", **kw):
        import ntlmfront
        self.backend_srv = self.backend()
        f = ntlmfront.NtlmFront(self.cert, self.key, self.backend_srv.url, mode=mode,
                                **kw).start()
        self.addCleanup(f.stop)
        self.ntlm_conf(f.url, self.cert)
        return f

    def assertBodyOnlyWhenAuthenticated(self, f):
        for conn, scheme, length, authed in f.records:
            if length:
                self.assertTrue(authed, f.records)

    def test_right_binding_logs_in(self):
        f = self.front()
        r = self.login("twostep", self.kbdint())
        self.assertOutcome(r, "PAM_SUCCESS", 0)
        self.assertEqual(f.outcomes, [(1, "bound %s" % IDENTITY)])
        # one handshake: step 2 went on the authenticated connection
        self.assertEqual([(c, s) for c, s, _, _ in f.records],
                         [(1, "NTLM"), (1, "NTLM"), (1, None)])
        self.assertBodyOnlyWhenAuthenticated(f)

    def test_binding_of_another_certificate_is_refused(self):
        f = self.front(binding_der=self.other_der)
        r = self.login("twostep", self.kbdint())
        self.assertOutcome(r, "PAM_AUTH_ERR", 33)
        self.assertEqual(len(f.outcomes), 1)
        self.assertTrue(f.outcomes[0][1].startswith("gss-error"), f.outcomes)
        self.assertEqual(self.backend_srv.requests, [])

    def test_negotiate_scheme(self):
        f = self.front(schemes=("Negotiate",))
        r = self.login("twostep", self.kbdint())
        self.assertOutcome(r, "PAM_SUCCESS", 0)
        self.assertEqual([s for _, s, _, _ in f.records],
                         ["NTLM", "Negotiate", "Negotiate", None])
        self.assertEqual({c for c, *_ in f.records}, {1})
        self.assertBodyOnlyWhenAuthenticated(f)

    def test_server_asking_again_gets_a_new_handshake(self):
        # the front forgets each authentication after one request: step 2,
        # sent on the authenticated connection, gets a 401 and authenticates again
        f = self.front(one_request_per_login=True)
        r = self.login("twostep", self.kbdint())
        self.assertOutcome(r, "PAM_SUCCESS", 0)
        self.assertEqual([(c, s) for c, s, _, _ in f.records],
                         [(1, "NTLM"), (1, "NTLM"), (1, None), (1, "NTLM"), (1, "NTLM")])
        self.assertEqual(len(f.outcomes), 2)

    def test_wrong_password(self):
        f = self.front()
        self.ntlm_conf(f.url, self.cert, password="wrong-one")
        r = self.login("twostep", self.kbdint())
        self.assertOutcome(r, "PAM_AUTH_ERR", 33)
        self.assertNoSecret(r, "wrong-one")


@unittest.skipIf(missing("/usr/bin/openssl"), "openssl missing")
class Hostile(NtlmCase):
    """Fronts that answer the NEGOTIATE badly: never a success, never the
    body, and a reason that says what happened."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        import tempfile
        cls.tmp = tempfile.TemporaryDirectory()
        cls.cert, _ = ntlmtest.make_cert(cls.tmp.name, "front")
        cls.key = os.path.join(cls.tmp.name, "front.key")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()
        super().tearDownClass()

    def hostile(self, mode, pam, reason, text):
        import ntlmfront
        f = ntlmfront.NtlmFront(self.cert, self.key, self.backend().url, mode=mode).start()
        self.addCleanup(f.stop)
        self.ntlm_conf(f.url, self.cert)
        r = self.login("twostep", self.kbdint())
        self.assertOutcome(r, pam, reason)
        self.assertIn(text, r.log)
        self.assertTrue(f.records)
        self.assertEqual([n for _, _, n, _ in f.records], [0] * len(f.records), f.records)

    def test_malformed_challenge(self):
        self.hostile("malformed_challenge", "PAM_AUTH_ERR", 35,
                     "malformed NTLM CHALLENGE from the server localhost:")

    def test_huge_header(self):
        self.hostile("huge_header", "PAM_AUTH_ERR", 34, "HTTP header lines exceed")

    def test_no_www_authenticate(self):
        self.hostile("no_www_authenticate", "PAM_AUTH_ERR", 33,
                     "no NTLM or Negotiate challenge (offered: nothing)")

    def test_basic_only(self):
        self.hostile("basic_only", "PAM_AUTH_ERR", 33, "(offered: Basic)")

    def test_close_after_challenge(self):
        # the server answered; a front that drops NTLM's connection would
        # otherwise send every login down the fallback path
        self.hostile("close_after_challenge", "PAM_AUTH_ERR", 33,
                     "closed the connection in the middle of the NTLM handshake")


def silent_name_server():
    """A UDP socket on port 53 that never answers, at an address of its own
    in 127/8 (resolv.conf names no port; tests running at once each get
    one): (socket, address)."""
    import random
    for _ in range(50):
        address = "127.53.%d.%d" % (random.randrange(256), random.randrange(1, 255))
        dns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            dns.bind((address, 53))
            return dns, address
        except OSError:
            dns.close()
    raise AssertionError("no free 127.53.x.y:53 for a silent name server")


@unittest.skipIf(os.geteuid() != 0 or shutil.which("unshare") is None,
                 "needs root and unshare (a private /etc/resolv.conf)")
class ProxyNameLookup(NtlmCase):
    """With proxy_auth = ntlm our tunnel code, not libcurl, looks up the
    proxy's name: a name server that never answers must cost connect_timeout
    (5 s here), not what resolv.conf allows (30 s here).  The login runs in a
    mount namespace whose /etc/resolv.conf names a silent UDP listener."""

    def test_silent_name_server_is_bounded_by_connect_timeout(self):
        dns, address = silent_name_server()
        self.addCleanup(dns.close)
        resolv = os.path.join(self.dir, "resolv.conf")
        with open(resolv, "w") as f:
            f.write("nameserver %s\noptions timeout:30 attempts:1\n" % address)
        self.write_conf(self.srv.url, self.certs["ca_cert"],
                        ["proxy = http://crauth-proxy.invalid:3128/", "proxy_auth = ntlm",
                         "proxy_user = %s\\%s" % (PROXY[0], PROXY[1])],
                        http_password=None, proxy_password=PROXY[2])
        script = "\n".join([
            "import json, sys",
            "sys.path.insert(0, %r)" % HERE,
            "import pamharness as ph",
            "r = ph.authenticate('crauth', 'twostep', %r, lambda b: ['getchallenge' if s in "
            "(ph.PAM_PROMPT_ECHO_OFF, ph.PAM_PROMPT_ECHO_ON) else None for s, _ in b])"
            % self.dir,
            "print(json.dumps({'name': r.name, 'reason': r.reason(), 'log': r.log}))",
        ])
        out = subprocess.run(
            ["unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-c",
             'mount --bind "$0" /etc/resolv.conf && exec /usr/bin/python3 -c "$1"',
             resolv, script], capture_output=True, text=True, timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        self.assertEqual((r["name"], r["reason"]), ("PAM_AUTHINFO_UNAVAIL", 30), r["log"])
        self.assertIn("resolving the proxy crauth-proxy.invalid:3128 did not finish within "
                      "connect_timeout", r["log"])
        self.assertEqual(self.srv.requests, [])


@unittest.skipIf(SQUID_MISSING, "missing %s" % SQUID_MISSING)
class Proxy(NtlmCase):
    """squid as the CONNECT proxy in front of the reference server (TLS)."""

    def squid(self, auth):
        import squid
        sq = squid.PrivateSquid(auth, PROXY).start()
        self.addCleanup(sq.cleanup)
        return sq

    def proxy_conf(self, sq, auth, password=PROXY[2]):
        lines = ["proxy = %s" % sq.url, "proxy_auth = %s" % auth]
        if auth != "none":
            lines.append("proxy_user = %s\\%s" % (PROXY[0], PROXY[1]) if auth == "ntlm"
                         else "proxy_user = %s" % PROXY[1])
        self.write_conf(self.srv.url, self.certs["ca_cert"], lines, http_password=None,
                        proxy_password=password if auth != "none" else None)

    def test_ntlm(self):
        sq = self.squid("ntlm")
        self.proxy_conf(sq, "ntlm")
        r = self.login("twostep", self.kbdint())
        self.assertOutcome(r, "PAM_SUCCESS", 0)
        self.assertEqual([q.kind for q in self.srv.requests], ["request", "response"])
        self.assertEqual(self.srv.requests[0].conn_id, self.srv.requests[1].conn_id)
        sq.stop()
        log = [e for e in sq.access_log() if e[2] == "CONNECT"]
        # NEGOTIATE -> 407 with the CHALLENGE, AUTHENTICATE -> 200, one connection
        self.assertEqual([s for _, s, _, _ in log], [407, 200], log)
        self.assertEqual(len({port for port, *_ in log}), 1, log)
        self.assertEqual(log[0][3], "127.0.0.1:%d" % self.srv.port)

    def test_ntlm_tunnel_still_verifies_the_origin(self):
        sq = self.squid("ntlm")
        self.proxy_conf(sq, "ntlm")
        with open(self.conf) as f:  # trust another CA than the server's
            text = f.read().replace(self.certs["ca_cert"], self.certs["client_ca_cert"])
        with open(self.conf, "w") as f:
            f.write(text)
        r = self.login("twostep", self.kbdint())
        self.assertOutcome(r, "PAM_AUTHINFO_UNAVAIL", 32)
        self.assertEqual(self.srv.requests, [])

    def test_ntlm_wrong_password(self):
        sq = self.squid("ntlm")
        self.proxy_conf(sq, "ntlm", password="bad-proxy-pass")
        r = self.login("twostep", self.kbdint())
        self.assertOutcome(r, "PAM_AUTH_ERR", 33)
        self.assertIn("the proxy %s refused the NTLM credentials for %s\\%s"
                      % (sq.url[7:-1], PROXY[0], PROXY[1]), r.log)
        self.assertNoSecret(r, "bad-proxy-pass")
        self.assertEqual(self.srv.requests, [])

    def test_basic(self):
        sq = self.squid("basic")
        self.proxy_conf(sq, "basic")
        self.assertOutcome(self.login("twostep", self.kbdint()), "PAM_SUCCESS", 0)
        self.proxy_conf(sq, "basic", password="bad-proxy-pass")
        r = self.login("twostep", self.kbdint())
        self.assertOutcome(r, "PAM_AUTH_ERR", 33)
        self.assertIn("the proxy %s refused the basic credentials" % sq.url[7:-1], r.log)
        self.assertNoSecret(r, "bad-proxy-pass")

    def test_none(self):
        sq = self.squid("none")
        self.proxy_conf(sq, "none")
        self.assertOutcome(self.login("twostep", self.kbdint()), "PAM_SUCCESS", 0)
        sq.stop()
        self.assertEqual([s for _, s, m, _ in sq.access_log() if m == "CONNECT"], [200])

    def test_none_to_a_proxy_that_wants_ntlm(self):
        sq = self.squid("ntlm")
        self.proxy_conf(sq, "none")
        r = self.login("twostep", self.kbdint())
        self.assertOutcome(r, "PAM_AUTH_ERR", 33)
        self.assertIn("proxy_auth = none", r.log)

    @unittest.skipIf(APACHE_MISSING, "missing %s" % APACHE_MISSING)
    def test_ntlm_to_the_proxy_and_to_the_server(self):
        import apache
        sq = self.squid("ntlm")
        backend = self.server("plain", certfile=None, keyfile=None)
        a = apache.PrivateApache(backend.url).start()
        self.addCleanup(a.stop)
        self.write_conf(a.url, a.cert, ["proxy = %s" % sq.url, "proxy_auth = ntlm",
                                        "proxy_user = %s\\%s" % PROXY[:2],
                                        "http_auth = ntlm", "http_user = %s" % IDENTITY],
                        proxy_password=PROXY[2])
        r = self.login("twostep", self.kbdint())
        self.assertOutcome(r, "PAM_SUCCESS", 0)
        a.halt()
        sq.stop()
        # one tunnel (407, 200), and in it the three requests of one connection
        self.assertEqual([s for _, s, m, _ in sq.access_log() if m == "CONNECT"], [407, 200])
        self.assertEqual([(k, s) for _, k, s, _, _ in a.access_log()],
                         [(0, 401), (1, 200), (2, 200)])

    def test_ntlm_proxy_that_hangs_or_closes(self):
        for mode, pam, reason, text in (("hang", "PAM_AUTHINFO_UNAVAIL", 31,
                                         "did not answer CONNECT in time"),
                                        ("close", "PAM_AUTHINFO_UNAVAIL", 39,
                                         "closed the connection during CONNECT")):
            with DeadListener(mode) as dead:
                class Dead:
                    url = "http://127.0.0.1:%d/" % dead.port
                self.proxy_conf(Dead, "ntlm")
                r = self.login("twostep", self.kbdint())
                self.assertOutcome(r, pam, reason)
                self.assertIn("the proxy 127.0.0.1:%d %s" % (dead.port, text), r.log)

    def test_unreachable_proxy(self):
        port = closed_port()
        for auth in ("ntlm", "none"):
            class Dead:
                url = "http://127.0.0.1:%d/" % port
            self.proxy_conf(Dead, auth)
            r = self.login("twostep", self.kbdint())
            self.assertOutcome(r, "PAM_AUTHINFO_UNAVAIL", 30)
            self.assertIn("proxy 127.0.0.1:%d" % port, r.log)


if __name__ == "__main__":
    result = unittest.main(verbosity=2, exit=False).result
    if not result.wasSuccessful():
        sys.exit(1)
    sys.exit(0 if ran else ntlmtest.SKIP)
