"""Tokens of the reference server's users, and its settable clock.

``verify()`` advances a token's state only on success.  Each token also
derives the CREDFLD_HOST_CODE the server returns on request (``host_code``).
"""

import hashlib
import hmac
import secrets
import threading

import oath

TOKEN_KEYS = {
    'hotp': {'type', 'key', 'digits', 'counter', 'window', 'hash'},
    'totp': {'type', 'key', 'digits', 'step', 'hash', 'window', 't0'},
    'ocra': {'type', 'key', 'suite', 'counter', 'window', 'pin', 'pin_hash', 'session'},
    'vma': {'type', 'key', 'digits'},
}
HOST_CODE_DIGITS = 6


def host_code(key: bytes, code: str, digits: int = HOST_CODE_DIGITS) -> str:
    """The CREDFLD_HOST_CODE for a login with ``code`` (the OTP or response the
    client sent): HMAC-SHA256(token key, "host code:" || code), truncated as
    in RFC 4226 section 5.3.  The vendor's algorithm is not public; this one
    only has to be predictable by tests (``AuthServer.host_code_for``)."""
    mac = hmac.new(key, b'host code:' + code.encode('utf-8'), hashlib.sha256).digest()
    return oath.truncate(mac, digits)


class FakeClock:
    """A settable clock for tests: ``clock = FakeClock(); clock.advance(61)``."""

    def __init__(self, start: float = 1_700_000_000.0):
        self._now = float(start)
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds

    def set(self, unix_time: float) -> None:
        with self._lock:
            self._now = float(unix_time)


class HotpToken:
    def __init__(self, spec):
        self.key = bytes.fromhex(spec['key'])
        self.digits = int(spec.get('digits', 6))
        self.counter = int(spec.get('counter', 0))     # next expected counter
        self.window = int(spec.get('window', 10))      # look-ahead: counter..counter+window
        self.hash_name = spec.get('hash', 'sha1')

    def code_length(self):
        return self.digits

    def expected(self, now, offset=0):
        return oath.hotp(self.key, self.counter + offset, self.digits, self.hash_name)

    def verify(self, code, now):
        for counter in range(self.counter, self.counter + self.window + 1):
            if oath.constant_time_equal(code, oath.hotp(self.key, counter, self.digits, self.hash_name)):
                self.counter = counter + 1      # the matched and all earlier counters are spent
                return True
        return False

    def state(self):
        return {'type': 'hotp', 'counter': self.counter}


class TotpToken:
    def __init__(self, spec):
        self.key = bytes.fromhex(spec['key'])
        self.digits = int(spec.get('digits', 6))
        self.step = int(spec.get('step', 30))
        self.hash_name = spec.get('hash', 'sha1')
        self.window = int(spec.get('window', 1))       # steps accepted either side of now
        self.t0 = int(spec.get('t0', 0))
        self.last_step = -1                            # last accepted step (replay guard)

    def code_length(self):
        return self.digits

    def expected(self, now, offset=0):
        steps = oath.totp_steps(now, self.step, self.t0) + offset
        return oath.hotp(self.key, steps, self.digits, self.hash_name)

    def verify(self, code, now):
        current = oath.totp_steps(now, self.step, self.t0)
        for steps in range(current - self.window, current + self.window + 1):
            if steps <= self.last_step:
                continue        # a step is never accepted twice, nor an older one
            if oath.constant_time_equal(code, oath.hotp(self.key, steps, self.digits, self.hash_name)):
                self.last_step = steps
                return True
        return False

    def state(self):
        return {'type': 'totp', 'last_step': self.last_step}


class OcraToken:
    def __init__(self, spec):
        self.key = bytes.fromhex(spec['key'])
        self.suite = oath.OcraSuite.parse(spec['suite'])
        if self.suite.digits == 0:
            raise ValueError('OCRA suites without truncation are not supported')
        self.counter = int(spec.get('counter', 0))
        # C suites: look-ahead in counters; T suites: steps either side of now.
        self.window = int(spec.get('window', 10 if self.suite.counter else 1))
        self.pin_hash = None
        if self.suite.pin_hash:
            if 'pin_hash' in spec:
                self.pin_hash = bytes.fromhex(spec['pin_hash'])
            elif 'pin' in spec:
                self.pin_hash = oath.hash_pin(spec['pin'], self.suite.pin_hash)
            else:
                raise ValueError(f'{self.suite.text} needs "pin" or "pin_hash"')
        self.session = bytes.fromhex(spec.get('session', ''))

    def code_length(self):
        return self.suite.digits

    def _response(self, question, counter, time_steps):
        return oath.ocra(self.suite, self.key, question, counter=counter, pin_hash=self.pin_hash,
                         session=self.session, time_steps=time_steps)

    def _time_steps(self, now):
        return int(now // self.suite.time_step) if self.suite.time_step else None

    def expected(self, question, now, offset=0):
        counter = self.counter + offset if self.suite.counter else None
        steps = self._time_steps(now)
        if steps is not None and not self.suite.counter:
            steps += offset
        return self._response(question, counter, steps)

    def verify(self, question, response, now):
        if self.suite.counter:
            candidates = [(c, self._time_steps(now))
                          for c in range(self.counter, self.counter + self.window + 1)]
        elif self.suite.time_step:
            current = self._time_steps(now)
            candidates = [(None, s) for s in range(current - self.window, current + self.window + 1)]
        else:
            candidates = [(None, None)]
        for counter, steps in candidates:
            if oath.constant_time_equal(response, self._response(question, counter, steps)):
                if counter is not None:
                    self.counter = counter + 1
                return True
        return False

    def state(self):
        return {'type': 'ocra', 'suite': self.suite.text, 'counter': self.counter}


class VmaToken:
    """The Virtual Mobile Authenticator: the server makes a one-time password
    and "sends" it (by SMS or e-mail in the vendor's product; here into
    ``Authenticator.sent_otps``).  ``key`` (hex, optional) only feeds the
    host code; without it the user name does."""

    def __init__(self, spec):
        self.key = bytes.fromhex(spec['key']) if spec.get('key') else None
        self.digits = int(spec.get('digits', 6))
        if not 4 <= self.digits <= 10:
            raise ValueError('vma digits must be 4..10')

    def code_length(self):
        return self.digits

    def new_otp(self) -> str:
        return ''.join(secrets.choice('0123456789') for _ in range(self.digits))

    def state(self):
        return {'type': 'vma'}


TOKEN_CLASSES = {'hotp': HotpToken, 'totp': TotpToken, 'ocra': OcraToken, 'vma': VmaToken}


def make_token(spec: dict, owner: str):
    """A token from its spec; ValueError on a wrong type or an unknown key."""
    token_type = spec.get('type')
    if token_type not in TOKEN_CLASSES:
        raise ValueError(f'user {owner}: token type must be one of {sorted(TOKEN_CLASSES)}')
    unknown = set(spec) - TOKEN_KEYS[token_type]
    if unknown:
        raise ValueError(f'user {owner}: unknown token keys {sorted(unknown)}')
    return TOKEN_CLASSES[token_type](spec)


def host_code_key(token, owner: str) -> bytes:
    return token.key if getattr(token, 'key', None) else owner.encode('utf-8')
