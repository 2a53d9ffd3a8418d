"""Device registrations with a mock push service: who may receive what.

A phone registers once per app: with FCM for a project (the sender) and an
Android app ID and gets a registration token; with APNs for a bundle ID and
an environment and gets a 64-hex device token. Uninstalling the app marks the
registration unregistered (with the time, which APNs reports as ``timestamp``);
the token is never reused. Each registration gets a secret (``access``) that
only the registering phone learns; the registry keeps its digest, which no
``to_dict`` view shows. Registrations can be kept in a JSON file so that a
restarted mock still knows the phones' tokens (and the secrets' digests).
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from core.clock import Clock
from core.workspace import write_secret
from simulators.delivery.input_error import MockInputError

Service = Literal["fcm", "apns"]
ENVIRONMENTS = ("sandbox", "production")

# Shape of a real FCM registration token: "<22-char installation ID>:APA91b<...>".
FCM_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{22}:APA91b[A-Za-z0-9_-]{20,}$")
FID_RE = re.compile(r"^[A-Za-z0-9_-]{22}$")
APNS_TOKEN_RE = re.compile(r"^[0-9a-fA-F]{64}$")


class RegistrationError(MockInputError):
    """A registration request that cannot be honoured (bad app ID, environment...)."""


@dataclass(frozen=True, kw_only=True)
class Registration:
    service: Service
    token: str
    app_id: str
    project_id: str | None = None
    environment: str | None = None
    registered_at: float
    unregistered_at: float | None = None
    secret_digest: str | None = field(default=None, repr=False)  # never in to_dict

    @property
    def active(self) -> bool:
        return self.unregistered_at is None

    @property
    def fid(self) -> str | None:
        """The Firebase installation ID a FCM token starts with."""
        return self.token.split(":", 1)[0] if self.service == "fcm" else None

    def to_dict(self) -> dict[str, Any]:
        """The public view (answers, listings, events): no secret digest."""
        record = self.to_record()
        record.pop("secret_digest", None)
        return record

    def to_record(self) -> dict[str, Any]:
        """What the registrations file keeps, the secret's digest included."""
        return {key: value for key, value in asdict(self).items() if value is not None}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Registration:
        service = data["service"]
        if service not in ("fcm", "apns"):
            raise ValueError(f"unknown service {service!r}")
        unregistered = data.get("unregistered_at")
        digest = data.get("secret_digest")
        return cls(
            service=service,
            token=str(data["token"]),
            app_id=str(data["app_id"]),
            project_id=data.get("project_id"),
            environment=data.get("environment"),
            registered_at=float(data["registered_at"]),
            unregistered_at=None if unregistered is None else float(unregistered),
            secret_digest=digest if isinstance(digest, str) else None,
        )


@dataclass(frozen=True)
class IssuedRegistration:
    """A new registration and its secret, which the mock answers once and then forgets."""

    registration: Registration
    secret: str = field(repr=False)

    @property
    def token(self) -> str:
        return self.registration.token


def new_fcm_token() -> str:
    # A FID is 16 random bytes whose first 4 bits are 0111, base64url without
    # padding (22 chars, starting with c, d, e or f).
    raw = bytearray(secrets.token_bytes(17))
    raw[0] = 0x70 | (raw[0] & 0x0F)
    fid = base64.urlsafe_b64encode(bytes(raw)).decode("ascii")[:22]
    return f"{fid}:APA91b{secrets.token_urlsafe(100)}"


def new_apns_token() -> str:
    return secrets.token_hex(32)


_APP_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$")


def _check_identifier(value: str, what: str) -> str:
    if not isinstance(value, str) or not _APP_ID_RE.match(value):
        raise RegistrationError(f"{what} must be letters, digits, '.', '_' or '-'")
    return value


class DeviceRegistry:
    """In-memory registrations of one service, optionally mirrored to a file."""

    def __init__(self, service: Service, *, clock: Clock, path: Path | None = None) -> None:
        self.service: Service = service
        self._clock = clock
        self._path = path
        self._by_token: dict[str, Registration] = {}
        self._by_fid: dict[str, str] = {}
        if path is not None:
            self._load(path)

    def _load(self, path: Path) -> None:
        try:
            items = json.loads(path.read_text("utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError):
            return  # a damaged file is replaced on the next registration
        for item in items if isinstance(items, list) else []:
            try:
                registration = Registration.from_dict(item)
            except (KeyError, ValueError, TypeError):
                continue
            if registration.service == self.service:
                self._remember(registration)

    def _save(self) -> None:
        if self._path is None:
            return
        data = [registration.to_record() for registration in self._by_token.values()]
        temporary = self._path.with_name(f".{self._path.name}.{secrets.token_hex(4)}.tmp")
        write_secret(temporary, json.dumps(data, indent=1).encode("utf-8"))
        os.replace(temporary, self._path)

    def _remember(self, registration: Registration) -> None:
        self._by_token[registration.token] = registration
        if registration.fid is not None:
            self._by_fid[registration.fid] = registration.token

    # -- registration -------------------------------------------------------
    def register_fcm(
        self, *, project_id: str, app_id: str, secret_digest: str | None = None
    ) -> Registration:
        if self.service != "fcm":
            raise RegistrationError("this is not the FCM registry")
        registration = Registration(
            service="fcm",
            token=new_fcm_token(),
            app_id=_check_identifier(app_id, "app ID"),
            project_id=_check_identifier(project_id, "project ID"),
            registered_at=self._clock.now(),
            secret_digest=secret_digest,
        )
        self._remember(registration)
        self._save()
        return registration

    def register_apns(
        self, *, bundle_id: str, environment: str = "sandbox", secret_digest: str | None = None
    ) -> Registration:
        if self.service != "apns":
            raise RegistrationError("this is not the APNs registry")
        if environment not in ENVIRONMENTS:
            raise RegistrationError(f"environment must be one of {', '.join(ENVIRONMENTS)}")
        registration = Registration(
            service="apns",
            token=new_apns_token(),
            app_id=_check_identifier(bundle_id, "bundle ID"),
            environment=environment,
            registered_at=self._clock.now(),
            secret_digest=secret_digest,
        )
        self._remember(registration)
        self._save()
        return registration

    def unregister(self, token: str) -> Registration | None:
        """Mark the app uninstalled; returns the updated registration (None if unknown)."""
        registration = self._by_token.get(token)
        if registration is None:
            return None
        if registration.active:
            registration = replace(registration, unregistered_at=self._clock.now())
            self._remember(registration)
            self._save()
        return registration

    # -- lookup ---------------------------------------------------------------
    def get(self, token: str) -> Registration | None:
        return self._by_token.get(token)

    def find(self, token_or_fid: str) -> Registration | None:
        """By token, or (FCM) by the installation ID firebase-admin sends as ``fid``."""
        registration = self._by_token.get(token_or_fid)
        if registration is None and token_or_fid in self._by_fid:
            registration = self._by_token.get(self._by_fid[token_or_fid])
        return registration

    def all(self) -> list[Registration]:
        return list(self._by_token.values())
