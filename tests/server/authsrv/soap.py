"""SOAP 1.1 envelopes of the IDENTIKEY-style ``authUser`` command.

Server side: ``parse_auth_user`` reads a request strictly (namespace-aware,
by element name, never by position) and raises ``SoapFaultError`` for
anything a real server would refuse with a SOAP Fault; ``render_response``
and ``render_fault`` write replies.

Test-client side: ``render_request`` writes a request and ``read_response``
reads a reply, so the server's own tests need no third-party SOAP code.
"""

import io
import xml.sax
import xml.sax.handler
from dataclasses import dataclass, field
from typing import Dict, List, Optional
from xml.sax.saxutils import escape, quoteattr

SOAP_ENV_NS = 'http://schemas.xmlsoap.org/soap/envelope/'
XSD_NS = 'http://www.w3.org/2001/XMLSchema'
XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance'
AUT_NS = 'http://www.vasco.com/IdentikeyServer/IdentikeyTypes/Authentication'
_TYPES_BASE = 'http://www.vasco.com/IdentikeyServer/IdentikeyTypes/'
BASIC_TYPES_NS = _TYPES_BASE + 'BasicTypes.xsd'
CREDENTIAL_TYPES_NS = _TYPES_BASE + 'CredentialTypes.xsd'
# UNVERIFIED: only the prefix AUTH-TYPES is documented; the URI is modelled
# on the documented BasicTypes.xsd / CredentialTypes.xsd / SignatureTypes.xsd.
AUTH_TYPES_NS = _TYPES_BASE + 'AuthenticationTypes.xsd'

MANDATORY_ATTRIBUTES = ('CREDFLD_USERID', 'CREDFLD_COMPONENT_TYPE', 'CREDFLD_PASSWORD_FORMAT')
UNSIGNED_INT_ATTRIBUTES = ('CREDFLD_PASSWORD_FORMAT',)
PASSWORD_FORMATS = {0: 'cleartext combined', 1: 'cleartext separate'}


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
    """The credential attributes of one authUser request."""
    attributes: Dict[str, str]      # attributeID -> value text
    types: Dict[str, str]           # attributeID -> 'xsd:string', 'xsd:unsignedInt', '{ns}local' or ''
    order: List[str]                # attributeIDs in document order

    @property
    def password_format(self) -> int:
        return int(self.attributes['CREDFLD_PASSWORD_FORMAT'].strip())


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


def parse_auth_user(data: bytes, strict_types: bool = True) -> AuthUserRequest:
    """Parse and validate an authUser request; SoapFaultError on any problem.

    With ``strict_types`` every ``value`` must carry an xsi:type: xsd:unsignedInt
    for CREDFLD_PASSWORD_FORMAT and xsd:string for everything else.  Without it
    only CREDFLD_PASSWORD_FORMAT's type is checked (the brief's minimum).
    """
    body = _soap_body(parse_xml(data))
    operations = body.children
    if len(operations) != 1:
        raise SoapFaultError(f'Body must contain exactly one operation element (found {len(operations)})')
    operation = operations[0]
    if not operation.is_(AUT_NS, 'authUser'):
        raise SoapFaultError(f'unsupported operation {operation.tag()}; expected {{{AUT_NS}}}authUser')
    credential_set = _only_child(operation, None, 'credentialAttributeSet', 'authUser')
    request = AuthUserRequest({}, {}, [])
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
    _validate_attributes(request, strict_types)
    return request


def _validate_attributes(request: AuthUserRequest, strict_types: bool) -> None:
    for name in MANDATORY_ATTRIBUTES:
        if name not in request.attributes:
            raise SoapFaultError(f'mandatory attribute {name} is missing')
    for name, xsi_type in request.types.items():
        wanted = 'xsd:unsignedInt' if name in UNSIGNED_INT_ATTRIBUTES else 'xsd:string'
        if (strict_types or name in UNSIGNED_INT_ATTRIBUTES) and xsi_type != wanted:
            raise SoapFaultError(f'attribute {name} must have xsi:type="{wanted}" '
                                 f'(got {xsi_type or "no xsi:type"})')
    text = request.attributes['CREDFLD_PASSWORD_FORMAT'].strip()
    if not text.isdigit() or int(text) > 0xFFFFFFFF:
        raise SoapFaultError(f'CREDFLD_PASSWORD_FORMAT value {text!r} is not an xsd:unsignedInt')
    if int(text) not in PASSWORD_FORMATS:
        raise SoapFaultError(f'unsupported CREDFLD_PASSWORD_FORMAT {text} '
                             '(0 = cleartext combined, 1 = cleartext separate)')


