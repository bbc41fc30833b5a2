"""Authentication logic of the reference server: users, tokens, policies.

No networking here: ``Authenticator.authenticate(attributes)`` takes the
credential attributes of one authUser request and returns an ``Outcome``
(result codes, reply attributes, error stack).  State (HOTP counters, last
TOTP steps, issued challenge keys, failure counts) lives in memory and is
guarded by one lock, so concurrent requests are serialised here.

Policies per user:
  otp    CREDFLD_PASSWORD carries an HOTP/TOTP code (after the static
         password in format 0; static password in CREDFLD_STATIC_PASSWORD
         in format 1).
  1step  client-chosen CREDFLD_CHALLENGE + OCRA response in CREDFLD_PASSWORD.
  2step  a request (keyword / static password / keyword+password) returns a
         fresh challenge and an opaque key; the key + OCRA response finish it.
"""

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional

import oath
from authsrv.soap import ReplyAttribute, ResultCodes

STAT_SUCCESS = 0
STAT_INVCREDENTIALS = 1000
STAT_EXP_CHALLENGE = 1004
STAT_PERMISSION = 1005
STAT_LOCKED = 1007
STAT_NOT_FOUND = 1010

STATUS_ENUMS = {
    STAT_SUCCESS: 'STAT_SUCCESS',
    STAT_INVCREDENTIALS: 'STAT_INVCREDENTIALS',
    STAT_EXP_CHALLENGE: 'STAT_EXP_CHALLENGE',
    STAT_PERMISSION: 'STAT_PERMISSION',
    STAT_LOCKED: 'STAT_LOCKED',
    STAT_NOT_FOUND: 'STAT_NOT_FOUND',        # UNVERIFIED name (third-party code)
}
STATUS_MESSAGES = {
    STAT_INVCREDENTIALS: 'Invalid credentials',
    STAT_EXP_CHALLENGE: 'The challenge has expired',
    STAT_PERMISSION: 'No permission to perform this action',
    STAT_LOCKED: 'The user account is locked',
    STAT_NOT_FOUND: 'User not found',
}
RET_SUCCESS, RET_FAILURE = (0, 'RET_SUCCESS'), (-1, 'RET_FAILURE')   # RET_FAILURE: UNVERIFIED name

POLICIES = ('otp', '1step', '2step')
REQUEST_METHODS = ('keyword', 'password', 'keyword_password')
_USER_KEYS = {'domain', 'token', 'policy', 'request_method', 'keyword',
              'static_password', 'locked', 'serial'}
_TOKEN_KEYS = {
    'hotp': {'type', 'key', 'digits', 'counter', 'window', 'hash'},
    'totp': {'type', 'key', 'digits', 'step', 'hash', 'window', 't0'},
    'ocra': {'type', 'key', 'suite', 'counter', 'window', 'pin', 'pin_hash', 'session'},
}


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


# ---------------------------------------------------------------------------
# Tokens.  verify() advances the token state only on success.

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


_TOKEN_CLASSES = {'hotp': HotpToken, 'totp': TotpToken, 'ocra': OcraToken}


