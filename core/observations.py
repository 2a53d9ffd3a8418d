"""Observations: what the other lanes saw, kept in the core's audit log.

The core sees steps 1-3, 6 and 7 itself. Steps 4 and 5 happen on the phone,
and the provider leg of step 3 happens inside FCM/APNs. In a simulator those
lanes publish their events on the same ``EventBus``, so the core records every
event that names a push-login request and comes from a provider (``fcm``,
``apns``) or a phone (``phone:<name>``) in the same audit table. The trace of
a session is then the whole story, steps 1-7, and the GUI, scenarios and
black-box tests read one place.

``publish`` must never block, so events are queued and written by one
background task in small transactions; ``flush`` waits until everything queued
so far is stored (the trace calls it before reading). The task gathers what
arrives within ``COALESCE_SECONDS`` of the first event into one transaction (a
push login's eight observations come in three or four bursts; one transaction
each cost a login several), unless a ``flush`` is waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from core.events import Event, EventBus
from core.storage import Database
from core.storage.repo_audit import audit_record

log = logging.getLogger(__name__)

PROVIDER_SOURCES = frozenset({"fcm", "apns"})
MAX_BATCH = 200
COALESCE_SECONDS = 0.05


def is_observation(event: Event) -> bool:
    """An event of another lane about a push-login request."""
    if event.request_id is None:
        return False
    return event.source in PROVIDER_SOURCES or event.source.startswith("phone:")


class ObservationRecorder:
    def __init__(self, db: Database, events: EventBus) -> None:
        self._db = db
        self._queue: asyncio.Queue[Event] = asyncio.Queue()
        self._unsubscribe = events.subscribe(self._on_event)
        self._task: asyncio.Task[None] | None = None
        self._flush_now = asyncio.Event()
        self._flushers = 0

    def _on_event(self, event: Event) -> None:
        if is_observation(event):
            self._queue.put_nowait(event)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="observation recorder")

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            if not self._flush_now.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._flush_now.wait(), COALESCE_SECONDS)
            while not self._queue.empty() and len(batch) < MAX_BATCH:
                batch.append(self._queue.get_nowait())
            try:
                async with self._db.transaction() as tx:
                    await tx.audit.append_many(audit_record(e, observed=True) for e in batch)
            except Exception:  # an observation lost is a trace gap, not a core failure
                log.exception("could not store %d observations", len(batch))
            finally:
                for _ in batch:
                    self._queue.task_done()

    async def flush(self) -> None:
        """Wait until every observation queued so far is stored."""
        if self._task is not None and not self._task.done():
            self._flushers += 1
            self._flush_now.set()
            try:
                await self._queue.join()
            finally:
                self._flushers -= 1
                if not self._flushers:
                    self._flush_now.clear()

    async def close(self) -> None:
        self._unsubscribe()
        await self.flush()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
