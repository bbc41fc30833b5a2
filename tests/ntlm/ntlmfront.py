# SPDX-License-Identifier: BSD-3-Clause
"""ntlmfront.py - a small HTTPS front for the module tests of http_auth = ntlm:
it does the server side of the NTLM handshake itself and forwards the
authenticated requests' bodies to a backend (the reference authUser server).

Modes:
  "gssapi"   gss-ntlmssp as the acceptor through python3-gssapi, given
             tls-server-end-point channel bindings (RFC 5929 4.1) of
             `binding_der` (default: the front's own certificate).  The login
             counts only if the context completes AND gss-ntlmssp reports
             CHANNEL_BOUND (it accepts a client that sends no bindings but
             then leaves the flag clear).  `schemes` are the schemes offered
             and accepted ("NTLM", "Negotiate").
             `one_request_per_login`: each authentication is good for one
             request only (the next one on the connection gets a 401).
  hostile    answer the NEGOTIATE with "malformed_challenge" (TargetInfo
             offset past the end), "huge_header" (a 100 KB header in the
             401), "no_www_authenticate" (a bare 401), "close_after_challenge"
             (a valid CHALLENGE, then the connection is closed) or
             "basic_only" (a 401 offering only Basic).

Every request is recorded as (connection number, Authorization scheme or
None, body length, authenticated connection?), so tests can check that a
body never went over a connection that was not authenticated.
"""
import base64
import hashlib
import http.client
import os
import socket
import ssl
import struct
import threading

NTLMSSP_OID = "1.3.6.1.4.1.311.2.2.10"
CHANNEL_BOUND = 2048  # GSS_C_CHANNEL_BOUND_FLAG
MAX_HEAD = 64 * 1024


def app_data(der):
    # RFC 5929 4.1 for an RSA/SHA-256 certificate (ntlmtest.make_cert)
    return b"tls-server-end-point:" + hashlib.sha256(der).digest()


def challenge_message(target_info_offset=None):
    """A minimal CHALLENGE_MESSAGE (MS-NLMP 2.2.1.2): UNICODE | NTLM | ESS |
    TARGET_INFO | VERSION, NbComputerName "SRV", a timestamp, EOL."""
    ti = (struct.pack("<HH", 1, 6) + "SRV".encode("utf-16-le") +
          struct.pack("<HHQ", 7, 8, 132000000000000000) + struct.pack("<HH", 0, 0))
    flags = 0x00000001 | 0x00000200 | 0x00080000 | 0x00800000 | 0x02000000
    header_len = 56
    offset = header_len if target_info_offset is None else target_info_offset
    msg = (b"NTLMSSP\0" + struct.pack("<I", 2) + struct.pack("<HHI", 0, 0, header_len) +
           struct.pack("<I", flags) + os.urandom(8) + b"\0" * 8 +
           struct.pack("<HHI", len(ti), len(ti), offset) + bytes([10, 0, 0x63, 0x45, 0, 0, 0, 15]))
    return msg + ti


class Request:
    def __init__(self, method, path, headers, body):
        self.method, self.path, self.headers, self.body = method, path, headers, body

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None