# ---------------------------------------------------------------------------
# Replies (server side)

@dataclass
class ResultCodes:
    return_code: int
    status_code: int
    return_enum: str
    status_enum: str


@dataclass
class ReplyAttribute:
    attribute_id: str
    value: str
    xsd_type: str = 'string'
    masked: bool = False


_XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n'
_ENVELOPE_OPEN = (
    '<soapenv:Envelope xmlns:soapenv="' + SOAP_ENV_NS + '"'
    ' xmlns:xsd="' + XSD_NS + '"'
    ' xmlns:xsi="' + XSI_NS + '"'
    ' xmlns:aut={operation_ns}'
    ' xmlns:BASIC-TYPES="' + BASIC_TYPES_NS + '"'
    ' xmlns:CREDENTIAL-TYPES="' + CREDENTIAL_TYPES_NS + '"'
    ' xmlns:AUTH-TYPES="' + AUTH_TYPES_NS + '">\n'
    '  <soapenv:Header/>\n  <soapenv:Body>\n    <aut:authUserResponse>\n'
    '      <authUserResults xsi:type="AUTH-TYPES:AuthUserResults">\n'
    '        <results xsi:type="CREDENTIAL-TYPES:CredentialResults">\n')
_ENVELOPE_CLOSE = ('        </results>\n      </authUserResults>\n'
                   '    </aut:authUserResponse>\n  </soapenv:Body>\n</soapenv:Envelope>\n')


def render_result_codes(codes: ResultCodes) -> str:
    return ('          <resultCodes xsi:type="BASIC-TYPES:ResultCodes">\n'
            f'            <returnCodeEnum>{escape(codes.return_enum)}</returnCodeEnum>\n'
            f'            <statusCodeEnum>{escape(codes.status_enum)}</statusCodeEnum>\n'
            f'            <returnCode>{int(codes.return_code)}</returnCode>\n'
            f'            <statusCode>{int(codes.status_code)}</statusCode>\n'
            '          </resultCodes>\n')


def render_attribute(attribute: ReplyAttribute) -> str:
    options = ''
    if attribute.masked:
        options = ('              <attributeOptions xsi:type="BASIC-TYPES:AttributeOptions">\n'
                   '                <masked>true</masked>\n              </attributeOptions>\n')
    return ('            <attributes xsi:type="CREDENTIAL-TYPES:CredentialAttribute">\n' + options +
            f'              <value xsi:type="xsd:{attribute.xsd_type}">{escape(attribute.value)}</value>\n'
            f'              <attributeID>{escape(attribute.attribute_id)}</attributeID>\n'
            '            </attributes>\n')


def response_head(operation_ns: str = AUT_NS) -> str:
    """Everything up to and including the opening ``results`` tag."""
    return _XML_DECL + _ENVELOPE_OPEN.format(operation_ns=quoteattr(operation_ns))


def response_tail() -> str:
    return _ENVELOPE_CLOSE


def render_response(codes: List[ResultCodes], attributes: List[ReplyAttribute],
                    errors: List[tuple] = (), operation_ns: str = AUT_NS) -> str:
    """An authUserResponse.  ``codes`` normally holds one block; the fault
    knobs pass none or two.  ``errors`` is a list of (errorCode, errorDesc)."""
    parts = [response_head(operation_ns)]
    parts += [render_result_codes(c) for c in codes]
    parts.append('          <resultAttribute xsi:type="CREDENTIAL-TYPES:CredentialAttributeSet">\n')
    parts += [render_attribute(a) for a in attributes]
    parts.append('          </resultAttribute>\n')
    if errors:
        parts.append('          <errorStack xsi:type="BASIC-TYPES:ErrorStack">\n')
        for code, desc in errors:
            # UNVERIFIED: the type name of one errorStack entry.
            parts.append('            <errors xsi:type="BASIC-TYPES:Error">\n'
                         f'              <errorCode>{int(code)}</errorCode>\n'
                         f'              <errorDesc>{escape(desc)}</errorDesc>\n'
                         '            </errors>\n')
        parts.append('          </errorStack>\n')
    else:
        parts.append('          <errorStack xsi:type="BASIC-TYPES:ErrorStack"/>\n')
    parts.append(response_tail())
    return ''.join(parts)


