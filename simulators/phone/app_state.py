"""The authenticator app's sandbox: what it keeps between runs.

Everything here lives in the phone's storage file under ``app`` and is wiped
when the app is uninstalled (a reinstalled app must be activated again). Key
material is held as a ``Keystore`` (PIN and fingerprint keys wrapped).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from simulators.phone.keystore import Keystore


@dataclass(frozen=True, kw_only=True)
class Enrollment:
    """Who this authenticator belongs to, from activation message 1."""

    serial: str
    registration_id: str
    user_id: str
    domain: str

    def to_dict(self) -> dict[str, str]:
        return {wire: getattr(self, name) for name, wire in _ENROLLMENT_WIRE_NAMES.items()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Enrollment:
        return cls(**{name: str(data[wire]) for name, wire in _ENROLLMENT_WIRE_NAMES.items()})


_ENROLLMENT_WIRE_NAMES = {
    "serial": "serial",
    "registration_id": "registrationID",
    "user_id": "userID",
    "domain": "domain",
}


@dataclass(kw_only=True)
class AppState:
    """Mutable on purpose: the app updates it and the phone saves it."""

    installed: bool = True
    enrollment: Enrollment | None = None
    keystore: Keystore | None = None
    push_token: str | None = None
    push_secret: str | None = None  # the push service's registration secret for push_token
    core_registered: bool = False  # the core has our current push token
    pin_failures: int = 0
    locked: bool = False

    @property
    def activated(self) -> bool:
        return self.installed and self.keystore is not None and self.enrollment is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "installed": self.installed,
            "enrollment": self.enrollment.to_dict() if self.enrollment else None,
            "keystore": self.keystore.to_dict() if self.keystore else None,
            "pushToken": self.push_token,
            "pushSecret": self.push_secret,
            "coreRegistered": self.core_registered,
            "pinFailures": self.pin_failures,
            "locked": self.locked,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AppState:
        enrollment = data.get("enrollment")
        keystore = data.get("keystore")
        token = data.get("pushToken")
        secret = data.get("pushSecret")
        return cls(
            installed=bool(data.get("installed", True)),
            enrollment=Enrollment.from_dict(enrollment)
            if isinstance(enrollment, Mapping)
            else None,
            keystore=Keystore.from_dict(keystore) if isinstance(keystore, Mapping) else None,
            push_token=token if isinstance(token, str) else None,
            push_secret=secret if isinstance(secret, str) else None,
            core_registered=bool(data.get("coreRegistered", False)),
            pin_failures=int(data.get("pinFailures", 0)),
            locked=bool(data.get("locked", False)),
        )
