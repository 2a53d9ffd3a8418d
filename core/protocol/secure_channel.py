"""Secure Channel v1: the framing every server<->phone message travels in.

A message is a byte string, exchanged as lowercase hex::

    version(1)=0x01 | type(1) | protection(1) | serial(10 ASCII) | nonce(8) | body(n) | tag(8)

``protection`` says what guards the body:

* ``0x01`` encrypt-then-MAC: the body is AES-128-CTR encrypted (initial counter
  block = nonce || 8 zero bytes) and ``tag`` = first 8 bytes of
  HMAC-SHA256(mac_key, header || ciphertext);
* ``0x11`` MAC only: the body is plaintext, same tag;
* ``0x00`` nothing: there is no tag, the message ends with the body. Such a
  message is refused unless the caller explicitly allows it, so a downgrade
  never passes silently.

Opening runs in the pyca order: type, then length, then header fields, then
the tag (constant time) and only then decryption. Every failure raises the one
opaque ``SecureChannelError``. Keys are per direction (see ``core.protocol.keys``)
and nonces are 64 random bits from ``secrets``: with a fresh key pair per
authenticator, a collision needs ~2**32 messages from one authenticator, far
beyond what it ever sends; ``NonceRegistry`` detects reuse on the receiving side.
"""

from __future__ import annotations

import hmac
import re
import secrets
import string
from collections import defaultdict
from dataclasses import dataclass, field
from enum import IntEnum
from hashlib import sha256

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from core.protocol.errors import SecureChannelError

__all__ = [
    "HEADER_LENGTH",
    "MAX_MESSAGE_LENGTH",
    "NONCE_LENGTH",
    "SERIAL_LENGTH",
    "TAG_LENGTH",
    "VERSION",
    "ChannelKeys",
    "MessageType",
    "NonceRegistry",
    "Protection",
    "SecureChannelHeader",
    "SecureChannelMessage",
    "is_valid_serial",
    "open_message",
    "peek_header",
    "seal",
]

VERSION = 0x01
SERIAL_LENGTH = 10
NONCE_LENGTH = 8
TAG_LENGTH = 8
HEADER_LENGTH = 1 + 1 + 1 + SERIAL_LENGTH + NONCE_LENGTH  # 21
ENC_KEY_LENGTH = 16
MAC_KEY_LENGTH = 32
# Push payloads are capped at 4 KiB and responses are tiny; refusing anything
# above 64 KiB keeps a hostile peer from making us hash megabytes.
MAX_MESSAGE_LENGTH = 64 * 1024

# Serials are printed in QR codes, typed by support staff and used in URLs:
# letters and digits only.
_SERIAL_ALPHABET = frozenset(string.ascii_letters + string.digits)
_HEX = re.compile(r"[0-9A-Fa-f]*")


class MessageType(IntEnum):
    ACTIVATION = 1
    DEACTIVATION = 2
    REQUEST = 3
    RESPONSE = 4
    INFORMATION = 5


class Protection(IntEnum):
    NONE = 0x00
    ENCRYPT_AND_MAC = 0x01
    MAC_ONLY = 0x11


def is_valid_serial(serial: object) -> bool:
    """True for a serial the framing can carry: 10 ASCII letters or digits."""
    return (
        isinstance(serial, str)
        and len(serial) == SERIAL_LENGTH
        and all(c in _SERIAL_ALPHABET for c in serial)
    )


@dataclass(frozen=True, kw_only=True)
class ChannelKeys:
    """The two keys of one direction: AES-128 for the body, HMAC-SHA256 for the tag."""

    enc_key: bytes = field(repr=False)
    mac_key: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.enc_key, bytes) or not isinstance(self.mac_key, bytes):
            raise TypeError("channel keys must be bytes")
        if len(self.enc_key) != ENC_KEY_LENGTH or len(self.mac_key) != MAC_KEY_LENGTH:
            raise ValueError("channel keys must be 16 (enc) and 32 (mac) bytes")


@dataclass(frozen=True, kw_only=True)
class SecureChannelHeader:
    """The 21 header bytes, decoded. Cannot be built invalid."""

    version: int = VERSION
    type: MessageType
    protection: Protection
    serial: str
    nonce: bytes

    def __post_init__(self) -> None:
        if self.version != VERSION:
            raise ValueError(f"unsupported Secure Channel version {self.version}")
        # Coerce plain ints so a header built from parsed bytes has real enums.
        object.__setattr__(self, "type", MessageType(self.type))
        object.__setattr__(self, "protection", Protection(self.protection))
        if not is_valid_serial(self.serial):
            raise ValueError("serial must be 10 ASCII letters or digits")
        if not isinstance(self.nonce, bytes) or len(self.nonce) != NONCE_LENGTH:
            raise ValueError("nonce must be 8 bytes")

    def to_bytes(self) -> bytes:
        return (
            bytes((self.version, self.type, self.protection))
            + self.serial.encode("ascii")
            + self.nonce
        )


@dataclass(frozen=True, kw_only=True)
class SecureChannelMessage:
    """An opened message: header fields plus the plaintext body."""

    type: MessageType
    protection: Protection
    serial: str
    nonce: bytes
    body: bytes

    def __post_init__(self) -> None:
        if not isinstance(self.body, bytes):
            raise TypeError("body must be bytes")
        # Validates the header fields and normalises the enums.
        header = SecureChannelHeader(
            type=self.type, protection=self.protection, serial=self.serial, nonce=self.nonce
        )
        object.__setattr__(self, "type", header.type)
        object.__setattr__(self, "protection", header.protection)

    @property
    def header(self) -> SecureChannelHeader:
        return SecureChannelHeader(
            type=self.type, protection=self.protection, serial=self.serial, nonce=self.nonce
        )


