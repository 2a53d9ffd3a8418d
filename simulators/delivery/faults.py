"""Fault injection for one mock push service: a seeded, reproducible plan.

A ``FaultPlan`` is a list of active ``Fault`` objects, each scoped to the whole
service (``token=None``) or one device token. Every send asks the plan once
(``decide``) and gets a ``SendDecision``:

1. added **latency**: the sum of all matching latency faults (+ seeded jitter);
2. the first matching **error-like** fault (a chosen provider error, rate
   limit, outage, expired or invalid provider credentials) answers the send;
3. otherwise the first matching **drop** accepts the send and never delivers.

``count`` limits a fault to the next N sends it fires on; it disappears when
spent. ``probability`` < 1 fires at random. All randomness comes from one
``random.Random(seed)``, so the same seed and the same sequence of sends give
the same outcome. **offline** is a state, not a per-send decision: the device
keeps its connection but notifications are stored as if it were away.
**uninstall** is an action: listeners (the delivery hub) unregister the token,
and the fault is not kept in the list.

Which provider error an error-like fault becomes is the mock's business
(``FaultKind.RATE_LIMIT`` is FCM ``QUOTA_EXCEEDED`` and APNs ``TooManyRequests``).
"""

from __future__ import annotations

import itertools
import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

from simulators.delivery.input_error import MockInputError

log = logging.getLogger(__name__)

MAX_LATENCY = 300.0
MAX_RETRY_AFTER = 60  # never an endless Retry-After
DEFAULT_RETRY_AFTER = 1


class FaultKind(StrEnum):
    LATENCY = "latency"
    DROP = "drop"
    ERROR = "error"
    OFFLINE = "offline"
    UNINSTALL = "uninstall"
    RATE_LIMIT = "rate_limit"
    OUTAGE = "outage"
    EXPIRED_CREDENTIALS = "expired_credentials"
    INVALID_CREDENTIALS = "invalid_credentials"


ERROR_KINDS = frozenset(
    {
        FaultKind.ERROR,
        FaultKind.RATE_LIMIT,
        FaultKind.OUTAGE,
        FaultKind.EXPIRED_CREDENTIALS,
        FaultKind.INVALID_CREDENTIALS,
    }
)


class FaultError(MockInputError):
    """A fault description that cannot be applied (bad kind, value or error name)."""


@dataclass(frozen=True, kw_only=True)
class Fault:
    """One injected fault. Validated on construction."""

    id: str
    kind: FaultKind
    token: str | None = None
    error: str | None = None
    count: int | None = None
    latency: float = 0.0
    jitter: float = 0.0
    probability: float = 1.0
    retry_after: int | None = None

    def __post_init__(self) -> None:
        if self.count is not None and self.count < 1:
            raise FaultError("count must be at least 1 (omit it for 'always')")
        if not 0.0 <= self.latency <= MAX_LATENCY or not 0.0 <= self.jitter <= MAX_LATENCY:
            raise FaultError(f"latency and jitter must be between 0 and {MAX_LATENCY} s")
        if not 0.0 < self.probability <= 1.0:
            raise FaultError("probability must be in (0, 1]")
        if self.retry_after is not None and not 0 <= self.retry_after <= MAX_RETRY_AFTER:
            raise FaultError(f"retry_after must be between 0 and {MAX_RETRY_AFTER} s")
        if self.kind is FaultKind.ERROR and not self.error:
            raise FaultError("an error fault needs the provider error to answer with")
        if self.kind is not FaultKind.ERROR and self.error:
            raise FaultError("only an error fault takes an error name")
        if self.kind is FaultKind.LATENCY and self.latency == 0.0 and self.jitter == 0.0:
            raise FaultError("a latency fault needs latency or jitter")
        if self.kind is FaultKind.UNINSTALL and not self.token:
            raise FaultError("uninstall needs a device token")

    def applies_to(self, token: str | None) -> bool:
        return self.token is None or self.token == token

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "kind": self.kind.value}
        for name in ("token", "error", "count", "retry_after"):
            value = getattr(self, name)
            if value is not None:
                data[name] = value
        if self.latency:
            data["latency"] = self.latency
        if self.jitter:
            data["jitter"] = self.jitter
        if self.probability != 1.0:
            data["probability"] = self.probability
        return data


