"""What every use case shares: storage, settings, clock, events, dispatcher, long-poll waiters."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

from core.clock import Clock
from core.events import EventBus
from core.push.dispatcher import PushDispatcher
from core.service.unit import Journal, Unit, open_unit
from core.settings import CoreSettings
from core.step_gate import NO_GATE, Gate
from core.storage import Database


@dataclass(frozen=True, kw_only=True)
class ServiceContext:
    db: Database
    settings: CoreSettings
    clock: Clock
    events: EventBus
    dispatcher: PushDispatcher
    watch: SessionWatch
    gate: Gate = NO_GATE  # step mode holds steps 2, 3 and 7 here

    def unit(self, journal: Journal | None = None) -> AbstractAsyncContextManager[Unit]:
        """One unit of work: persist the journal, commit, then publish and wake polls."""
        return open_unit(self, journal)


class SessionWatch:
    """Wakes long polls when a session leaves ``pending`` (no sleeping loops).

    A poller takes its request's event *before* it reads the session (so a
    decision between the read and the wait still wakes it) and gives it back
    when done: an event nobody waits on is dropped, so polls of sessions that
    were already decided leave nothing behind.
    """

    def __init__(self) -> None:
        self._events: dict[str, asyncio.Event] = {}
        self._watchers: dict[str, int] = {}  # request ID -> polls holding its event
        self.closed = False

    @contextlib.contextmanager
    def watching(self, request_id: str) -> Iterator[asyncio.Event]:
        """The request's event for the duration of one poll's read and wait."""
        event = self._events.get(request_id)
        if event is None:
            event = self._events[request_id] = asyncio.Event()
            if self.closed:
                event.set()
        self._watchers[request_id] = self._watchers.get(request_id, 0) + 1
        try:
            yield event
        finally:
            left = self._watchers.pop(request_id) - 1
            if left:
                self._watchers[request_id] = left
            elif self._events.get(request_id) is event:
                del self._events[request_id]

    @property
    def watched(self) -> int:
        """How many requests have an event now (0 when no poll is waiting)."""
        return len(self._events)

    def notify(self, request_id: str) -> None:
        found = self._events.pop(request_id, None)
        if found is not None:
            found.set()

    def close(self) -> None:
        """Server shutdown: release every waiter now."""
        self.closed = True
        for event in self._events.values():
            event.set()
        self._events.clear()
