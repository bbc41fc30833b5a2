"""Result codes of the reference server and the outcomes built from them.

Sources: OneSpan's "Status codes" reference (1000 to 1007, the generic
mapping, negative codes = error codes); an IDENTIKEY Administrator
Reference status listing (1008 used OTP, 1009 disabled, 1010 no account);
vieapps Services.OTPs (1009, 1010, 1012 = invalid OTP); ifad/identikey's
specs against a real server (the names STAT_OTP_INCORRECT for a wrong OTP
or server PIN and STAT_LOCAL_PASSWORD_MISMATCH for a wrong password).  The
number 1011 for the latter and the name STAT_DISABLED are UNVERIFIED.
"Use Generic Authentication Status Codes" maps 1007, 1009, 1010, 1011 and
1012 (and 1023, 1025, 1033, 1045, never sent here) to 1000.
"""

from dataclasses import dataclass
from typing import List, Optional

from authsrv.shapes import ReplyAttribute, ResultCodes

STAT_SUCCESS = 0
STAT_INVCREDENTIALS = 1000
STAT_EXP_CHALLENGE = 1004
STAT_PERMISSION = 1005
STAT_LOCKED = 1007
STAT_DISABLED = 1009
STAT_NOT_FOUND = 1010
STAT_LOCAL_PASSWORD_MISMATCH = 1011
STAT_OTP_INCORRECT = 1012
STORAGE_ERROR = -13            # a server-side framework error (negative = error code)

STATUS_ENUMS = {
    STAT_SUCCESS: 'STAT_SUCCESS',
    STAT_INVCREDENTIALS: 'STAT_INVCREDENTIALS',
    STAT_EXP_CHALLENGE: 'STAT_EXP_CHALLENGE',
    STAT_PERMISSION: 'STAT_PERMISSION',
    STAT_LOCKED: 'STAT_LOCKED',
    STAT_DISABLED: 'STAT_DISABLED',                  # UNVERIFIED name
    STAT_NOT_FOUND: 'STAT_NOT_FOUND',
    STAT_LOCAL_PASSWORD_MISMATCH: 'STAT_LOCAL_PASSWORD_MISMATCH',
    STAT_OTP_INCORRECT: 'STAT_OTP_INCORRECT',
    STORAGE_ERROR: 'STAT_NOT_FOUND',                 # as in the real reply ifad quotes
}
STATUS_MESSAGES = {
    STAT_INVCREDENTIALS: 'Invalid credentials',
    STAT_EXP_CHALLENGE: 'The challenge has expired',
    STAT_PERMISSION: 'No permission to perform this action',
    STAT_LOCKED: 'The user account is locked',
    STAT_DISABLED: 'The user account is disabled',
    STAT_NOT_FOUND: 'User not found',
    STAT_LOCAL_PASSWORD_MISMATCH: 'The static password is incorrect',
    STAT_OTP_INCORRECT: 'The One Time Password is incorrect',
}
GENERIC_MAPPED = frozenset({STAT_LOCKED, STAT_DISABLED, STAT_NOT_FOUND,
                            STAT_LOCAL_PASSWORD_MISMATCH, STAT_OTP_INCORRECT})
WRONG_CREDENTIALS = frozenset({STAT_INVCREDENTIALS, STAT_LOCAL_PASSWORD_MISMATCH,
                               STAT_OTP_INCORRECT})       # these count towards the lockout
RET_SUCCESS, RET_FAILURE = (0, 'RET_SUCCESS'), (-1, 'RET_FAILURE')   # RET_FAILURE: seen in a real reply
SUCCESS_CODES = ResultCodes(RET_SUCCESS[0], STAT_SUCCESS, RET_SUCCESS[1], 'STAT_SUCCESS')
STORAGE_ERROR_CODES = ResultCodes(RET_FAILURE[0], STORAGE_ERROR, RET_FAILURE[1],
                                  STATUS_ENUMS[STORAGE_ERROR])
# errorDesc of the real reply quoted in ifad/identikey commit ea49a5d.
STORAGE_ERROR_DESC = 'The requested item could not be found (Fail to retrieve storage key)'


@dataclass
class Outcome:
    """What the server answers: ``kind`` is success, challenge or failure.
    ``real_status`` is the status before the generic mapping; ``code`` the
    OTP or response that was accepted (feeds the host code)."""
    kind: str
    codes: ResultCodes
    attributes: List[ReplyAttribute]
    errors: List[tuple]
    reason: str
    real_status: int = 0
    code: Optional[str] = None

    @property
    def status_code(self):
        return self.codes.status_code


def success(attributes: List[ReplyAttribute], reason: str, code: Optional[str] = None) -> Outcome:
    return Outcome('success', SUCCESS_CODES, attributes, [], reason, STAT_SUCCESS, code)


def failure(status: int, reason: str, generic: bool = False) -> Outcome:
    """A failure reply: RET_FAILURE, the status (1000 instead of the specific
    ones when ``generic``), CREDFLD_STATUS_MESSAGE and one errorStack entry."""
    sent = STAT_INVCREDENTIALS if generic and status in GENERIC_MAPPED else status
    message = STATUS_MESSAGES[sent]
    codes = ResultCodes(RET_FAILURE[0], sent, RET_FAILURE[1], STATUS_ENUMS[sent])
    return Outcome('failure', codes, [ReplyAttribute('CREDFLD_STATUS_MESSAGE', message)],
                   [(sent, f'{message}: {reason}')], reason, status)
