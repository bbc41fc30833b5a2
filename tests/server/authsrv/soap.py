"""SOAP 1.1 envelopes of the IDENTIKEY-style ``authUser`` and ``getChallenge``.

Server side: ``parse_request`` reads a request strictly (namespace-aware,
by element name, never by position) and raises ``SoapFaultError`` for
anything a real server would refuse with a SOAP Fault; ``render_fault``
writes Faults, and shapes.py writes results replies (re-exported here).

Test-client side: soapclient.py (``render_request``, ``read_response``; also
reachable as ``soap.render_request`` and so on).
"""

import io
import re
import xml.sax
import xml.sax.handler
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional
from xml.sax.saxutils import escape

from authsrv.namespaces import (AUT_NS, AUTH_TYPES_NS, BASIC_TYPES_NS,
                                CREDENTIAL_TYPES_NS, OPERATIONS, SOAP_ENV_NS, XSD_NS, XSI_NS)
from authsrv.shapes import (ReplyAttribute, ResultCodes, render_attribute,
                            render_response, render_result_codes, response_head, response_tail)

# Mandatory attributes per operation ("authUser (Command)", "getChallenge (Command)").
MANDATORY_ATTRIBUTES = {
    'authUser': ('CREDFLD_USERID', 'CREDFLD_COMPONENT_TYPE', 'CREDFLD_PASSWORD_FORMAT'),
    'getChallenge': ('CREDFLD_COMPONENT_TYPE',),
}
UNSIGNED_INT_ATTRIBUTES = ('CREDFLD_PASSWORD_FORMAT',)
# 0 = cleartext combined; the numbers meaning "separate" are a server knob.
DEFAULT_PASSWORD_FORMATS = (0, 1, 4)
_UNSIGNED_INT = re.compile(r'\+?[0-9]+|-0+')
_CLIENT_NAMES = ('render_request', 'read_response', 'ParsedReply')
__all__ = ['AUT_NS', 'AUTH_TYPES_NS', 'BASIC_TYPES_NS', 'CREDENTIAL_TYPES_NS', 'SOAP_ENV_NS',
           'XSD_NS', 'XSI_NS', 'AuthUserRequest', 'Node', 'ReplyAttribute', 'ResultCodes',
           'SoapFaultError', 'parse_auth_user', 'parse_request', 'parse_xml', 'render_attribute',
           'render_fault', 'render_response', 'render_result_codes', 'response_head',
           'response_tail', 'unsigned_int', *_CLIENT_NAMES]


def __getattr__(name):
    # The test-client helpers live in soapclient.py, which imports this module.
    if name in _CLIENT_NAMES:
        from authsrv import soapclient
        return getattr(soapclient, name)
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')


def unsigned_int(text: str) -> Optional[int]:
    """The value of an xsd:unsignedInt literal, or None if it is not one.

    XML Schema 1.1 Part 2 3.4.22: an optional "+" (or "-" before zeros only)
    and decimal digits, leading zeros allowed, whitespace collapsed, at most
    4294967295.  Only ASCII digits count."""
    text = text.strip(' \t\r\n')
    if not _UNSIGNED_INT.fullmatch(text):
        return None
    value = int(text)
    return value if value <= 0xFFFFFFFF else None


class SoapFaultError(Exception):
    """A request problem answered with a SOAP Fault (HTTP 500)."""

    def __init__(self, faultstring: str, faultcode: str = 'Client'):
        super().__init__(faultstring)
        self.faultcode = faultcode          # local name: Client, Server, VersionMismatch, ...
        self.faultstring = faultstring


# ---------------------------------------------------------------------------
# A small namespace-aware tree built with SAX, keeping the in-scope prefix
# bindings of every element so QName values such as xsi:type="xsd:string"
# can be resolved exactly (ElementTree forgets them).

class _DoctypeRefused(Exception):
    pass


