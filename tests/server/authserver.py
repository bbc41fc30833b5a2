#!/usr/bin/python3
"""Reference authUser (OneSpan/IDENTIKEY-style SOAP 1.1) server for crauth tests.

Python API::

    from authserver import AuthServer, DeadListener, FakeClock, closed_port
    with AuthServer(users={'alice': {...}}, certfile=..., keyfile=...) as srv:
        srv.url                      # https://127.0.0.1:PORT/
        srv.set_fault('delay', seconds=5, count=1, step='response')
        srv.requests[-1].attributes  # what the client sent
        srv.answer_for('alice', challenge)
        srv.set_options(generic_status=True); srv.set_shape('no_wrapper')

CLI (foreground until SIGTERM)::

    /usr/bin/python3 authserver.py --config FILE.json [--port N] [--port-file F]
                                   [--control-port N] [--control-port-file F]

See README.md for users, policies, server options, reply shapes, fault
knobs and protocol choices.
"""

import base64
import hmac
import itertools
import logging
import os
import socket
import ssl
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Callable, Dict, List, Optional

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from authsrv import cli, shapes, soap                           # noqa: E402
from authsrv.faults import FaultBook, FaultContext, Reply, build_reply   # noqa: E402
from authsrv.policy import Authenticator, FakeClock             # noqa: E402
from authsrv.listeners import DeadListener, TcpListener, closed_port, url_for  # noqa: E402
from authsrv.transport import Connection, HttpConnection, HttpError     # noqa: E402

__all__ = ['AuthServer', 'DeadListener', 'FakeClock', 'RecordedRequest', 'closed_port', 'main']


@dataclass
class RecordedRequest:
    """One HTTP request as the server saw it (secrets included: test server)."""
    seq: int
    conn_id: int
    method: str
    path: str
    headers: Dict[str, str]             # lower-case names
    body: str = ''
    attributes: Dict[str, str] = field(default_factory=dict)
    types: Dict[str, str] = field(default_factory=dict)     # attributeID -> xsi:type
    kind: str = 'invalid'               # 'request' | 'response' | 'invalid'
    operation: str = ''                 # 'authUser' | 'getChallenge' ('' when not parsed)
    http_status: Optional[int] = None   # None when no reply was sent (hang, reset, drop)
    outcome: Optional[str] = None       # success | challenge | failure | soap_fault | http_error | fault
    status_code: Optional[int] = None   # statusCode when authentication ran
    reason: str = ''
    faults: List[str] = field(default_factory=list)
    tls_version: Optional[str] = None
    cipher: Optional[str] = None
    client_cert_subject: Optional[str] = None
    time: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)