@dataclass
class User:
    name: str
    domain: str
    token: object
    policy: str
    request_method: str
    keyword: str
    static_password: Optional[str]
    locked: bool
    serial: Optional[str]
    failures: int = 0
    used_challenges: set = field(default_factory=set)   # 1-step challenges already accepted

    @classmethod
    def from_spec(cls, name: str, spec: dict) -> 'User':
        """Build a user from its configuration dict; ValueError on any mistake
        (unknown keys included, so a typo in a test is loud)."""
        unknown = set(spec) - _USER_KEYS
        if unknown:
            raise ValueError(f'user {name}: unknown keys {sorted(unknown)}')
        token_spec = dict(spec.get('token') or {})
        token_type = token_spec.get('type')
        if token_type not in _TOKEN_CLASSES:
            raise ValueError(f'user {name}: token type must be one of {sorted(_TOKEN_CLASSES)}')
        unknown = set(token_spec) - _TOKEN_KEYS[token_type]
        if unknown:
            raise ValueError(f'user {name}: unknown token keys {sorted(unknown)}')
        token = _TOKEN_CLASSES[token_type](token_spec)
        policy = spec.get('policy', 'otp' if token_type != 'ocra' else '2step')
        if policy not in POLICIES:
            raise ValueError(f'user {name}: policy must be one of {POLICIES}')
        if (policy == 'otp') != (token_type != 'ocra'):
            raise ValueError(f'user {name}: policy {policy} does not fit a {token_type} token '
                             '(otp needs hotp/totp, 1step/2step need ocra)')
        method = spec.get('request_method', 'keyword')
        if method not in REQUEST_METHODS:
            raise ValueError(f'user {name}: request_method must be one of {REQUEST_METHODS}')
        static = spec.get('static_password')
        if policy == '2step' and method != 'keyword' and not static:
            raise ValueError(f'user {name}: request_method {method} needs a static_password')
        return cls(name=name, domain=spec.get('domain', 'master'), token=token, policy=policy,
                   request_method=method, keyword=spec.get('keyword', 'getchallenge'),
                   static_password=static, locked=bool(spec.get('locked', False)),
                   serial=spec.get('serial'))


@dataclass
class IssuedKey:
    user: str
    challenge: str
    issued_at: float
    expires_at: float


@dataclass
class Outcome:
    """What the server answers: ``kind`` is success, challenge or failure."""
    kind: str
    codes: ResultCodes
    attributes: List[ReplyAttribute]
    errors: List[tuple]
    reason: str

    @property
    def status_code(self):
        return self.codes.status_code


