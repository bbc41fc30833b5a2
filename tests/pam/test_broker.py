#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""crauth-broker (crauth.conf(5) `broker`, doc/design.md "The broker").

With a broker that answers, a server login maps no libcurl or OpenSSL and
its calls go over connections the broker keeps.  What must hold:

- a broker that is not there, busy, or listened on by another user is not
  asked: the helper calls the servers itself (another user's "broker"
  could otherwise hand out verdicts);
- a broker that fails once it took a call fails the login closed (reason
  62, PAM_SYSTEM_ERR), never as "no server could be asked", within
  connect_timeout + timeout + its margin;
- a broker relays: an outcome that no server call yields is refused;
- what a server does still counts as before: a dead server through the
  broker is unreachable (PAM_AUTHINFO_UNAVAIL) and skipped next time;
- a kept connection the server closed costs nothing but a new one; an
  edited configuration is read again, and a call for a url that is no
  longer in it is refused.

The misbehaving brokers are small Python listeners speaking the protocol
(lib/broker/protocol.h), not crauth-broker.
"""
import os
import pwd
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serverfixture import CRAUTH, HELPER, ServerCase, closed_port, ph  # noqa: E402
from test_emergency import PausingServer, read_head, serve_each, stopped_for  # noqa: E402
from test_emergency import success_body  # noqa: E402

BROKER = os.environ.get("CRAUTH_BROKER", "broker/crauth-broker")
B_HELLO, B_BUSY, B_CONF, B_URL, B_CALL, B_OUTCOME, B_R_CODES, B_END = (
    0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x6f)
B_FIELD, B_R_TEXT = 0x70, 0x80
N_REPLY_TEXTS = 12
FAILURE_XML = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "unit",
                           "soap_replies", "failure.xml")


def frame(kind, payload=b""):
    return struct.pack(">BH", kind, len(payload)) + payload


def read_frame(conn):
    head = b""
    while len(head) < 3:
        chunk = conn.recv(3 - len(head))
        if not chunk:
            return None, None
        head += chunk
    kind, n = struct.unpack(">BH", head)
    body = b""
    while len(body) < n:
        chunk = conn.recv(n - len(body))
        if not chunk:
            return None, None
        body += chunk
    return kind, body


def read_call(conn):
    """The frames of one call, up to B_END; {} when the helper only said HELLO."""
    call = {}
    while True:
        kind, body = read_frame(conn)
        if kind is None or kind == B_END:
            return call
        call[kind] = body


def success_outcome():
    """A well-formed outcome: REASON_OK, returnCode 0, statusCode 0, no texts."""
    return (frame(B_OUTCOME, b"\0\0") + frame(B_R_CODES, b"\0" * 13)
            + b"".join(frame(B_R_TEXT + i) for i in range(N_REPLY_TEXTS)) + frame(B_END))


class FakeBroker:
    """A listener on @path answering HELLO, then doing @after(conn, call)
    with each call.  Runs in a thread, or in a child process as @user."""

    def __init__(self, path, after, busy=False, user=None):
        self.path, self.after, self.busy = path, after, busy
        self.calls = []
        self.held = []  # connections kept open on purpose
        if user is None:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.bind(path)
            self.sock.listen(16)
            threading.Thread(target=self.serve, daemon=True).start()
            self.child = None
        else:
            r, w = os.pipe()
            self.child = os.fork()
            if self.child == 0:
                os.close(r)
                pw = pwd.getpwnam(user)
                os.setgid(pw.pw_gid)
                os.setuid(pw.pw_uid)
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.bind(path)
                os.chmod(path, 0o777)
                self.sock.listen(16)
                os.write(w, b"x")
                self.serve()
                os._exit(0)
            os.close(w)
            os.read(r, 1)  # bound and listening
            os.close(r)

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            if self.busy:
                conn.sendall(frame(B_BUSY, b"fake: full"))
                conn.close()
                continue
            kind, _ = read_frame(conn)
            if kind != B_HELLO:
                conn.close()
                continue
            conn.sendall(frame(B_HELLO, b"\0\1"))
            call = read_call(conn)
            if call:
                self.calls.append(call)
                if self.after(conn, call) == "hold":
                    self.held.append(conn)  # kept open, unanswered, until the test ends
                    continue
            conn.close()

    def stop(self):
        if self.child:
            os.kill(self.child, 9)
            os.waitpid(self.child, 0)
        else:
            self.sock.close()
        for c in self.held:
            c.close()


class BrokerCase(ServerCase):
    def setUp(self):
        super().setUp()
        self.sock = os.path.join(self.dir, "broker.sock")
        self.broker_pid = None

    def start_broker(self):
        """The real crauth-broker on self.sock; its log in self.broker_log."""
        self.broker_log = os.path.join(self.dir, "broker.log")
        proc = subprocess.Popen([BROKER, "--socket", self.sock, "--debug"],
                                stdout=subprocess.DEVNULL, stderr=open(self.broker_log, "w"))

        def stop():
            proc.terminate()
            proc.wait(20)
        self.addCleanup(stop)
        self.broker_pid = proc.pid
        deadline = time.monotonic() + 20
        while not os.path.exists(self.sock):  # its start, not the thing under test
            self.assertIsNone(proc.poll(), self.read_broker_log())
            self.assertLess(time.monotonic(), deadline, "crauth-broker did not start")
            time.sleep(0.01)
        return proc

    def read_broker_log(self):
        with open(self.broker_log) as f:
            return f.read()

    def fake(self, after, **kw):
        fb = FakeBroker(self.sock, after, **kw)
        self.addCleanup(fb.stop)
        return fb

    def configure_broker(self, method="server-challenge", **kw):
        kw["server"] = "broker = %s\n%s" % (self.sock, kw.get("server", ""))
        self.configure(method, **kw)

    def helper_maps(self, user="twostep"):
        """Log in, noting which files the helper had mapped at the prompt."""
        maps = []

        def look_then_answer(batch):
            # the helper: this process's child that is not the broker
            (pid,) = [p for p in ph.children_of(os.getpid()) if p != self.broker_pid]
            with open("/proc/%d/maps" % pid) as f:
                maps.extend(os.path.basename(line.split()[-1]) for line in f if "/" in line)
            return self.kbdint()(batch)
        return self.login(user, look_then_answer), set(maps)


class TestRealBroker(BrokerCase):
    def test_a_login_through_the_broker_maps_no_libcurl_and_keeps_its_connection(self):
        self.start_broker()
        self.configure_broker()
        r, maps = self.helper_maps()
        self.assertOutcome(r, "PAM_SUCCESS", 0)
        self.assertFalse([m for m in maps if m.startswith(("libcurl", "libssl", "libcrypto",
                                                           "crauth-remote"))], sorted(maps))
        first = self.srv.stats
        for _ in range(3):
            self.assertOutcome(self.login("twostep", self.kbdint()), "PAM_SUCCESS", 0)
        # four 2-step logins, eight requests, and no TLS handshake after the first login's
        self.assertEqual(len(self.srv.requests), 8)
        self.assertEqual(self.srv.stats["tls_handshakes"], first["tls_handshakes"])

    def test_without_a_broker_the_helper_calls_the_servers_itself(self):
        self.configure_broker()  # nothing listens on self.sock
        r, maps = self.helper_maps()
        self.assertOutcome(r, "PAM_SUCCESS", 0)
        self.assertIn("crauth-remote.so", maps)
        self.assertIn("crauth-broker %s not used: not running" % self.sock, r.log)

    def test_socket_activated(self):
        """As crauth-broker.socket starts it: the listening socket as fd 3,
        LISTEN_PID and LISTEN_FDS in its environment, no --socket."""
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(self.sock)
        listener.listen(16)
        fd = listener.fileno()
        try:
            # the socket moves to fd 3 in sh, and sh's $$ is the pid the
            # broker has once sh execs it
            proc = subprocess.Popen(["/bin/sh", "-c", 'exec 3<&%d %d<&-; LISTEN_PID=$$ '
                                     'LISTEN_FDS=1 exec "$0"' % (fd, fd), BROKER],
                                    pass_fds=(fd,), stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE, text=True)
        finally:
            listener.close()

        def stop():
            proc.terminate()
            proc.wait(20)
        self.addCleanup(stop)
        self.broker_pid = proc.pid
        self.configure_broker()
        r, maps = self.helper_maps()
        self.assertOutcome(r, "PAM_SUCCESS", 0)
        self.assertNotIn("crauth-remote.so", maps, r.log)

    def test_timeouts_longer_than_a_step_do_not_use_the_broker(self):
        """The module waits 600 s for a step at most: a broker call bounded
        by connect_timeout + 2 x timeout beyond it is not made."""
        self.start_broker()
        self.configure_broker(connect_timeout=2, timeout=300)
        r, maps = self.helper_maps()
        self.assertOutcome(r, "PAM_SUCCESS", 0)
        self.assertIn("crauth-remote.so", maps)
        self.assertIn("over the 600 s a step may take", r.log)

    def test_a_dead_server_through_the_broker_is_unreachable_and_skipped(self):
        self.start_broker()
        dead = "https://127.0.0.1:%d/" % closed_port()
        self.configure_broker(urls=[dead], connect_timeout=1, timeout=1)
        r = self.login("twostep", self.kbdint())
        self.assertOutcome(r, "PAM_AUTHINFO_UNAVAIL", 30)
        self.configure_broker(urls=[dead, self.srv.url], connect_timeout=1, timeout=1)
        r = self.login("twostep", self.kbdint())
        self.assertOutcome(r, "PAM_SUCCESS", 0)
        self.assertIn("skipped=%s" % dead, r.log)

    def test_a_wrong_response_through_the_broker_is_refused(self):
        self.start_broker()
        self.configure_broker()
        r = self.login("twostep", self.kbdint(answer=lambda c: "00000000"))
        self.assertOutcome(r, "PAM_AUTH_ERR", 10)

    def test_a_kept_connection_the_server_closed_costs_a_new_one(self):
        self.start_broker()
        closer = ClosingServer(self.certs)
        self.addCleanup(closer.stop)
        self.configure_broker("otp", urls=[closer.url])
        for n in (1, 2, 3):
            self.assertOutcome(self.login("hotp-user", self.same_answer("123456")),
                               "PAM_SUCCESS", 0)
            self.assertTrue(closer.closed.wait(10))  # the server closed what the broker keeps
            closer.closed.clear()
            self.assertEqual(closer.connections, n)

    def test_an_edited_configuration_is_read_again(self):
        """The helper read url A; while the user types, the admin moves the
        servers; the broker, reading the file anew, refuses the call for a
        url that is no longer there (a configuration error, not a fallback)."""
        other = self.server("B")
        self.start_broker()
        self.configure_broker()

        def move_then_answer(batch):
            self.configure_broker(urls=[other.url])
            return self.kbdint()(batch)
        r = self.login("twostep", move_then_answer)
        self.assertOutcome(r, "PAM_SERVICE_ERR", 50)
        self.assertIn("changed since the helper read it", r.log)
        # the next login reads the new file, and so does the broker
        self.assertOutcome(self.login("twostep", self.kbdint()), "PAM_SUCCESS", 0)
        self.assertTrue(other.requests)

    def test_another_user_cannot_connect_to_the_broker(self):
        if os.geteuid() != 0:
            self.skipTest("needs root to become another user")
        self.start_broker()
        os.chmod(self.dir, 0o755)
        child = os.fork()
        if child == 0:
            os.setgid(65534)
            os.setuid(65534)
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(self.sock)
                s.sendall(frame(B_HELLO, b"\0\1"))
                os._exit(0 if read_frame(s)[0] is None else 1)
            except OSError:
                os._exit(0)
        _, status = os.waitpid(child, 0)
        self.assertEqual(os.waitstatus_to_exitcode(status), 0,
                         "another user got an answer from the broker")

    def check_broker_step(self):
        """crauth check's broker line: (ok|warn|FAIL, text)."""
        out = subprocess.run([CRAUTH, "check", "--conf", self.conf, "--helper", HELPER,
                              "--pamdir", self.dir], capture_output=True, text=True, timeout=60)
        for line in out.stdout.splitlines():
            words = line.split(None, 3)
            if len(words) == 4 and words[2] == "broker":
                return words[0], words[3]
        self.fail("no broker step in:\n" + out.stdout)

    def test_check_says_whether_logins_use_the_broker(self):
        self.configure_broker()
        state, text = self.check_broker_step()
        self.assertEqual(state, "warn", text)
        self.assertIn("logins call the servers themselves", text)
        self.start_broker()
        state, text = self.check_broker_step()
        self.assertEqual(state, "ok", text)
        self.assertIn("logins use it", text)

    def test_a_connection_that_says_nothing_is_dropped(self):
        """A peer that connects and sends nothing (or stops in the middle of
        a call) holds one of the broker's threads for BROKER_HELLO_MS or
        BROKER_CALL_READ_MS, not longer: the broker closes it."""
        self.start_broker()
        for sent in (b"", frame(B_HELLO, b"\0\1") + frame(B_CONF, self.conf.encode())):
            with self.subTest(sent=sent):
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.settimeout(30)  # far above the broker's bounds; a hang fails here
                s.connect(self.sock)
                s.sendall(sent)
                got = b""
                while True:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    got += chunk
                s.close()
                # HELLO came back only to the peer that said HELLO, then the end
                self.assertEqual(got, frame(B_HELLO, b"\0\1") if sent else b"")

    def test_a_second_broker_on_the_same_socket_is_refused(self):
        self.start_broker()
        r = subprocess.run([BROKER, "--socket", self.sock], capture_output=True, text=True,
                           timeout=20)
        self.assertEqual(r.returncode, 1)
        self.assertIn("has a broker already", r.stderr)


