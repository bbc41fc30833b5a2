"""Authentication decisions of the reference server.

No networking here: ``Authenticator.authenticate(attributes)`` takes the
credential attributes of one authUser request and returns a
``status.Outcome`` (result codes, reply attributes, error stack);
``get_challenge`` (challenges.py) answers getChallenge.  State (HOTP
counters, last TOTP steps, issued challenge keys, failure counts) lives in
memory and is guarded by one lock, so concurrent requests are serialised.

Users and policies: users.py.  Tokens: tokens.py.  Codes: status.py.
"""

import threading
import time
from typing import Callable, Dict, Optional

import oath
from authsrv import status
from authsrv.challenges import ChallengeIssuer, IssuedKey, KeyStore
from authsrv.shapes import ReplyAttribute, ResultCodes
from authsrv.tokens import FakeClock, OcraToken, host_code, host_code_key  # noqa: F401 (FakeClock)
from authsrv.users import ONE_STEP_POLICIES, User

__all__ = ['Authenticator', 'Credentials', 'FakeClock', 'IssuedKey', 'OPTIONS']

OTP_ATTRIBUTES = ('CREDFLD_PASSWORD', 'CREDFLD_DP_RESPONSE')
ECHO_CHOICES = {None: (), False: (), 'key': ('CREDFLD_CHALLENGE_KEY',),
                'challenge': ('CREDFLD_CHALLENGE',),
                'both': ('CREDFLD_CHALLENGE_KEY', 'CREDFLD_CHALLENGE'), True: None}
NO_HOST_CODE = ('', '0', 'no', 'false', 'none')

# Server options and their defaults (README "Server options").
OPTIONS = {
    'component': 'PAM Client',
    'default_domain': 'master',
    'challenge_lifetime': 60,
    'lockout_threshold': 5,
    'generic_status': False,
    'challenge_codes': (0, 0, 'RET_SUCCESS', 'STAT_SUCCESS'),
    'consume_key_on_failure': False,
    'challenge_message': 'Enter challenge {challenge} into your token',
    'min_challenge_length': 4,
    'separate_formats': (1, 4),
    'otp_attribute': 'CREDFLD_PASSWORD',
    'one_step_cr': 'no',
    'challenge_check_mode': 1,
    'general_challenge_length': 8,
    'vma_message': 'An OTP has been sent to your phone',
    'echo_challenge': None,
}


class Credentials:
    """Where the parts of a login are, by CREDFLD_PASSWORD_FORMAT: 0 puts
    everything in CREDFLD_PASSWORD; a separate format puts the keyword and/or
    static password in CREDFLD_STATIC_PASSWORD and the OTP in the server's
    ``otp_attribute`` (CREDFLD_PASSWORD or CREDFLD_DP_RESPONSE)."""

    def __init__(self, attributes: dict, separate: bool, otp_attribute: str):
        self.attributes, self.separate, self.otp_attribute = attributes, separate, otp_attribute

    @property
    def request_field(self) -> str:
        return 'CREDFLD_STATIC_PASSWORD' if self.separate else 'CREDFLD_PASSWORD'

    def request_input(self) -> str:
        return self.attributes.get(self.request_field, '')

    def code(self) -> str:
        """The OTP or response alone."""
        name = self.otp_attribute if self.separate else 'CREDFLD_PASSWORD'
        return self.attributes.get(name, '')

    def static_and_code(self, code_length: int):
        """(static password, OTP) when both are given."""
        if self.separate:
            return self.attributes.get('CREDFLD_STATIC_PASSWORD', ''), self.code()
        password = self.attributes.get('CREDFLD_PASSWORD', '')
        return password[:-code_length], password[-code_length:]


