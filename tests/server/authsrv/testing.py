"""Helpers for tests that talk to the reference server from Python.

``shared_certs()``   the test PKI, generated once per process into a temp dir
``SoapClient``       a stdlib http.client/ssl authUser/getChallenge client with keep-alive
``attrs(...)``       the credential attributes of one authUser request
``KEY20`` etc.       the RFC test keys; ``USERS`` a ready-made user table
``ServerTestCase``   a unittest base: a server on a FakeClock with USERS, and a client
``CliServer``        the server run by its command line, and its control API
"""

import atexit
import http.client
import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
import types
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import certs                                   # noqa: E402
from authsrv import soapclient                 # noqa: E402

KEY20 = '3132333435363738393031323334353637383930'
KEY32 = KEY20 + '313233343536373839303132'
KEY64 = KEY20 * 3 + '31323334'

USERS = {
    'hotp-user': {'token': {'type': 'hotp', 'key': KEY20}, 'policy': 'otp'},
    'hotp-static': {'token': {'type': 'hotp', 'key': KEY20}, 'policy': 'otp',
                    'static_password': 'S3cret!'},
    'totp-user': {'token': {'type': 'totp', 'key': KEY32, 'hash': 'sha256', 'digits': 8},
                  'policy': 'otp'},
    'onestep': {'token': {'type': 'ocra', 'key': KEY20, 'suite': 'OCRA-1:HOTP-SHA1-6:QN08'},
                'policy': '1step'},
    'twostep': {'token': {'type': 'ocra', 'key': KEY20, 'suite': 'OCRA-1:HOTP-SHA1-6:QN08'},
                'policy': '2step'},
    'twostep-pw': {'token': {'type': 'ocra', 'key': KEY20, 'suite': 'OCRA-1:HOTP-SHA1-6:QN08'},
                   'policy': '2step', 'request_method': 'password', 'static_password': 'pw1'},
    'twostep-kwpw': {'token': {'type': 'ocra', 'key': KEY20, 'suite': 'OCRA-1:HOTP-SHA1-6:QN08'},
                     'policy': '2step', 'request_method': 'keyword_password',
                     'static_password': 'pw2', 'keyword': 'cr'},
    'twostep-counter': {'token': {'type': 'ocra', 'key': KEY32,
                                  'suite': 'OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1', 'pin': '1234'},
                        'policy': '2step'},
    'twostep-time': {'token': {'type': 'ocra', 'key': KEY64, 'suite': 'OCRA-1:HOTP-SHA512-8:QN08-T1M'},
                     'policy': '2step'},
    'corp-user': {'token': {'type': 'hotp', 'key': KEY20}, 'policy': 'otp', 'domain': 'corp'},
}

_certs = None
_certs_lock = threading.Lock()


def shared_certs() -> dict:
    """The test PKI (certs.make_certs), made once per process, removed at exit."""
    global _certs
    with _certs_lock:
        if _certs is None:
            directory = tempfile.mkdtemp(prefix='crauth-certs-')
            atexit.register(shutil.rmtree, directory, True)
            _certs = certs.make_certs(directory)
        return _certs


def client_context(cafile=None, certfile=None, keyfile=None, check_hostname=True) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=cafile or shared_certs()['ca_cert'])
    context.check_hostname = check_hostname
    if certfile:
        context.load_cert_chain(certfile, keyfile)
    return context


def attrs(user, password=None, password_format=0, component='PAM Client', domain=None, **extra):
    """Credential attributes in the usual order; ``extra`` uses short names:
    static_password, challenge, challenge_key (None values are left out)."""
    result = {'CREDFLD_USERID': user}
    if domain is not None:
        result['CREDFLD_DOMAIN'] = domain
    result['CREDFLD_COMPONENT_TYPE'] = component
    result['CREDFLD_PASSWORD_FORMAT'] = str(password_format)
    if password is not None:
        result['CREDFLD_PASSWORD'] = password
    for name, value in extra.items():
        if value is not None:
            result['CREDFLD_' + name.upper()] = value
    return result


def challenge_attrs(user=None, component='PAM Client', domain=None, **extra):
    """The attributes of a getChallenge command (user-specific when ``user``)."""
    result = {'CREDFLD_COMPONENT_TYPE': component}
    if user is not None:
        result['CREDFLD_USERID'] = user
    if domain is not None:
        result['CREDFLD_DOMAIN'] = domain
    for name, value in extra.items():
        if value is not None:
            result['CREDFLD_' + name.upper()] = value
    return result


