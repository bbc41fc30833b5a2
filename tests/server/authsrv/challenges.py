"""Challenges the reference server issues, and the keys that name them.

* 2-step: a request (keyword, password, ...) returns a fresh OCRA question
  with CREDFLD_CHALLENGE, CREDFLD_CHALLENGE_KEY and CREDFLD_CHALLENGE_MESSAGE
  ("User Authentication: Challenge/Response", 2-step section).
* getChallenge: a 1-step server challenge, for a user (user-specific) or
  for nobody (general); the reply is ``getChallengeResponse/results``
  ("getChallenge (Command)", "User Authentication: getChallenge Operation").
* Virtual Mobile Authenticator: the request makes the server "send" an OTP;
  the reply carries CREDFLD_CHALLENGE_MESSAGE, optionally a key, and no
  CREDFLD_CHALLENGE (OneSpan's VMA logon permutations).

``ChallengeIssuer`` is a mixin of ``policy.Authenticator``: it uses its
lock, clock, users, options and failure helpers.
"""

import secrets
from dataclasses import dataclass
from typing import Dict, Optional

import oath
from authsrv import status
from authsrv.shapes import ReplyAttribute


@dataclass
class IssuedKey:
    user: Optional[str]             # None: a general server challenge
    challenge: Optional[str]        # None: a VMA one-time password
    issued_at: float
    expires_at: float
    origin: str = '2step'           # 2step | server | general | vma
    otp: Optional[str] = None       # the OTP a VMA challenge "sent"
    sent: bool = True               # False: a VMA challenge whose key the client never saw


class KeyStore:
    """Keys of issued challenges: ``<instance>-<32 hex digits>``, 128 random
    bits, bound to this server instance (and to a user, unless general)."""

    def __init__(self, instance: str):
        self.instance = instance
        self.keys: Dict[str, IssuedKey] = {}

    def issue(self, issued: IssuedKey) -> str:
        key = f'{self.instance}-{secrets.token_hex(16)}'
        self.keys[key] = issued
        return key

    def forget_old(self, now: float) -> None:
        # Expired keys are kept for an hour so that they still answer 1004.
        for key in [k for k, v in self.keys.items() if now > v.expires_at + 3600]:
            del self.keys[key]

    def pending_vma(self, user: str) -> Optional[str]:
        """The newest key of an OTP sent to ``user`` without a key."""
        keys = [k for k, v in self.keys.items()
                if v.origin == 'vma' and not v.sent and v.user == user]
        return max(keys, key=lambda k: self.keys[k].issued_at) if keys else None


class ChallengeIssuer:
    """Issuing challenges (mixin of policy.Authenticator)."""

    def get_challenge(self, attributes: dict) -> status.Outcome:
        """Answer a getChallenge command (a 1-step server challenge)."""
        with self._lock:
            now = self.clock()
            self._keystore.forget_old(now)
            refused = self._refuse_component(attributes)
            if refused:
                return refused
            name = attributes.get('CREDFLD_USERID') or ''
            if not name:
                if self.one_step_cr not in ('server', 'any'):
                    return self._failure(status.STAT_PERMISSION, '1-step server challenges are not '
                                         f'permitted (1-Step Challenge/Response: {self.one_step_cr})')
                challenge = oath.generate_question('N', self.general_challenge_length)
                issued = IssuedKey(None, challenge, now, now + self.challenge_lifetime, 'general')
                return self._challenge_reply([], challenge, self._keystore.issue(issued),
                                             status.SUCCESS_CODES, 'general server challenge')
            user, refused = self._find_user(attributes)
            if refused:
                return refused
            policy = user.one_step_cr or self.one_step_cr
            if policy not in ('server', 'any'):
                return self._failure(status.STAT_PERMISSION, '1-step server challenges are not '
                                     f'permitted (1-Step Challenge/Response: {policy})')
            if not user.has_challenges:
                return self._failure(status.STAT_PERMISSION,
                                     'the user has no challenge/response authenticator')
            return self._new_challenge(user, now, 'server')

    def _challenge_request(self, user, credentials, now):
        """A 2-step request: a challenge (or a VMA OTP) if it is the user's request."""
        given = credentials.request_input()
        if not oath.constant_time_equal(given, user.expected_request()):
            # Not a request: the server takes it for a login that fails.
            wrong = (status.STAT_OTP_INCORRECT if user.request_method == 'Keyword'
                     else status.STAT_LOCAL_PASSWORD_MISMATCH)
            return self._failure(wrong, f'{credentials.request_field} is not a valid '
                                 f'{user.request_method} challenge request')
        if user.is_vma:
            return self._send_vma_otp(user, now)
        return self._new_challenge(user, now)

    def _new_challenge(self, user, now, origin='2step'):
        challenge = user.token.suite.new_question()
        issued = IssuedKey(user.name, challenge, now, now + self.challenge_lifetime, origin)
        key = self._keystore.issue(issued)
        user.last_challenge_key = key
        codes = status.SUCCESS_CODES if origin == 'server' else self.challenge_codes
        return self._challenge_reply(self._identity(user), challenge, key, codes,
                                     f'{origin} challenge issued, key {key}')

    def _challenge_reply(self, identity, challenge, key, codes, reason):
        attributes = identity + [ReplyAttribute('CREDFLD_CHALLENGE', challenge),
                                 ReplyAttribute('CREDFLD_CHALLENGE_KEY', key)]
        if self.challenge_message:
            attributes.append(ReplyAttribute('CREDFLD_CHALLENGE_MESSAGE',
                                             self.challenge_message.format(challenge=challenge)))
        return status.Outcome('challenge', codes, attributes, [], reason)

    def _send_vma_otp(self, user, now):
        otp = user.token.new_otp()
        issued = IssuedKey(user.name, None, now, now + self.challenge_lifetime, 'vma', otp,
                           user.vma_key)
        if not user.vma_key:            # only the newest unkeyed OTP counts
            for key in [k for k, v in self._keystore.keys.items()
                        if v.origin == 'vma' and not v.sent and v.user == user.name]:
                del self._keystore.keys[key]
        key = self._keystore.issue(issued)
        self._sent_otps[user.name] = otp
        attributes = self._identity(user)
        if user.vma_key:
            attributes.append(ReplyAttribute('CREDFLD_CHALLENGE_KEY', key))
        attributes.append(ReplyAttribute('CREDFLD_CHALLENGE_MESSAGE', self.vma_message))
        return status.Outcome('challenge', self.challenge_codes, attributes, [],
                              f'OTP sent (virtual mobile authenticator), key {key}')

    @property
    def sent_otps(self) -> Dict[str, str]:
        """user -> the last OTP a VMA challenge "sent" (still pending or not)."""
        with self._lock:
            return dict(self._sent_otps)

    def issue_challenge(self, name: str) -> Optional[status.Outcome]:
        """A challenge reply for ``name`` if the user has an OCRA token (used
        by the success_with_challenge fault); the key is real."""
        with self._lock:
            user = self._users.get(name)
            if user is None or not user.has_challenges:
                return None
            return self._new_challenge(user, self.clock())
