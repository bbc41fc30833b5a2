#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The emergency path, as the README documents it (a contract):

    auth [success=done authinfo_unavail=ignore default=die] pam_crauth.so ...
    auth required pam_permit.so     # stands in for common-auth

PAM_AUTHINFO_UNAVAIL (and so the fallback) only when no server could be
asked, for a cause outside this host.  Every other failure must end the
stack: a server that answered without a verdict, a broken configuration,
the caller's resource limits.  pam_permit lets anyone in, so any leak of
those onto the fallback path shows up here as PAM_SUCCESS.
"""
import base64
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "radius"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "ntlm"))
from serverfixture import HELPER, HERE, ServerCase, cli, closed_port, ph  # noqa: E402
from hostile import HostileServer  # noqa: E402
from paused_helper import Frozen, Paused, Throttled  # noqa: E402
from pamradius import RadiusCase, answers, unused_udp_port  # noqa: E402
import ntlmfront  # noqa: E402

SUCCESS_XML = os.path.join(HERE, "..", "unit", "soap_replies", "success.xml")


def success_body():
    with open(SUCCESS_XML, "rb") as f:
        return f.read()


def read_head(conn):
    """A request's head, up to its blank line (or the peer's end)."""
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = conn.recv(4096)
        if not chunk:
            break
        head += chunk
    return head


def serve_each(sock, answer):
    """Accept connections on @sock until it closes; @answer(conn) each one
    (a peer that goes away mid-answer is its own business)."""
    while True:
        try:
            conn, _ = sock.accept()
        except OSError:
            return
        with conn:
            try:
                answer(conn)
            except (OSError, ssl.SSLError):
                pass


class CannedServer:
    """A TLS server that answers every request with one canned reply (not
    the reference server: these are replies it never sends)."""

    def __init__(self, certs, status_line, body, raw=None):
        self.status_line = status_line
        self.body = body
        self.raw = raw  # the whole reply, bytes as they go on the wire
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(certs["server_cert"], certs["server_key"])
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.tls = ctx
        self.url = "https://127.0.0.1:%d/" % self.sock.getsockname()[1]
        self.requests = 0
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        serve_each(self.sock, self.answer)

    def answer(self, conn):
        with self.tls.wrap_socket(conn, server_side=True) as c:
            read_head(c)
            self.requests += 1
            if self.raw is not None:
                c.sendall(self.raw)
                return
            c.sendall(b"HTTP/1.1 " + self.status_line + b"\r\n"
                      b"Content-Type: text/xml; charset=utf-8\r\n"
                      b"Connection: close\r\n"
                      b"Content-Length: %d\r\n\r\n" % len(self.body) + self.body)

    def stop(self):
        self.sock.close()


class PausingServer(CannedServer):
    """A server that answers in time while the helper on the other end is
    held: `hold(port, server_port)` is called with the helper's port (and
    this server's) at `phase` ("reply":
    after the request; "handshake": after the ClientHello, in TLS) and
    returns what ends the hold (and may wait for it to end), called once
    the server has answered."""

    def __init__(self, certs, phase, hold):
        self.phase, self.hold = phase, hold
        self.errors = []  # what went wrong on the server's side, for the test to show
        self.accepted = 0  # connections taken (the handshake phase may end before a request)
        super().__init__(certs, b"200 OK", success_body())

    def answer(self, conn):
        self.accepted += 1
        try:
            self.held_answer(conn)
        except (OSError, ssl.SSLError):
            raise
        except Exception as e:  # noqa: BLE001 -- a test bug must not read as a lost connection
            self.errors.append(repr(e))
            raise OSError(repr(e)) from e

    def held_answer(self, conn):
        conn.settimeout(30)
        if self.phase == "reply":
            with self.tls.wrap_socket(conn, server_side=True) as c:
                read_head(c)
                self.requests += 1
                release = self.hold(c.getpeername()[1], c.getsockname()[1])
                c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\n"
                          b"Content-Length: %d\r\n\r\n" % len(self.body) + self.body)
                release()
                read_head(c)  # until the helper hangs up
            return
        conn.recv(1, socket.MSG_PEEK)  # the ClientHello is here
        release = self.hold(conn.getpeername()[1], conn.getsockname()[1])
        # our flight goes out while the helper is held; the handshake then
        # waits for its Finished, which comes only after the release
        shake = threading.Thread(target=self.handshake, args=(conn,), daemon=True)
        shake.start()
        release()
        shake.join(30)

    def handshake(self, conn):
        try:
            with self.tls.wrap_socket(conn, server_side=True) as c:
                read_head(c)
                self.requests += 1
                c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\n"
                          b"Content-Length: %d\r\n\r\n" % len(self.body) + self.body)
                read_head(c)
        except (OSError, ssl.SSLError):
            pass


def stopped_for(seconds, how=Paused):
    """A hold: SIGSTOP now (or, with Frozen, the main thread alone frozen),
    released once @seconds have passed."""
    def hold(port, server_port=None):
        pause = how.peer_of("tcp", port, server_port)
        return lambda: pause.resume_after(seconds)
    return hold


class RefusingProxy:
    """An HTTP proxy that answers every CONNECT with one status, as squid
    does when the server behind it is down (502/503) or silent (504); with
    `ntlm_then_close`, a 407 with an NTLM CHALLENGE and then a closed
    connection, as a proxy that does not keep NTLM's connection."""

    def __init__(self, status, ntlm_then_close=False, close_header=True):
        self.status = status
        self.ntlm_then_close = ntlm_then_close
        self.close_header = close_header
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = "http://127.0.0.1:%d/" % self.sock.getsockname()[1]
        self.connects = 0
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        serve_each(self.sock, self.answer)

    def answer(self, conn):
        if read_head(conn).startswith(b"CONNECT "):
            self.connects += 1
        if self.ntlm_then_close:
            conn.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                         b"Proxy-Authenticate: NTLM %s\r\nContent-Length: 0\r\n%s\r\n"
                         % (base64.b64encode(ntlmfront.challenge_message()),
                            b"Connection: close\r\n" if self.close_header else b""))
            return
        conn.sendall(b"HTTP/1.1 %d Gateway says no\r\nContent-Length: 0\r\n"
                     b"Connection: close\r\n\r\n" % self.status)

    def stop(self):
        self.sock.close()