class NtlmFront:
    def __init__(self, certfile, keyfile, backend_url, mode="gssapi", schemes=("NTLM", "Negotiate"),
                 binding_der=None, one_request_per_login=False):
        self.one_request = one_request_per_login  # forget each authentication after one request
        self.mode, self.schemes, self.backend = mode, tuple(schemes), backend_url
        self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.tls.minimum_version = ssl.TLSVersion.TLSv1_2
        self.tls.load_cert_chain(certfile, keyfile)
        with open(certfile) as f:
            self.der = ssl.PEM_cert_to_DER_cert(f.read())
        self.binding = app_data(binding_der or self.der)
        self.records = []       # (conn, scheme, body length, authenticated)
        self.outcomes = []      # (conn, "bound" | "unbound" | "gss-error: ..." | "refused")
        self.lock = threading.Lock()
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.conns = 0
        self.threads = []
        self.stopping = False

    @property
    def url(self):
        return "https://localhost:%d/" % self.port

    # ------------------------------------------------------------ plumbing
    def start(self):
        t = threading.Thread(target=self._accept, daemon=True)
        t.start()
        self.threads.append(t)
        return self

    def stop(self):
        self.stopping = True
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=2).close()
        except OSError:
            pass
        self.sock.close()
        for t in self.threads:
            t.join(timeout=10)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def _accept(self):
        while not self.stopping:
            try:
                raw, _ = self.sock.accept()
            except OSError:
                return
            if self.stopping:
                raw.close()
                return
            self.conns += 1
            t = threading.Thread(target=self._serve, args=(raw, self.conns), daemon=True)
            t.start()
            self.threads.append(t)

    def _serve(self, raw, conn):
        raw.settimeout(15)
        try:
            with self.tls.wrap_socket(raw, server_side=True) as s:
                state = {"ctx": None, "authenticated": False, "conn": conn}
                buf = b""
                while True:
                    req, buf = self._read_request(s, buf)
                    if req is None or not self._handle(s, req, state):
                        return
        except (OSError, ssl.SSLError, ValueError):
            return

    @staticmethod
    def _read_request(s, buf):
        while b"\r\n\r\n" not in buf:
            if len(buf) > MAX_HEAD:
                raise ValueError("head too big")
            data = s.recv(65536)
            if not data:
                return None, b""
            buf += data
        head, buf = buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        method, path, _ = lines[0].split(" ", 2)
        headers = [tuple(x.strip() for x in line.split(":", 1)) for line in lines[1:]]
        req = Request(method, path, headers, b"")
        length = int(req.header("Content-Length") or 0)
        while len(buf) < length:
            data = s.recv(65536)
            if not data:
                return None, b""
            buf += data
        req.body, buf = buf[:length], buf[length:]
        return req, buf

    @staticmethod
    def _send(s, status, headers=(), body=b"", close=False):
        out = ["HTTP/1.1 %d %s" % (status, {200: "OK", 401: "Unauthorized"}.get(status, "X"))]
        out += ["%s: %s" % h for h in headers]
        out.append("Content-Length: %d" % len(body))
        if close:
            out.append("Connection: close")
        s.sendall(("\r\n".join(out) + "\r\n\r\n").encode("latin-1") + body)

    def _record(self, state, scheme, req):
        with self.lock:
            self.records.append((state["conn"], scheme, len(req.body), state["authenticated"]))

    def _outcome(self, state, what):
        with self.lock:
            self.outcomes.append((state["conn"], what))

    def _forward(self, s, req):
        u = self.backend.split("//", 1)[1].rstrip("/")
        host, port = u.rsplit(":", 1)
        c = http.client.HTTPConnection(host, int(port), timeout=10)
        try:
            c.request("POST", "/", body=req.body,
                      headers={"Content-Type": req.header("Content-Type") or "text/xml"})
            r = c.getresponse()
            body = r.read()
            self._send(s, r.status, [("Content-Type", r.getheader("Content-Type", "text/xml"))],
                       body)
        finally:
            c.close()
        return True

    # ------------------------------------------------------------ behaviour
    def _offers(self):
        return [("WWW-Authenticate", scheme) for scheme in self.schemes]

    def _handle(self, s, req, state):
        auth = req.header("Authorization")
        scheme, _, token = (auth or "").partition(" ")
        self._record(state, scheme or None, req)
        if auth is None:
            if state["authenticated"]:
                state["authenticated"] = not self.one_request
                return self._forward(s, req)
            self._send(s, 401, self._offers())
            return True
        if self.mode != "gssapi":
            return self._hostile(s, state)
        if scheme not in self.schemes:
            self._send(s, 401, self._offers())
            return True
        return self._gssapi(s, req, state, scheme, base64.b64decode(token))

    def _gssapi(self, s, req, state, scheme, token):
        import gssapi
        if state["ctx"] is None or token[8:9] == b"\x01":
            mech = gssapi.OID.from_int_seq(NTLMSSP_OID)
            name = gssapi.Name("HTTP@localhost", gssapi.NameType.hostbased_service)
            creds = gssapi.Credentials(name=name, usage="accept", mechs=[mech])
            cb = gssapi.raw.ChannelBindings(application_data=self.binding)
            state["ctx"] = gssapi.SecurityContext(creds=creds, usage="accept",
                                                  channel_bindings=cb)
            state["authenticated"] = False
        ctx = state["ctx"]
        try:
            out = ctx.step(token)
        except gssapi.exceptions.GSSError as e:
            self._outcome(state, "gss-error: %s" % e)
            state["ctx"] = None
            self._send(s, 401, self._offers())
            return True
        if not ctx.complete:
            self._send(s, 401, [("WWW-Authenticate", "%s %s" % (scheme,
                                                                base64.b64encode(out).decode()))])
            return True
        state["ctx"] = None
        if not int(ctx.actual_flags) & CHANNEL_BOUND:
            self._outcome(state, "unbound")
            self._send(s, 401, self._offers())
            return True
        self._outcome(state, "bound %s" % str(ctx.initiator_name).rstrip("\0"))
        state["authenticated"] = not self.one_request
        with self.lock:  # the body arrived with the AUTHENTICATE
            conn, sch, n, _ = self.records[-1]
            self.records[-1] = (conn, sch, n, True)
        return self._forward(s, req)

    def _hostile(self, s, state):
        if self.mode == "malformed_challenge":
            tok = base64.b64encode(challenge_message(target_info_offset=4000)).decode()
            self._send(s, 401, [("WWW-Authenticate", "NTLM " + tok)])
        elif self.mode == "huge_header":
            self._send(s, 401, [("WWW-Authenticate", "NTLM " + "A" * 100000)])
        elif self.mode == "no_www_authenticate":
            self._send(s, 401)
        elif self.mode == "basic_only":
            self._send(s, 401, [("WWW-Authenticate", 'Basic realm="x, NTLM y"')])
        elif self.mode == "close_after_challenge":
            tok = base64.b64encode(challenge_message()).decode()
            self._send(s, 401, [("WWW-Authenticate", "NTLM " + tok)], close=True)
            return False
        else:
            raise ValueError(self.mode)
        return True
