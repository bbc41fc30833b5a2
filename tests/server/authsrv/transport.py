"""HTTP/1.1 plumbing of the reference server: one handler per connection.

``HttpConnection`` is a ``BaseHTTPRequestHandler`` run in the connection's own
thread (the server does its own accept loop and TLS handshakes).  It reads
request bodies with a size bound (Content-Length or chunked), hands each
request to ``app.handle_request(handler)`` and writes ``faults.Reply``
objects, honouring keep-alive: every reply has a Content-Length unless it is
deliberately close-delimited.
"""

import socket
import struct
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Optional

from authsrv.faults import Reply


@dataclass
class Connection:
    """One accepted TCP connection (and its TLS parameters once handshaken)."""
    conn_id: int
    sock: socket.socket
    peer: tuple
    tls_version: Optional[str] = None
    cipher: Optional[str] = None
    client_cert: Optional[dict] = None
    requests: int = 0
    reset_on_close: bool = False        # close with SO_LINGER 0, i.e. a TCP RST
    closed: bool = False

    def abort(self) -> None:
        """Wake whatever thread blocks on this socket (used by stop())."""
        try:
            # The base-class method: SSLSocket.shutdown would also tear down
            # the TLS object under the feet of the handler thread.
            socket.socket.shutdown(self.sock, socket.SHUT_RDWR)
        except OSError:
            pass

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        try:
            if self.reset_on_close:
                self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
            self.sock.close()
        except OSError:
            pass


DISCARD_LIMIT = 16 * 1024 * 1024    # larger oversized bodies are not read at all


class HttpError(Exception):
    """A request refused at the HTTP level (status, message, must close)."""

    def __init__(self, status: int, message: str, close: bool = False):
        super().__init__(message)
        self.status, self.message, self.close = status, message, close


class HttpConnection(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'crauth-authserver/1.0'

    def __init__(self, connection: Connection, app):
        self.connection_info = connection
        self.timeout = app.idle_timeout          # idle keep-alive / slow client bound
        super().__init__(connection.sock, connection.peer, app)

    # BaseHTTPRequestHandler calls these -----------------------------------
    def version_string(self):
        return self.server_version

    def log_message(self, fmt, *args):
        self.server.log.debug('conn %d: ' + fmt, self.connection_info.conn_id, *args)

    def handle_expect_100(self):
        # Refuse an oversized body before the client sends it.
        length = self.headers.get('Content-Length', '')
        if length.strip().isdigit() and int(length) > self.server.max_body:
            self.server.handle_refused(self, HttpError(413, 'request body too large', close=True))
            return False
        return super().handle_expect_100()

    def do_POST(self):
        self.connection_info.requests += 1
        self.server.handle_request(self)

    def do_GET(self):
        self.connection_info.requests += 1
        self.server.handle_refused(self, HttpError(405, 'only POST is supported'))

    do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_GET

    # helpers for the application ---------------------------------------------
    def read_body(self, limit: int) -> bytes:
        """The request body, at most ``limit`` bytes; HttpError otherwise."""
        encoding = self.headers.get('Transfer-Encoding')
        if encoding is not None:
            if encoding.strip().lower() != 'chunked':
                raise HttpError(501, f'Transfer-Encoding {encoding} not supported', close=True)
            return self._read_chunked(limit)
        length = self.headers.get('Content-Length')
        if length is None:
            raise HttpError(411, 'Content-Length required', close=True)
        if not length.strip().isdigit():
            raise HttpError(400, 'bad Content-Length', close=True)
        if int(length) > limit:
            self._discard(int(length))
            raise HttpError(413, 'request body too large', close=True)
        data = self.rfile.read(int(length))
        if len(data) != int(length):
            raise ConnectionError('client closed the connection mid-body')
        return data

    def _discard(self, length: int) -> None:
        # Read (a bounded amount of) an oversized body before answering 413,
        # so the client is not reset mid-send and can read the status.
        if length > DISCARD_LIMIT:
            return
        while length > 0:
            chunk = self.rfile.read(min(length, 65536))
            if not chunk:
                return
            length -= len(chunk)

    def _read_chunked(self, limit: int) -> bytes:
        parts, total = [], 0
        while True:
            line = self.rfile.readline(1026)
            try:
                size = int(line.split(b';', 1)[0].strip(), 16)
            except ValueError:
                raise HttpError(400, 'bad chunk size line', close=True) from None
            if size == 0:
                break
            total += size
            if total > limit:
                raise HttpError(413, 'request body too large', close=True)
            parts.append(self.rfile.read(size))
            if self.rfile.read(2) != b'\r\n':
                raise HttpError(400, 'chunk not followed by CRLF', close=True)
        while self.rfile.readline(1026) not in (b'\r\n', b'\n', b''):
            pass    # trailer fields are ignored
        return b''.join(parts)

    def send_reply(self, reply: Reply, close: Optional[str] = None, head_only: bool = False) -> None:
        """Write ``reply``; ``close``: None, 'announce' (Connection: close) or
        'silent' (close afterwards without saying so)."""
        if reply.action == 'close':
            self.close_connection = True
            return
        self.send_response(reply.status)
        for name, value in reply.headers:
            self.send_header(name, value)
        if reply.length is None:
            close = 'announce'          # a close-delimited body
        else:
            self.send_header('Content-Length', str(reply.length))
        if close == 'announce' or self.close_connection:
            self.send_header('Connection', 'close')   # also sets close_connection
        elif close == 'silent':
            self.close_connection = True
        self.end_headers()
        if head_only:
            return
        try:
            chunks = [reply.body] if isinstance(reply.body, bytes) else reply.body
            for chunk in chunks:
                self.wfile.write(chunk)
        except OSError:
            self.close_connection = True    # the client gave up (e.g. on a huge body)