class EmergencyStack(ServerCase):
    def setUp(self):
        super().setUp()
        with open(os.path.join(self.dir, "emergency"), "w") as f:
            f.write("auth [success=done authinfo_unavail=ignore default=die] %s conf=%s "
                    "helper=%s\nauth required pam_permit.so\n"
                    % (os.environ["PAM_CRAUTH"], self.conf, HELPER))

    def emergency(self, user="hotp-user", answer="123456"):
        return self.login(user, self.same_answer(answer), service="emergency")

    def refused(self, reason, user="hotp-user"):
        r = self.emergency(user)
        self.assertNotEqual(r.name, "PAM_SUCCESS", r.log)
        self.assertEqual(r.reason(), reason, r.log)
        return r

    # --- the documented path --------------------------------------------------
    def test_every_server_refusing_connections_opens_the_path(self):
        self.configure("otp", urls=["https://127.0.0.1:%d/" % closed_port()] * 2)
        r = self.emergency()
        self.assertEqual((r.name, r.reason()), ("PAM_SUCCESS", 30), r.log)

    # --- a server that answered: fail closed ----------------------------------
    def test_soap_fault(self):
        self.configure("otp")
        self.srv.set_fault("soap_fault")
        self.refused(36)

    def test_malformed_reply(self):
        self.configure("otp")
        self.srv.set_fault("malformed_xml")
        self.refused(35)

    def test_http_500_with_a_success_body(self):
        # SOAP 1.1 sends Faults with 500: a "success" there is no verdict
        srv = CannedServer(self.certs, b"500 Internal Server Error", success_body())
        self.addCleanup(srv.stop)
        self.configure("otp", urls=[srv.url])
        r = self.refused(35)
        self.assertIn("HTTP 500 with a result instead of a SOAP Fault", r.log)
        self.assertGreater(srv.requests, 0)

    def canned(self, raw):
        srv = CannedServer(self.certs, None, None, raw=raw)
        self.addCleanup(srv.stop)
        return srv

    def test_broken_chunked_body_is_no_lost_connection(self):
        # the status line came, then a chunk size that is not hex: the
        # server answered, badly; that is no verdict, not an unreachable server
        srv = self.canned(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n"
                          b"Transfer-Encoding: chunked\r\n\r\nZZZ\r\n<x/>\r\n0\r\n\r\n")
        self.configure("otp", urls=[srv.url])
        r = self.refused(35)
        self.assertIn("not valid HTTP", r.log)

    def test_replies_that_are_not_http_11_ask_the_next_url(self):
        # HTTP/0.9 (a body with no status line), a status line that is not
        # HTTP's, a transfer coding never asked for: each a server that
        # answered; none is this host's configuration, so the next url is asked
        for raw in (b"<soapenv:Envelope/>\r\n",
                    b"2000 OK\r\n\r\n",
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n"
                    b"Transfer-Encoding: gzip, chunked\r\n\r\n5\r\nxxxxx\r\n0\r\n\r\n"):
            with self.subTest(raw=raw[:30]):
                srv = self.canned(raw)
                self.configure("otp", urls=[srv.url, self.srv.url])
                before = len(self.srv.requests)
                r = self.emergency("hotp-user", answer="000000")
                self.assertEqual((r.name, r.reason()), ("PAM_AUTH_ERR", 10), r.log)
                self.assertGreater(srv.requests, 0)
                self.assertEqual(len(self.srv.requests), before + 1, r.log)
                self.assertNotIn("bad url", r.log)

    def test_proxy_that_cannot_reach_the_server_opens_the_path(self):
        # 502/503/504 to CONNECT: the gateway could not ask the server, the
        # same as those codes from the server's own front end (reason 42);
        # any other refusal of the tunnel is an answer, and ends the stack
        for status, proxy_auth, outcome in ((503, "none", ("PAM_SUCCESS", 42)),
                                             (502, "ntlm", ("PAM_SUCCESS", 42)),
                                             (504, "none", ("PAM_SUCCESS", 42)),
                                             (403, "none", ("PAM_AUTH_ERR", 34))):
            with self.subTest(status=status, proxy_auth=proxy_auth):
                proxy = RefusingProxy(status)
                self.addCleanup(proxy.stop)
                extra = ["proxy = %s" % proxy.url, "proxy_auth = %s" % proxy_auth]
                if proxy_auth == "ntlm":
                    extra += ["proxy_user = DOM\\u", "proxy_password = p"]
                self.configure("otp", server="\n".join(extra))
                r = self.emergency()
                self.assertEqual((r.name, r.reason()), outcome, r.log)
                self.assertGreater(proxy.connects, 0)

    def test_pin_file_that_is_no_key_is_this_hosts(self):
        # libcurl reads any file that is not PEM as a DER key and reports
        # "does not match": that would be tls-failure, the emergency path
        garbage = os.path.join(self.dir, "pin.der")
        with open(garbage, "wb") as f:
            f.write(b"not a key at all\n")
        for pin, words in (("/nonexistent/pin.pem", "cannot be read"),
                           (garbage, "not a readable PEM or DER public key")):
            with self.subTest(pin=pin):
                self.configure("otp", server="pinned_pubkey = %s" % pin)
                r = self.refused(50)
                self.assertIn(words, r.log)
        # the control: the server's own key as the pin file logs in
        key = os.path.join(self.dir, "server.pub")
        subprocess.run(["openssl", "pkey", "-in", self.certs["server_key"], "-pubout",
                        "-out", key], check=True)
        self.configure("otp", server="pinned_pubkey = %s" % key)
        r = self.emergency("hotp-user", answer="000000")
        self.assertEqual((r.name, r.reason()), ("PAM_AUTH_ERR", 10), r.log)

    def test_held_ports_are_this_machines_shortage(self):
        # a local user who holds every ephemeral port leaves the helper no
        # UDP socket, TCP connection or resolver query: that is this host,
        # not "no server could be asked" (held_ports.py runs the login in
        # its own network namespace with a 16-port range)
        if os.geteuid() != 0 or not shutil.which("unshare"):
            self.skipTest("needs root and unshare(1) for a network namespace")
        for target in ("radius", "https-ip", "https-name", "https-proxy"):
            for ports, outcome in (("free", ("PAM_AUTHINFO_UNAVAIL", 30)),
                                   ("held", ("PAM_SYSTEM_ERR", 56))):
                with self.subTest(target=target, ports=ports):
                    workdir = tempfile.mkdtemp(prefix="crauth-ports-", dir=self.dir)
                    out = subprocess.run(
                        ["unshare", "-n", sys.executable,
                         os.path.join(HERE, "held_ports.py"), workdir, target, ports],
                        capture_output=True, text=True, timeout=60)
                    self.assertEqual(out.returncode, 0, out.stderr)
                    r = json.loads(out.stdout)
                    self.assertEqual((r["name"], r["reason"]), outcome, r["log"])

    def test_no_socket_on_this_host(self):
        # socket(2) failing for want of descriptors, inside libcurl (which
        # keeps no errno of ours) and in the RADIUS client: this host's
        # shortage, never "no server could be asked"
        shim = os.environ.get("SOCKET_FAILS")
        if (not shim or "asan" in os.environ.get("LD_PRELOAD", "")
                or os.environ.get("CRAUTH_UNDER_VALGRIND")):
            self.skipTest("the socket shim is preloaded into a plain helper only")
        wrapper = os.path.join(self.dir, "helper-without-sockets")
        with open(wrapper, "w") as f:
            f.write("#!/bin/sh\nLD_PRELOAD=%s exec %s \"$@\"\n" % (shim, HELPER))
        os.chmod(wrapper, 0o755)
        with open(os.path.join(self.dir, "nosockets"), "w") as f:
            f.write("auth [success=done authinfo_unavail=ignore default=die] %s conf=%s "
                    "helper=%s\nauth required pam_permit.so\n"
                    % (os.environ["PAM_CRAUTH"], self.conf, wrapper))
        radius = ("[radius]\nserver = 127.0.0.1:%d\nsecret = s3cret\ntimeout = 1\n"
                  "retries = 0\n[auth]\nbackend = radius\nmethod = otp\nfail_delay = 0\n"
                  "[cache]\ndir = %s\n" % (closed_port(), os.path.join(self.dir, "cache")))
        for backend in ("server", "radius"):
            with self.subTest(backend=backend):
                self.configure("otp")
                if backend == "radius":
                    with open(self.conf, "w") as f:
                        f.write(radius)
                r = self.login("hotp-user", self.same_answer("123456"), service="nosockets")
                self.assertEqual((r.name, r.reason()), ("PAM_SYSTEM_ERR", 56), r.log)
                self.assertIn("Too many open files", r.log)

    def test_ntlm_proxy_that_closes_after_its_challenge(self):
        # it answered; one that drops NTLM's connection would otherwise send
        # every login down the fallback path (as from the server, 33)
        for says_so, words in ((True, "ends its 407 with the connection"),
                               (False, "closed the connection in the middle of the NTLM")):
            with self.subTest(connection_close_header=says_so):
                proxy = RefusingProxy(407, ntlm_then_close=True, close_header=says_so)
                self.addCleanup(proxy.stop)
                self.configure("otp", server="proxy = %s\nproxy_auth = ntlm\n"
                                             "proxy_user = DOM\\u\nproxy_password = p"
                                             % proxy.url)
                r = self.refused(33)
                self.assertIn(words, r.log)

    def test_issuer_cut_off_between_the_two_steps(self):
        # A issued the challenge; cutting A off before the response while B
        # is up must not turn the response into "no server could be asked"
        other = self.server("B")
        self.configure("server-challenge", urls=[self.srv.url, other.url])

        def cut_then_answer(challenge):
            self.srv.stop()
            return "99999999"
        r = self.login("twostep", self.kbdint(answer=cut_then_answer), service="emergency")
        self.assertEqual((r.name, r.reason()), ("PAM_AUTH_ERR", 13), r.log)
        self.assertEqual(other.requests, [])

    def test_caller_that_pauses_its_helper_opens_nothing(self):
        # the server answers in time, but the helper is held until its
        # deadlines have passed: stopped (SIGSTOP, a cgroup freezer), or its
        # main thread alone frozen (a cgroup v2 threaded group owned by the
        # user who runs sudo takes one thread; the other threads run on).
        # The silence was this host's: no fallback, no server marked down
        holds = [("sigstop", Paused)] + ([("main thread frozen", Frozen)]
                                          if Frozen.available() else [])
        for name, how in holds:
            for phase in ("reply", "handshake"):
                with self.subTest(hold=name, phase=phase):
                    srv = PausingServer(self.certs, phase, stopped_for(3.5, how))
                    self.addCleanup(srv.stop)
                    self.configure("otp", urls=[srv.url], connect_timeout=1, timeout=1)
                    r = self.emergency()
                    self.assertEqual(srv.errors, [])
                    self.assertNotIn(r.reason(), (30, 31), r.log)
                    self.assertEqual((r.name, r.reason()), ("PAM_SYSTEM_ERR", 56), r.log)
                    self.assertIn("this helper was kept from running for", r.log)
                    self.assertGreater(srv.accepted, 0)
                    self.not_marked_down(srv)

    def test_caller_that_starves_its_helper_opens_nothing(self):
        # a CPU quota of 0.4 % in 250 ms periods from the request on (what
        # `systemd-run --user -p CPUQuota=` gives the slice sudo runs in), on
        # the whole helper or on its main thread alone: no stretch is long,
        # but together they are most of the wait.  The login may still make
        # it; it must not end as "no server"
        if not Throttled.available():
            self.skipTest("needs root and cgroup v1's cpu controller")
        for main_only in (False, True):
            for phase in ("reply", "handshake"):
                with self.subTest(main_thread_only=main_only, phase=phase):
                    def hold(port, server_port=None):
                        return Throttled.peer_of("tcp", port, server_port, quota_us=1000,
                                                 period_us=250000,
                                                 main_thread_only=main_only).release
                    srv = PausingServer(self.certs, phase, hold)
                    self.addCleanup(srv.stop)
                    self.configure("otp", urls=[srv.url], connect_timeout=1, timeout=1)
                    r = self.emergency()
                    # a success, 56, or (under valgrind, a slower helper)
                    # the helper's own step budget, 72: never the fallback
                    self.assertNotIn(r.reason(), (30, 31, 32, 39, 42), r.log)
                    self.assertEqual(r.name == "PAM_SUCCESS", r.reason() == 0, r.log)
                    self.not_marked_down(srv)

    def not_marked_down(self, srv):
        """No record says @srv is down, and the next login asks it."""
        listing = cli("cache", "list", "--conf", self.conf)
        self.assertNotIn("down server=%s" % srv.url, listing)
        srv.hold = lambda port, server_port=None: (lambda: None)
        before = srv.requests
        r = self.emergency()
        self.assertEqual(srv.requests, before + 1, r.log)

    def test_answer_without_verdict_beats_a_dead_server(self):
        # one server unreachable, the other answered with a Fault: someone
        # could be asked, so the stack must end here
        self.configure("otp", urls=["https://127.0.0.1:%d/" % closed_port(), self.srv.url])
        self.srv.set_fault("soap_fault")
        self.refused(36)

    def test_negative_status_is_a_server_error(self):
        # a server-side failure such as -13 "Fail to retrieve storage key"
        # (a real reply, doc/protocol.md 2.3) judges nothing
        body = success_body().replace(b"<returnCode>0<", b"<returnCode>-1<").replace(
            b"<statusCode>0<", b"<statusCode>-13<").replace(b"RET_SUCCESS", b"RET_FAILURE")
        srv = CannedServer(self.certs, b"200 OK", body)
        self.addCleanup(srv.stop)
        self.configure("otp", urls=[srv.url])
        r = self.refused(40)
        self.assertIn("server-side error -1/-13", r.log)

    # --- this machine: its own reason, never the fallback ---------------------
    def test_missing_ca_file(self):
        self.configure("otp")
        with open(self.conf) as f:
            text = f.read().replace(self.certs["ca_cert"], "/nonexistent/ca.pem")
        with open(self.conf, "w") as f:
            f.write(text)
        r = self.refused(50)
        self.assertEqual(r.name, "PAM_SERVICE_ERR")
        self.assertEqual(self.srv.requests, [])

    def test_resource_limit_of_the_caller(self):
        """A caller whose hard limit on descriptors is below what a login
        needs: the helper refuses at once, with a local reason."""
        self.configure("otp")
        code = ("import json, resource, sys\n"
                "sys.path.insert(0, %r)\n"
                "import pamharness as ph\n"
                "resource.setrlimit(resource.RLIMIT_NOFILE, (32, 32))\n"
                "r = ph.authenticate('emergency', 'hotp-user', %r,\n"
                "                    lambda b: ['123456' if s in (1, 2) else None for s, _ in b])\n"
                "print(json.dumps([r.name, r.reason(), r.log]))\n" % (HERE, self.dir))
        out = subprocess.run(["/usr/bin/python3", "-c", code], capture_output=True, text=True,
                             timeout=60, env=dict(os.environ))
        self.assertEqual(out.returncode, 0, out.stderr)
        name, reason, log = json.loads(out.stdout)
        self.assertEqual((name, reason), ("PAM_SYSTEM_ERR", 56), log)
        self.assertIn("RLIMIT_NOFILE", log)
        self.assertEqual(self.srv.requests, [])


