"""OATH one-time passwords for the reference server: HOTP, TOTP and OCRA.

Written from the RFCs, independently of the C implementation it checks:

* HOTP  - RFC 4226 (HMAC-SHA1 counter based, dynamic truncation)
* TOTP  - RFC 6238 (HOTP over a time-step counter; SHA1/SHA256/SHA512)
* OCRA  - RFC 6287 (challenge/response: suite parsing, the C/Q/P/S/T data
          inputs, question formats A/N/H, random question generation, and
          the mutual mode, whose question is two challenges joined, as in
          Appendix C.2)

Keys are ``bytes``; helpers accept hex strings where noted.  Results are
strings of decimal digits, zero padded to the requested length.
"""

import hashlib
import hmac
import re
import secrets
import string
from dataclasses import dataclass
from typing import Optional

HASHES = {'sha1': hashlib.sha1, 'sha256': hashlib.sha256, 'sha512': hashlib.sha512}


def _hash_factory(name):
    try:
        return HASHES[name.lower()]
    except KeyError:
        raise ValueError(f'unsupported hash {name!r} (sha1, sha256, sha512)') from None


def truncate(mac: bytes, digits: int) -> str:
    """RFC 4226 section 5.3 dynamic truncation of an HMAC to ``digits`` digits."""
    if not 1 <= digits <= 10:
        raise ValueError(f'digits must be 1..10, not {digits}')
    offset = mac[-1] & 0x0F
    binary = int.from_bytes(mac[offset:offset + 4], 'big') & 0x7FFFFFFF
    return str(binary % (10 ** digits)).zfill(digits)


def hotp(key: bytes, counter: int, digits: int = 6, hash_name: str = 'sha1') -> str:
    """RFC 4226 HOTP value for ``counter`` (an unsigned 64-bit integer)."""
    if not 0 <= counter < 2 ** 64:
        raise ValueError('counter out of range')
    mac = hmac.new(key, counter.to_bytes(8, 'big'), _hash_factory(hash_name)).digest()
    return truncate(mac, digits)