@dataclass
class Node:
    ns: Optional[str]
    name: str
    attrs: Dict[tuple, str]
    nsmap: Dict[Optional[str], str]
    children: List['Node'] = field(default_factory=list)
    text_parts: List[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return ''.join(self.text_parts)

    def is_(self, ns: Optional[str], name: str) -> bool:
        return self.ns == ns and self.name == name

    def tag(self) -> str:
        return f'{{{self.ns}}}{self.name}' if self.ns else self.name

    def resolve_qname(self, value: str):
        """(namespace, local name) of a QName written in this element's scope."""
        prefix, sep, local = value.strip().rpartition(':')
        key = prefix if sep else None
        if key not in self.nsmap:
            raise SoapFaultError(f'unbound namespace prefix in QName {value!r}')
        return self.nsmap[key], local


class _TreeBuilder(xml.sax.handler.ContentHandler):
    def __init__(self):
        super().__init__()
        self.root: Optional[Node] = None
        self._stack: List[Node] = []
        self._scopes: List[dict] = [{'xml': 'http://www.w3.org/XML/1998/namespace'}]
        self._pending: dict = {}

    def startPrefixMapping(self, prefix, uri):
        self._pending[prefix] = uri

    def startElementNS(self, name, qname, attrs):
        scope = dict(self._scopes[-1])
        scope.update(self._pending)
        self._pending = {}
        self._scopes.append(scope)
        node = Node(name[0], name[1], {k: attrs[k] for k in attrs.keys()}, scope)
        if self._stack:
            self._stack[-1].children.append(node)
        else:
            self.root = node
        self._stack.append(node)

    def endElementNS(self, name, qname):
        self._stack.pop()
        self._scopes.pop()

    def characters(self, content):
        if self._stack:
            self._stack[-1].text_parts.append(content)

    # lexical handler: SOAP 1.1 messages must not contain a DTD (and refusing
    # it also rules out entity expansion attacks).
    def startDTD(self, name, public_id, system_id):
        raise _DoctypeRefused()

    def endDTD(self): pass
    def startCDATA(self): pass
    def endCDATA(self): pass
    def comment(self, content): pass


def parse_xml(data: bytes) -> Node:
    """Parse ``data`` into a Node tree; SoapFaultError if not well-formed."""
    builder = _TreeBuilder()
    parser = xml.sax.make_parser()
    parser.setFeature(xml.sax.handler.feature_namespaces, True)
    parser.setFeature(xml.sax.handler.feature_external_ges, False)
    parser.setFeature(xml.sax.handler.feature_external_pes, False)
    parser.setContentHandler(builder)
    parser.setProperty(xml.sax.handler.property_lexical_handler, builder)
    try:
        source = xml.sax.xmlreader.InputSource()
        source.setByteStream(io.BytesIO(data))
        parser.parse(source)
    except _DoctypeRefused:
        raise SoapFaultError('DTD / DOCTYPE is not allowed in a SOAP message') from None
    except xml.sax.SAXParseException as exc:
        raise SoapFaultError(f'request is not well-formed XML: {exc.getMessage()} '
                             f'at line {exc.getLineNumber()} column {exc.getColumnNumber()}') from None
    if builder.root is None:
        raise SoapFaultError('empty request body')
    return builder.root


# ---------------------------------------------------------------------------
# Requests (server side)

@dataclass
class AuthUserRequest:
    """The credential attributes of one authUser or getChallenge request."""
    attributes: Dict[str, str]      # attributeID -> value text
    types: Dict[str, str]           # attributeID -> 'xsd:string', 'xsd:unsignedInt', '{ns}local' or ''
    order: List[str]                # attributeIDs in document order
    operation: str = 'authUser'     # 'authUser' | 'getChallenge'

    @property
    def password_format(self) -> Optional[int]:
        text = self.attributes.get('CREDFLD_PASSWORD_FORMAT')
        return None if text is None else unsigned_int(text)


def _only_child(parent: Node, ns: Optional[str], name: str, where: str) -> Node:
    elements = [c for c in parent.children if c.is_(ns, name)]
    if len(elements) != 1:
        qualified = f'{{{ns}}}{name}' if ns else name
        raise SoapFaultError(f'{where} must contain exactly one {qualified} element '
                             f'(found {len(elements)})')
    return elements[0]


def _xsi_type(node: Node) -> str:
    raw = node.attrs.get((XSI_NS, 'type'))
    if raw is None:
        return ''
    ns, local = node.resolve_qname(raw)
    return f'xsd:{local}' if ns == XSD_NS else f'{{{ns}}}{local}'


def _soap_body(root: Node) -> Node:
    """Check Envelope/Header/Body framing and return the Body element."""
    if root.name == 'Envelope' and root.ns != SOAP_ENV_NS:
        raise SoapFaultError(f'Envelope namespace must be {SOAP_ENV_NS} (SOAP 1.1), '
                             f'got {root.ns!r}', 'VersionMismatch')
    if not root.is_(SOAP_ENV_NS, 'Envelope'):
        raise SoapFaultError(f'root element must be soapenv:Envelope, got {root.tag()}')
    for header in (c for c in root.children if c.is_(SOAP_ENV_NS, 'Header')):
        for entry in header.children:
            if entry.attrs.get((SOAP_ENV_NS, 'mustUnderstand'), '0').strip() == '1':
                raise SoapFaultError(f'header {entry.tag()} not understood', 'MustUnderstand')
    return _only_child(root, SOAP_ENV_NS, 'Body', 'Envelope')


def parse_request(data: bytes, strict_types: bool = True,
                  password_formats: Iterable[int] = DEFAULT_PASSWORD_FORMATS) -> AuthUserRequest:
    """Parse and validate an authUser or getChallenge request; SoapFaultError
    on any problem.

    With ``strict_types`` every ``value`` must carry an xsi:type: xsd:unsignedInt
    for CREDFLD_PASSWORD_FORMAT and xsd:string for everything else.  Without it
    only CREDFLD_PASSWORD_FORMAT's type is checked.  ``password_formats`` are
    the CREDFLD_PASSWORD_FORMAT numbers the server supports."""
    body = _soap_body(parse_xml(data))
    operations = body.children
    if len(operations) != 1:
        raise SoapFaultError(f'Body must contain exactly one operation element (found {len(operations)})')
    operation = operations[0]
    if operation.ns != AUT_NS or operation.name not in OPERATIONS:
        raise SoapFaultError(f'unsupported operation {operation.tag()}; expected '
                             + ' or '.join(f'{{{AUT_NS}}}{name}' for name in OPERATIONS))
    credential_set = _only_child(operation, None, 'credentialAttributeSet', operation.name)
    request = AuthUserRequest({}, {}, [], operation.name)
    for item in credential_set.children:
        if not item.is_(None, 'attributes'):
            raise SoapFaultError(f'unexpected element {item.tag()} in credentialAttributeSet')
        for child in item.children:
            if not (child.ns is None and child.name in ('value', 'attributeID', 'attributeOptions')):
                raise SoapFaultError(f'unexpected element {child.tag()} in attributes')
        attribute_id = _only_child(item, None, 'attributeID', 'attributes').text.strip()
        value = _only_child(item, None, 'value', 'attributes')
        if not attribute_id:
            raise SoapFaultError('empty attributeID')
        if attribute_id in request.attributes:
            raise SoapFaultError(f'attribute {attribute_id} given more than once')
        request.attributes[attribute_id] = value.text
        request.types[attribute_id] = _xsi_type(value)
        request.order.append(attribute_id)
    _validate_attributes(request, strict_types, password_formats)
    return request


def parse_auth_user(data: bytes, strict_types: bool = True,
                    password_formats: Iterable[int] = DEFAULT_PASSWORD_FORMATS) -> AuthUserRequest:
    """parse_request for callers that accept authUser only."""
    request = parse_request(data, strict_types, password_formats)
    if request.operation != 'authUser':
        raise SoapFaultError(f'unsupported operation {request.operation}; expected authUser')
    return request


def _validate_attributes(request: AuthUserRequest, strict_types: bool,
                         password_formats: Iterable[int]) -> None:
    for name in MANDATORY_ATTRIBUTES[request.operation]:
        if name not in request.attributes:
            raise SoapFaultError(f'mandatory attribute {name} is missing')
    for name, xsi_type in request.types.items():
        wanted = 'xsd:unsignedInt' if name in UNSIGNED_INT_ATTRIBUTES else 'xsd:string'
        if (strict_types or name in UNSIGNED_INT_ATTRIBUTES) and xsi_type != wanted:
            raise SoapFaultError(f'attribute {name} must have xsi:type="{wanted}" '
                                 f'(got {xsi_type or "no xsi:type"})')
    if 'CREDFLD_PASSWORD_FORMAT' not in request.attributes:
        return
    text = request.attributes['CREDFLD_PASSWORD_FORMAT']
    value = unsigned_int(text)
    if value is None:
        raise SoapFaultError(f'CREDFLD_PASSWORD_FORMAT value {text.strip()!r} is not an xsd:unsignedInt')
    supported = sorted(set(password_formats) | {0})
    if value not in supported:
        separate = ', '.join(str(n) for n in supported if n)
        raise SoapFaultError(f'unsupported CREDFLD_PASSWORD_FORMAT {value} '
                             f'(0 = cleartext combined; cleartext separate: {separate or "none"})')


# ---------------------------------------------------------------------------
# Replies (server side): results replies are written by shapes.py

def render_fault(faultcode: str, faultstring: str, detail: Optional[str] = None) -> str:
    """A SOAP 1.1 Fault; ``faultcode`` is a local name in the envelope
    namespace (Client, Server, ...) or an already prefixed QName."""
    code = faultcode if ':' in faultcode else f'soapenv:{faultcode}'
    detail_xml = f'      <detail>{escape(detail)}</detail>\n' if detail else ''
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' +
            f'<soapenv:Envelope xmlns:soapenv="{SOAP_ENV_NS}">\n  <soapenv:Body>\n'
            '    <soapenv:Fault>\n'
            f'      <faultcode>{escape(code)}</faultcode>\n'
            f'      <faultstring>{escape(faultstring)}</faultstring>\n' + detail_xml +
            '    </soapenv:Fault>\n  </soapenv:Body>\n</soapenv:Envelope>\n')
