"""The PushSim v1 key schedule: every key is one HKDF-SHA256 call.

During activation (``core.protocol.activation``) the message-1 integrity key
comes from public values, and the X25519 secret Z plus the normalised
activation password yield three 32-byte values::

    integrity mac key  = HKDF(ikm=b"pushsim activation integrity", salt=b"", info=serial)
    password key       = HKDF(ikm=Z, salt=salt, info=b"pushsim v1 device-code " + password)
    message-2 mac key  = HKDF(ikm=Z, salt=salt, info=b"pushsim v1 message-2 " + password)
    activation secret  = HKDF(ikm=Z, salt=salt, info=b"pushsim v1 activation-secret " + password)

Binding the password into every info string is what makes a wrong password
yield unrelated keys on the two sides. Both sides then hold the same
activation secret and 16-byte salt, and the authenticator's keys are
HKDF-SHA256 over that secret, one call per key, with an info string that names
the purpose and ends with the serial::

    info = b"pushsim v1 " + purpose + b" " + serial

    purpose                    length  used for
    server-to-device-enc       16      AES-128-CTR, requests (type 3) to the phone
    server-to-device-mac       32      HMAC-SHA256 tag of those
    device-to-server-enc       16      AES-128-CTR, responses (type 4) to the core
    device-to-server-mac       32      HMAC-SHA256 tag of those
    instance-device            32      signature key released without unlock (NoPIN, rejects)
    instance-pin               32      signature key released by the PIN
    instance-fingerprint       32      signature key released by the fingerprint

Separate keys per direction mean a message can never be reflected back to its
sender as if the other side had sent it. One instance key per unlock method
means a signature proves *how* the phone was unlocked (``satisfies``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from core.protocol.secure_channel import ChannelKeys, is_valid_serial

__all__ = [
    "INSTANCE_KEY_LENGTH",
    "ActivationSecrets",
    "AuthenticatorKeys",
    "UnlockProtection",
    "activation_integrity_keys",
    "derive_activation_secrets",
    "derive_authenticator_keys",
    "hkdf_sha256",
    "satisfies",
]

INSTANCE_KEY_LENGTH = 32
_INTEGRITY_IKM = b"pushsim activation integrity"


class UnlockProtection(StrEnum):
    DEVICE = "device"
    PIN = "pin"
    FINGERPRINT = "fingerprint"


def satisfies(used: UnlockProtection, required: UnlockProtection) -> bool:
    """Whether unlocking with ``used`` is enough for a login that requires ``required``.

    DEVICE is satisfied by anything; PIN only by PIN; FINGERPRINT by a
    fingerprint or by the PIN, which is the fallback after a biometric lockout.
    """
    used, required = UnlockProtection(used), UnlockProtection(required)
    if required is UnlockProtection.DEVICE:
        return True
    if required is UnlockProtection.PIN:
        return used is UnlockProtection.PIN
    return used in (UnlockProtection.FINGERPRINT, UnlockProtection.PIN)


def hkdf_sha256(*, ikm: bytes, salt: bytes, info: bytes, length: int) -> bytes:
    """RFC 5869 HKDF-SHA256 (an empty salt is the same as 32 zero bytes)."""
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


@dataclass(frozen=True, kw_only=True)
class AuthenticatorKeys:
    """Everything both sides hold after activation. Never logged (repr hides keys)."""

    serial: str
    server_to_device: ChannelKeys = field(repr=False)
    device_to_server: ChannelKeys = field(repr=False)
    instance_keys: Mapping[UnlockProtection, bytes] = field(repr=False)

    def __post_init__(self) -> None:
        if not is_valid_serial(self.serial):
            raise ValueError("serial must be 10 ASCII letters or digits")
        if not isinstance(self.server_to_device, ChannelKeys) or not isinstance(
            self.device_to_server, ChannelKeys
        ):
            raise TypeError("channel keys must be ChannelKeys")
        keys = {UnlockProtection(p): k for p, k in self.instance_keys.items()}
        if set(keys) != set(UnlockProtection):
            raise ValueError("one instance key per unlock protection is required")
        for key in keys.values():
            if not isinstance(key, bytes) or len(key) != INSTANCE_KEY_LENGTH:
                raise ValueError("instance keys must be 32 bytes")
        # A read-only view, so a frozen object really cannot change.
        object.__setattr__(self, "instance_keys", MappingProxyType(keys))

    def to_dict(self) -> dict[str, str]:
        """Hex strings, for storage (the store encrypts or protects the file)."""
        out = {
            "serial": self.serial,
            "server_to_device_enc": self.server_to_device.enc_key.hex(),
            "server_to_device_mac": self.server_to_device.mac_key.hex(),
            "device_to_server_enc": self.device_to_server.enc_key.hex(),
            "device_to_server_mac": self.device_to_server.mac_key.hex(),
        }
        for protection in UnlockProtection:
            out[f"instance_{protection.value}"] = self.instance_keys[protection].hex()
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, str]) -> AuthenticatorKeys:
        """Inverse of ``to_dict``; raises ``ValueError`` on anything malformed."""
        try:
            return cls(
                serial=data["serial"],
                server_to_device=ChannelKeys(
                    enc_key=bytes.fromhex(data["server_to_device_enc"]),
                    mac_key=bytes.fromhex(data["server_to_device_mac"]),
                ),
                device_to_server=ChannelKeys(
                    enc_key=bytes.fromhex(data["device_to_server_enc"]),
                    mac_key=bytes.fromhex(data["device_to_server_mac"]),
                ),
                instance_keys={
                    p: bytes.fromhex(data[f"instance_{p.value}"]) for p in UnlockProtection
                },
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"malformed authenticator keys: {exc!r}") from None


def derive_authenticator_keys(
    *, activation_secret: bytes, salt: bytes, serial: str
) -> AuthenticatorKeys:
    """Derive all keys of one authenticator (see the module docstring for the table)."""
    if not isinstance(activation_secret, bytes) or not isinstance(salt, bytes):
        raise TypeError("activation_secret and salt must be bytes")
    if len(activation_secret) < 16:
        raise ValueError("activation secret too short")
    if not is_valid_serial(serial):
        raise ValueError("serial must be 10 ASCII letters or digits")

    def derive(purpose: str, length: int) -> bytes:
        info = b"pushsim v1 " + purpose.encode("ascii") + b" " + serial.encode("ascii")
        return hkdf_sha256(ikm=activation_secret, salt=salt, info=info, length=length)

    return AuthenticatorKeys(
        serial=serial,
        server_to_device=ChannelKeys(
            enc_key=derive("server-to-device-enc", 16),
            mac_key=derive("server-to-device-mac", 32),
        ),
        device_to_server=ChannelKeys(
            enc_key=derive("device-to-server-enc", 16),
            mac_key=derive("device-to-server-mac", 32),
        ),
        instance_keys={
            p: derive(f"instance-{p.value}", INSTANCE_KEY_LENGTH) for p in UnlockProtection
        },
    )


@dataclass(frozen=True, kw_only=True)
class ActivationSecrets:
    """What the X25519 secret and the activation password yield."""

    password_key: bytes = field(repr=False)  # keys the device code's MAC
    message2_keys: ChannelKeys = field(repr=False)  # tag of activation message 2
    activation_secret: bytes = field(repr=False)  # input of derive_authenticator_keys


def _mac_only_keys(mac_key: bytes) -> ChannelKeys:
    # Activation messages are MAC_ONLY (0x11): the AES key is never used and
    # their readers refuse 0x01, so a fixed placeholder is safe.
    return ChannelKeys(enc_key=bytes(16), mac_key=mac_key)


def activation_integrity_keys(serial: str) -> ChannelKeys:
    """Keys of activation message 1: integrity against mis-scans, not authenticity."""
    info = serial.encode("ascii")
    return _mac_only_keys(hkdf_sha256(ikm=_INTEGRITY_IKM, salt=b"", info=info, length=32))


def derive_activation_secrets(
    *, shared_secret: bytes, salt: bytes, password: bytes
) -> ActivationSecrets:
    """The three activation values; ``password`` is the normalised password, UTF-8."""
    if not isinstance(shared_secret, bytes) or len(shared_secret) != 32:
        raise ValueError("shared secret must be 32 bytes")

    def derive(purpose: bytes) -> bytes:
        info = b"pushsim v1 " + purpose + b" " + password
        return hkdf_sha256(ikm=shared_secret, salt=salt, info=info, length=32)

    return ActivationSecrets(
        password_key=derive(b"device-code"),
        message2_keys=_mac_only_keys(derive(b"message-2")),
        activation_secret=derive(b"activation-secret"),
    )
