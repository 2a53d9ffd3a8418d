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
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Required, TypedDict, Unpack

from core.clock import Clock
from core.event_kinds import CoreEvent
from core.events import NO_DETAILS, Event, EventBus, EventDetails, check_details
from core.service.event_details import DETAILS_FOR
from core.storage import Repositories
from core.storage.repo_audit import audit_record

if TYPE_CHECKING:  # context.py imports this module to offer ctx.unit()
    from core.service.context import ServiceContext

log = logging.getLogger(__name__)

SOURCE = "core"


class EventFields(TypedDict, total=False):
    """Where an event stands in the flow: ``Event``'s fields besides kind, source and details."""

    request_id: str | None
    step: int | None
    target: str
    raw: str | None


class Entry(EventFields, total=False):
    """The arguments of ``Journal.add`` after the kind."""

    summary: Required[str]
    details: EventDetails
    source: str


@dataclass
class Journal:
    clock: Clock
    entries: list[Event] = field(default_factory=list)
    # sessions this operation decided: their long polls wake after the commit
    decided: list[str] = field(default_factory=list)

    def add(
        self,
        kind: CoreEvent,
        *,
        summary: str,
        details: EventDetails = NO_DETAILS,
        source: str = SOURCE,
        **where: Unpack[EventFields],
    ) -> None:
        """Record an event; ``details`` must be of the kind's class (``DETAILS_FOR``)."""
        check_details(DETAILS_FOR, kind, details)
        event = Event(
            kind=kind,
            source=source,
            summary=summary,
            details=details,
            time=self.clock.now(),
            **where,
        )
        self.entries.append(event)

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

    def add(self, kind: CoreEvent, /, **entry: Unpack[Entry]) -> None:
        self.journal.add(kind, **entry)


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
