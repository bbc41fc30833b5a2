"""Users of the reference server: what a user spec may say, and its checks.

Policies:
  otp    an HOTP/TOTP code (response-only)
  1step  an OCRA response to a challenge given with the login: the client's
         CREDFLD_CHALLENGE, or a server challenge's CREDFLD_CHALLENGE_KEY
  2step  a request (per ``request_method``) returns a challenge and a key;
         the key and the OCRA response finish it
  vma    2-step Virtual Mobile Authenticator: the request makes the server
         "send" an OTP; the reply has a message and no challenge

Request methods carry OneSpan's names ("Request Method" policy setting);
the parts are joined without a separator.  ``backend_auth`` is the
permutation "Keyword, stored password proxy off and back-end authentication
required": the response step takes the static password and the OTP.
"""

import copy
from dataclasses import dataclass, field
from typing import Optional

from authsrv.tokens import OcraToken, VmaToken, make_token

POLICIES = ('otp', '1step', '2step', 'vma')
REQUEST_METHODS = ('Keyword', 'Password', 'KeywordPassword', 'PasswordKeyword')
METHOD_ALIASES = {'keyword': 'Keyword', 'password': 'Password',
                  'keyword_password': 'KeywordPassword', 'password_keyword': 'PasswordKeyword'}
ONE_STEP_POLICIES = ('no', 'server', 'any')     # "1-Step Challenge/Response Permitted"
USER_KEYS = {'domain', 'token', 'policy', 'request_method', 'keyword', 'static_password', 'locked',
             'serial', 'disabled', 'backend_auth', 'auxiliary_message', 'password_expire_date',
             'one_step_cr', 'challenge_check_mode', 'vma_key'}
# Keys update_user may change without rebuilding the token.
MUTABLE_KEYS = USER_KEYS - {'token', 'policy'}


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
    disabled: bool = False
    backend_auth: bool = False
    auxiliary_message: Optional[str] = None
    password_expire_date: Optional[str] = None
    one_step_cr: Optional[str] = None          # None: the server's setting
    challenge_check_mode: Optional[int] = None  # None: the server's setting
    vma_key: bool = True
    spec: dict = field(default_factory=dict)
    failures: int = 0
    used_challenges: set = field(default_factory=set)   # 1-step challenges already accepted
    last_challenge_key: Optional[str] = None            # "Challenge Check Mode" 1

    @classmethod
    def from_spec(cls, name: str, spec: dict, token=None) -> 'User':
        """Build a user from its configuration dict; ValueError on any mistake
        (unknown keys included, so a typo in a test is loud).  ``token``
        reuses an existing token object (state kept)."""
        unknown = set(spec) - USER_KEYS
        if unknown:
            raise ValueError(f'user {name}: unknown keys {sorted(unknown)}')
        token_spec = dict(spec.get('token') or {})
        token = token or make_token(token_spec, name)
        token_type = token_spec.get('type')
        policy = spec.get('policy', {'ocra': '2step', 'vma': 'vma'}.get(token_type, 'otp'))
        if policy not in POLICIES:
            raise ValueError(f'user {name}: policy must be one of {POLICIES}')
        needs = {'otp': ('hotp', 'totp'), '1step': ('ocra',), '2step': ('ocra',), 'vma': ('vma',)}
        if token_type not in needs[policy]:
            raise ValueError(f'user {name}: policy {policy} does not fit a {token_type} token '
                             '(otp needs hotp/totp, 1step/2step need ocra, vma needs vma)')
        method = spec.get('request_method', 'Keyword')
        method = METHOD_ALIASES.get(method, method)
        if method not in REQUEST_METHODS:
            raise ValueError(f'user {name}: request_method must be one of {REQUEST_METHODS}')
        static = spec.get('static_password')
        if policy in ('2step', 'vma') and method != 'Keyword' and not static:
            raise ValueError(f'user {name}: request_method {method} needs a static_password')
        backend = bool(spec.get('backend_auth', False))
        if backend and (policy not in ('2step', 'vma') or method != 'Keyword' or not static):
            raise ValueError(f'user {name}: backend_auth needs policy 2step or vma, '
                             'request_method Keyword and a static_password')
        one_step = spec.get('one_step_cr')
        if one_step not in (None,) + ONE_STEP_POLICIES:
            raise ValueError(f'user {name}: one_step_cr must be one of {ONE_STEP_POLICIES}')
        check_mode = spec.get('challenge_check_mode')
        if check_mode not in (None, 0, 1):
            raise ValueError(f'user {name}: challenge_check_mode must be 0 or 1')
        return cls(name=name, domain=spec.get('domain', 'master'), token=token, policy=policy,
                   request_method=method, keyword=spec.get('keyword', 'getchallenge'),
                   static_password=static, locked=bool(spec.get('locked', False)),
                   serial=spec.get('serial'), disabled=bool(spec.get('disabled', False)),
                   backend_auth=backend, auxiliary_message=spec.get('auxiliary_message'),
                   password_expire_date=spec.get('password_expire_date'), one_step_cr=one_step,
                   challenge_check_mode=check_mode, vma_key=bool(spec.get('vma_key', True)),
                   spec=copy.deepcopy(spec))

    def updated(self, changes: dict) -> 'User':
        """This user with ``changes`` applied (token and its state kept)."""
        bad = set(changes) - MUTABLE_KEYS
        if bad:
            raise ValueError(f'user {self.name}: cannot update {sorted(bad)} '
                             '(token and policy: add the user again)')
        user = User.from_spec(self.name, {**self.spec, **changes}, token=self.token)
        user.failures, user.used_challenges = self.failures, self.used_challenges
        user.last_challenge_key = self.last_challenge_key
        if 'locked' not in changes:
            user.locked = self.locked
        return user

    @property
    def has_challenges(self) -> bool:
        return isinstance(self.token, OcraToken)

    @property
    def is_vma(self) -> bool:
        return isinstance(self.token, VmaToken)

    def expected_request(self) -> str:
        keyword, password = self.keyword, self.static_password or ''
        return {'Keyword': keyword, 'Password': password, 'KeywordPassword': keyword + password,
                'PasswordKeyword': password + keyword}[self.request_method]