class TestFakeBrokers(BrokerCase):
    """Brokers that misbehave; the reference server stays healthy."""

    def test_a_busy_broker_is_not_used(self):
        self.fake(None, busy=True)
        self.configure_broker()
        r = self.login("twostep", self.kbdint())
        self.assertOutcome(r, "PAM_SUCCESS", 0)
        self.assertIn("busy: fake: full", r.log)

    def test_a_socket_of_another_user_is_not_asked(self):
        """Whoever listens there and is neither root nor the helper's user
        would otherwise say yes to any response."""
        if os.geteuid() != 0:
            self.skipTest("needs root to listen as another user")
        os.chmod(self.dir, 0o777)
        fb = self.fake(lambda conn, call: conn.sendall(success_outcome()), user="nobody")
        self.configure_broker()
        r = self.login("twostep", self.kbdint(answer=lambda c: "00000000"))
        self.assertOutcome(r, "PAM_AUTH_ERR", 10)
        self.assertIn("neither root nor uid", r.log)
        self.assertFalse(fb.calls)

    def test_check_fails_a_socket_of_another_user(self):
        if os.geteuid() != 0:
            self.skipTest("needs root to listen as another user")
        os.chmod(self.dir, 0o777)
        self.fake(lambda conn, call: None, user="nobody")
        self.configure_broker()
        state, text = TestRealBroker.check_broker_step(self)
        self.assertEqual(state, "FAIL", text)
        self.assertIn("neither root nor uid", text)

    def test_the_fake_success_itself_is_taken_from_a_trusted_listener(self):
        """The control for the test above: the same listener as our own user
        is asked (so the refusal above is the uid check, nothing else)."""
        fb = self.fake(lambda conn, call: conn.sendall(success_outcome()))
        self.configure_broker("otp")
        r = self.login("hotp-user", self.same_answer("123456"))
        self.assertOutcome(r, "PAM_SUCCESS", 0)
        self.assertEqual(len(fb.calls), 1)

    def assert_fails_closed(self, after, reason_text, method="otp", timeout=3):
        fb = self.fake(after)
        self.configure_broker(method, connect_timeout=1, timeout=1)
        t0 = time.monotonic()
        r = self.login("hotp-user", self.same_answer("123456"))
        elapsed = time.monotonic() - t0
        self.assertOutcome(r, "PAM_SYSTEM_ERR", 62)
        self.assertIn(reason_text, r.log)
        self.assertEqual(len(fb.calls), 1)
        self.assertEqual(self.srv.requests, [])
        # bounded: connect_timeout + timeout + the broker's margin, with room
        self.assertLess(elapsed, timeout + 10)
        return fb

    def test_a_broker_that_closes_after_the_call_fails_closed(self):
        self.assert_fails_closed(lambda conn, call: None,
                                 "closed the connection before the outcome")

    def test_a_silent_broker_fails_closed_within_its_bound(self):
        self.assert_fails_closed(lambda conn, call: "hold",
                                 "no outcome within its bound")

    def test_a_cut_outcome_fails_closed(self):
        self.assert_fails_closed(lambda conn, call: conn.sendall(success_outcome()[:20]),
                                 "closed the connection before the outcome")

    def test_an_outcome_with_unknown_flags_fails_closed(self):
        bad = (frame(B_OUTCOME, b"\0\0") + frame(B_R_CODES, b"\0" * 12 + b"\x80")
               + b"".join(frame(B_R_TEXT + i) for i in range(N_REPLY_TEXTS)) + frame(B_END))
        self.assert_fails_closed(lambda conn, call: conn.sendall(bad),
                                 "sent an outcome that does not parse")

    def test_a_verdict_no_call_yields_is_refused(self):
        """A broker relays what a server said; "wrong response" (10) or
        "locked" (15) as its own outcome is not a server's reply."""
        for code in (10, 15, 70):
            with self.subTest(code=code):
                self.doCleanups()
                self.setUp()
                out = frame(B_OUTCOME, struct.pack(">H", code) + b"no") + frame(B_END)
                self.assert_fails_closed(lambda conn, call, out=out: conn.sendall(out),
                                         "outcome %d is not one a call yields" % code)

    def test_the_call_carries_the_configuration_and_no_more(self):
        """What the helper sends: its configuration's path, the url, and the
        request's fields; the answer (a secret) travels only in its field."""
        fb = self.fake(lambda conn, call: conn.sendall(success_outcome()))
        self.configure_broker("otp")
        self.assertOutcome(self.login("hotp-user", self.same_answer("123456")), "PAM_SUCCESS", 0)
        (call,) = fb.calls
        self.assertEqual(call[B_CONF], self.conf.encode())
        self.assertEqual(call[B_URL], self.srv.url.encode())
        self.assertEqual(call[B_CALL][0], 0)  # url index
        self.assertEqual(call[B_FIELD + 0], b"hotp-user")  # CREDFLD_USERID
        self.assertEqual(call[B_FIELD + 3], b"123456")  # CREDFLD_PASSWORD
        others = b"".join(v for k, v in call.items() if k != B_FIELD + 3)
        self.assertNotIn(b"123456", others)