class Authenticator:
    """All authentication decisions of one server instance."""

    def __init__(self, users: Optional[Dict[str, dict]] = None, *, component: str = 'PAM Client',
                 default_domain: str = 'master', challenge_lifetime: float = 60,
                 lockout_threshold: int = 5, generic_status: bool = False,
                 challenge_codes=(0, 0, 'RET_SUCCESS', 'STAT_SUCCESS'),
                 consume_key_on_failure: bool = False,
                 challenge_message: str = 'Enter challenge {challenge} into your token',
                 min_challenge_length: int = 4, instance: str = 'A',
                 clock: Optional[Callable[[], float]] = None):
        self.component = component
        self.default_domain = default_domain
        self.challenge_lifetime = challenge_lifetime
        self.lockout_threshold = lockout_threshold
        self.generic_status = generic_status
        rc, sc, rc_enum, sc_enum = challenge_codes
        self.challenge_codes = ResultCodes(int(rc), int(sc), rc_enum, sc_enum)
        self.consume_key_on_failure = consume_key_on_failure
        self.challenge_message = challenge_message
        self.min_challenge_length = min_challenge_length
        self.instance = instance
        self.clock = clock or time.time
        self._lock = threading.RLock()
        self._users: Dict[str, User] = {}
        self._keys: Dict[str, IssuedKey] = {}
        for name, spec in (users or {}).items():
            self.add_user(name, spec)

    # -- administration ---------------------------------------------------
    def add_user(self, name: str, spec: dict) -> None:
        user = User.from_spec(name, spec)
        with self._lock:
            self._users[name] = user

    def remove_user(self, name: str) -> None:
        with self._lock:
            self._users.pop(name, None)

    def unlock(self, name: str) -> None:
        with self._lock:
            self._users[name].locked = False
            self._users[name].failures = 0

    def lock(self, name: str) -> None:
        with self._lock:
            self._users[name].locked = True

    def user_state(self, name: str) -> dict:
        with self._lock:
            user = self._users[name]
            return dict(user.token.state(), locked=user.locked, failures=user.failures,
                        policy=user.policy)

    @property
    def issued_keys(self) -> Dict[str, IssuedKey]:
        with self._lock:
            return dict(self._keys)

    def answer_for(self, name: str, challenge: Optional[str] = None, offset: int = 0) -> str:
        """The code the user's token would show now (no state change).

        hotp/totp: the OTP (``offset`` counters/steps ahead); ocra: the
        response to ``challenge`` (``offset`` counters ahead for C suites,
        steps for T suites).  The static password is not included."""
        with self._lock:
            user = self._users[name]
            now = self.clock()
            if isinstance(user.token, OcraToken):
                if challenge is None:
                    raise ValueError(f'user {name} has an OCRA token: give the challenge')
                return user.token.expected(challenge, now, offset)
            return user.token.expected(now, offset)

    def classify(self, attributes: dict) -> str:
        """'request' for a 2-step challenge request, else 'response' (a
        request carrying a challenge key, a challenge or an OTP)."""
        if 'CREDFLD_CHALLENGE_KEY' in attributes or 'CREDFLD_CHALLENGE' in attributes:
            return 'response'
        with self._lock:
            user = self._users.get(attributes.get('CREDFLD_USERID'))
            return 'request' if user is not None and user.policy == '2step' else 'response'

    # -- the decision -------------------------------------------------------
    def authenticate(self, attributes: dict) -> Outcome:
        with self._lock:
            now = self.clock()
            self._forget_old_keys(now)
            if attributes.get('CREDFLD_COMPONENT_TYPE') != self.component:
                return self._failure(STAT_PERMISSION, 'component type '
                                     f'{attributes.get("CREDFLD_COMPONENT_TYPE")!r} is not registered')
            user = self._users.get(attributes.get('CREDFLD_USERID'))
            domain = attributes.get('CREDFLD_DOMAIN') or self.default_domain
            if user is None or user.domain != domain:
                return self._failure(STAT_NOT_FOUND, 'unknown user or domain')
            if user.locked:
                return self._failure(STAT_LOCKED, 'user is locked')
            password_format = int(attributes['CREDFLD_PASSWORD_FORMAT'])
            if 'CREDFLD_CHALLENGE_KEY' in attributes:
                outcome = self._answer_to_key(user, attributes, now)
            elif user.policy == 'otp':
                outcome = self._check_otp(user, attributes, password_format, now)
            elif user.policy == '1step':
                outcome = self._check_one_step(user, attributes, password_format, now)
            else:
                outcome = self._challenge_request(user, attributes, password_format, now)
            self._count(user, outcome)
            return outcome

    def issue_challenge(self, name: str) -> Optional[Outcome]:
        """A challenge reply for ``name`` if the user has an OCRA token (used
        by the success_with_challenge fault); the key is real."""
        with self._lock:
            user = self._users.get(name)
            if user is None or not isinstance(user.token, OcraToken):
                return None
            return self._new_challenge(user, self.clock())

    # -- policies -------------------------------------------------------------
    def _split_password(self, user, attributes, password_format):
        """(static password ok, code) for otp/1step requests."""
        password = attributes.get('CREDFLD_PASSWORD', '')
        expected_static = user.static_password or ''
        if password_format == 0:
            length = user.token.code_length()
            static, code = password[:-length], password[-length:]
        else:
            static, code = attributes.get('CREDFLD_STATIC_PASSWORD', ''), password
        return oath.constant_time_equal(static, expected_static), code

    def _check_otp(self, user, attributes, password_format, now):
        static_ok, code = self._split_password(user, attributes, password_format)
        if not static_ok:
            return self._failure(STAT_INVCREDENTIALS, 'wrong static password')
        if not user.token.verify(code, now):
            return self._failure(STAT_INVCREDENTIALS, 'wrong or replayed OTP')
        return self._success(user, 'OTP accepted')

    def _check_one_step(self, user, attributes, password_format, now):
        challenge = attributes.get('CREDFLD_CHALLENGE', '')
        if not challenge:
            return self._failure(STAT_INVCREDENTIALS, 'CREDFLD_CHALLENGE missing (1-step user)')
        if not user.token.suite.question_fits(challenge, self.min_challenge_length):
            return self._failure(STAT_INVCREDENTIALS, f'challenge {challenge!r} does not fit '
                                 f'Q{user.token.suite.question_format}{user.token.suite.question_length}')
        if challenge in user.used_challenges:
            return self._failure(STAT_INVCREDENTIALS, 'challenge already used')
        static_ok, response = self._split_password(user, attributes, password_format)
        if not static_ok:
            return self._failure(STAT_INVCREDENTIALS, 'wrong static password')
        if not user.token.verify(challenge, response, now):
            return self._failure(STAT_INVCREDENTIALS, 'wrong response')
        user.used_challenges.add(challenge)
        return self._success(user, '1-step response accepted')

    def _challenge_request(self, user, attributes, password_format, now):
        field_name = 'CREDFLD_PASSWORD' if password_format == 0 else 'CREDFLD_STATIC_PASSWORD'
        given = attributes.get(field_name, '')
        expected = {'keyword': user.keyword,
                    'password': user.static_password,
                    'keyword_password': user.keyword + (user.static_password or '')}[user.request_method]
        if not oath.constant_time_equal(given, expected):
            return self._failure(STAT_INVCREDENTIALS,
                                 f'{field_name} is not a valid {user.request_method} challenge request')
        return self._new_challenge(user, now)

    def _new_challenge(self, user, now):
        challenge = user.token.suite.new_question()
        key = f'{self.instance}-{secrets.token_hex(16)}'
        self._keys[key] = IssuedKey(user.name, challenge, now, now + self.challenge_lifetime)
        attributes = self._identity(user) + [
            ReplyAttribute('CREDFLD_CHALLENGE', challenge),
            ReplyAttribute('CREDFLD_CHALLENGE_KEY', key),
            ReplyAttribute('CREDFLD_CHALLENGE_MESSAGE', self.challenge_message.format(challenge=challenge)),
        ]
        return Outcome('challenge', self.challenge_codes, attributes, [], f'challenge issued, key {key}')

    def _answer_to_key(self, user, attributes, now):
        key = attributes['CREDFLD_CHALLENGE_KEY']
        issued = self._keys.get(key)
        if issued is None or issued.user != user.name:
            return self._failure(STAT_INVCREDENTIALS, 'unknown or already used challenge key')
        if now >= issued.expires_at:
            del self._keys[key]
            return self._failure(STAT_EXP_CHALLENGE, 'challenge key expired')
        if not user.token.verify(issued.challenge, attributes.get('CREDFLD_PASSWORD', ''), now):
            if self.consume_key_on_failure:
                del self._keys[key]
            return self._failure(STAT_INVCREDENTIALS, 'wrong response to challenge')
        del self._keys[key]
        return self._success(user, '2-step response accepted')

    # -- helpers ---------------------------------------------------------------
    def _count(self, user, outcome):
        """Consecutive-failure lockout: only wrong credentials count."""
        if outcome.kind == 'success':
            user.failures = 0
        elif outcome.kind == 'failure' and outcome.codes.status_code == STAT_INVCREDENTIALS:
            user.failures += 1
            if self.lockout_threshold and user.failures >= self.lockout_threshold:
                user.locked = True

    def _forget_old_keys(self, now):
        # Expired keys are kept for an hour so that they still answer 1004.
        for key in [k for k, v in self._keys.items() if now > v.expires_at + 3600]:
            del self._keys[key]

    def _identity(self, user):
        attributes = [ReplyAttribute('CREDFLD_USERID', user.name),
                      ReplyAttribute('CREDFLD_DOMAIN', user.domain)]
        if user.serial:
            attributes.append(ReplyAttribute('CREDFLD_SERIAL_NO', user.serial))
        return attributes

    def _success(self, user, reason):
        attributes = self._identity(user)
        if user.static_password:
            # Like the vendor's example reply: the static password, masked.
            attributes.append(ReplyAttribute('CREDFLD_STATIC_PASSWORD', user.static_password, masked=True))
        codes = ResultCodes(RET_SUCCESS[0], STAT_SUCCESS, RET_SUCCESS[1], STATUS_ENUMS[STAT_SUCCESS])
        return Outcome('success', codes, attributes, [], reason)

    def _failure(self, status, reason):
        if self.generic_status and status in (STAT_LOCKED, STAT_NOT_FOUND):
            status = STAT_INVCREDENTIALS
        message = STATUS_MESSAGES[status]
        codes = ResultCodes(RET_FAILURE[0], status, RET_FAILURE[1], STATUS_ENUMS[status])
        return Outcome('failure', codes, [ReplyAttribute('CREDFLD_STATUS_MESSAGE', message)],
                       [(status, f'{message}: {reason}')], reason)