def totp_steps(unix_time: float, step: int = 30, t0: int = 0) -> int:
    """Number of whole time steps between ``t0`` and ``unix_time`` (RFC 6238 T)."""
    return int((unix_time - t0) // step)


def totp(key: bytes, unix_time: float, step: int = 30, digits: int = 6,
         hash_name: str = 'sha1', t0: int = 0) -> str:
    """RFC 6238 TOTP value at ``unix_time``."""
    return hotp(key, totp_steps(unix_time, step, t0), digits, hash_name)


# ---------------------------------------------------------------------------
# OCRA (RFC 6287)

QUESTION_ALPHABETS = {
    'N': string.digits,
    'A': string.ascii_letters + string.digits,
    'H': '0123456789ABCDEF',
}
_QUESTION_PATTERNS = {
    'N': re.compile(r'[0-9]+'),
    'A': re.compile(r'[A-Za-z0-9]+'),
    'H': re.compile(r'[0-9A-Fa-f]+'),
}
_TIME_UNITS = {'S': (1, 1, 59), 'M': (60, 1, 59), 'H': (3600, 1, 48)}
_PIN_HASH_SIZES = {'sha1': 20, 'sha256': 32, 'sha512': 64}


@dataclass(frozen=True)
class OcraSuite:
    """A parsed OCRA suite string such as ``OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1``."""

    text: str
    hash_name: str                   # HMAC hash: sha1 | sha256 | sha512
    digits: int                      # response length; 0 = no truncation
    counter: bool                    # C present
    question_format: str             # A | N | H
    question_length: int             # maximum question length, 4..64
    pin_hash: Optional[str] = None   # hash name of P, or None
    session_length: Optional[int] = None  # bytes of S, or None
    time_step: Optional[int] = None  # seconds per T step, or None

    @classmethod
    def parse(cls, text: str) -> 'OcraSuite':
        """Parse and validate a suite; raises ValueError naming the bad part."""
        parts = text.split(':')
        if len(parts) != 3:
            raise ValueError(f'{text!r}: an OCRA suite has three ":"-separated parts')
        algorithm, crypto, data_input = parts
        if algorithm != 'OCRA-1':
            raise ValueError(f'{text!r}: unknown algorithm {algorithm!r}')
        m = re.fullmatch(r'HOTP-(SHA1|SHA256|SHA512)-(\d+)', crypto)
        if not m:
            raise ValueError(f'{text!r}: bad crypto function {crypto!r}')
        digits = int(m.group(2))
        if digits != 0 and not 4 <= digits <= 10:
            raise ValueError(f'{text!r}: truncation length must be 0 or 4..10')
        fields = dict(text=text, hash_name=m.group(1).lower(), digits=digits,
                      counter=False, question_format='', question_length=0)
        items = data_input.split('-')
        if items and items[0] == 'C':
            fields['counter'] = True
            items.pop(0)
        if not items:
            raise ValueError(f'{text!r}: the question (Qxx) is mandatory')
        m = re.fullmatch(r'Q([ANH])(\d\d)', items.pop(0))
        if not m or not 4 <= int(m.group(2)) <= 64:
            raise ValueError(f'{text!r}: question must be QA/QN/QH with length 04..64')
        fields['question_format'], fields['question_length'] = m.group(1), int(m.group(2))
        # The optional P, S and T inputs follow in this fixed order.
        for prefix, pattern in (('P', r'P(SHA1|SHA256|SHA512)'),
                                ('S', r'S(\d{3})'),
                                ('T', r'T(\d{1,2})([SMH])')):
            if not items or not items[0].startswith(prefix):
                continue
            m = re.fullmatch(pattern, items.pop(0))
            if not m:
                raise ValueError(f'{text!r}: bad {prefix} data input')
            if prefix == 'P':
                fields['pin_hash'] = m.group(1).lower()
            elif prefix == 'S':
                fields['session_length'] = int(m.group(1))
            else:
                seconds, low, high = _TIME_UNITS[m.group(2)]
                if not low <= int(m.group(1)) <= high:
                    raise ValueError(f'{text!r}: time step out of range')
                fields['time_step'] = int(m.group(1)) * seconds
        if items:
            raise ValueError(f'{text!r}: unexpected data input {"-".join(items)!r}')
        return cls(**fields)

    def question_fits(self, question: str, min_length: int = 1, parts: int = 1) -> bool:
        """True if ``question`` has this suite's character set and a length in
        ``min_length``..``parts`` times the maximum.

        ``parts=2`` is the mutual mode: the question is a client and a server
        challenge joined, so RFC 6287 Appendix C.2 puts 16 characters under
        QA08.  Either way Q must fit its 128 bytes."""
        if not (min_length <= len(question) <= parts * self.question_length
                and _QUESTION_PATTERNS[self.question_format].fullmatch(question)):
            return False
        try:
            encode_question(self.question_format, question)
        except ValueError:
            return False
        return True

    def new_question(self, length: Optional[int] = None) -> str:
        """A fresh random question of the suite's format (full length by default)."""
        return generate_question(self.question_format, length or self.question_length)


def mutual_question(first: str, second: str, suite: Optional[OcraSuite] = None) -> str:
    """The question of a mutual computation: the two challenges joined.  In
    RFC 6287 Appendix C.2 the server answers client||server and the client
    server||client.  With a suite,
    each challenge must fit its format and maximum length on its own."""
    if suite is not None:
        for part in (first, second):
            if not suite.question_fits(part):
                raise ValueError(f'challenge {part!r} does not fit '
                                 f'Q{suite.question_format}{suite.question_length:02d}')
    return first + second


def generate_question(question_format: str, length: int) -> str:
    """Random question from a CSPRNG; format N (digits), A (alnum) or H (hex)."""
    alphabet = QUESTION_ALPHABETS[question_format]
    return ''.join(secrets.choice(alphabet) for _ in range(length))


def encode_question(question_format: str, question: str) -> bytes:
    """The 128-byte Q data input for ``question`` (RFC 6287 section 5.1).

    N: the decimal number converted to hexadecimal; H: the hex digits as
    given; both get one "0" nibble appended when odd.  A: the ASCII bytes.
    The result is right-padded with zero bytes to 128 bytes.
    """
    if not _QUESTION_PATTERNS[question_format].fullmatch(question):
        raise ValueError(f'question {question!r} is not of format {question_format}')
    if question_format == 'A':
        raw = question.encode('ascii')
    else:
        hex_digits = format(int(question), 'X') if question_format == 'N' else question
        if len(hex_digits) % 2:
            hex_digits += '0'
        raw = bytes.fromhex(hex_digits)
    if len(raw) > 128:
        raise ValueError('question longer than 128 bytes')
    return raw.ljust(128, b'\0')


def hash_pin(pin: str, hash_name: str) -> bytes:
    """The P data input: the hash of the PIN's UTF-8 bytes."""
    return _hash_factory(hash_name)(pin.encode('utf-8')).digest()


def ocra_message(suite: OcraSuite, question: str, counter: Optional[int] = None,
                 pin: Optional[str] = None, pin_hash: Optional[bytes] = None,
                 session: Optional[bytes] = None, time_steps: Optional[int] = None) -> bytes:
    """The exact HMAC input: suite || 00 || [C] || Q || [P] || [S] || [T]."""
    parts = [suite.text.encode('ascii'), b'\0']
    if suite.counter:
        if counter is None:
            raise ValueError(f'{suite.text} needs a counter')
        parts.append(counter.to_bytes(8, 'big'))
    parts.append(encode_question(suite.question_format, question))
    if suite.pin_hash:
        if pin_hash is None:
            if pin is None:
                raise ValueError(f'{suite.text} needs a PIN or PIN hash')
            pin_hash = hash_pin(pin, suite.pin_hash)
        if len(pin_hash) != _PIN_HASH_SIZES[suite.pin_hash]:
            raise ValueError('PIN hash has the wrong length for the suite')
        parts.append(pin_hash)
    if suite.session_length is not None:
        session = session or b''
        if len(session) > suite.session_length:
            raise ValueError('session information longer than the suite allows')
        # Like the RFC reference code: left-padded with zero bytes.
        parts.append(session.rjust(suite.session_length, b'\0'))
    if suite.time_step is not None:
        if time_steps is None:
            raise ValueError(f'{suite.text} needs a timestamp')
        parts.append(time_steps.to_bytes(8, 'big'))
    return b''.join(parts)


def ocra(suite, key: bytes, question: str, counter: Optional[int] = None,
         pin: Optional[str] = None, pin_hash: Optional[bytes] = None,
         session: Optional[bytes] = None, time_steps: Optional[int] = None,
         unix_time: Optional[float] = None) -> str:
    """The OCRA response.  ``suite`` is an OcraSuite or a suite string.

    For T suites give either ``time_steps`` (steps since the epoch) or
    ``unix_time`` (converted with the suite's step).
    """
    if isinstance(suite, str):
        suite = OcraSuite.parse(suite)
    if suite.time_step is not None and time_steps is None and unix_time is not None:
        time_steps = int(unix_time // suite.time_step)
    message = ocra_message(suite, question, counter, pin, pin_hash, session, time_steps)
    if suite.digits == 0:
        raise ValueError('suites without truncation (digits 0) are not supported')
    mac = hmac.new(key, message, _hash_factory(suite.hash_name)).digest()
    return truncate(mac, suite.digits)


def constant_time_equal(a: str, b: str) -> bool:
    """Compare two codes without leaking the position of the first difference."""
    return hmac.compare_digest(a.encode('utf-8'), b.encode('utf-8'))