def _tag(mac_key: bytes, authenticated: bytes) -> bytes:
    return hmac.new(mac_key, authenticated, sha256).digest()[:TAG_LENGTH]


def _ctr(enc_key: bytes, nonce: bytes, data: bytes) -> bytes:
    # CTR is its own inverse; the low 8 bytes of the counter block count blocks
    # from zero, so one nonce covers 2**64 blocks of body.
    cipher = Cipher(algorithms.AES(enc_key), modes.CTR(nonce + bytes(8)))
    encryptor = cipher.encryptor()
    return encryptor.update(data) + encryptor.finalize()


def seal(
    *,
    type: MessageType,
    protection: Protection,
    serial: str,
    body: bytes,
    keys: ChannelKeys | None,
    nonce: bytes | None = None,
) -> str:
    """Frame (and protect) ``body``; returns the message as lowercase hex.

    ``nonce`` is for known-answer tests only; leave it ``None`` so every
    message gets 8 fresh random bytes. ``keys`` may be ``None`` only with
    ``Protection.NONE``.
    """
    if not isinstance(body, bytes):
        raise TypeError("body must be bytes")
    if nonce is None:
        nonce = secrets.token_bytes(NONCE_LENGTH)
    header = SecureChannelHeader(type=type, protection=protection, serial=serial, nonce=nonce)
    if HEADER_LENGTH + len(body) + TAG_LENGTH > MAX_MESSAGE_LENGTH:
        raise ValueError("body too large for a Secure Channel message")
    head = header.to_bytes()
    if header.protection is Protection.NONE:
        return (head + body).hex()
    if keys is None:
        raise ValueError("keys are required unless protection is NONE")
    if not isinstance(keys, ChannelKeys):
        raise TypeError("keys must be ChannelKeys")
    if header.protection is Protection.ENCRYPT_AND_MAC:
        body = _ctr(keys.enc_key, nonce, body)
    return (head + body + _tag(keys.mac_key, head + body)).hex()


def _decode(message: str | bytes) -> bytes:
    """Hex text (any case) or raw bytes -> bytes; anything else is rejected."""
    if isinstance(message, str):
        # bytes.fromhex would accept whitespace; a message has none.
        if len(message) % 2 or len(message) > 2 * MAX_MESSAGE_LENGTH:
            raise SecureChannelError()
        if not _HEX.fullmatch(message):
            raise SecureChannelError()
        return bytes.fromhex(message)
    if isinstance(message, bytes | bytearray | memoryview):
        data = bytes(message)
        if len(data) > MAX_MESSAGE_LENGTH:
            raise SecureChannelError()
        return data
    raise TypeError("a Secure Channel message is hex str or bytes")


def _parse_header(data: bytes) -> SecureChannelHeader:
    if len(data) < HEADER_LENGTH:
        raise SecureChannelError()
    try:
        header = SecureChannelHeader(
            version=data[0],
            type=MessageType(data[1]),
            protection=Protection(data[2]),
            serial=data[3 : 3 + SERIAL_LENGTH].decode("ascii"),
            nonce=data[3 + SERIAL_LENGTH : HEADER_LENGTH],
        )
    except ValueError:  # includes UnicodeDecodeError
        raise SecureChannelError() from None
    if header.protection is not Protection.NONE and len(data) < HEADER_LENGTH + TAG_LENGTH:
        raise SecureChannelError()
    return header


def peek_header(message: str | bytes) -> SecureChannelHeader:
    """Decode the header without verifying anything else.

    Used to find out *whose* keys to open a message with (the serial). The
    result is untrusted until ``open_message`` succeeds.
    """
    return _parse_header(_decode(message))


def open_message(
    message: str | bytes,
    *,
    keys: ChannelKeys | None,
    expected_type: MessageType | None = None,
    allow_unprotected: bool = False,
) -> SecureChannelMessage:
    """Verify and decrypt a message; raises ``SecureChannelError`` and nothing else.

    The tag is checked in constant time before a single byte is decrypted.
    """
    data = _decode(message)
    header = _parse_header(data)
    if expected_type is not None and header.type != expected_type:
        raise SecureChannelError()
    if header.protection is Protection.NONE:
        if not allow_unprotected:
            raise SecureChannelError()
        body = data[HEADER_LENGTH:]
    else:
        if not isinstance(keys, ChannelKeys):
            raise SecureChannelError()
        authenticated, tag = data[:-TAG_LENGTH], data[-TAG_LENGTH:]
        if not hmac.compare_digest(_tag(keys.mac_key, authenticated), tag):
            raise SecureChannelError()
        body = authenticated[HEADER_LENGTH:]
        if header.protection is Protection.ENCRYPT_AND_MAC:
            body = _ctr(keys.enc_key, header.nonce, body)
    return SecureChannelMessage(
        type=header.type,
        protection=header.protection,
        serial=header.serial,
        nonce=header.nonce,
        body=body,
    )


class NonceRegistry:
    """In-memory record of the nonces seen per serial, to refuse replays.

    The core's storage keeps its own table; this is for phones, tests and
    anything that lives in one process. Memory grows with the number of
    messages, which is what replay detection costs.
    """

    def __init__(self) -> None:
        self._seen: defaultdict[str, set[bytes]] = defaultdict(set)

    def check_and_remember(self, serial: str, nonce: bytes) -> bool:
        """True if ``nonce`` is new for ``serial`` (and remember it), False if seen."""
        if not isinstance(nonce, bytes) or len(nonce) != NONCE_LENGTH:
            raise ValueError("nonce must be 8 bytes")
        seen = self._seen[serial]
        if nonce in seen:
            return False
        seen.add(nonce)
        return True