class EmergencyRadius(RadiusCase):
    """The same stack with backend = radius: a forged or unauthenticated
    RADIUS reply is an answer without a verdict, never "no server"."""

    SECRET = "emergency-radius-secret"

    def setUp(self):
        super().setUp()
        with open(os.path.join(self.dir, "emergency"), "w") as f:
            f.write("auth [success=done authinfo_unavail=ignore default=die] %s conf=%s "
                    "helper=%s\nauth required pam_permit.so\n"
                    % (os.environ["PAM_CRAUTH"], self.conf, HELPER))

    def emergency(self):
        return self.login("alice", answers("123456"), service="emergency")

    def liar(self, mode):
        srv = HostileServer(self.SECRET, mode).start()
        self.addCleanup(srv.stop)
        return srv

    def test_every_server_refusing_opens_the_path(self):
        self.configure([unused_udp_port(), unused_udp_port()], self.SECRET)
        r = self.emergency()
        self.assertEqual((r.name, r.reason()), ("PAM_SUCCESS", 30), r.log)

    def test_forged_reply_does_not(self):
        for mode in ("forged-auth", "no-ma"):
            with self.subTest(mode=mode):
                self.configure([unused_udp_port(), self.liar(mode).server], self.SECRET)
                r = self.emergency()
                self.assertEqual((r.name, r.reason()), ("PAM_AUTH_ERR", 41), r.log)

    def test_issuer_silent_after_its_challenge(self):
        # A sends an Access-Challenge and then falls silent; B would answer:
        # A's State is A's alone, and the attempt fails closed
        issuer = self.liar("challenge-once")
        other = self.liar("good")
        self.configure([issuer.server, other.server], self.SECRET, method="auto", timeout=1,
                       retries=0)
        r = self.login("alice", answers("123456", "654321"), service="emergency")
        self.assertEqual((r.name, r.reason()), ("PAM_AUTH_ERR", 13), r.log)
        self.assertEqual(len(other.requests), 0)

    def test_caller_that_pauses_its_helper_opens_nothing(self):
        # the reply comes in time while the helper is stopped past its
        # deadline (see EmergencyStack): whatever the helper makes of it,
        # it is no "no server could be asked", and the server stays up
        srv = self.liar("good")

        def pause(peer):
            return lambda p=Paused.peer_of("udp", peer[1]): p.resume_after(2.5)
        srv.around_reply = pause
        self.configure([srv.server], self.SECRET, method="otp", timeout=1, retries=0)
        r = self.emergency()
        self.assertIn((r.name, r.reason()), (("PAM_SUCCESS", 0), ("PAM_SYSTEM_ERR", 56)), r.log)
        srv.around_reply = None
        r = self.emergency()
        self.assertEqual((r.name, r.reason()), ("PAM_SUCCESS", 0), r.log)
        self.assertEqual(len(srv.requests), 2)

    def test_missing_secret_is_local(self):
        self.configure([unused_udp_port()])
        r = self.emergency()
        self.assertEqual((r.name, r.reason()), ("PAM_SERVICE_ERR", 50), r.log)
