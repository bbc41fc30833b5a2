"""Fault injection for the reference server.

A fault is a rule ``(kind, params, step, count, process)``.  Rules are set at
run time (``FaultBook.set``) and consulted once per request that was read
completely and passed HTTP authentication:

* ``step``: 'any' matches every request; 'request' only 2-step challenge
  requests; 'response' only requests carrying a challenge key, a challenge
  or an OTP (see ``Authenticator.classify``).  Requests that are not valid
  authUser calls only match 'any'.
* ``count``: None = every matching request from now on; N = the next N.
* ``process``: whether the real authentication also runs (state changes:
  counters advance, keys are consumed) although its reply is replaced.
* ``user``: None = any request; a name = only requests for that
  CREDFLD_USERID.

Modifier kinds combine with the reply (delay, close_after_response,
reject_keepalive); reply kinds replace it and the first matching one wins.
Setting a kind again replaces its previous rule.
"""

import secrets
import threading
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Iterable, List, Optional, Union

from authsrv import shapes, soap
from authsrv import status as results

MIB = 1024 * 1024
_UNSET = object()

# kind -> (category, default parameters).  A default of _UNSET is mandatory.
FAULT_KINDS = {
    'delay': ('modifier', {'seconds': _UNSET}),
    'close_after_response': ('modifier', {}),
    'reject_keepalive': ('modifier', {'mode': 'drop'}),
    'hang': ('reply', {}),
    'reset': ('reply', {}),
    'http_status': ('reply', {'status': 503, 'body': None}),
    'soap_fault': ('reply', {'faultcode': 'Server',
                             'faultstring': 'Internal server error (injected fault)'}),
    'malformed_xml': ('reply', {}),
    'truncated_xml': ('reply', {}),
    'huge_body': ('reply', {'size': 64 * MIB, 'content_length': True}),
    'wrong_content_type': ('reply', {}),
    'success_with_challenge': ('reply', {}),
    'failure_with_challenge': ('reply', {}),
    'success_with_message': ('reply', {'message': 'The password is incorrect'}),
    'plain_success': ('reply', {'auxiliary_message': None}),
    'redirect_http': ('reply', {'status': 302, 'location': None}),
    'missing_result_codes': ('reply', {}),
    'wrong_namespace': ('reply', {'namespace':
                                  'http://www.vasco.com/IdentikeyServer/IdentikeyTypes/Administration'}),
    'duplicate_codes': ('reply', {'first': 'success'}),
    'storage_error': ('reply', {}),
}
STEPS = ('any', 'request', 'response')


@dataclass
class FaultRule:
    kind: str
    params: dict
    step: str = 'any'
    remaining: Optional[int] = None     # None = unlimited
    process: bool = False
    hits: int = 0
    user: Optional[str] = None          # None = every user

    def describe(self) -> dict:
        return {'kind': self.kind, 'step': self.step, 'remaining': self.remaining,
                'process': self.process, 'hits': self.hits, 'user': self.user, **self.params}


@dataclass
class Plan:
    """What the transport does with one request."""
    reply: Optional[FaultRule] = None   # replacing fault, or None for the real reply
    delay: float = 0.0
    close: Optional[str] = None         # None | 'announce' (Connection: close) | 'silent'
    drop: bool = False                  # close without any reply (reject_keepalive 'drop')
    applied: List[str] = field(default_factory=list)


class FaultBook:
    """The active fault rules of one server (thread-safe)."""

    def __init__(self):
        self._rules: List[FaultRule] = []
        self._lock = threading.Lock()

    def set(self, kind: str, count: Optional[int] = None, step: str = 'any',
            process: bool = False, user: Optional[str] = None, **params) -> FaultRule:
        if kind not in FAULT_KINDS:
            raise ValueError(f'unknown fault {kind!r}; known: {", ".join(sorted(FAULT_KINDS))}')
        if step not in STEPS:
            raise ValueError(f'step must be one of {STEPS}')
        if count is not None and int(count) < 1:
            raise ValueError('count must be None or >= 1')
        defaults = FAULT_KINDS[kind][1]
        unknown = set(params) - set(defaults)
        if unknown:
            raise ValueError(f'fault {kind}: unknown parameters {sorted(unknown)}')
        merged = {**defaults, **params}
        missing = [k for k, v in merged.items() if v is _UNSET]
        if missing:
            raise ValueError(f'fault {kind}: missing parameters {missing}')
        if kind == 'reject_keepalive' and merged['mode'] not in ('drop', 'silent_close'):
            raise ValueError("reject_keepalive mode must be 'drop' or 'silent_close'")
        rule = FaultRule(kind, merged, step, None if count is None else int(count), bool(process),
                         user=user)
        with self._lock:
            self._rules = [r for r in self._rules if r.kind != kind] + [rule]
        return rule

    def clear(self, kind: Optional[str] = None) -> None:
        with self._lock:
            self._rules = [r for r in self._rules if kind is not None and r.kind != kind]

    def active(self) -> List[dict]:
        with self._lock:
            return [r.describe() for r in self._rules]

    def plan(self, request_kind: str, reused_connection: bool, user: Optional[str] = None) -> Plan:
        """Pick the rules for one request and use up their counts."""
        plan = Plan()
        with self._lock:
            for rule in self._rules:
                if rule.step != 'any' and rule.step != request_kind:
                    continue
                if rule.user is not None and rule.user != user:
                    continue
                if not self._fire(rule, plan, reused_connection):
                    continue
                rule.hits += 1
                plan.applied.append(rule.kind)
                if rule.remaining is not None:
                    rule.remaining -= 1
            self._rules = [r for r in self._rules if r.remaining != 0]
        return plan

    @staticmethod
    def _fire(rule: FaultRule, plan: Plan, reused_connection: bool) -> bool:
        if rule.kind == 'delay':
            plan.delay = float(rule.params['seconds'])
        elif rule.kind == 'close_after_response':
            plan.close = plan.close or 'announce'
        elif rule.kind == 'reject_keepalive':
            if rule.params['mode'] == 'silent_close':
                plan.close = 'silent'
            elif reused_connection:
                plan.drop = True
            else:
                return False        # 'drop' only fires on a reused connection
        elif plan.reply is None:
            plan.reply = rule
        else:
            return False            # an earlier reply fault already won
        return True