_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "token": (str,),
    "error": (str,),
    "count": (int,),
    "latency": (int, float),
    "jitter": (int, float),
    "probability": (int, float),
    "retry_after": (int,),
}


def parse_fault_fields(data: Mapping[str, Any]) -> tuple[FaultKind, dict[str, Any]]:
    """Kind and keyword fields of a fault from JSON (control API, scenario files)."""
    try:
        kind = FaultKind(str(data.get("kind")))
    except ValueError:
        names = ", ".join(kind.value for kind in FaultKind)
        raise FaultError(f"unknown fault kind {data.get('kind')!r}; one of: {names}") from None
    fields: dict[str, Any] = {}
    for name, value in data.items():
        if name in ("kind", "id"):
            continue
        types = _FIELD_TYPES.get(name)
        if types is None:
            raise FaultError(f"unknown fault field {name!r}")
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, types):
            raise FaultError(f"fault field {name!r} has the wrong type")
        fields[name] = float(value) if float in types and isinstance(value, int | float) else value
    return kind, fields


@dataclass(frozen=True, kw_only=True)
class SendDecision:
    """What the plan decided for one send."""

    latency: float = 0.0
    error: Fault | None = None
    drop: Fault | None = None
    fired: tuple[Fault, ...] = field(default=())


@dataclass(frozen=True, kw_only=True)
class FaultChange:
    action: Literal["added", "removed", "applied"]
    fault: Fault


FaultListener = Callable[[FaultChange], None]


