# SPDX-License-Identifier: BSD-3-Clause
"""RADIUS packets in Python (hashlib, hmac), written apart from lib/radius.

The independent side of the tests: gen_vectors.py computes the unit tests'
vectors with it, and hostile.py builds its replies and checks our requests
with it.  RFC 2865 (packets, User-Password hiding in 5.2, the Response
Authenticator in 3) and RFC 3579 3.2 (Message-Authenticator).
"""
import hashlib
import hmac
import struct

ACCESS_REQUEST, ACCESS_ACCEPT, ACCESS_REJECT, ACCESS_CHALLENGE = 1, 2, 3, 11
USER_NAME, USER_PASSWORD, NAS_IP_ADDRESS, REPLY_MESSAGE = 1, 2, 4, 18
STATE, CALLING_STATION_ID, NAS_IDENTIFIER = 24, 31, 32
MESSAGE_AUTHENTICATOR, NAS_IPV6_ADDRESS = 80, 95
ZERO16 = bytes(16)


def encode_attrs(attrs):
    """[(type, value bytes)] -> bytes; values of 0..253 bytes."""
    out = b""
    for kind, value in attrs:
        assert len(value) <= 253
        out += bytes([kind, len(value) + 2]) + value
    return out


def decode_attrs(data):
    """bytes -> [(type, value)]; ValueError on a bad length."""
    attrs, off = [], 0
    while off < len(data):
        if len(data) - off < 2 or data[off + 1] < 2 or data[off + 1] > len(data) - off:
            raise ValueError("bad attribute at offset %d" % off)
        attrs.append((data[off], data[off + 2:off + data[off + 1]]))
        off += data[off + 1]
    return attrs


def hide_password(password, secret, authenticator):
    """RFC 2865 5.2."""
    padded = password + bytes(-len(password) % 16 if password else 16)
    out, prev = b"", authenticator
    for i in range(0, len(padded), 16):
        b = hashlib.md5(secret + prev).digest()
        prev = bytes(x ^ y for x, y in zip(padded[i:i + 16], b))
        out += prev
    return out


def unhide_password(hidden, secret, authenticator):
    out, prev = b"", authenticator
    for i in range(0, len(hidden), 16):
        b = hashlib.md5(secret + prev).digest()
        out += bytes(x ^ y for x, y in zip(hidden[i:i + 16], b))
        prev = hidden[i:i + 16]
    return out.rstrip(b"\0")


def _header(code, ident, length, authenticator):
    return struct.pack("!BBH", code, ident, length) + authenticator


def _with_message_authenticator(code, ident, authenticator, attrs, key, first):
    """The packet with a Message-Authenticator computed over it (key: the
    secret, or a wrong one to forge); @authenticator goes in the header."""
    ma = (MESSAGE_AUTHENTICATOR, ZERO16)
    attrs = [ma] + list(attrs) if first else list(attrs) + [ma]
    body = encode_attrs(attrs)
    packet = _header(code, ident, 20 + len(body), authenticator) + body
    mac = hmac.new(key, packet, hashlib.md5).digest()
    off = 20 + (0 if first else len(body) - 18)
    return packet[:off + 2] + mac + packet[off + 18:]


def request(ident, authenticator, secret, attrs):
    """An Access-Request, Message-Authenticator first, as lib/radius builds it."""
    return _with_message_authenticator(ACCESS_REQUEST, ident, authenticator, attrs, secret, True)


def reply(code, ident, request_authenticator, secret, attrs, message_authenticator="last",
          ma_key=None, auth_key=None):
    """A reply to the request with @request_authenticator.  message_authenticator:
    "first", "last" or None; ma_key / auth_key: the secret used for the
    Message-Authenticator / Response Authenticator (a wrong one forges it)."""
    ma_key = secret if ma_key is None else ma_key
    auth_key = secret if auth_key is None else auth_key
    if message_authenticator is None:
        body = encode_attrs(attrs)
        packet = _header(code, ident, 20 + len(body), request_authenticator) + body
    else:
        packet = _with_message_authenticator(code, ident, request_authenticator, attrs, ma_key,
                                             message_authenticator == "first")
    response = hashlib.md5(packet + auth_key).digest()  # header holds the request's
    return packet[:4] + response + packet[20:]


def parse_request(data, secret):
    """Check an Access-Request the way a strict server would, and return
    {"id", "authenticator", "attrs", "password"}; ValueError when it is not
    right (the Message-Authenticator must be present, first and valid)."""
    if len(data) < 20 or data[0] != ACCESS_REQUEST:
        raise ValueError("not an Access-Request")
    code, ident, length = struct.unpack("!BBH", data[:4])
    if length != len(data):
        raise ValueError("Length %d, datagram %d" % (length, len(data)))
    authenticator = data[4:20]
    attrs = decode_attrs(data[20:])
    if not attrs or attrs[0][0] != MESSAGE_AUTHENTICATOR or len(attrs[0][1]) != 16:
        raise ValueError("the Message-Authenticator is not the first attribute")
    if [a for a in attrs[1:] if a[0] == MESSAGE_AUTHENTICATOR]:
        raise ValueError("a second Message-Authenticator")
    zeroed = data[:22] + ZERO16 + data[38:]
    if not hmac.compare_digest(hmac.new(secret, zeroed, hashlib.md5).digest(), data[22:38]):
        raise ValueError("the Message-Authenticator does not verify")
    hidden = [v for t, v in attrs if t == USER_PASSWORD]
    if len(hidden) != 1 or not hidden[0] or len(hidden[0]) % 16:
        raise ValueError("no single well-formed User-Password")
    return {"id": ident, "authenticator": authenticator, "attrs": attrs,
            "password": unhide_password(hidden[0], secret, authenticator)}


def attr(parsed, kind):
    """The values of @kind in a parse_request result."""
    return [v for t, v in parsed["attrs"] if t == kind]