# ---------------------------------------------------------------------------
# Replies of the reply faults

@dataclass
class Reply:
    """An HTTP reply for the transport to send.

    ``action``: 'send', 'hang' (never answer), 'reset' (TCP RST) or
    'close' (close without a reply).  ``body`` is bytes or an iterable of
    bytes (streamed); ``length`` is the Content-Length (None = none sent,
    the body then ends with the connection)."""
    status: int = 200
    headers: List[tuple] = field(default_factory=list)
    body: Union[bytes, Iterable[bytes]] = b''
    length: Optional[int] = 0
    action: str = 'send'

    @classmethod
    def xml(cls, text: str, status: int = 200) -> 'Reply':
        data = text.encode('utf-8')
        return cls(status, [('Content-Type', 'text/xml; charset=utf-8')], data, len(data))

    @classmethod
    def document(cls, data: bytes, content_type: str, status: int = 200) -> 'Reply':
        return cls(status, [('Content-Type', content_type)], data, len(data))


@dataclass
class FaultContext:
    """What a reply fault may need to know about the request and server."""
    attributes: dict
    authenticator: object
    port: int
    operation: str = 'authUser'
    shape: frozenset = frozenset()


SUCCESS_CODES = results.SUCCESS_CODES
FAILURE_CODES = soap.ResultCodes(-1, 1000, 'RET_FAILURE', 'STAT_INVCREDENTIALS')


def _identity(ctx: FaultContext) -> List[soap.ReplyAttribute]:
    return [soap.ReplyAttribute('CREDFLD_USERID', ctx.attributes.get('CREDFLD_USERID', '')),
            soap.ReplyAttribute('CREDFLD_DOMAIN', ctx.attributes.get('CREDFLD_DOMAIN', 'master'))]


def _success_xml(ctx: FaultContext) -> str:
    return soap.render_response([SUCCESS_CODES], _identity(ctx))


def _challenge_attributes(ctx: FaultContext) -> List[soap.ReplyAttribute]:
    issued = ctx.authenticator.issue_challenge(ctx.attributes.get('CREDFLD_USERID'))
    if issued is not None:
        return issued.attributes        # a real key: a step 2 with it can succeed
    challenge = ''.join(secrets.choice('0123456789') for _ in range(8))
    return _identity(ctx) + [
        soap.ReplyAttribute('CREDFLD_CHALLENGE', challenge),
        soap.ReplyAttribute('CREDFLD_CHALLENGE_KEY', f'fake-{secrets.token_hex(16)}'),
        soap.ReplyAttribute('CREDFLD_CHALLENGE_MESSAGE', f'Enter challenge {challenge} into your token')]


def _huge_body(size: int, ctx: FaultContext):
    """(generator, total length) of a complete, valid success reply padded
    with dummy attributes to exactly ``size`` bytes (when size allows)."""
    head = (soap.response_head() + soap.render_result_codes(SUCCESS_CODES) +
            '          <resultAttribute xsi:type="CREDENTIAL-TYPES:CredentialAttributeSet">\n'
            ).encode()
    tail = ('          </resultAttribute>\n'
            '          <errorStack xsi:type="BASIC-TYPES:ErrorStack"/>\n' + soap.response_tail()).encode()
    unit = soap.render_attribute(soap.ReplyAttribute('CREDFLD_PADDING', 'x' * 4000)).encode()
    room = max(0, size - len(head) - len(tail))
    units, filler = divmod(room, len(unit))

    def chunks():
        yield head
        batch = unit * 16
        full, rest = divmod(units, 16)
        for _ in range(full):
            yield batch
        yield unit * rest + b' ' * filler + tail

    return chunks(), len(head) + units * len(unit) + filler + len(tail)


