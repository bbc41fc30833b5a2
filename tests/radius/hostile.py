#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""A small hostile RADIUS server (UDP, loopback) for the client's tests.

    with HostileServer(secret, "forged-then-real") as srv:
        srv.server          # "127.0.0.1:PORT"
        srv.requests        # every Access-Request, checked and parsed (radiuspkt)
        srv.bad_requests    # ValueError texts for requests a strict server drops

Modes (what it sends for each request it accepts):
  good              a valid reply (code, attrs), Message-Authenticator last
  no-ma             a valid reply without Message-Authenticator
  forged-auth       the Response Authenticator made with a wrong secret
  forged-ma         the Message-Authenticator made with a wrong secret
  wrong-id          a valid reply for another Identifier
  forged-then-real  an Access-Accept forged with a wrong secret, then the real reply
  forged-then-gone  a forged Access-Accept, then the port closes (a retry meets ICMP)
  challenge-once    an Access-Challenge with a State to the first request, then nothing
  rechallenge       an Access-Challenge to every request (a next-code mode, or a guesser's
                    paradise if its rounds went uncounted)
  malformed         ten bytes
  second-copy       nothing to the first datagram; to the second, a valid
                    Access-Accept whose Reply-Message says whether the two
                    were byte for byte the same ("identical" / "different")
  silent            nothing (a server that reads but never answers)

Every request is checked as a strict server would (Message-Authenticator
present, first and valid): one that fails gets no answer and is recorded in
bad_requests, so a test sees both the client's behaviour and its packets.

TlsHostileServer(certfile, keyfile, mode) is the same over RADIUS/TLS (one
connection, secret "radsec"): modes good, split (the reply one byte per
write), close (hang up after the request), bad-length (a Length of 5),
silent.

