"""What every use case shares: storage, settings, clock, events, dispatcher, long-poll waiters."""

from __future__ import annotations

import asyncio
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
    """Wakes long polls when a session leaves ``pending`` (no sleeping loops)."""

    def __init__(self) -> None:
        self._events: dict[str, asyncio.Event] = {}
        self.closed = False

    def event(self, request_id: str) -> asyncio.Event:
        found = self._events.get(request_id)
        if found is None:
            found = self._events[request_id] = asyncio.Event()
            if self.closed:
                found.set()
        return found

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