def reply(body):
    return (b"HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body) + body)


def read_request(c):
    """One request's body from @c, or None when the client went away."""
    head = read_head(c)
    if not head:
        return None
    n = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
    body = head.split(b"\r\n\r\n", 1)[1]
    while len(body) < n:
        chunk = c.recv(n - len(body))
        if not chunk:
            return None
        body += chunk
    return body


class KeepAliveServer:
    """TLS, keep-alive, a thread per connection; @policy(n, body, conn)
    answers request n (from 1) of its connection, and returns "hold" to
    keep that connection open and never answer on it again."""

    def __init__(self, certs, policy):
        self.policy = policy
        self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.tls.load_cert_chain(certs["server_cert"], certs["server_key"])
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = "https://127.0.0.1:%d/" % self.sock.getsockname()[1]
        self.connections = 0
        self.held = []
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self.each, args=(conn,), daemon=True).start()

    def each(self, conn):
        try:
            c = self.tls.wrap_socket(conn, server_side=True)
            n = 0
            while True:
                body = read_request(c)
                if body is None:
                    return
                n += 1
                if self.policy(n, body, c) == "hold":
                    self.held.append(c)
                    return
        except (OSError, ssl.SSLError, IndexError, ValueError):
            pass

    def stop(self):
        self.sock.close()
        for c in self.held:
            c.close()