CLI: hostile.py MODE < SECRET   (UDP; prints the port, serves until killed)
"""
import os
import select
import socket
import ssl
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import radiuspkt as r  # noqa: E402

WRONG = b"forger-does-not-know-it"
MODES = ("good", "no-ma", "forged-auth", "forged-ma", "wrong-id", "forged-then-real",
         "malformed", "second-copy", "silent", "forged-then-gone", "challenge-once",
         "rechallenge")


class HostileServer:
    def __init__(self, secret, mode, code=r.ACCESS_ACCEPT, attrs=()):
        if mode not in MODES:
            raise ValueError("mode must be one of %s" % (MODES,))
        self.secret = secret.encode() if isinstance(secret, str) else secret
        self.mode, self.code, self.attrs = mode, code, list(attrs)
        self.requests, self.bad_requests, self.datagrams = [], [], []
        # around_reply(peer) -> after(): a test's hook around each reply sent
        self.around_reply = None
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self._stop_r, self._stop_w = os.pipe()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def server(self):
        return "127.0.0.1:%d" % self.port

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        os.write(self._stop_w, b"x")
        self._thread.join(10)
        self.sock.close()
        os.close(self._stop_r)
        os.close(self._stop_w)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def _serve(self):
        while True:
            ready, _, _ = select.select([self.sock, self._stop_r], [], [])
            if self.sock not in ready:  # stopped, and every datagram sent has been read
                return
            data, peer = self.sock.recvfrom(65535)
            self.datagrams.append(data)
            try:
                req = r.parse_request(data, self.secret)
            except ValueError as e:
                self.bad_requests.append(str(e))
                continue
            self.requests.append(req)
            after = self.around_reply(peer) if self.around_reply else None
            for answer in self._answers(req, data):
                self.sock.sendto(answer, peer)
            if after:
                after()
            if self.mode == "forged-then-gone":  # the port closes: a retry meets ICMP
                self.sock.close()
                return

    def _reply(self, req, **kw):
        kw.setdefault("attrs", self.attrs)
        code = kw.pop("code", self.code)
        ident = kw.pop("ident", req["id"])
        return r.reply(code, ident, req["authenticator"], self.secret, **kw)

    def _answers(self, req, data):
        mode = self.mode
        if mode == "good":
            return [self._reply(req)]
        if mode == "no-ma":
            return [self._reply(req, message_authenticator=None)]
        if mode == "forged-auth":
            return [self._reply(req, auth_key=WRONG)]
        if mode == "forged-ma":
            return [self._reply(req, ma_key=WRONG)]
        if mode == "wrong-id":
            return [self._reply(req, ident=(req["id"] + 1) % 256)]
        if mode == "forged-then-gone":
            return [self._reply(req, auth_key=WRONG)]
        if mode == "rechallenge":  # another Access-Challenge, whatever is answered
            return [self._reply(req, code=r.ACCESS_CHALLENGE,
                                attrs=[(r.STATE, b"round-%d" % len(self.requests)),
                                       (r.REPLY_MESSAGE, b"Next code")])]
        if mode == "challenge-once":  # then silent, as an issuer cut off
            if len(self.requests) > 1:
                return []
            return [self._reply(req, code=r.ACCESS_CHALLENGE,
                                attrs=[(r.STATE, b"issuer-state"),
                                       (r.REPLY_MESSAGE, b"Enter the code")])]
        if mode == "forged-then-real":
            return [self._reply(req, code=r.ACCESS_ACCEPT, attrs=[], ma_key=WRONG,
                                auth_key=WRONG), self._reply(req)]
        if mode == "malformed":
            return [bytes(10)]
        if mode == "second-copy":
            if len(self.datagrams) < 2:
                return []
            same = self.datagrams[0] == self.datagrams[1]
            return [self._reply(req, code=r.ACCESS_ACCEPT,
                                attrs=[(r.REPLY_MESSAGE, b"identical" if same else b"different")])]
        return []  # silent


TLS_MODES = ("good", "split", "close", "bad-length", "silent")


class TlsHostileServer:
    """One RADIUS/TLS connection, answered as told (see the module text)."""

    def __init__(self, certfile, keyfile, mode, code=r.ACCESS_ACCEPT, attrs=()):
        if mode not in TLS_MODES:
            raise ValueError("mode must be one of %s" % (TLS_MODES,))
        self.mode, self.code, self.attrs = mode, code, list(attrs)
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(certfile, keyfile)
        self.requests, self.errors = [], []
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(4)
        self.port = self.listener.getsockname()[1]
        self._stop_r, self._stop_w = os.pipe()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def server(self):
        return "127.0.0.1:%d" % self.port

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        os.write(self._stop_w, b"x")
        self._thread.join(10)
        self.listener.close()
        os.close(self._stop_r)
        os.close(self._stop_w)

    def _serve(self):
        ready, _, _ = select.select([self.listener, self._stop_r], [], [])
        if self.listener not in ready:
            return
        conn, _ = self.listener.accept()
        try:
            with self.ctx.wrap_socket(conn, server_side=True) as tls:
                self._answer(tls)
        except (OSError, ValueError) as e:
            self.errors.append(str(e))

    @staticmethod
    def _read(tls, n):
        data = b""
        while len(data) < n:
            chunk = tls.recv(n - len(data))
            if not chunk:
                raise ValueError("the client closed the connection")
            data += chunk
        return data

    def _answer(self, tls):
        head = self._read(tls, 4)
        data = head + self._read(tls, int.from_bytes(head[2:4], "big") - 4)
        req = r.parse_request(data, b"radsec")
        self.requests.append(req)
        reply = r.reply(self.code, req["id"], req["authenticator"], b"radsec", self.attrs)
        if self.mode == "good":
            tls.sendall(reply)
        elif self.mode == "split":
            for i in range(len(reply)):
                tls.sendall(reply[i:i + 1])
        elif self.mode == "bad-length":
            tls.sendall(reply[:2] + b"\0\x05" + reply[4:])
        elif self.mode == "silent":
            select.select([self._stop_r], [], [])
            return
        # close: nothing sent; every mode ends with a close_notify
        tls.unwrap()


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in MODES:
        sys.exit("usage: hostile.py MODE < SECRET  (MODE: %s)" % ", ".join(MODES))
    srv = HostileServer(sys.stdin.readline().rstrip("\n"), sys.argv[1]).start()
    print(srv.port, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        srv.stop()


if __name__ == "__main__":
    main()