def render_fault(faultcode: str, faultstring: str, detail: Optional[str] = None) -> str:
    """A SOAP 1.1 Fault; ``faultcode`` is a local name in the envelope
    namespace (Client, Server, ...) or an already prefixed QName."""
    code = faultcode if ':' in faultcode else f'soapenv:{faultcode}'
    detail_xml = f'      <detail>{escape(detail)}</detail>\n' if detail else ''
    return (_XML_DECL +
            f'<soapenv:Envelope xmlns:soapenv="{SOAP_ENV_NS}">\n  <soapenv:Body>\n'
            '    <soapenv:Fault>\n'
            f'      <faultcode>{escape(code)}</faultcode>\n'
            f'      <faultstring>{escape(faultstring)}</faultstring>\n' + detail_xml +
            '    </soapenv:Fault>\n  </soapenv:Body>\n</soapenv:Envelope>\n')


# ---------------------------------------------------------------------------
# Test-client helpers

def render_request(attributes: dict, types: Optional[dict] = None,
                   operation_ns: str = AUT_NS) -> bytes:
    """An authUser request with attributes in dict order.  ``types`` overrides
    the xsi:type per attribute (None = omit it); the default is
    xsd:unsignedInt for CREDFLD_PASSWORD_FORMAT and xsd:string otherwise."""
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
            '<soapenv:Header/><soapenv:Body><aut:authUser><credentialAttributeSet>'
            + ''.join(items) +
            '</credentialAttributeSet></aut:authUser></soapenv:Body></soapenv:Envelope>'
            ).encode('utf-8')


@dataclass
class ParsedReply:
    codes: List[ResultCodes]
    attributes: Dict[str, str]
    masked: List[str]
    errors: List[tuple]
    fault: Optional[tuple] = None      # (faultcode, faultstring) for a Fault

    @property
    def return_code(self):
        return self.codes[0].return_code if len(self.codes) == 1 else None

    @property
    def status_code(self):
        return self.codes[0].status_code if len(self.codes) == 1 else None


def read_response(data: bytes) -> ParsedReply:
    """Read an authUserResponse or a Fault (raises SoapFaultError if neither)."""
    body = _soap_body(parse_xml(data))
    fault = [c for c in body.children if c.is_(SOAP_ENV_NS, 'Fault')]
    if fault:
        get = {c.name: c.text for c in fault[0].children if c.ns is None}
        return ParsedReply([], {}, [], [], (get.get('faultcode'), get.get('faultstring')))
    response = _only_child(body, AUT_NS, 'authUserResponse', 'Body')
    wrapper = _only_child(response, None, 'authUserResults', 'authUserResponse')
    results = _only_child(wrapper, None, 'results', 'authUserResults')
    reply = ParsedReply([], {}, [], [])
    for node in results.children:
        if node.is_(None, 'resultCodes'):
            get = {c.name: c.text.strip() for c in node.children}
            reply.codes.append(ResultCodes(int(get['returnCode']), int(get['statusCode']),
                                           get['returnCodeEnum'], get['statusCodeEnum']))
        elif node.is_(None, 'resultAttribute'):
            for item in node.children:
                get = {c.name: c for c in item.children}
                attribute_id = get['attributeID'].text.strip()
                reply.attributes[attribute_id] = get['value'].text
                if 'attributeOptions' in get:
                    reply.masked.append(attribute_id)
        elif node.is_(None, 'errorStack'):
            for item in node.children:
                get = {c.name: c.text.strip() for c in item.children}
                reply.errors.append((int(get['errorCode']), get['errorDesc']))
    return reply
