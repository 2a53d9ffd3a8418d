"""The unit of work: one transaction, its journal, and what happens after the commit.

``async with ctx.unit() as u:`` gives the transaction's repositories
(``u.tx``) and a journal (``u.add``). On a clean exit the journal's events are
written into the audit table inside the transaction (so the audit log and the
state change commit together), the transaction commits, and only then are the
events published on the ``EventBus`` and the long polls of decided sessions
woken (so nobody observes a change a crash could undo). On an exception the
transaction rolls back and nothing is published: a refusal that must be
recorded leaves the block first and raises after it.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from core.clock import Clock
from core.events import Event, EventBus, EventDetails
from core.protocol.secure_channel import SecureChannelHeader
from core.storage import Repositories
from core.storage.repo_audit import audit_record

if TYPE_CHECKING:  # context.py imports this module to offer ctx.unit()
    from core.service.context import ServiceContext

log = logging.getLogger(__name__)

SOURCE = "core"


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
        details: EventDetails | None = None,
        **facts: Any,
    ) -> None:
        """Record an event; its details are either a typed ``details`` or loose ``facts``."""
        data: Mapping[str, Any]
        if details is not None:
            if facts or header is not None or body is not None:
                raise TypeError("typed details carry all of an event's facts")
            data = details
        else:
            loose = dict(facts)
            if header is not None:
                loose["header"] = dict(header)
            if body is not None:
                loose["body"] = dict(body)
            data = loose
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
        await repos.audit.append_many(audit_record(event) for event in self.entries)

    def publish(self, bus: EventBus) -> None:
        for event in self.entries:
            bus.publish(event)
        self.entries.clear()


@dataclass(frozen=True)
class Unit:
    """What a use case holds inside ``ctx.unit()``: the transaction and its journal."""

    tx: Repositories
    journal: Journal

    def add(self, kind: str, **event: Any) -> None:
        self.journal.add(kind, **event)


@asynccontextmanager
async def open_unit(ctx: ServiceContext, journal: Journal | None = None) -> AsyncIterator[Unit]:
    """``journal``: events gathered before the transaction (a read first) join this unit."""
    journal = journal if journal is not None else Journal(ctx.clock)
    async with ctx.db.transaction() as tx:
        yield Unit(tx, journal)
        await journal.persist(tx)
    decided = list(journal.decided)
    journal.decided.clear()
    journal.publish(ctx.events)
    for request_id in decided:
        ctx.watch.notify(request_id)
