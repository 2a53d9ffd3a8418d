"""Retention: old sessions and their audit events are pruned, so the database stays bounded.

A decided session (anything but ``pending``) goes once it was created more
than ``max_age`` seconds ago or is beyond the newest ``max_sessions``; its
audit events and seen nonces older than ``max_age`` go with it, and so do
audit events of no session (admin and core events) older than ``max_age``.
Pending sessions are never pruned. Work is done in batches of ``batch``
sessions, one short transaction each, so a large first prune never holds
the database lock for long. ``run_retention`` prunes at start and then every
``interval`` seconds (``CoreSettings.retention_*``).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.clock import Clock
from core.settings import CoreSettings
from core.storage.base import Params, Repository

if TYPE_CHECKING:
    from core.storage.database import Database

log = logging.getLogger(__name__)

# the decided sessions past either limit, oldest first
_VICTIMS = """
    SELECT request_id FROM sessions
    WHERE status != 'pending'
      AND (created < :cutoff
           OR request_id IN (SELECT request_id FROM sessions
                             ORDER BY created DESC, request_id DESC
                             LIMIT -1 OFFSET :keep))
    ORDER BY created LIMIT :batch
"""
_ORPHAN_EVENTS = """
    DELETE FROM audit_events WHERE id IN (
        SELECT id FROM audit_events
        WHERE time < :cutoff
          AND (request_id IS NULL
               OR request_id NOT IN (SELECT request_id FROM sessions))
        LIMIT :batch)
"""
_OLD_NONCES = """
    DELETE FROM seen_nonces WHERE (serial, nonce) IN (
        SELECT serial, nonce FROM seen_nonces WHERE seen < :cutoff LIMIT :batch)
"""


@dataclass(frozen=True)
class Pruned:
    sessions: int = 0
    audit_events: int = 0
    nonces: int = 0

    def __add__(self, other: Pruned) -> Pruned:
        return Pruned(
            self.sessions + other.sessions,
            self.audit_events + other.audit_events,
            self.nonces + other.nonces,
        )


class RetentionRepository(Repository):
    """The deletes of one prune batch (``Repositories.retention``)."""

    async def _delete(self, sql: str, params: Params) -> int:
        before = self._c.total_changes
        await self._c.execute(sql, params)
        return self._c.total_changes - before

    async def prune_batch(self, *, cutoff: float, keep: int, batch: int) -> Pruned:
        params = {"cutoff": cutoff, "keep": keep, "batch": batch}
        victims = json.dumps([row[0] for row in await self._all(_VICTIMS, params)])
        events = await self._delete(
            "DELETE FROM audit_events WHERE request_id IN (SELECT value FROM json_each(?))",
            (victims,),
        )
        sessions = await self._delete(
            "DELETE FROM sessions WHERE request_id IN (SELECT value FROM json_each(?))", (victims,)
        )
        events += await self._delete(_ORPHAN_EVENTS, params)
        nonces = await self._delete(_OLD_NONCES, params)
        return Pruned(sessions, events, nonces)


async def prune(
    db: Database, *, now: float, max_age: float, max_sessions: int, batch: int = 5000
) -> Pruned:
    """Prune until nothing is past the limits; what went, counted."""
    total = Pruned()
    while True:
        async with db.transaction() as tx:
            done = await tx.retention.prune_batch(
                cutoff=now - max_age, keep=max_sessions, batch=batch
            )
        total += done
        if max(done.sessions, done.audit_events, done.nonces) < batch:
            return total


async def run_retention(
    db: Database,
    settings: CoreSettings,
    clock: Clock,
    *,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """Prune now and then every ``settings.retention_interval`` seconds, until cancelled."""
    while True:
        try:
            pruned = await prune(
                db,
                now=clock.now(),
                max_age=settings.retention_max_age,
                max_sessions=settings.retention_max_sessions,
            )
            if pruned.sessions or pruned.audit_events or pruned.nonces:
                log.info("retention pruned %s", pruned)
        except asyncio.CancelledError:
            raise
        except Exception:  # a failed prune must not end the task
            log.exception("retention prune failed")
        await sleep(settings.retention_interval)