class TestKeptConnections(BrokerCase):
    """What a connection the broker keeps between logins must never do:
    carry one login's reply to another, or turn a server that takes new
    connections into "no server could be asked"."""

    def failure_body(self):
        with open(FAILURE_XML, "rb") as f:
            return f.read()

    def twice_server(self):
        """Success for code 123456, sent twice (a broken front end), each
        in its own TLS record; failure for anything else.  `sent` is set
        once both copies are out."""
        sent = threading.Event()
        failure = self.failure_body()

        def policy(n, body, c):
            if b">123456<" in body:
                c.sendall(reply(success_body()))
                c.sendall(reply(success_body()))
                sent.set()
            else:
                c.sendall(reply(failure))
        srv = KeepAliveServer(self.certs, policy)
        self.addCleanup(srv.stop)
        return srv, sent

    def test_a_reply_sent_twice_answers_no_later_login(self):
        srv, sent = self.twice_server()
        self.start_broker()
        self.configure_broker("otp", urls=[srv.url])
        self.assertOutcome(self.login("hotp-user", self.same_answer("123456")), "PAM_SUCCESS", 0)
        self.assertTrue(sent.wait(10))
        # the copy waits on the kept connection: another user, a wrong code
        for user in ("twostep", "hotp-user"):
            r = self.login(user, self.same_answer("999999"))
            self.assertOutcome(r, "PAM_AUTH_ERR", 10)
        self.assertEqual(srv.connections, 2)  # the dirty connection was dropped

    def test_a_late_reply_answers_no_later_login(self):
        """The server answers after the call gave up (timeout): that late
        success must not be read as the next login's answer."""
        release, sent = threading.Event(), threading.Event()
        failure = self.failure_body()

        def policy(n, body, c):
            if b">123456<" in body:
                release.wait(30)
                c.sendall(reply(success_body()))
                sent.set()
            else:
                c.sendall(reply(failure))
        srv = KeepAliveServer(self.certs, policy)
        self.addCleanup(srv.stop)
        self.start_broker()
        self.configure_broker("otp", urls=[srv.url], connect_timeout=1, timeout=1)
        r = self.login("hotp-user", self.same_answer("123456"))
        self.assertOutcome(r, "PAM_AUTHINFO_UNAVAIL", 31)  # a new connection, then silence
        release.set()
        self.assertTrue(sent.wait(10))
        # the server was marked down by that timeout: asked again all the same
        self.configure_broker("otp", urls=[srv.url], connect_timeout=1, timeout=1,
                              server="dead_time = 0")
        r = self.login("hotp-user", self.same_answer("999999"))
        self.assertOutcome(r, "PAM_AUTH_ERR", 10)

    def test_a_kept_connection_gone_silent_is_not_no_server(self):
        """The server answers the first request on a connection and never
        another on it (a balancer's lost state), while new connections
        work: the call is made again on a new one, and succeeds."""
        def policy(n, body, c):
            if n > 1:
                return "hold"
            c.sendall(reply(success_body()))
        srv = KeepAliveServer(self.certs, policy)
        self.addCleanup(srv.stop)
        self.start_broker()
        self.configure_broker("otp", urls=[srv.url], connect_timeout=1, timeout=1)
        for n in (1, 2):
            self.assertOutcome(self.login("hotp-user", self.same_answer("123456")),
                               "PAM_SUCCESS", 0)
            self.assertEqual(srv.connections, n)

    def test_a_held_broker_does_not_open_the_fallback(self):
        """The broker's call thread stopped (SIGSTOP: root, _crauth, or a
        loaded machine can hold it) while the server answers in time: this
        host's failure (56), not the server's (31), and no server marked
        down."""
        srv = PausingServer(self.certs, "reply", stopped_for(3.5))
        self.addCleanup(srv.stop)
        proc = self.start_broker()
        self.configure_broker("otp", urls=[srv.url], connect_timeout=1, timeout=3)
        r = self.login("hotp-user", self.same_answer("123456"))
        self.assertEqual(srv.errors, [])
        self.assertIsNone(proc.poll())
        self.assertOutcome(r, "PAM_SYSTEM_ERR", 56)
        self.assertIn("kept from running", r.log)

    def test_a_replaced_ca_file_takes_effect_at_once(self):
        """A kept connection (or a TLS session resumed from it) must not
        carry trust the admin took back: ca_file replaced by another CA."""
        other = os.path.join(self.dir, "other-ca")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                        other + ".key", "-out", other + ".pem", "-days", "1", "-subj",
                        "/CN=unrelated CA"], check=True, capture_output=True)
        ca = os.path.join(self.dir, "ca.pem")
        with open(self.certs["ca_cert"], "rb") as f, open(ca, "wb") as g:
            g.write(f.read())
        self.start_broker()
        self.configure_broker(urls=[self.srv.url])
        with open(self.conf) as f:
            text = f.read().replace(self.certs["ca_cert"], ca)
        with open(self.conf, "w") as f:
            f.write(text)
        self.assertOutcome(self.login("twostep", self.kbdint()), "PAM_SUCCESS", 0)
        with open(other + ".pem", "rb") as f, open(ca + ".new", "wb") as g:
            g.write(f.read())
        os.rename(ca + ".new", ca)
        r = self.login("twostep", self.kbdint())
        self.assertOutcome(r, "PAM_AUTHINFO_UNAVAIL", 32)


class ClosingServer:
    """A TLS server that answers one request per connection with a success
    reply, keep-alive by its headers, then closes the connection, as a
    server whose idle timeout is shorter than the broker's."""

    def __init__(self, certs):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(certs["server_cert"], certs["server_key"])
        self.tls = ctx
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = "https://127.0.0.1:%d/" % self.sock.getsockname()[1]
        self.connections = 0
        self.closed = threading.Event()
        threading.Thread(target=serve_each, args=(self.sock, self.answer), daemon=True).start()

    def answer(self, conn):
        self.connections += 1
        body = success_body()
        try:
            with self.tls.wrap_socket(conn, server_side=True) as c:
                head = read_head(c)
                n = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
                have = len(head.split(b"\r\n\r\n", 1)[1])
                while have < n:
                    have += len(c.recv(n - have))
                c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\n"
                          b"Content-Length: %d\r\n\r\n" % len(body) + body)
        finally:
            self.closed.set()

    def stop(self):
        self.sock.close()


if __name__ == "__main__":
    unittest.main()