class SoapClient:
    """One keep-alive HTTP(S) connection to a server, speaking authUser."""

    def __init__(self, server, context=None, host='localhost', timeout=10):
        if server.url.startswith('https'):
            self.conn = http.client.HTTPSConnection(host, server.port, timeout=timeout,
                                                    context=context or client_context())
        else:
            self.conn = http.client.HTTPConnection(host, server.port, timeout=timeout)

    def post(self, body: bytes, path='/', headers=None):
        """(status, response headers as HTTPMessage, body bytes)."""
        all_headers = {'Content-Type': 'text/xml; charset=utf-8'}
        all_headers.update(headers or {})
        self.conn.request('POST', path, body, all_headers)
        response = self.conn.getresponse()
        return response.status, response.headers, response.read()

    def auth(self, attributes: dict, types=None, headers=None,
             operation='authUser') -> soapclient.ParsedReply:
        body = soapclient.render_request(attributes, types, operation=operation)
        status, response_headers, data = self.post(body, headers=headers)
        reply = soapclient.read_response(data, response_headers['Content-Type'])
        if (status == 500) != (reply.fault is not None):
            raise AssertionError(f'HTTP {status} does not match the reply kind')
        return reply

    def get_challenge(self, attributes: dict, types=None) -> soapclient.ParsedReply:
        """A getChallenge command (see ``challenge_attrs``)."""
        return self.auth(attributes, types, operation='getChallenge')

    def close(self):
        self.conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class ServerTestCase(unittest.TestCase):
    """Starts a server on a FakeClock with the shared USERS table plus
    ``users``; ``server_options`` go to AuthServer."""

    server_options = {}
    users = {}

    def setUp(self):
        from authserver import AuthServer, FakeClock      # the module that imports this one
        self.clock = FakeClock()
        certs_ = shared_certs()
        options = dict(users=dict(USERS, **self.users), certfile=certs_['server_cert'],
                       keyfile=certs_['server_key'], clock=self.clock)
        options.update(self.server_options)
        self.srv = AuthServer(**options).start()
        self.addCleanup(self.srv.stop)
        self.client = SoapClient(self.srv)
        self.addCleanup(self.client.close)

    def auth(self, *args, **kwargs):
        return self.client.auth(attrs(*args, **kwargs))

    def get_challenge(self, *args, **kwargs):
        return self.client.get_challenge(challenge_attrs(*args, **kwargs))

    def assertStatus(self, reply, status_code):
        self.assertIsNone(reply.fault)
        self.assertEqual(len(reply.codes), 1)
        self.assertEqual(reply.status_code, status_code, reply.errors)
        self.assertEqual(reply.return_code, 0 if status_code == 0 else -1)
        if status_code:
            self.assertIn('CREDFLD_STATUS_MESSAGE', reply.attributes)
            self.assertEqual(reply.errors[0][0], status_code)

    def challenge(self, user, request='getchallenge', **kwargs):
        reply = self.auth(user, request, **kwargs)
        self.assertStatus(reply, 0)
        return reply.attributes['CREDFLD_CHALLENGE'], reply.attributes['CREDFLD_CHALLENGE_KEY']


class CliServer:
    """``authserver.py --config`` in a child process, with its control API.

    ``config`` is the JSON config (users plus AuthServer keywords).  The
    child prints one line once both port files exist; ``stop()`` sends
    SIGTERM and returns the exit status."""

    PYTHON = '/usr/bin/python3'
    SCRIPT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'authserver.py')

    def __init__(self, config: dict):
        self.work = tempfile.mkdtemp(prefix='authserver-cli-')
        path = os.path.join(self.work, 'config.json')
        with open(path, 'w', encoding='utf-8') as f:
            json.dump(config, f)
        files = {name: os.path.join(self.work, name) for name in ('port', 'control')}
        self.proc = subprocess.Popen([self.PYTHON, self.SCRIPT, '--config', path,
                                      '--port-file', files['port'], '--control-port', '0',
                                      '--control-port-file', files['control']],
                                     stderr=subprocess.PIPE, text=True)
        self.first_line = self.proc.stderr.readline()      # printed once both port files exist
        try:
            self.port, self.control_port = (int(_read(files[n])) for n in ('port', 'control'))
        except (OSError, ValueError):
            self.stop()
            raise AssertionError(f'authserver.py did not start: {self.first_line!r}') from None
        scheme = 'https' if config.get('certfile') else 'http'
        self.server = types.SimpleNamespace(url=f'{scheme}://127.0.0.1:{self.port}/', port=self.port)

    def api(self, path: str, payload=None):
        """GET (no payload) or POST JSON to the control API; the JSON answer."""
        data = None if payload is None else json.dumps(payload).encode()
        url = f'http://127.0.0.1:{self.control_port}{path}'
        with urllib.request.urlopen(url, data, timeout=10) as reply:
            return json.load(reply)

    def client(self) -> 'SoapClient':
        return SoapClient(self.server)

    def stop(self, timeout: float = 10) -> int:
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            return self.proc.wait(timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            self.proc.stderr.close()
            shutil.rmtree(self.work, True)


def _read(path):
    with open(path, encoding='utf-8') as f:
        return f.read()