class AuthServer:
    """A threaded authUser / getChallenge server over HTTPS (or HTTP without
    a certfile).

    Users: ``{name: spec}`` (see README / users.User.from_spec).  Options
    not listed below are server options of the Authenticator (policy.OPTIONS:
    generic_status, separate_formats, one_step_cr, ...); ``shape`` names
    reply shapes (shapes.SHAPES).
    """

    def __init__(self, users: Optional[dict] = None, certfile: Optional[str] = None,
                 keyfile: Optional[str] = None, instance: str = 'A', challenge_lifetime: float = 60,
                 lockout_threshold: int = 5, basic_auth: Optional[tuple] = None,
                 client_ca: Optional[str] = None, component: str = 'PAM Client',
                 host: str = '127.0.0.1', port: int = 0, clock: Optional[Callable] = None,
                 max_body: int = 1024 * 1024, strict_types: bool = True,
                 tls_max_version: Optional[str] = None, idle_timeout: float = 60,
                 handshake_timeout: float = 10, shape=(), **policy_options):
        self.shape = shapes.check_shape(shape)
        self.authenticator = Authenticator(
            users, component=component, challenge_lifetime=challenge_lifetime,
            lockout_threshold=lockout_threshold, instance=instance, clock=clock, **policy_options)
        self.instance = instance
        self.host, self.port = host, port
        self.basic_auth = tuple(basic_auth) if basic_auth else None
        self.max_body = max_body
        self.strict_types = strict_types
        self.idle_timeout = idle_timeout
        self.handshake_timeout = handshake_timeout
        self.log = logging.getLogger(f'authserver.{instance}')
        self.faultbook = FaultBook()
        self._tls = self._tls_context(certfile, keyfile, client_ca, tls_max_version) if certfile else None
        self._listener: Optional[TcpListener] = None
        self._stopping = threading.Event()
        self._state_lock = threading.Condition()
        self._conn_ids = itertools.count(1)
        self._connections: Dict[int, Connection] = {}
        self._threads: List[threading.Thread] = []
        self._requests: List[RecordedRequest] = []
        self._counters = dict.fromkeys(('connections', 'tls_handshakes', 'tls_failures',
                                        'requests', 'faults_applied'), 0)
        self._tls_errors: List[str] = []

    @staticmethod
    def _tls_context(certfile, keyfile, client_ca, tls_max_version):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        if tls_max_version:
            context.maximum_version = getattr(ssl.TLSVersion, tls_max_version)
        context.load_cert_chain(certfile, keyfile)
        if client_ca:
            context.verify_mode = ssl.CERT_REQUIRED
            context.load_verify_locations(client_ca)
        return context

    # -- lifecycle --------------------------------------------------------------
    def start(self) -> 'AuthServer':
        """Listen and serve in background threads.  A stopped server can be
        started again; it rebinds the same port and keeps its state."""
        if self._listener is not None:
            return self
        self._stopping.clear()
        self._listener = TcpListener(self.host, self.port, self._spawn, f'authserver-{self.instance}')
        self.port = self._listener.port
        return self

    def stop(self) -> None:
        """Stop listening, wake hanging handlers, close every connection."""
        if self._listener is None:
            return
        self._stopping.set()
        self._listener.close()
        self._listener = None
        with self._state_lock:
            connections, threads = list(self._connections.values()), list(self._threads)
            self._threads = []
        for conn in connections:
            conn.abort()
        deadline = time.monotonic() + 5
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self) -> str:
        return url_for('https' if self._tls else 'http', self.host, self.port)

    # -- API for tests --------------------------------------------------------------
    def set_fault(self, kind: str, count: Optional[int] = None, step: str = 'any',
                  process: bool = False, user: Optional[str] = None, **params) -> None:
        """Inject a fault (see faults.FAULT_KINDS and README)."""
        self.faultbook.set(kind, count=count, step=step, process=process, user=user, **params)

    def set_options(self, **options) -> None:
        """Change server options at run time: any policy.OPTIONS key, plus
        ``shape`` and ``strict_types``."""
        shape = shapes.check_shape(options.pop('shape', self.shape))
        strict = options.pop('strict_types', self.strict_types)
        self.authenticator.configure(**options)       # checks every other option first
        self.shape, self.strict_types = shape, bool(strict)

    @property
    def options(self) -> dict:
        return dict(self.authenticator.options, shape=sorted(self.shape),
                    strict_types=self.strict_types)

    def set_shape(self, *names: str) -> None:
        """Reply shapes from now on (none: the vendor's example layout)."""
        self.shape = shapes.check_shape(names)

    def clear_faults(self, kind: Optional[str] = None) -> None:
        self.faultbook.clear(kind)

    @property
    def faults(self) -> List[dict]:
        return self.faultbook.active()

    @property
    def stats(self) -> dict:
        with self._state_lock:
            return dict(self._counters, open_connections=len(self._connections),
                        tls_errors=list(self._tls_errors))

    @property
    def requests(self) -> List[RecordedRequest]:
        with self._state_lock:
            return list(self._requests)

    def reset_stats(self) -> None:
        """Zero the counters and forget recorded requests."""
        with self._state_lock:
            self._counters = dict.fromkeys(self._counters, 0)
            self._requests, self._tls_errors = [], []

    def wait_for(self, predicate: Callable[['AuthServer'], bool], timeout: float = 10) -> bool:
        """Block until ``predicate(self)`` holds (re-checked on every server
        event: connection, handshake, request); False on timeout."""
        with self._state_lock:
            return self._state_lock.wait_for(lambda: predicate(self), timeout)

    def wait_for_requests(self, n: int, timeout: float = 10) -> bool:
        return self.wait_for(lambda s: s._counters['requests'] >= n, timeout)

    def add_user(self, name: str, spec: dict) -> None:
        self.authenticator.add_user(name, spec)

    def update_user(self, name: str, **changes) -> None:
        """Change a user's flags (disabled, messages, request method, ...);
        the token and its state stay."""
        self.authenticator.update_user(name, **changes)

    def remove_user(self, name: str) -> None:
        self.authenticator.remove_user(name)

    def unlock(self, name: str) -> None:
        self.authenticator.unlock(name)

    def lock(self, name: str) -> None:
        self.authenticator.lock(name)

    def user_state(self, name: str) -> dict:
        return self.authenticator.user_state(name)

    @property
    def issued_keys(self) -> dict:
        """challenge key -> IssuedKey(user, challenge, issued_at, expires_at)."""
        return self.authenticator.issued_keys

    def answer_for(self, name: str, challenge: Optional[str] = None, offset: int = 0) -> str:
        """The OTP / OCRA response the user's token gives now (no state change);
        for a VMA user the OTP last sent."""
        return self.authenticator.answer_for(name, challenge, offset)

    @property
    def sent_otps(self) -> dict:
        """user -> the OTP a VMA challenge last "sent" to the user's phone."""
        return self.authenticator.sent_otps

    def host_code_for(self, name: str, code: str) -> str:
        """The CREDFLD_HOST_CODE a login of ``name`` with ``code`` gets."""
        return self.authenticator.host_code_for(name, code)

    # -- connections ------------------------------------------------------------------
    def _event(self, counter: Optional[str] = None, tls_error: Optional[str] = None):
        with self._state_lock:
            if counter:
                self._counters[counter] += 1
            if tls_error:
                self._tls_errors = (self._tls_errors + [tls_error])[-100:]
            self._state_lock.notify_all()

    def _spawn(self, sock, peer):
        # Headers and body go out in separate writes; without NODELAY, Nagle
        # plus the client's delayed ACK would add ~40 ms to every reply.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn = Connection(next(self._conn_ids), sock, peer)
        thread = threading.Thread(target=self._serve_connection, args=(conn,),
                                  name=f'authserver-{self.instance}-conn{conn.conn_id}', daemon=True)
        with self._state_lock:
            self._connections[conn.conn_id] = conn
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        self._event('connections')
        thread.start()

    def _serve_connection(self, conn: Connection):
        try:
            if self._tls is not None and not self._handshake(conn):
                return
            HttpConnection(conn, self)
        except Exception as exc:        # a client vanishing mid-request is normal here
            self.log.debug('conn %d ended: %r', conn.conn_id, exc)
        finally:
            conn.close()
            with self._state_lock:
                self._connections.pop(conn.conn_id, None)
                self._state_lock.notify_all()

    def _handshake(self, conn: Connection) -> bool:
        conn.sock.settimeout(self.handshake_timeout)
        try:
            tls = self._tls.wrap_socket(conn.sock, server_side=True)
        except (OSError, ssl.SSLError) as exc:
            self._event('tls_failures', tls_error=f'conn {conn.conn_id}: {exc}')
            return False
        conn.sock = tls
        conn.tls_version, conn.cipher = tls.version(), tls.cipher()[0]
        peer_cert = tls.getpeercert()
        if peer_cert:
            conn.client_cert = peer_cert
        self._event('tls_handshakes')
        return True

    # -- requests --------------------------------------------------------------------------
    def _record(self, handler: HttpConnection) -> RecordedRequest:
        conn = handler.connection_info
        subject = None
        if conn.client_cert:
            subject = ','.join(f'{k}={v}' for rdn in conn.client_cert.get('subject', ()) for k, v in rdn)
        headers = {}
        for name, value in handler.headers.items():
            key = name.lower()
            headers[key] = f'{headers[key]}, {value}' if key in headers else value
        return RecordedRequest(0, conn.conn_id, handler.command, handler.path, headers,
                               tls_version=conn.tls_version, cipher=conn.cipher,
                               client_cert_subject=subject, time=self.authenticator.clock())

    def _publish(self, record: RecordedRequest):
        with self._state_lock:
            self._counters['requests'] += 1
            record.seq = self._counters['requests']
            self._requests.append(record)
            if record.faults:
                self._counters['faults_applied'] += 1
            self._state_lock.notify_all()

    def handle_refused(self, handler: HttpConnection, error: HttpError,
                       record: Optional[RecordedRequest] = None):
        """Answer a request refused at the HTTP level (and record it)."""
        record = record or self._record(handler)
        record.http_status, record.outcome, record.reason = error.status, 'http_error', error.message
        self._publish(record)
        if error.close:
            handler.close_connection = True
        headers = [('Content-Type', 'text/plain; charset=utf-8')]
        if error.status == 401:
            headers.append(('WWW-Authenticate', 'Basic realm="authUser"'))
        if error.status == 405:
            headers.append(('Allow', 'POST'))
        body = f'{error.status} {error.message}\n'.encode()
        handler.send_reply(Reply(error.status, headers, body, len(body)))

    def _check_http(self, handler: HttpConnection, record: RecordedRequest) -> bytes:
        body = handler.read_body(self.max_body)
        record.body = body.decode('utf-8', 'replace')
        if self.basic_auth and not self._basic_auth_ok(handler.headers.get('Authorization', '')):
            raise HttpError(401, 'authentication required')
        media_type = handler.headers.get('Content-Type', '').split(';')[0].strip().lower()
        if media_type != 'text/xml':
            raise HttpError(415, f'Content-Type must be text/xml for SOAP 1.1, not {media_type!r}')
        return body

    def _basic_auth_ok(self, header: str) -> bool:
        scheme, _, encoded = header.partition(' ')
        if scheme.lower() != 'basic':
            return False
        try:
            given = base64.b64decode(encoded.strip(), validate=True)
        except ValueError:
            return False
        expected = f'{self.basic_auth[0]}:{self.basic_auth[1]}'.encode('utf-8')
        return hmac.compare_digest(given, expected)

    def handle_request(self, handler: HttpConnection):
        """Serve one POST: HTTP checks, SOAP parsing, faults, authentication."""
        record = self._record(handler)
        try:
            body = self._check_http(handler, record)
        except HttpError as error:
            self.handle_refused(handler, error, record)
            return
        request, parse_error = None, None
        try:
            request = soap.parse_request(body, self.strict_types, self.authenticator.password_formats)
            record.attributes, record.types = dict(request.attributes), dict(request.types)
            record.operation = request.operation
            record.kind = self.authenticator.classify(request.attributes, request.operation)
        except soap.SoapFaultError as error:
            parse_error = error
        plan = self.faultbook.plan(record.kind, handler.connection_info.requests > 1,
                                   record.attributes.get('CREDFLD_USERID'))
        record.faults = plan.applied
        if plan.delay and self._stopping.wait(plan.delay):
            plan.drop = True            # the server is stopping: give up quietly
        if plan.drop:
            record.outcome, record.reason = 'fault', 'connection dropped without a reply'
            self._publish(record)
            handler.close_connection = True
            return
        reply = self._reply(record, request, parse_error, plan)
        if reply.action == 'send':
            record.http_status = reply.status
        self._publish(record)
        if reply.action == 'hang':
            handler.close_connection = True
            self._stopping.wait()       # hold the socket open until stop()
            return
        if reply.action == 'reset':
            handler.close_connection = True
            handler.connection_info.reset_on_close = True
            return
        handler.send_reply(reply, plan.close)

    def _reply(self, record, request, parse_error, plan) -> Reply:
        outcome, shape = None, self.shape
        if request is not None and (plan.reply is None or plan.reply.process):
            decide = (self.authenticator.get_challenge if request.operation == 'getChallenge'
                      else self.authenticator.authenticate)
            outcome = decide(request.attributes)
            record.outcome, record.status_code = outcome.kind, outcome.codes.status_code
            record.reason = outcome.reason
        if plan.reply is not None:
            record.outcome, record.reason = 'fault', f'fault {plan.reply.kind}' + (
                f' (authentication: {record.reason})' if outcome else '')
            context = FaultContext(record.attributes, self.authenticator, self.port,
                                   record.operation or 'authUser', shape)
            return build_reply(plan.reply, context)
        if parse_error is not None:
            record.outcome, record.reason = 'soap_fault', parse_error.faultstring
            return Reply.xml(soap.render_fault(parse_error.faultcode, parse_error.faultstring), 500)
        text = shapes.render_response([outcome.codes], outcome.attributes, outcome.errors,
                                      shape=shape, operation=request.operation)
        return Reply.document(*shapes.encode(text, shape))


def main(argv=None) -> int:
    """The CLI (see authsrv/cli.py and README)."""
    return cli.main(AuthServer, argv)


if __name__ == '__main__':
    sys.exit(main())
