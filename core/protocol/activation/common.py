"""What both sides of the activation share: constants, the offer, the states, the KDF glue."""

from __future__ import annotations

import hmac
import json
import re
import secrets
from dataclasses import dataclass, field
from hashlib import sha256
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from core.protocol.errors import ActivationError, InvalidMessageBody, SecureChannelError
from core.protocol.keys import (
    ActivationSecrets,
    derive_activation_secrets,
)
from core.protocol.messages import parse_json_object
from core.protocol.secure_channel import (
    ChannelKeys,
    MessageType,
    Protection,
    is_valid_serial,
    open_message,
    seal,
)

# 32 symbols without I, O, 0 and 1, which people confuse when reading aloud: 60 bits.
PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # noqa: S105 - an alphabet
PASSWORD_LENGTH = 12
KEY_LENGTH = 32
SALT_LENGTH = 16
CODE_MAC_LENGTH = 8
DEVICE_CODE_CHARS = 64  # base32 of 32 + 8 bytes, which needs no padding

WRONG_PASSWORD_OR_CODE = "wrong activation password or mistyped device code"  # noqa: S105
MALFORMED_DEVICE_CODE = (
    "mistyped device code: expected 64 characters A-Z and 2-7 (dashes and spaces are ignored)"
)
MESSAGE1_CORRUPTED = "activation message 1 unreadable or corrupted: scan the QR code again"
MESSAGE2_NOT_AUTHENTIC = (
    "activation message 2 not authentic: wrong activation password or not from this server"
)
MESSAGE2_NOT_OURS = "activation message 2 is not for this activation"
_B32 = re.compile(f"[A-Z2-7]{{{DEVICE_CODE_CHARS}}}")
# The code only ever shows A-Z and 2-7, so a typed 0 or 1 can only mean O or I.
_TYPO_FIXES = str.maketrans({"0": "O", "1": "I"})


def generate_serial() -> str:
    """A new authenticator serial: ``PS`` + 8 random digits."""
    return f"PS{secrets.randbelow(10**8):08d}"


def generate_activation_password() -> str:
    """12 random symbols from ``PASSWORD_ALPHABET``, shown grouped ``XXXX-XXXX-XXXX``."""
    raw = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))
    return _grouped(raw)


def normalise_activation_password(password: str) -> str:
    """Dashes and whitespace removed, upper case; what the KDF info strings carry."""
    if not isinstance(password, str):
        raise TypeError("activation password must be a string")
    normalised = re.sub(r"[\s-]", "", password)
    if not normalised:
        raise ActivationError("activation password is empty")
    # ASCII only, so that "upper case" means the same in every language.
    if not normalised.isascii():
        raise ActivationError("activation password has characters it cannot contain")
    return normalised.upper()


def _text(value: object, name: str) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= 256 or not value.isprintable():
        raise ValueError(f"{name} must be 1-256 printable characters")
    return value


def _raw(value: object, name: str, length: int) -> bytes:
    if not isinstance(value, bytes) or len(value) != length:
        raise ValueError(f"{name} must be {length} bytes")
    return value


