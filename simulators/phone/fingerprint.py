"""The simulated fingerprint sensor and its secure-enclave key.

Like a phone's biometric hardware, the sensor guards a key of its own (the
*enclave key*). The app stores its fingerprint instance key encrypted under it,
so the key is usable only after a successful touch: ``touch`` returns a
``FingerMatch`` carrying the enclave key, and nothing else in the phone hands
that key out. An unknown finger is a mismatch; after ``max_mismatches``
(default 5) biometrics are locked out until the app PIN is entered (the app
then offers the PIN as the fallback). With no finger enrolled, biometrics are
unavailable.

Enrolment and lockout are device state: they survive an app reinstall.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from simulators.phone.errors import BiometricLockout, FingerMismatch, NoFingerEnrolled

DEFAULT_MAX_MISMATCHES = 5
ENCLAVE_KEY_LENGTH = 32
GCM_NONCE_LENGTH = 12

_FINGER = re.compile(r"^[a-z][a-z0-9-]{0,31}$")


def validate_finger(finger: str) -> str:
    """Finger names are short labels such as ``right-index`` or ``left-thumb``."""
    if not _FINGER.fullmatch(finger):
        raise ValueError(f"finger name {finger!r} must be lowercase letters, digits and '-'")
    return finger


@dataclass(frozen=True, kw_only=True)
class FingerMatch:
    """Proof of a successful touch; the only way to reach the enclave key."""

    finger: str
    enclave_key: bytes = field(repr=False)

    def open(self, nonce: bytes, ciphertext: bytes, aad: bytes) -> bytes | None:
        """Decrypt what ``FingerprintSensor.seal`` made; None if it was another sensor's."""
        try:
            return AESGCM(self.enclave_key).decrypt(nonce, ciphertext, aad)
        except InvalidTag:
            return None


class FingerprintSensor:
    """Enrolled fingers, a mismatch counter and the lockout, persisted via ``on_change``."""

    def __init__(
        self,
        *,
        enrolled: tuple[str, ...] = (),
        mismatches: int = 0,
        locked_out: bool = False,
        enclave_key: bytes | None = None,
        max_mismatches: int = DEFAULT_MAX_MISMATCHES,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        if max_mismatches < 1:
            raise ValueError("max_mismatches must be at least 1")
        if enclave_key is not None and len(enclave_key) != ENCLAVE_KEY_LENGTH:
            raise ValueError(f"enclave key must be {ENCLAVE_KEY_LENGTH} bytes")
        self._enrolled = [validate_finger(finger) for finger in dict.fromkeys(enrolled)]
        self._mismatches = mismatches
        self._locked_out = locked_out
        self._enclave_key = enclave_key or secrets.token_bytes(ENCLAVE_KEY_LENGTH)
        self.max_mismatches = max_mismatches
        self._on_change = on_change or (lambda: None)

    # -- state ---------------------------------------------------------------
    @property
    def enrolled(self) -> tuple[str, ...]:
        return tuple(self._enrolled)

    @property
    def has_enrolled_finger(self) -> bool:
        return bool(self._enrolled)

    @property
    def mismatches(self) -> int:
        return self._mismatches

    @property
    def locked_out(self) -> bool:
        return self._locked_out

    @property
    def available(self) -> bool:
        """Whether a touch can release the key right now."""
        return self.has_enrolled_finger and not self._locked_out

    @property
    def remaining_attempts(self) -> int:
        return max(0, self.max_mismatches - self._mismatches)

    # -- enrolment (phone settings) -----------------------------------------
    def enroll(self, finger: str) -> None:
        if validate_finger(finger) not in self._enrolled:
            self._enrolled.append(finger)
            self._on_change()

    def remove(self, finger: str) -> None:
        if finger in self._enrolled:
            self._enrolled.remove(finger)
            self._on_change()

    # -- use -----------------------------------------------------------------
    def seal(self, plaintext: bytes, aad: bytes) -> tuple[bytes, bytes]:
        """Encrypt under the enclave key (nonce, ciphertext): only a touch opens it."""
        nonce = secrets.token_bytes(GCM_NONCE_LENGTH)
        return nonce, AESGCM(self._enclave_key).encrypt(nonce, plaintext, aad)

    def touch(self, finger: str) -> FingerMatch:
        """Match ``finger``; raise on mismatch, lockout or an empty sensor."""
        if not self._enrolled:
            raise NoFingerEnrolled()
        if self._locked_out:
            raise BiometricLockout()
        if finger in self._enrolled:
            if self._mismatches:
                self._mismatches = 0
                self._on_change()
            return FingerMatch(finger=finger, enclave_key=self._enclave_key)
        self._mismatches += 1
        if self._mismatches >= self.max_mismatches:
            self._locked_out = True
            self._on_change()
            raise BiometricLockout()
        self._on_change()
        raise FingerMismatch(self.remaining_attempts)

    def reset_lockout(self) -> None:
        """The user proved themselves with the PIN: biometrics come back."""
        if self._locked_out or self._mismatches:
            self._locked_out = False
            self._mismatches = 0
            self._on_change()

    # -- persistence ---------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "enrolled": list(self._enrolled),
            "mismatches": self._mismatches,
            "lockedOut": self._locked_out,
            "enclaveKey": self._enclave_key.hex(),
        }

    @classmethod
    def from_dict(
        cls,
        data: Mapping[str, Any],
        *,
        max_mismatches: int = DEFAULT_MAX_MISMATCHES,
        on_change: Callable[[], None] | None = None,
    ) -> FingerprintSensor:
        return cls(
            enrolled=tuple(str(finger) for finger in data.get("enrolled", ())),
            mismatches=int(data.get("mismatches", 0)),
            locked_out=bool(data.get("lockedOut", False)),
            enclave_key=bytes.fromhex(str(data["enclaveKey"])),
            max_mismatches=max_mismatches,
            on_change=on_change,
        )
