"""The use cases of the validation core, behind one object.

``CoreService`` is what the HTTP API, the GUI, scenarios and the demo seed
call. It wires the parts (each in its own module) to one ``ServiceContext``:

- ``login``        steps 1-3: passKey, static password, rate limits, challenge, push
- ``respond``      steps 6-7: validate an answer and decide exactly once
- ``sessions``     status with long poll, expiry, trace
- ``activation``   register, add-device, activate, push registration
- ``device``       fetch-once challenges (challengeKey, poll fallback)
- ``directory``    administration: domains, push apps, users, authenticators, audit
"""

from __future__ import annotations

import asyncio
import contextlib

from core.clock import Clock
from core.events import EventBus
from core.observations import ObservationRecorder
from core.push.dispatcher import PushDispatcher
from core.service.activation import ActivationService
from core.service.context import ServiceContext, SessionWatch
from core.service.directory import DirectoryService
from core.service.dispatch import PushService
from core.service.ended_notice import EndedNotices
from core.service.login import LoginResult, LoginService
from core.service.responses import Decided, ResponseService
from core.service.sessions import SessionService, Trace
from core.settings import CoreSettings
from core.step_gate import NO_GATE, Gate
from core.storage import Database
from core.storage.records import SessionRecord
from core.storage.retention import run_retention

__all__ = ["CoreService", "Decided", "LoginResult", "Trace"]


class CoreService:
    def __init__(
        self,
        *,
        db: Database,
        settings: CoreSettings,
        clock: Clock,
        events: EventBus,
        dispatcher: PushDispatcher,
        gate: Gate = NO_GATE,
    ) -> None:
        self.context = ServiceContext(
            db=db,
            settings=settings,
            clock=clock,
            events=events,
            dispatcher=dispatcher,
            watch=SessionWatch(),
            gate=gate,
        )
        self.push = PushService(self.context)
        self._login = LoginService(self.context, self.push)
        self.login = self._login.login  # (user_id=, domain=, passkey=, ...) -> LoginResult
        self.directory = DirectoryService(self.context, self._login.password_checks)
        self.activation = ActivationService(self.context)
        self.sessions = SessionService(self.context)
        self.device = ResponseService(self.context)
        self._background: list[asyncio.Task[None]] = []
        self.observations = ObservationRecorder(db, events)
        # the phone hears of a session's end
        self.ended_notices = EndedNotices(self.context, self.push)

    @property
    def settings(self) -> CoreSettings:
        return self.context.settings

    @property
    def db(self) -> Database:
        return self.context.db

    async def respond(self, *, serial: str, response_message: str) -> Decided:
        return await self.device.respond(serial=serial, response_message=response_message)

    async def session_status(self, request_id: str, wait: float | None = None) -> SessionRecord:
        return await self.sessions.status(request_id, wait)

    async def trace(self, request_id: str) -> Trace:
        await self.observations.flush()  # phone and provider steps seen so far
        return await self.sessions.trace(request_id)

    def start_background(self) -> None:
        """Expiry sweeper, retention and observation recorder; CoreServer.start calls this."""
        self.observations.start()
        self.ended_notices.start()
        if not self._background:
            ctx = self.context
            self._background = [
                asyncio.create_task(self.sessions.run_expiry(), name="session expiry"),
                asyncio.create_task(
                    run_retention(ctx.db, ctx.settings, ctx.clock), name="retention"
                ),
            ]

    async def close(self) -> None:
        """Stop background work and release long polls; the database stays open."""
        self.context.watch.close()
        await self.observations.close()
        for task in self._background:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._background = []
        await self.ended_notices.aclose()
        await self.push.aclose()
        await self.context.dispatcher.aclose()
