"""Tunable numbers of the validation core, in one frozen object.

Defaults follow SPEC §10. Tests build a ``CoreSettings`` with a low password
hash cost and short retry delays; nothing else in the core reads a constant
that a tester might want to change.

Password hashing: static passwords are stored as scrypt hashes. The cost is
``2 ** password_hash_log2_n`` with ``r = 8, p = 1`` (RFC 7914 naming). The
default ``log2_n = 15`` takes about 32 MiB and ~0.23 s on one core here; the
hash records its own parameters, so raising the cost later keeps old hashes
verifiable. Hashing runs in a worker thread so the event loop never blocks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class PendingPolicy(StrEnum):
    """What a login does when the user already has the maximum of pending pushes."""

    CANCEL_OLDER = "cancel-older"  # the older push fails ("superseded"), the new one goes out
    REFUSE = "refuse"  # the new login is refused with 429


@dataclass(frozen=True, kw_only=True)
class RetryPolicy:
    """Bounded retries for provider answers that say 'try again' (429, 5xx, network)."""

    max_attempts: int = 4  # the first send plus three retries
    initial_backoff: float = 0.5
    multiplier: float = 2.0
    max_backoff: float = 5.0
    retry_after_cap: float = 10.0  # a provider's Retry-After is honoured up to this
    total_budget: float = 20.0  # never keep a session waiting on retries longer than this

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be >= 1")
        if min(self.initial_backoff, self.max_backoff, self.retry_after_cap) < 0:
            raise ValueError("backoff values must not be negative")
        if self.multiplier < 1:
            raise ValueError("multiplier must be >= 1")


@dataclass(frozen=True, kw_only=True)
class CoreSettings:
    # -- static passwords -----------------------------------------------------
    password_hash_log2_n: int = 15
    password_hash_r: int = 8
    password_hash_p: int = 1

    # -- push dispatch ----------------------------------------------------------
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    provider_timeout: float = 10.0  # one HTTP exchange with FCM/APNs
    login_dispatch_wait: float = 3.0  # the login answers after the push is handed over, or this
    apns_token_refresh: float = 45 * 60.0  # Apple: renew no sooner than 20, no later than 60 min
    oauth_refresh_margin: float = 300.0  # renew the FCM access token this long before expiry
    payload_limit: int = 4096  # FCM and APNs both refuse larger payloads

    # -- rate limits against push bombing ---------------------------------------
    max_pending_per_user: int = 1
    pending_policy: PendingPolicy = PendingPolicy.CANCEL_OLDER
    reject_limit: int = 3  # this many rejects ...
    reject_window: float = 600.0  # ... within this window ...
    reject_cooldown: float = 600.0  # ... refuse new logins for this long

    # -- sessions, devices, activation -----------------------------------------
    max_wait: float = 30.0  # long poll cap for GET /v1/sessions/{id}?wait=
    signed_request_skew: float = 300.0  # |device time - server time| accepted
    registration_ttl: float = 15 * 60.0
    registration_max_failures: int = 5
    expiry_sweep_interval: float = 1.0  # the background expiry looks at least this often

    # -- retention (core/storage/retention.py) -----------------------------------
    # a decided session goes once older than max_age or beyond the newest
    # max_sessions, with its audit events; pruned at start and every interval
    retention_max_age: float = 30 * 24 * 3600.0
    retention_max_sessions: int = 100_000
    retention_interval: float = 3600.0

    # -- HTTP ----------------------------------------------------------------
    max_body_bytes: int = 64 * 1024

    # -- storage -----------------------------------------------------------------
    # NORMAL is durable against a killed process in WAL mode (only a power cut can
    # lose the last commits); FULL also survives power loss at an fsync per commit.
    sqlite_synchronous: str = "NORMAL"

    def __post_init__(self) -> None:
        if not 1 <= self.password_hash_log2_n <= 20:
            raise ValueError("password_hash_log2_n must be 1-20")
        if not 20 * 60 <= self.apns_token_refresh < 60 * 60:
            raise ValueError("apns_token_refresh must be between 20 and 60 minutes")
        if self.max_pending_per_user < 1:
            raise ValueError("max_pending_per_user must be >= 1")
        if self.reject_limit < 1:
            raise ValueError("reject_limit must be >= 1")
        if self.retention_max_age <= 0 or self.retention_max_sessions < 1:
            raise ValueError("retention keeps a positive age and at least one session")
        if self.retention_interval <= 0:
            raise ValueError("retention_interval must be > 0")
        if self.sqlite_synchronous not in ("NORMAL", "FULL"):
            raise ValueError("sqlite_synchronous must be NORMAL or FULL")


FAST_TEST_SETTINGS = CoreSettings(
    password_hash_log2_n=4,
    retry=RetryPolicy(
        initial_backoff=0.01, max_backoff=0.05, retry_after_cap=0.1, total_budget=2.0
    ),
)
"""Low hash cost and short backoffs, for tests and benchmarks only."""
