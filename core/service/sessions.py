"""Session status (with long poll), expiry, and the message trace.

Long poll: the reader takes the session's ``asyncio.Event`` from the
``SessionWatch`` *before* reading the row, so a decision committed between
the read and the wait still wakes it; it also wakes at the session's expiry
(then reads ``timeout``). A session past its expiry reads ``timeout`` even
before the background sweeper has marked it.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from core.event_kinds import CoreEvent
from core.protocol.session import SessionStatus, SessionTrigger
from core.service.context import ServiceContext
from core.service.errors import NotFound
from core.service.lifecycle import decide
from core.storage.records import AuditRecord, SessionRecord

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class Trace:
    session: SessionRecord
    events: tuple[AuditRecord, ...]

    @property
    def checks(self) -> list[dict[str, Any]]:
        """The deciding validation's checks, else the last refused one's."""
        if self.session.checks is not None:
            return [dict(c) for c in self.session.checks]
        for event in reversed(self.events):
            found = event.details.get("checks")
            if isinstance(found, list):
                return [dict(c) for c in found]
        return []

    @property
    def failed_check(self) -> str | None:
        if self.session.failed_check is not None or self.session.checks is not None:
            return self.session.failed_check
        for event in reversed(self.events):
            if event.kind == CoreEvent.RESPONSE_REFUSED and isinstance(
                event.details.get("check"), str
            ):
                return str(event.details["check"])
        return None


class SessionService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def _read(self, request_id: str) -> SessionRecord:
        async with self._ctx.db.read() as repos:
            session = await repos.sessions.get(request_id)
        if session is None:
            raise NotFound(
                f"unknown session {request_id}",
                extra={"request_id": request_id, "session_status": "unknown"},
            )
        return session

    async def status(self, request_id: str, wait: float | None = None) -> SessionRecord:
        """The session; with ``wait``, block until it leaves pending or ``wait`` seconds pass."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + min(max(wait or 0.0, 0.0), self._ctx.settings.max_wait)
        while True:
            with self._ctx.watch.watching(request_id) as wake:
                session = await self._read(request_id)
                if session.status is not SessionStatus.PENDING:
                    return session
                now = self._ctx.clock.now()
                if now >= session.expires:
                    await self._expire(session)
                    return await self._read(request_id)
                remaining = min(deadline - loop.time(), session.expires - now)
                if remaining <= 0 or self._ctx.watch.closed:
                    return session
                try:
                    async with asyncio.timeout(remaining):
                        await wake.wait()
                except TimeoutError:
                    pass

    async def _expire(self, session: SessionRecord) -> bool:
        reason = f"push timeout: no answer within {session.expires - session.created:g} s"
        async with self._ctx.unit() as u:
            now = self._ctx.clock.now()
            return await decide(u, session, SessionTrigger.EXPIRE, reason, now=now)

    async def expire_due(self) -> list[str]:
        """Mark every pending session past its expiry as timeout; returns their IDs."""
        async with self._ctx.db.read() as repos:
            due = await repos.sessions.due_for_expiry(self._ctx.clock.now())
        return [s.request_id for s in due if await self._expire(s)]

    async def run_expiry(self) -> None:
        """Background sweeper: wakes at the next expiry, at least every sweep interval."""
        interval = self._ctx.settings.expiry_sweep_interval
        while True:
            try:
                await self.expire_due()
                async with self._ctx.db.read() as repos:
                    upcoming = await repos.sessions.next_expiry()
            except asyncio.CancelledError:
                raise
            except Exception:  # a failed sweep must not end the sweeper
                log.exception("session expiry sweep failed")
                upcoming = None
            delay = interval
            if upcoming is not None:
                delay = min(interval, max(0.01, upcoming - self._ctx.clock.now()))
            await asyncio.sleep(delay)

    async def trace(self, request_id: str) -> Trace:
        session = await self.status(request_id)
        async with self._ctx.db.read() as repos:
            events = await repos.audit.for_request(request_id)
        return Trace(session=session, events=tuple(events))
