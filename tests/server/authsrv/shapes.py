"""Replies of the reference server, in the layouts real servers send.

``render_response`` writes an ``authUserResponse`` or ``getChallengeResponse``
laid out as in the vendor's example (prefixes AUTH-TYPES, CREDENTIAL-TYPES,
BASIC-TYPES, values typed ``xsd:string``, enum elements first, indented).
A *shape* is a set of names, each bending that layout the way a real server
(or one of its versions) does, so that clients meet them in tests:

  no_wrapper               authUserResponse holds ``results`` directly, without
                           ``authUserResults`` (ifad/identikey accepts both;
                           OneSpan's prose: the response "contains results")
  padded_values            the xsd:int values and the challenge and key values
                           wrapped in newlines and spaces
  valueless_attribute      an unknown attribute with an attributeID and no
                           ``value`` element, first in resultAttribute
  repeated_status_message  CREDFLD_STATUS_MESSAGE given twice
  latin1                   no XML declaration, served as
                           ``text/xml; charset=ISO-8859-1``, and a Latin-1
                           character in the status (and auxiliary) message
  typed_leaves             every leaf carries xsi:type and the reply element
                           is AUTH-TYPES:authUserResponse, as in the real
                           reply quoted by ifad/identikey (commit ea49a5d)
  self_closed              a failure carries no attributes, and an empty
                           resultAttribute is written self-closed (same quote)

``encode`` turns the text into the bytes and Content-Type a shape sends.
"""

from dataclasses import dataclass
from typing import Iterable, List
from xml.sax.saxutils import escape, quoteattr

from authsrv.namespaces import (AUT_NS, AUTH_TYPES_NS, BASIC_TYPES_NS, CREDENTIAL_TYPES_NS,
                                OPERATIONS, SOAP_ENV_NS, XSD_NS, XSI_NS)

SHAPES = ('no_wrapper', 'padded_values', 'valueless_attribute', 'repeated_status_message',
          'latin1', 'typed_leaves', 'self_closed')
UNKNOWN_ATTRIBUTE = 'CREDFLD_UNKNOWN_FUTURE_FLAG'
LATIN1_SUFFIX = ' (Zugang verweigert: ungültige Anmeldung)'
PADDED_ATTRIBUTES = ('CREDFLD_CHALLENGE', 'CREDFLD_CHALLENGE_KEY')


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


def check_shape(names: Iterable[str]) -> frozenset:
    """The shape as a frozenset; ValueError naming any unknown name."""
    if isinstance(names, str):
        names = [names]
    shape = frozenset(names or ())
    unknown = sorted(shape - set(SHAPES))
    if unknown:
        raise ValueError(f'unknown reply shapes {unknown}; known: {", ".join(SHAPES)}')
    return shape


def _typed(shape, xsd_type: str) -> str:
    return f' xsi:type="{xsd_type}"' if 'typed_leaves' in shape else ''


def _padded(shape, text: str, indent: str) -> str:
    if 'padded_values' not in shape:
        return text
    return f'\n{indent}    {text}\n{indent}  '


def render_result_codes(codes: ResultCodes, shape=frozenset()) -> str:
    pad = '          '
    return (f'{pad}<resultCodes xsi:type="BASIC-TYPES:ResultCodes">\n'
            f'{pad}  <returnCodeEnum{_typed(shape, "BASIC-TYPES:ReturnCodeEnum")}>'
            f'{escape(codes.return_enum)}</returnCodeEnum>\n'
            f'{pad}  <statusCodeEnum{_typed(shape, "BASIC-TYPES:StatusCodeEnum")}>'
            f'{escape(codes.status_enum)}</statusCodeEnum>\n'
            f'{pad}  <returnCode{_typed(shape, "xsd:int")}>'
            f'{_padded(shape, str(int(codes.return_code)), pad)}</returnCode>\n'
            f'{pad}  <statusCode{_typed(shape, "xsd:int")}>'
            f'{_padded(shape, str(int(codes.status_code)), pad)}</statusCode>\n'
            f'{pad}</resultCodes>\n')


def render_attribute(attribute: ReplyAttribute, shape=frozenset()) -> str:
    pad = '            '
    options = ''
    if attribute.masked:
        options = (f'{pad}  <attributeOptions xsi:type="BASIC-TYPES:AttributeOptions">\n'
                   f'{pad}    <masked{_typed(shape, "xsd:boolean")}>true</masked>\n'
                   f'{pad}  </attributeOptions>\n')
    value = ''
    if attribute.value is not None:
        text = escape(attribute.value)
        if attribute.attribute_id in PADDED_ATTRIBUTES:
            text = _padded(shape, text, pad)
        value = f'{pad}  <value xsi:type="xsd:{attribute.xsd_type}">{text}</value>\n'
    # UNVERIFIED: the type of attributeID, named after the signature
    # interface's SIGNATURE-TYPES:SignatureAttributeIDEnum in the same mock.
    return (f'{pad}<attributes xsi:type="CREDENTIAL-TYPES:CredentialAttribute">\n' + options + value +
            f'{pad}  <attributeID{_typed(shape, "CREDENTIAL-TYPES:CredentialAttributeIDEnum")}>'
            f'{escape(attribute.attribute_id)}</attributeID>\n'
            f'{pad}</attributes>\n')