@dataclass(frozen=True, kw_only=True)
class ActivationOffer:
    """What message 1 carries: who is activated, and the server's half of the exchange."""

    serial: str
    user_id: str
    domain: str
    registration_id: str
    server_public: bytes
    salt: bytes

    def __post_init__(self) -> None:
        if not is_valid_serial(self.serial):
            raise ValueError("serial must be 10 ASCII letters or digits")
        _text(self.user_id, "user_id")
        _text(self.domain, "domain")
        _text(self.registration_id, "registration_id")
        _raw(self.server_public, "server_public", KEY_LENGTH)
        _raw(self.salt, "salt", SALT_LENGTH)

    def to_dict(self) -> dict[str, Any]:
        return {
            "serialNumber": self.serial,
            "userID": self.user_id,
            "domain": self.domain,
            "registrationID": self.registration_id,
            "serverPublicKey": self.server_public.hex(),
            "salt": self.salt.hex(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ActivationOffer:
        """Inverse of ``to_dict``; raises ``ValueError``/``TypeError``/``KeyError``."""
        return cls(
            serial=data["serialNumber"],
            user_id=data["userID"],
            domain=data["domain"],
            registration_id=data["registrationID"],
            server_public=bytes.fromhex(data["serverPublicKey"]),
            salt=bytes.fromhex(data["salt"]),
        )


def _public_of(private: bytes) -> bytes:
    return X25519PrivateKey.from_private_bytes(private).public_key().public_bytes_raw()


@dataclass(frozen=True, kw_only=True)
class ServerActivationState:
    """What the core keeps between register and add-device (stored by core.storage)."""

    offer: ActivationOffer
    server_private: bytes = field(repr=False)
    activation_password: str = field(repr=False)

    def __post_init__(self) -> None:
        _raw(self.server_private, "server_private", KEY_LENGTH)
        if _public_of(self.server_private) != self.offer.server_public:
            raise ValueError("server_private does not match the offer's public key")
        normalise_activation_password(self.activation_password)

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.offer.to_dict(),
            "serverPrivateKey": self.server_private.hex(),
            "activationPassword": self.activation_password,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ServerActivationState:
        return cls(
            offer=ActivationOffer.from_dict(data),
            server_private=bytes.fromhex(data["serverPrivateKey"]),
            activation_password=data["activationPassword"],
        )


@dataclass(frozen=True, kw_only=True)
class DeviceActivationState:
    """What the phone keeps between showing its device code and scanning message 2."""

    offer: ActivationOffer
    device_private: bytes = field(repr=False)
    device_public: bytes
    activation_password: str = field(repr=False)

    def __post_init__(self) -> None:
        _raw(self.device_private, "device_private", KEY_LENGTH)
        if _public_of(self.device_private) != self.device_public:
            raise ValueError("device_public does not match device_private")
        normalise_activation_password(self.activation_password)

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.offer.to_dict(),
            "devicePrivateKey": self.device_private.hex(),
            "devicePublicKey": self.device_public.hex(),
            "activationPassword": self.activation_password,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DeviceActivationState:
        return cls(
            offer=ActivationOffer.from_dict(data),
            device_private=bytes.fromhex(data["devicePrivateKey"]),
            device_public=bytes.fromhex(data["devicePublicKey"]),
            activation_password=data["activationPassword"],
        )


def _secrets(
    private: bytes, public: bytes, offer: ActivationOffer, password: str, reason: str
) -> ActivationSecrets:
    """Z = X25519(private, public), then the three HKDF outputs; ``reason`` if Z is refused."""
    try:
        key = X25519PrivateKey.from_private_bytes(private)
        shared = key.exchange(X25519PublicKey.from_public_bytes(public))
    except ValueError:  # a low-order point yields an all-zero secret, which is refused
        raise ActivationError(reason) from None
    normalised = normalise_activation_password(password).encode("utf-8")
    return derive_activation_secrets(shared_secret=shared, salt=offer.salt, password=normalised)


def _code_mac(password_key: bytes, device_public: bytes, registration_id: str) -> bytes:
    data = device_public + registration_id.encode("utf-8")
    return hmac.new(password_key, data, sha256).digest()[:CODE_MAC_LENGTH]


def _seal(serial: str, body: dict[str, Any], keys: ChannelKeys, nonce: bytes | None = None) -> str:
    data = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return seal(
        type=MessageType.ACTIVATION,
        protection=Protection.MAC_ONLY,
        serial=serial,
        body=data,
        keys=keys,
        nonce=nonce,
    )


def _grouped(text: str) -> str:
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def _body(message: str, keys: ChannelKeys, serial: str, reason: str) -> dict[str, Any]:
    """Open an activation message (type 1, 0x11) and parse its JSON body, or raise."""
    try:
        opened = open_message(message, keys=keys, expected_type=MessageType.ACTIVATION)
        if opened.protection is not Protection.MAC_ONLY or opened.serial != serial:
            raise ActivationError(reason)
        return parse_json_object(opened.body, "activation")
    except (SecureChannelError, InvalidMessageBody):
        raise ActivationError(reason) from None


def _is_step(body: dict[str, Any], step: int, serial: str) -> bool:
    # type() is int: neither true nor 1.0 is the integer 1 on the wire.
    v, s = body.get("v"), body.get("step")
    return [type(v), v, type(s), s, body.get("serialNumber")] == [int, 1, int, step, serial]


def _activation_fields(registration_id: str) -> dict[str, object]:
    return {"purpose": "activate", "registrationID": registration_id}