def build_reply(rule: FaultRule, ctx: FaultContext) -> Reply:
    """The reply a reply fault sends instead of the real one."""
    kind, params = rule.kind, rule.params
    if kind in ('hang', 'reset'):
        return Reply(action=kind)
    if kind == 'http_status':
        status = int(params['status'])
        body = (params['body'] if params['body'] is not None
                else f'{status} {_phrase(status)}\n').encode('utf-8')
        headers = [('Content-Type', 'text/plain; charset=utf-8')]
        if status == 401:
            headers.append(('WWW-Authenticate', 'Basic realm="authUser"'))
        return Reply(status, headers, body, len(body))
    if kind == 'soap_fault':
        return Reply.xml(soap.render_fault(params['faultcode'], params['faultstring']), 500)
    if kind == 'malformed_xml':
        # Success codes inside a document that is not well-formed (mismatched
        # end tag, bare ampersand): a regex-reading client would accept it.
        text = _success_xml(ctx).replace('</resultCodes>', '</resultCode>', 1)
        return Reply.xml(text.replace('</results>', '& </results>', 1))
    if kind == 'truncated_xml':
        text = _success_xml(ctx)
        cut = text.index('<statusCode>') + len('<statusCode>0')
        return Reply.xml(text[:cut])
    if kind == 'huge_body':
        chunks, total = _huge_body(int(params['size']), ctx)
        length = total if params['content_length'] else None
        return Reply(200, [('Content-Type', 'text/xml; charset=utf-8')], chunks, length)
    if kind == 'wrong_content_type':
        body = (b'<!DOCTYPE html>\n<html><head><title>Sign in</title></head>\n'
                b'<body><h1>Network login required</h1><p>RET_SUCCESS</p></body></html>\n')
        return Reply(200, [('Content-Type', 'text/html; charset=utf-8')], body, len(body))
    if kind == 'success_with_challenge':
        return Reply.xml(soap.render_response([SUCCESS_CODES], _challenge_attributes(ctx)))
    if kind == 'failure_with_challenge':
        # A wrong-OTP refusal that offers a new challenge to answer, as a
        # RADIUS Access-Challenge after a wrong response does.
        codes = soap.ResultCodes(-1, results.STAT_OTP_INCORRECT, 'RET_FAILURE',
                                 results.STATUS_ENUMS[results.STAT_OTP_INCORRECT])
        message = results.STATUS_MESSAGES[results.STAT_OTP_INCORRECT]
        attributes = [soap.ReplyAttribute('CREDFLD_STATUS_MESSAGE', message)]
        return Reply.xml(soap.render_response([codes], attributes + _challenge_attributes(ctx),
                                              [(results.STAT_OTP_INCORRECT, message)]))
    if kind == 'plain_success':
        attributes = _identity(ctx)
        if params['auxiliary_message'] is not None:
            attributes.append(soap.ReplyAttribute('CREDFLD_AUXILIARY_MESSAGE',
                                                  params['auxiliary_message']))
        return Reply.xml(soap.render_response([SUCCESS_CODES], attributes))
    if kind == 'success_with_message':
        attributes = _identity(ctx) + [soap.ReplyAttribute('CREDFLD_STATUS_MESSAGE', params['message'])]
        return Reply.xml(soap.render_response([SUCCESS_CODES], attributes))
    if kind == 'redirect_http':
        location = params['location'] or f'http://127.0.0.1:{ctx.port}/'
        body = f'<html><body><a href="{location}">moved</a></body></html>\n'.encode()
        return Reply(int(params['status']), [('Location', location),
                                             ('Content-Type', 'text/html; charset=utf-8')],
                     body, len(body))
    if kind == 'missing_result_codes':
        return Reply.xml(soap.render_response([], _identity(ctx)))
    if kind == 'wrong_namespace':
        return Reply.xml(soap.render_response([SUCCESS_CODES], _identity(ctx),
                                              operation_ns=params['namespace']))
    if kind == 'duplicate_codes':
        codes = [SUCCESS_CODES, FAILURE_CODES]
        if params['first'] != 'success':
            codes.reverse()
        return Reply.xml(soap.render_response(codes, _identity(ctx)))
    if kind == 'storage_error':
        # The real reply quoted by ifad/identikey: no attributes, -1/-13.
        text = shapes.render_response([results.STORAGE_ERROR_CODES], [],
                                      [(results.STORAGE_ERROR, results.STORAGE_ERROR_DESC)],
                                      shape=ctx.shape, operation=ctx.operation)
        return Reply.document(*shapes.encode(text, ctx.shape))
    raise AssertionError(f'no reply for fault {kind}')


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return 'Error'