class Authenticator(ChallengeIssuer):
    """All authentication decisions of one server instance."""

    def __init__(self, users: Optional[Dict[str, dict]] = None, *, instance: str = 'A',
                 clock: Optional[Callable[[], float]] = None, **options):
        self.instance = instance
        self.clock = clock or time.time
        self._lock = threading.RLock()
        self._users: Dict[str, User] = {}
        self._keystore = KeyStore(instance)
        self._sent_otps: Dict[str, str] = {}
        self.configure(**dict(OPTIONS, **options))
        for name, spec in (users or {}).items():
            self.add_user(name, spec)

    # -- options ---------------------------------------------------------------
    def configure(self, **options) -> None:
        """Set server options (see OPTIONS); ValueError names a bad one."""
        unknown = set(options) - set(OPTIONS)
        if unknown:
            raise ValueError(f'unknown server options {sorted(unknown)}')
        values = {name: getattr(self, '_option_' + name, OPTIONS[name]) for name in OPTIONS}
        values.update(options)
        formats = values['separate_formats']
        formats = (formats,) if isinstance(formats, int) else tuple(formats)
        if any(not 1 <= int(f) <= 0xFFFFFFFF for f in formats):
            raise ValueError('separate_formats: numbers 1..4294967295 (0 is the combined format)')
        if values['otp_attribute'] not in OTP_ATTRIBUTES:
            raise ValueError(f'otp_attribute must be one of {OTP_ATTRIBUTES}')
        if values['one_step_cr'] not in ONE_STEP_POLICIES:
            raise ValueError(f'one_step_cr must be one of {ONE_STEP_POLICIES}')
        if values['challenge_check_mode'] not in (0, 1):
            raise ValueError('challenge_check_mode must be 0 or 1')
        if values['echo_challenge'] not in ECHO_CHOICES:
            raise ValueError(f'echo_challenge must be one of {list(ECHO_CHOICES)}')
        rc, sc, rc_enum, sc_enum = values['challenge_codes']
        with self._lock:
            for name, value in values.items():
                setattr(self, '_option_' + name, value)
            self.component = values['component']
            self.default_domain = values['default_domain']
            self.challenge_lifetime = values['challenge_lifetime']
            self.lockout_threshold = values['lockout_threshold']
            self.generic_status = bool(values['generic_status'])
            self.challenge_codes = ResultCodes(int(rc), int(sc), rc_enum, sc_enum)
            self.consume_key_on_failure = bool(values['consume_key_on_failure'])
            self.challenge_message = values['challenge_message']
            self.min_challenge_length = int(values['min_challenge_length'])
            self.separate_formats = tuple(sorted({int(f) for f in formats}))
            self.otp_attribute = values['otp_attribute']
            self.one_step_cr = values['one_step_cr']
            self.challenge_check_mode = values['challenge_check_mode']
            self.general_challenge_length = int(values['general_challenge_length'])
            self.vma_message = values['vma_message']
            echo = ECHO_CHOICES[values['echo_challenge']]
            self.echo = ECHO_CHOICES['both'] if echo is None else echo

    @property
    def options(self) -> dict:
        with self._lock:
            return {name: getattr(self, '_option_' + name) for name in OPTIONS}

    @property
    def password_formats(self) -> tuple:
        return (0,) + self.separate_formats

    # -- administration ---------------------------------------------------------
    def add_user(self, name: str, spec: dict) -> None:
        user = User.from_spec(name, spec)
        with self._lock:
            self._users[name] = user

    def update_user(self, name: str, **changes) -> None:
        with self._lock:
            self._users[name] = self._users[name].updated(changes)

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
                        policy=user.policy, disabled=user.disabled)

    @property
    def issued_keys(self) -> Dict[str, IssuedKey]:
        with self._lock:
            return dict(self._keystore.keys)

    def answer_for(self, name: str, challenge: Optional[str] = None, offset: int = 0) -> str:
        """The code the user's token would show now (no state change).

        hotp/totp: the OTP (``offset`` counters/steps ahead); ocra: the
        response to ``challenge`` (``offset`` counters ahead for C suites,
        steps for T suites); vma: the OTP last "sent".  The static password
        is not included."""
        with self._lock:
            user = self._users[name]
            now = self.clock()
            if user.is_vma:
                if name not in self._sent_otps:
                    raise ValueError(f'user {name}: no OTP has been sent')
                return self._sent_otps[name]
            if isinstance(user.token, OcraToken):
                if challenge is None:
                    raise ValueError(f'user {name} has an OCRA token: give the challenge')
                return user.token.expected(challenge, now, offset)
            return user.token.expected(now, offset)

    def host_code_for(self, name: str, code: str) -> str:
        """The CREDFLD_HOST_CODE a login of ``name`` with ``code`` gets."""
        with self._lock:
            user = self._users[name]
            return host_code(host_code_key(user.token, name), code)

    def classify(self, attributes: dict, operation: str = 'authUser') -> str:
        """'request' for a challenge request (2-step, VMA or getChallenge),
        else 'response' (a key, a challenge, an OTP or a VMA code)."""
        if operation == 'getChallenge':
            return 'request'
        if 'CREDFLD_CHALLENGE_KEY' in attributes or 'CREDFLD_CHALLENGE' in attributes:
            return 'response'
        with self._lock:
            user = self._users.get(attributes.get('CREDFLD_USERID'))
            if user is None or user.policy not in ('2step', 'vma'):
                return 'response'
            return 'response' if self._is_vma_answer(user, self._credentials(attributes)) else 'request'

    # -- the decision --------------------------------------------------------------
    def authenticate(self, attributes: dict) -> status.Outcome:
        with self._lock:
            now = self.clock()
            self._keystore.forget_old(now)
            refused = self._refuse_component(attributes)
            if refused:
                return refused
            user, refused = self._find_user(attributes)
            if refused:
                return refused
            credentials = self._credentials(attributes)
            if 'CREDFLD_CHALLENGE_KEY' in attributes:
                outcome = self._answer_to_key(user, credentials, now)
            elif 'CREDFLD_CHALLENGE' in attributes and user.has_challenges:
                outcome = self._one_step_any(user, credentials, now)
            elif user.policy == 'otp':
                outcome = self._check_otp(user, credentials, now)
            elif user.policy == '1step':
                outcome = self._failure(status.STAT_INVCREDENTIALS, 'CREDFLD_CHALLENGE or '
                                        'CREDFLD_CHALLENGE_KEY missing (1-step user)')
            elif self._is_vma_answer(user, credentials):
                outcome = self._answer_to_key(user, credentials, now,
                                              self._keystore.pending_vma(user.name))
            else:
                outcome = self._challenge_request(user, credentials, now)
            self._count(user, outcome)
            if outcome.kind == 'success':
                self._decorate(user, attributes, outcome)
            return outcome

    def _credentials(self, attributes) -> Credentials:
        password_format = (attributes.get('CREDFLD_PASSWORD_FORMAT') or '0').strip(' \t\r\n')
        return Credentials(attributes, password_format.lstrip('+-0') != '', self.otp_attribute)

    def _refuse_component(self, attributes) -> Optional[status.Outcome]:
        component = attributes.get('CREDFLD_COMPONENT_TYPE')
        if component != self.component:
            return self._failure(status.STAT_PERMISSION,
                                 f'component type {component!r} is not registered')
        return None

    def _find_user(self, attributes):
        """(user, None) or (None, the failure to answer)."""
        user = self._users.get(attributes.get('CREDFLD_USERID'))
        domain = attributes.get('CREDFLD_DOMAIN') or self.default_domain
        if user is None or user.domain != domain:
            return None, self._failure(status.STAT_NOT_FOUND, 'unknown user or domain')
        if user.disabled:
            return None, self._failure(status.STAT_DISABLED, 'user is disabled')
        if user.locked:
            return None, self._failure(status.STAT_LOCKED, 'user is locked')
        return user, None

    def _is_vma_answer(self, user, credentials) -> bool:
        """A VMA user without keys answering the OTP last sent."""
        return (user.is_vma and self._keystore.pending_vma(user.name) is not None
                and not oath.constant_time_equal(credentials.request_input(), user.expected_request()))

    # -- policies -------------------------------------------------------------------
    def _check_static(self, user, static, separate) -> Optional[status.Outcome]:
        """None if the static password part is right, else the failure."""
        if oath.constant_time_equal(static, user.static_password or ''):
            return None
        if user.static_password or separate:
            return self._failure(status.STAT_LOCAL_PASSWORD_MISMATCH, 'wrong static password')
        return self._failure(status.STAT_OTP_INCORRECT, 'wrong OTP (too long)')

    def _check_otp(self, user, credentials, now):
        static, code = credentials.static_and_code(user.token.code_length())
        refused = self._check_static(user, static, credentials.separate)
        if refused:
            return refused
        if not user.token.verify(code, now):
            return self._failure(status.STAT_OTP_INCORRECT, 'wrong or replayed OTP')
        return self._success(user, 'OTP accepted', code)

    def _one_step_any(self, user, credentials, now):
        """1-step with the client's challenge ("Yes - Any Challenge")."""
        policy = user.one_step_cr or self.one_step_cr
        if policy != 'any':
            return self._failure(status.STAT_PERMISSION, '1-step challenge/response with a client '
                                 f'challenge is not permitted (1-Step Challenge/Response: {policy})')
        if self._check_mode(user) != 0:
            return self._failure(status.STAT_INVCREDENTIALS, 'a client challenge needs Challenge '
                                 'Check Mode 0 (mode 1 checks the last challenge the server made)')
        challenge = credentials.attributes.get('CREDFLD_CHALLENGE', '')
        suite = user.token.suite
        if not suite.question_fits(challenge, self.min_challenge_length):
            return self._failure(status.STAT_INVCREDENTIALS, f'challenge {challenge!r} does not fit '
                                 f'Q{suite.question_format}{suite.question_length:02d}')
        if challenge in user.used_challenges:
            return self._failure(status.STAT_OTP_INCORRECT, 'challenge already used')
        static, response = credentials.static_and_code(suite.digits)
        refused = self._check_static(user, static, credentials.separate)
        if refused:
            return refused
        if not user.token.verify(challenge, response, now):
            return self._failure(status.STAT_OTP_INCORRECT, 'wrong response')
        user.used_challenges.add(challenge)
        return self._success(user, '1-step response accepted', response)

    def _check_mode(self, user) -> int:
        mode = user.challenge_check_mode
        return self.challenge_check_mode if mode is None else mode

    def _answer_to_key(self, user, credentials, now, key=None):
        """Step 2: the answer to an issued challenge (by its key)."""
        from_client = key is None       # else: the pending OTP of a VMA user without keys
        key = key or credentials.attributes['CREDFLD_CHALLENGE_KEY']
        issued = self._keystore.keys.get(key)
        if issued is None or issued.user not in (None, user.name) or issued.sent != from_client:
            return self._failure(status.STAT_INVCREDENTIALS, 'unknown or already used challenge key')
        if now >= issued.expires_at:
            del self._keystore.keys[key]
            return self._failure(status.STAT_EXP_CHALLENGE, 'challenge key expired')
        if issued.origin in ('server', 'general'):
            refused = self._refuse_server_challenge(user, key, issued)
            if refused:
                return refused
        length = (user.token.suite.digits if user.has_challenges else user.token.code_length())
        with_static = user.backend_auth or issued.origin in ('server', 'general')
        static, code = credentials.static_and_code(length) if with_static else ('', credentials.code())
        if with_static:
            refused = self._check_static(user, static, credentials.separate)
            if refused:
                return refused
        if issued.origin == 'vma':
            right = oath.constant_time_equal(code, issued.otp)
        else:
            right = user.token.verify(issued.challenge, code, now)
        if not right:
            if self.consume_key_on_failure:
                del self._keystore.keys[key]
            return self._failure(status.STAT_OTP_INCORRECT, 'wrong response to challenge')
        del self._keystore.keys[key]
        return self._success(user, f'{issued.origin} response accepted', code)

    def _refuse_server_challenge(self, user, key, issued) -> Optional[status.Outcome]:
        policy = user.one_step_cr or self.one_step_cr
        if policy not in ('server', 'any'):
            return self._failure(status.STAT_PERMISSION, '1-step server challenges are not '
                                 f'permitted (1-Step Challenge/Response: {policy})')
        if not user.has_challenges or not user.token.suite.question_fits(issued.challenge):
            return self._failure(status.STAT_INVCREDENTIALS,
                                 'the server challenge does not fit the user\'s authenticator')
        if self._check_mode(user) == 1 and (issued.origin == 'general' or
                                             user.last_challenge_key != key):
            return self._failure(status.STAT_INVCREDENTIALS, 'Challenge Check Mode 1: not the last '
                                 'challenge generated for this authenticator')
        return None

    # -- helpers ------------------------------------------------------------------
    def _count(self, user, outcome):
        """Consecutive-failure lockout: only wrong credentials count."""
        if outcome.kind == 'success':
            user.failures = 0
        elif outcome.kind == 'failure' and outcome.real_status in status.WRONG_CREDENTIALS:
            user.failures += 1
            if self.lockout_threshold and user.failures >= self.lockout_threshold:
                user.locked = True

    def _identity(self, user):
        attributes = [ReplyAttribute('CREDFLD_USERID', user.name),
                      ReplyAttribute('CREDFLD_DOMAIN', user.domain)]
        if user.serial:
            attributes.append(ReplyAttribute('CREDFLD_SERIAL_NO', user.serial))
        return attributes

    def _success(self, user, reason, code=None):
        attributes = self._identity(user)
        if user.static_password:
            # Like the vendor's example reply: the static password, masked.
            attributes.append(ReplyAttribute('CREDFLD_STATIC_PASSWORD', user.static_password, masked=True))
        return status.success(attributes, reason, code)

    def _decorate(self, user, attributes, outcome):
        """What a success carries besides the identity (authUser output table)."""
        extra = outcome.attributes
        if user.auxiliary_message:
            extra.append(ReplyAttribute('CREDFLD_AUXILIARY_MESSAGE', user.auxiliary_message))
        if user.password_expire_date:
            extra.append(ReplyAttribute('CREDFLD_NOTIFY_PASSWORD_EXPIRE_DATE', user.password_expire_date))
        requested = attributes.get('CREDFLD_REQUEST_HOST_CODE')
        if requested is not None and requested.strip().lower() not in NO_HOST_CODE:
            extra.append(ReplyAttribute('CREDFLD_HOST_CODE',
                                        host_code(host_code_key(user.token, user.name), outcome.code or '')))
        for name in self.echo:
            if name in attributes:
                extra.append(ReplyAttribute(name, attributes[name]))

    def _failure(self, status_code, reason):
        return status.failure(status_code, reason, self.generic_status)
