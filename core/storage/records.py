"""Rows of the core database as frozen dataclasses.

A session's status is the protocol's ``SessionStatus`` (the lifecycle table
owns that vocabulary). Other statuses and protections are stored as their
string values, keys as the hex dicts the protocol produces; the service
converts at its edge.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from core.protocol.fields import PushApp
from core.protocol.session import SessionStatus

# authenticator statuses (SPEC §2.1)
AUTH_PENDING = "pending"
AUTH_ACTIVE = "active"
AUTH_LOCKED = "locked"
AUTH_PUSH_UNREGISTERED = "push-unregistered"
AUTH_DEACTIVATED = "deactivated"
AUTHENTICATOR_STATUSES = (
    AUTH_PENDING,
    AUTH_ACTIVE,
    AUTH_LOCKED,
    AUTH_PUSH_UNREGISTERED,
    AUTH_DEACTIVATED,
)

# registration statuses
REG_PENDING = "pending"
REG_DEVICE_ADDED = "device-added"
REG_ACTIVE = "active"
REG_LOCKED = "locked"
REG_EXPIRED = "expired"


@dataclass(frozen=True, kw_only=True)
class DomainRecord:
    name: str
    mobile_app_name: str
    request_method: str
    keywords: Mapping[str, str]  # keyword -> required protection value
    push_timeout: int
    lockout_threshold: int
    poll_fallback: bool
    number_matching: bool
    created: float
    reveal_unknown_users: bool = False  # 404 for an unknown user (demos); else the same 401
    push_rate_limit: int = 3  # at most this many pushes per user and per authenticator ...
    push_rate_window: int = 60  # ... within this many seconds


@dataclass(frozen=True, kw_only=True)
class PushAppRecord(PushApp):
    """A stored push app: ``PushApp``'s fields and when it was created."""

    created: float


@dataclass(frozen=True, kw_only=True)
class UserRecord:
    user_id: str
    domain: str
    password_hash: str | None
    failed_attempts: int
    locked: bool
    cooldown_until: float | None
    created: float
    pushes_counted_from: float | None = None  # an admin unlock: older pushes no longer count


@dataclass(frozen=True, kw_only=True)
class RegistrationRecord:
    registration_id: str
    serial: str
    user_id: str
    domain: str
    app_kind: str
    platform: str
    status: str
    server_state: Mapping[str, Any]
    keys: Mapping[str, Any] | None
    failed_attempts: int
    expires: float
    created: float


@dataclass(frozen=True, kw_only=True)
class AuthenticatorRecord:
    serial: str
    user_id: str
    domain: str
    registration_id: str
    app_kind: str
    platform: str
    status: str
    keys: Mapping[str, Any]
    push_platform: str | None
    push_token: str | None
    push_app_id: str | None
    created: float
    activated: float | None

    @property
    def has_push_registration(self) -> bool:
        return bool(self.push_token and self.push_platform)


@dataclass(frozen=True, kw_only=True)
class SessionRecord:
    request_id: str
    user_id: str
    domain: str
    serial: str | None
    challenge: str
    protection: str
    keyword: str | None
    status: SessionStatus
    reason: str
    number: int | None
    numbers: tuple[int, ...] | None
    client_ip: str
    created: float
    expires: float
    decided: float | None
    request_message: str | None
    challenge_key_hash: str | None
    fetched: bool
    push_state: str
    push_detail: str
    user_rejected: bool
    checks: tuple[Mapping[str, Any], ...] | None
    failed_check: str | None
    protection_used: str | None = None


@dataclass(frozen=True, kw_only=True)
class AuditRecord:
    request_id: str | None
    kind: str
    source: str
    time: float
    target: str = ""
    summary: str = ""
    step: int | None = None
    raw: str | None = None
    header: Mapping[str, Any] | None = None
    body: Mapping[str, Any] | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    id: int | None = None
