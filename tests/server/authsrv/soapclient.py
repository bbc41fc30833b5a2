"""Test-client side of the SOAP messages, so the server's own tests need no
third-party SOAP code: ``render_request`` writes an authUser or getChallenge
request, ``read_response`` reads any reply shape the server can send.
"""

import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional
from xml.sax.saxutils import escape, quoteattr

from authsrv.namespaces import AUT_NS, OPERATIONS, SOAP_ENV_NS, XSD_NS, XSI_NS
from authsrv.shapes import ResultCodes
from authsrv.soap import UNSIGNED_INT_ATTRIBUTES, SoapFaultError, _only_child, _soap_body, parse_xml

_CHARSET = re.compile(r';\s*charset\s*=\s*"?([A-Za-z0-9._-]+)', re.I)


def render_request(attributes: dict, types: Optional[dict] = None, operation_ns: str = AUT_NS,
                   operation: str = 'authUser') -> bytes:
    """A request with attributes in dict order.  ``types`` overrides the
    xsi:type per attribute (None = omit it); the default is xsd:unsignedInt
    for CREDFLD_PASSWORD_FORMAT and xsd:string otherwise."""
    types = types or {}
    items = []
    for name, value in attributes.items():
        default = 'xsd:unsignedInt' if name in UNSIGNED_INT_ATTRIBUTES else 'xsd:string'
        xsi_type = types.get(name, default)
        type_attr = f' xsi:type={quoteattr(xsi_type)}' if xsi_type else ''
        items.append(f'<attributes><value{type_attr}>{escape(str(value))}</value>'
                     f'<attributeID>{escape(name)}</attributeID></attributes>')
    return (f'<soapenv:Envelope xmlns:soapenv="{SOAP_ENV_NS}" xmlns:xsd="{XSD_NS}" '
            f'xmlns:xsi="{XSI_NS}" xmlns:aut={quoteattr(operation_ns)}>'
            f'<soapenv:Header/><soapenv:Body><aut:{operation}><credentialAttributeSet>'
            + ''.join(items) +
            f'</credentialAttributeSet></aut:{operation}></soapenv:Body></soapenv:Envelope>'
            ).encode('utf-8')


@dataclass
class ParsedReply:
    codes: List[ResultCodes]
    attributes: Dict[str, Optional[str]]    # last value per attributeID; None = no value element
    masked: List[str]
    errors: List[tuple]
    fault: Optional[tuple] = None      # (faultcode, faultstring) for a Fault
    operation: Optional[str] = None    # 'authUser' | 'getChallenge'
    wrapped: bool = False              # authUserResults present
    attribute_list: List[tuple] = field(default_factory=list)   # (attributeID, value) in order

    @property
    def return_code(self):
        return self.codes[0].return_code if len(self.codes) == 1 else None

    @property
    def status_code(self):
        return self.codes[0].status_code if len(self.codes) == 1 else None


def _transcode(data: bytes, content_type: Optional[str]) -> bytes:
    """A document without an XML declaration is in the HTTP charset
    (RFC 7303 section 3.2); the parser below assumes UTF-8 there."""
    match = _CHARSET.search(content_type or '')
    if match and not data.lstrip().startswith(b'<?xml'):
        return data.decode(match.group(1)).encode('utf-8')
    return data


def read_response(data: bytes, content_type: Optional[str] = None) -> ParsedReply:
    """Read an authUserResponse, a getChallengeResponse or a Fault (raises
    SoapFaultError if none of them)."""
    body = _soap_body(parse_xml(_transcode(data, content_type)))
    fault = [c for c in body.children if c.is_(SOAP_ENV_NS, 'Fault')]
    if fault:
        get = {c.name: c.text for c in fault[0].children if c.ns is None}
        return ParsedReply([], {}, [], [], (get.get('faultcode'), get.get('faultstring')))
    replies = [c for c in body.children if c.ns == AUT_NS and c.name in OPERATIONS.values()]
    if len(replies) != 1:
        raise SoapFaultError(f'Body must contain exactly one {{{AUT_NS}}}authUserResponse or '
                             f'getChallengeResponse (found {len(replies)})')
    response = replies[0]
    reply = ParsedReply([], {}, [], [])
    reply.operation = {v: k for k, v in OPERATIONS.items()}[response.name]
    wrappers = [c for c in response.children if c.is_(None, 'authUserResults')]
    reply.wrapped = bool(wrappers)
    if wrappers:
        results = _only_child(_only_child(response, None, 'authUserResults', response.name),
                              None, 'results', 'authUserResults')
    else:
        results = _only_child(response, None, 'results', response.name)
    for node in results.children:
        if node.is_(None, 'resultCodes'):
            get = {c.name: c.text.strip() for c in node.children}
            reply.codes.append(ResultCodes(int(get['returnCode']), int(get['statusCode']),
                                           get['returnCodeEnum'], get['statusCodeEnum']))
        elif node.is_(None, 'resultAttribute'):
            for item in node.children:
                get = {c.name: c for c in item.children}
                attribute_id = get['attributeID'].text.strip()
                value = get['value'].text if 'value' in get else None
                reply.attributes[attribute_id] = value
                reply.attribute_list.append((attribute_id, value))
                if 'attributeOptions' in get:
                    reply.masked.append(attribute_id)
        elif node.is_(None, 'errorStack'):
            for item in node.children:
                get = {c.name: c.text.strip() for c in item.children}
                reply.errors.append((int(get['errorCode']), get['errorDesc']))
    return reply
