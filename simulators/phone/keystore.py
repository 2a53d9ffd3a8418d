"""The app's key storage: what an activated authenticator keeps, and how.

After activation the app holds ``AuthenticatorKeys``. They are kept three ways,
mirroring a real phone:

- the Secure Channel keys and the *device* instance key sit plainly in the
  app's storage (a simulated secure element: readable by the app only);
- the *PIN* instance key is encrypted with AES-256-GCM under
  ``scrypt(PIN, salt)``. There is no PIN hash to compare against: a wrong PIN
  derives a wrong key and the GCM tag fails, and that failure IS the check;
- the *fingerprint* instance key is encrypted under the sensor's enclave key
  and can be decrypted only with a ``FingerMatch`` from a successful touch.

scrypt is slow on purpose, so every derivation runs in a worker thread
(``asyncio.to_thread``) to keep the event loop (and the GUI) responsive.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from core.protocol.keys import AuthenticatorKeys, UnlockProtection
from core.protocol.secure_channel import ChannelKeys
from simulators.phone.fingerprint import FingerMatch, FingerprintSensor

PIN_MIN_LENGTH = 4
PIN_MAX_LENGTH = 8
SALT_LENGTH = 16
GCM_NONCE_LENGTH = 12
INSTANCE_KEY_LENGTH = 32

_PIN_AAD = b"pushsim phone pin-key v1 "
_FINGER_AAD = b"pushsim phone fingerprint-key v1 "


class KeystoreError(Exception):
    """Stored key material is unusable (corrupt file, or the sensor was replaced)."""


def validate_pin(pin: str) -> str:
    """A PIN is 4-8 ASCII digits. The message never repeats the PIN."""
    if not (PIN_MIN_LENGTH <= len(pin) <= PIN_MAX_LENGTH) or not (pin.isascii() and pin.isdigit()):
        raise ValueError(f"a PIN is {PIN_MIN_LENGTH}-{PIN_MAX_LENGTH} digits")
    return pin


@dataclass(frozen=True, kw_only=True)
class KdfParams:
    """scrypt cost. The default takes ~0.1 s here; tests use a tiny ``n``."""

    n: int = 2**15
    r: int = 8
    p: int = 1

    def __post_init__(self) -> None:
        if self.n < 2 or self.n & (self.n - 1):
            raise ValueError("scrypt n must be a power of two greater than 1")
        if self.r < 1 or self.p < 1:
            raise ValueError("scrypt r and p must be positive")

    @property
    def maxmem(self) -> int:
        # scrypt needs about 128 * r * (n + p) bytes; leave headroom so the
        # OpenSSL default (32 MiB) does not refuse the default cost.
        return 128 * self.r * (self.n + self.p + 2) + (1 << 20)

    def to_dict(self) -> dict[str, int]:
        return {"n": self.n, "r": self.r, "p": self.p}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> KdfParams:
        return cls(n=int(data["n"]), r=int(data["r"]), p=int(data["p"]))


@dataclass(frozen=True, kw_only=True)
class SealedKey:
    """An instance key under AES-GCM; ``salt`` and ``kdf`` only for PIN wrapping."""

    nonce: bytes
    ciphertext: bytes = field(repr=False)
    salt: bytes = b""
    kdf: KdfParams | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"nonce": self.nonce.hex(), "ciphertext": self.ciphertext.hex()}
        if self.kdf is not None:
            data |= {"salt": self.salt.hex(), "kdf": self.kdf.to_dict()}
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SealedKey:
        kdf = data.get("kdf")
        return cls(
            nonce=bytes.fromhex(str(data["nonce"])),
            ciphertext=bytes.fromhex(str(data["ciphertext"])),
            salt=bytes.fromhex(str(data.get("salt", ""))),
            kdf=KdfParams.from_dict(kdf) if isinstance(kdf, Mapping) else None,
        )


def _channel_to_dict(keys: ChannelKeys) -> dict[str, str]:
    return {"enc": keys.enc_key.hex(), "mac": keys.mac_key.hex()}


def _channel_from_dict(data: Mapping[str, Any]) -> ChannelKeys:
    return ChannelKeys(
        enc_key=bytes.fromhex(str(data["enc"])), mac_key=bytes.fromhex(str(data["mac"]))
    )


@dataclass(frozen=True, kw_only=True)
class Keystore:
    """An activated app's keys at rest. Frozen: a PIN change makes a new one."""

    serial: str
    server_to_device: ChannelKeys = field(repr=False)
    device_to_server: ChannelKeys = field(repr=False)
    device_key: bytes = field(repr=False)
    pin_key: SealedKey
    fingerprint_key: SealedKey

    def to_dict(self) -> dict[str, Any]:
        return {
            "serial": self.serial,
            "serverToDevice": _channel_to_dict(self.server_to_device),
            "deviceToServer": _channel_to_dict(self.device_to_server),
            "deviceKey": self.device_key.hex(),
            "pinKey": self.pin_key.to_dict(),
            "fingerprintKey": self.fingerprint_key.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Keystore:
        try:
            return cls(
                serial=str(data["serial"]),
                server_to_device=_channel_from_dict(data["serverToDevice"]),
                device_to_server=_channel_from_dict(data["deviceToServer"]),
                device_key=bytes.fromhex(str(data["deviceKey"])),
                pin_key=SealedKey.from_dict(data["pinKey"]),
                fingerprint_key=SealedKey.from_dict(data["fingerprintKey"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise KeystoreError("stored keystore is malformed") from exc


def _pin_kek(pin: str, salt: bytes, kdf: KdfParams) -> bytes:
    return hashlib.scrypt(
        pin.encode("ascii"), salt=salt, n=kdf.n, r=kdf.r, p=kdf.p, maxmem=kdf.maxmem, dklen=32
    )


def _seal_with_pin(pin: str, key: bytes, serial: str, kdf: KdfParams) -> SealedKey:
    salt = secrets.token_bytes(SALT_LENGTH)
    nonce = secrets.token_bytes(GCM_NONCE_LENGTH)
    kek = _pin_kek(pin, salt, kdf)
    ciphertext = AESGCM(kek).encrypt(nonce, key, _PIN_AAD + serial.encode("ascii"))
    return SealedKey(nonce=nonce, ciphertext=ciphertext, salt=salt, kdf=kdf)


def _open_with_pin(pin: str, sealed: SealedKey, serial: str) -> bytes | None:
    if sealed.kdf is None:
        raise KeystoreError("PIN key stored without KDF parameters")
    kek = _pin_kek(pin, sealed.salt, sealed.kdf)
    try:
        return AESGCM(kek).decrypt(
            sealed.nonce, sealed.ciphertext, _PIN_AAD + serial.encode("ascii")
        )
    except InvalidTag:
        return None


async def create_keystore(
    keys: AuthenticatorKeys, *, pin: str, kdf: KdfParams, sensor: FingerprintSensor
) -> Keystore:
    """Wrap freshly derived keys: PIN key under scrypt(PIN), fingerprint key under the enclave."""
    validate_pin(pin)
    instance = keys.instance_keys
    pin_key = await asyncio.to_thread(
        _seal_with_pin, pin, instance[UnlockProtection.PIN], keys.serial, kdf
    )
    nonce, fingerprint_ciphertext = sensor.seal(
        instance[UnlockProtection.FINGERPRINT], _FINGER_AAD + keys.serial.encode("ascii")
    )
    return Keystore(
        serial=keys.serial,
        server_to_device=keys.server_to_device,
        device_to_server=keys.device_to_server,
        device_key=instance[UnlockProtection.DEVICE],
        pin_key=pin_key,
        fingerprint_key=SealedKey(nonce=nonce, ciphertext=fingerprint_ciphertext),
    )


async def open_pin_key(keystore: Keystore, pin: str) -> bytes | None:
    """The PIN instance key, or None when the PIN is wrong (the GCM tag failed)."""
    return await asyncio.to_thread(_open_with_pin, pin, keystore.pin_key, keystore.serial)


def open_fingerprint_key(keystore: Keystore, match: FingerMatch) -> bytes:
    """The fingerprint instance key, released by a successful touch."""
    sealed = keystore.fingerprint_key
    key = match.open(sealed.nonce, sealed.ciphertext, _FINGER_AAD + keystore.serial.encode("ascii"))
    if key is None:
        raise KeystoreError("the fingerprint key does not open with this sensor")
    return key


async def change_pin(keystore: Keystore, *, old_pin: str, new_pin: str) -> Keystore | None:
    """Re-wrap the PIN key under a new PIN; None when ``old_pin`` is wrong."""
    validate_pin(new_pin)
    key = await open_pin_key(keystore, old_pin)
    if key is None:
        return None
    kdf = keystore.pin_key.kdf or KdfParams()
    sealed = await asyncio.to_thread(_seal_with_pin, new_pin, key, keystore.serial, kdf)
    return replace(keystore, pin_key=sealed)
