"""What every use case shares: storage, clock, events, the journal and long-poll waiters.

A ``Journal`` collects the events of one operation. It is written into the
audit table inside the operation's transaction (so the audit log and the state
change commit together) and published on the ``EventBus`` only after the
commit (so nobody observes a change a crash could undo).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from core.clock import Clock
from core.events import Event, EventBus
from core.protocol.secure_channel import SecureChannelHeader
from core.push.dispatcher import PushDispatcher
from core.settings import CoreSettings
from core.storage import Database, Repositories
from core.storage.records import AuditRecord

log = logging.getLogger(__name__)

SOURCE = "core"


@dataclass(frozen=True, kw_only=True)
class ServiceContext:
    db: Database
    settings: CoreSettings
    clock: Clock
    events: EventBus
    dispatcher: PushDispatcher
    watch: SessionWatch


def header_dict(header: SecureChannelHeader) -> dict[str, Any]:
    return {
        "version": header.version,
        "type": header.type.name,
        "protection": f"0x{int(header.protection):02x}",
        "serialNumber": header.serial,
        "nonce": header.nonce.hex(),
    }


@dataclass
class Journal:
    clock: Clock
    entries: list[Event] = field(default_factory=list)
    # sessions this operation decided: their long polls wake after the commit
    decided: list[str] = field(default_factory=list)

    def add(
        self,
        kind: str,
        *,
        summary: str,
        request_id: str | None = None,
        step: int | None = None,
        source: str = SOURCE,
        target: str = "",
        raw: str | None = None,
        header: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | None = None,
        **details: Any,
    ) -> None:
        data: dict[str, Any] = dict(details)
        if header is not None:
            data["header"] = dict(header)
        if body is not None:
            data["body"] = dict(body)
        self.entries.append(
            Event(
                kind=kind,
                source=source,
                target=target,
                summary=summary,
                request_id=request_id,
                step=step,
                raw=raw,
                details=data,
                time=self.clock.now(),
            )
        )

    async def persist(self, repos: Repositories) -> None:
        for event in self.entries:
            details = dict(event.details)
            header = details.pop("header", None)
            body = details.pop("body", None)
            await repos.audit.append(
                AuditRecord(
                    request_id=event.request_id,
                    step=event.step,
                    kind=event.kind,
                    source=event.source,
                    target=event.target,
                    summary=event.summary,
                    raw=event.raw,
                    header=header,
                    body=body,
                    details=details,
                    time=event.time,
                )
            )

    def publish(self, bus: EventBus) -> None:
        for event in self.entries:
            bus.publish(event)
        self.entries.clear()


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


async def commit_journal(ctx: ServiceContext, journal: Journal) -> None:
    """Persist a journal on its own (events that change no other state)."""
    if not journal.entries:
        return
    async with ctx.db.transaction() as tx:
        await journal.persist(tx)
    journal.publish(ctx.events)
