"""What happened, for traces, the audit log, the GUI and tests.

Every component publishes frozen ``Event`` objects on an ``EventBus``. A bus is
synchronous and cheap: ``publish`` calls each subscriber in order and never
awaits, so it can be used from any coroutine or callback without blocking the
loop. A subscriber that raises is unsubscribed-safe: its error is logged and the
others still run. Tests and scenarios await events with ``wait_for``.

``source``/``target`` name lanes of the flow view: ``client``, ``core``,
``fcm``, ``apns``, ``phone:<name>``.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

log = logging.getLogger(__name__)

_sequence = itertools.count(1)


@dataclass(frozen=True)
class EventDetails(Mapping[str, Any]):
    """Base of the typed details of one event kind.

    Subclasses are frozen dataclasses, one per kind (or family of kinds), so
    readers use fields (``event.details.status``). They are also read-only
    mappings of their fields, so the audit log, the JSON trace and the
    inspector serialise them like any dict, with no converter per kind.
    """

    def __getitem__(self, key: str) -> Any:
        if key not in self._names():
            raise KeyError(key)
        return getattr(self, key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())

    @classmethod
    def _names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))


@dataclass(frozen=True, kw_only=True)
class Event:
    """One observable thing: a message on the wire or a state change.

    ``step`` is the push-login step (1-7) the event belongs to, when it does.
    ``raw`` carries the exact message bytes/text on the wire, when there are any.
    """

    kind: str
    source: str
    target: str = ""
    summary: str = ""
    request_id: str | None = None
    step: int | None = None
    raw: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    time: float = field(default_factory=time.time)
    seq: int = field(default_factory=lambda: next(_sequence))

    def __post_init__(self) -> None:
        if not self.kind:
            raise ValueError("event kind must not be empty")
        if self.step is not None and not 1 <= self.step <= 7:
            raise ValueError(f"step must be 1-7, got {self.step}")


Subscriber = Callable[[Event], None]


class EventBus:
    """Fan-out of events to subscribers; also keeps a bounded history."""

    def __init__(self, history: int = 5000) -> None:
        self._subscribers: list[Subscriber] = []
        self._history: list[Event] = []
        self._history_limit = history
        self._waiters: list[tuple[Callable[[Event], bool], asyncio.Future[Event]]] = []

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        """Add a subscriber; returns a function that removes it."""
        self._subscribers.append(subscriber)

        def unsubscribe() -> None:
            if subscriber in self._subscribers:
                self._subscribers.remove(subscriber)

        return unsubscribe

    def publish(self, event: Event) -> None:
        self._history.append(event)
        if len(self._history) > self._history_limit:
            del self._history[: len(self._history) - self._history_limit]
        for subscriber in list(self._subscribers):
            try:
                subscriber(event)
            except Exception:  # a broken view must not break the flow
                log.exception("event subscriber failed on %s", event.kind)
        for waiter in list(self._waiters):
            predicate, future = waiter
            if not future.done() and predicate(event):
                future.set_result(event)
                self._waiters.remove(waiter)

    def emit(self, kind: str, source: str, **fields: Any) -> Event:
        """Build and publish an event in one call."""
        event = Event(kind=kind, source=source, **fields)
        self.publish(event)
        return event

    @property
    def history(self) -> list[Event]:
        return list(self._history)

    async def wait_for(
        self,
        predicate: Callable[[Event], bool],
        timeout: float = 10.0,  # noqa: ASYNC109 - a deadline is this helper's point
        *,
        include_history: bool = False,
    ) -> Event:
        """The next event matching ``predicate`` (or a past one, if asked)."""
        if include_history:
            for event in self._history:
                if predicate(event):
                    return event
        future: asyncio.Future[Event] = asyncio.get_running_loop().create_future()
        entry = (predicate, future)
        self._waiters.append(entry)
        try:
            async with asyncio.timeout(timeout):
                return await future
        finally:
            if entry in self._waiters:
                self._waiters.remove(entry)