def response_head(operation_ns: str = AUT_NS, shape=frozenset(), operation: str = 'authUser') -> str:
    """Everything up to and including the opening ``results`` tag."""
    typed = 'typed_leaves' in shape
    prefix = 'AUTH-TYPES' if typed else 'aut'
    head = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<soapenv:Envelope xmlns:soapenv="{SOAP_ENV_NS}" xmlns:xsd="{XSD_NS}"'
            f' xmlns:xsi="{XSI_NS}" xmlns:aut={quoteattr(operation_ns)}'
            f' xmlns:BASIC-TYPES="{BASIC_TYPES_NS}" xmlns:CREDENTIAL-TYPES="{CREDENTIAL_TYPES_NS}"'
            f' xmlns:AUTH-TYPES={quoteattr(operation_ns if typed else AUTH_TYPES_NS)}>\n'
            f'  <soapenv:Header/>\n  <soapenv:Body>\n    <{prefix}:{OPERATIONS[operation]}>\n')
    if operation == 'authUser' and 'no_wrapper' not in shape:
        head += '      <authUserResults xsi:type="AUTH-TYPES:AuthUserResults">\n'
    return head + '        <results xsi:type="CREDENTIAL-TYPES:CredentialResults">\n'


def response_tail(shape=frozenset(), operation: str = 'authUser') -> str:
    prefix = 'AUTH-TYPES' if 'typed_leaves' in shape else 'aut'
    tail = '        </results>\n'
    if operation == 'authUser' and 'no_wrapper' not in shape:
        tail += '      </authUserResults>\n'
    return tail + f'    </{prefix}:{OPERATIONS[operation]}>\n  </soapenv:Body>\n</soapenv:Envelope>\n'


def _shaped_attributes(codes, attributes, shape) -> List[ReplyAttribute]:
    failed = bool(codes) and codes[0].return_code != 0
    if 'self_closed' in shape and failed:
        return []
    result = []
    for attribute in attributes:
        if 'latin1' in shape and attribute.attribute_id in ('CREDFLD_STATUS_MESSAGE',
                                                             'CREDFLD_AUXILIARY_MESSAGE'):
            attribute = ReplyAttribute(attribute.attribute_id, attribute.value + LATIN1_SUFFIX,
                                       attribute.xsd_type, attribute.masked)
        result.append(attribute)
        if 'repeated_status_message' in shape and attribute.attribute_id == 'CREDFLD_STATUS_MESSAGE':
            result.append(attribute)
    if 'valueless_attribute' in shape:
        result.insert(0, ReplyAttribute(UNKNOWN_ATTRIBUTE, None))
    return result


def render_response(codes: List[ResultCodes], attributes: List[ReplyAttribute],
                    errors: List[tuple] = (), operation_ns: str = AUT_NS, shape=frozenset(),
                    operation: str = 'authUser') -> str:
    """A reply of ``operation``.  ``codes`` normally holds one block; the fault
    knobs pass none or two.  ``errors`` is a list of (errorCode, errorDesc)."""
    pad = '          '
    parts = [response_head(operation_ns, shape, operation)]
    parts += [render_result_codes(c, shape) for c in codes]
    attributes = _shaped_attributes(codes, attributes, shape)
    set_open = f'{pad}<resultAttribute xsi:type="CREDENTIAL-TYPES:CredentialAttributeSet"'
    if not attributes and 'self_closed' in shape:
        parts.append(set_open + '/>\n')
    else:
        parts.append(set_open + '>\n')
        parts += [render_attribute(a, shape) for a in attributes]
        parts.append(f'{pad}</resultAttribute>\n')
    if errors:
        parts.append(f'{pad}<errorStack xsi:type="BASIC-TYPES:ErrorStack">\n')
        for code, desc in errors:
            # The type name of one entry is the one in the real reply quoted by ifad.
            parts.append(f'{pad}  <errors xsi:type="BASIC-TYPES:Error">\n'
                         f'{pad}    <errorCode{_typed(shape, "xsd:int")}>'
                         f'{_padded(shape, str(int(code)), pad + "  ")}</errorCode>\n'
                         f'{pad}    <errorDesc{_typed(shape, "xsd:string")}>{escape(desc)}</errorDesc>\n'
                         f'{pad}  </errors>\n')
        parts.append(f'{pad}</errorStack>\n')
    else:
        parts.append(f'{pad}<errorStack xsi:type="BASIC-TYPES:ErrorStack"/>\n')
    parts.append(response_tail(shape, operation))
    return ''.join(parts)


def encode(text: str, shape=frozenset()) -> tuple:
    """(body bytes, Content-Type) of a reply text in this shape."""
    if 'latin1' in shape:
        if text.startswith('<?xml'):
            text = text[text.index('\n') + 1:]
        return text.encode('iso-8859-1', 'xmlcharrefreplace'), 'text/xml; charset=ISO-8859-1'
    return text.encode('utf-8'), 'text/xml; charset=utf-8'