class FaultPlan:
    """The active faults of one mock service; see the module docstring."""

    def __init__(self, seed: int = 0) -> None:
        self._seed = seed
        self._random = random.Random(seed)  # noqa: S311 - reproducible, not secret
        self._faults: list[Fault] = []
        self._remaining: dict[str, int] = {}
        self._ids = itertools.count(1)
        self._listeners: list[FaultListener] = []
        # The mock that owns the plan names the provider errors it can answer
        # with, so a typo is refused when the fault is added, not at send time.
        self.allowed_errors: frozenset[str] | None = None

    # -- state --------------------------------------------------------------
    @property
    def seed(self) -> int:
        return self._seed

    def reseed(self, seed: int) -> None:
        """Restart the random sequence (reproduce a run from its seed)."""
        self._seed = seed
        self._random = random.Random(seed)  # noqa: S311 - reproducible, not secret

    @property
    def faults(self) -> tuple[Fault, ...]:
        return tuple(self._faults)

    def remaining(self, fault_id: str) -> int | None:
        """Sends left for a counted fault (None: uncounted or gone)."""
        return self._remaining.get(fault_id)

    def describe(self) -> list[dict[str, Any]]:
        items = []
        for fault in self._faults:
            item = fault.to_dict()
            if fault.id in self._remaining:
                item["remaining"] = self._remaining[fault.id]
            items.append(item)
        return items

    def subscribe(self, listener: FaultListener) -> Callable[[], None]:
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def _notify(self, change: FaultChange) -> None:
        for listener in list(self._listeners):
            try:
                listener(change)
            except Exception:  # one broken listener must not stop fault handling
                log.exception("fault listener failed on %s", change.action)

    # -- editing ------------------------------------------------------------
    def add(self, kind: FaultKind | str, **fields: Any) -> Fault:
        """Add a fault (``fields`` as in ``Fault``); returns it with its id."""
        kind = FaultKind(kind)
        if kind in (FaultKind.RATE_LIMIT, FaultKind.OUTAGE) and fields.get("retry_after") is None:
            fields["retry_after"] = DEFAULT_RETRY_AFTER
        fault = Fault(id=f"f{next(self._ids)}", kind=kind, **fields)
        allowed = self.allowed_errors
        if fault.error is not None and allowed is not None and fault.error not in allowed:
            names = ", ".join(sorted(allowed))
            raise FaultError(f"unknown provider error {fault.error!r}; one of: {names}")
        if fault.kind is FaultKind.UNINSTALL:
            self._notify(FaultChange(action="applied", fault=fault))
            return fault
        self._faults.append(fault)
        if fault.count is not None:
            self._remaining[fault.id] = fault.count
        self._notify(FaultChange(action="added", fault=fault))
        return fault

    def add_from_dict(self, data: Mapping[str, Any]) -> Fault:
        kind, fields = parse_fault_fields(data)
        try:
            return self.add(kind, **fields)
        except TypeError as exc:  # pragma: no cover - parse_fault_fields filters names
            raise FaultError(str(exc)) from exc

    def remove(self, fault_id: str) -> bool:
        for fault in self._faults:
            if fault.id == fault_id:
                self._faults.remove(fault)
                self._remaining.pop(fault_id, None)
                self._notify(FaultChange(action="removed", fault=fault))
                return True
        return False

    def clear(self, *, token: str | None = None) -> None:
        """Remove every fault (or every fault scoped to ``token``)."""
        for fault in list(self._faults):
            if token is None or fault.token == token:
                self.remove(fault.id)

    # -- convenience --------------------------------------------------------
    def add_latency(
        self, seconds: float, *, jitter: float = 0.0, token: str | None = None
    ) -> Fault:
        return self.add(FaultKind.LATENCY, latency=seconds, jitter=jitter, token=token)

    def drop(
        self, *, token: str | None = None, count: int | None = None, probability: float = 1.0
    ) -> Fault:
        return self.add(FaultKind.DROP, token=token, count=count, probability=probability)

    def fail(
        self,
        error: str,
        *,
        token: str | None = None,
        count: int | None = None,
        probability: float = 1.0,
    ) -> Fault:
        return self.add(
            FaultKind.ERROR, error=error, token=token, count=count, probability=probability
        )

    def rate_limit(
        self,
        *,
        token: str | None = None,
        count: int | None = None,
        retry_after: int = DEFAULT_RETRY_AFTER,
    ) -> Fault:
        return self.add(FaultKind.RATE_LIMIT, token=token, count=count, retry_after=retry_after)

    def outage(self, *, count: int | None = None, retry_after: int = DEFAULT_RETRY_AFTER) -> Fault:
        return self.add(FaultKind.OUTAGE, count=count, retry_after=retry_after)

    def expire_credentials(self, *, count: int | None = None) -> Fault:
        return self.add(FaultKind.EXPIRED_CREDENTIALS, count=count)

    def invalidate_credentials(self, *, count: int | None = None) -> Fault:
        return self.add(FaultKind.INVALID_CREDENTIALS, count=count)

    def offline(self, token: str | None = None) -> Fault:
        return self.add(FaultKind.OFFLINE, token=token)

    def online(self, token: str | None = None) -> None:
        """Lift the offline faults that keep ``token`` away (None: the service-wide one)."""
        for fault in list(self._faults):
            if fault.kind is FaultKind.OFFLINE and fault.token == token:
                self.remove(fault.id)

    def uninstall(self, token: str) -> Fault:
        return self.add(FaultKind.UNINSTALL, token=token)

    # -- queries ------------------------------------------------------------
    def is_offline(self, token: str) -> bool:
        return any(f.kind is FaultKind.OFFLINE and f.applies_to(token) for f in self._faults)

    def credentials_invalid(self) -> bool:
        """A service-wide invalid-credentials fault also refuses new OAuth tokens."""
        return any(
            f.kind is FaultKind.INVALID_CREDENTIALS and f.token is None for f in self._faults
        )

    def _fires(self, fault: Fault) -> bool:
        return fault.probability >= 1.0 or self._random.random() < fault.probability

    def _consume(self, fault: Fault) -> None:
        left = self._remaining.get(fault.id)
        if left is None:
            return
        if left <= 1:
            self.remove(fault.id)
        else:
            self._remaining[fault.id] = left - 1

    def decide(self, token: str | None) -> SendDecision:
        """Decide one send to ``token`` (consumes counted faults that fire)."""
        matching = [f for f in self._faults if f.applies_to(token)]
        fired: list[Fault] = []
        latency = 0.0
        for fault in matching:
            if fault.kind is FaultKind.LATENCY and self._fires(fault):
                extra = self._random.uniform(0.0, fault.jitter) if fault.jitter else 0.0
                latency += fault.latency + extra
                fired.append(fault)
        error: Fault | None = None
        for fault in matching:
            if fault.kind in ERROR_KINDS and self._fires(fault):
                error = fault
                fired.append(fault)
                break
        drop: Fault | None = None
        if error is None:
            for fault in matching:
                if fault.kind is FaultKind.DROP and self._fires(fault):
                    drop = fault
                    fired.append(fault)
                    break
        for fault in fired:
            self._consume(fault)
        return SendDecision(
            latency=min(latency, MAX_LATENCY), error=error, drop=drop, fired=tuple(fired)
        )