class UserIsTold(ServerCase):
    """When no server could be asked (PAM_AUTHINFO_UNAVAIL), the user sees one
    line saying so, as PAM_ERROR_MSG: sudo authenticates with PAM_SILENT and
    shows only "Sorry, try again" otherwise.  Any other outcome: no such line."""

    UNREACHABLE = "The authentication server could not be reached."

    def told(self, r):
        return [t for t in r.texts(ph.PAM_ERROR_MSG) if t == self.UNREACHABLE]

    def test_unreachable_under_pam_silent(self):
        self.configure("otp", urls=["https://127.0.0.1:%d/" % closed_port()])
        r = self.login("hotp-user", self.same_answer("123456"), flags=ph.PAM_SILENT)
        self.assertEqual((r.name, r.reason()), ("PAM_AUTHINFO_UNAVAIL", 30), r.log)
        self.assertEqual(self.told(r), [self.UNREACHABLE], r.calls)
        # one conversation call of its own, after the prompt
        self.assertEqual(r.calls[-1], [(ph.PAM_ERROR_MSG, self.UNREACHABLE)])

    def test_timeout(self):
        self.configure("otp", timeout=1)
        self.srv.set_fault("hang")
        r = self.login("hotp-user", self.same_answer("123456"), flags=ph.PAM_SILENT)
        self.assertEqual((r.name, r.reason()), ("PAM_AUTHINFO_UNAVAIL", 31), r.log)
        self.assertEqual(self.told(r), [self.UNREACHABLE])

    def test_not_for_an_answer_without_verdict(self):
        self.configure("otp")
        self.srv.set_fault("soap_fault")
        r = self.login("hotp-user", self.same_answer("123456"), flags=ph.PAM_SILENT)
        self.assertEqual(r.reason(), 36, r.log)
        self.assertEqual(self.told(r), [])

    def test_not_for_a_wrong_code(self):
        self.configure("otp")
        r = self.login("hotp-user", self.same_answer("000000"))
        self.assertEqual(r.reason(), 10, r.log)
        self.assertEqual(self.told(r), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
