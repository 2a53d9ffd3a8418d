"""The silent "request ended" notice: the phone learns that a session ended without it.

When a session leaves ``pending`` by anything but the phone's own valid answer
(a newer login superseded it, it timed out, the authenticator was
deactivated, someone else's response decided it), the phone that shows the
request has no way to know: its Approve would only meet "session not pending".
Real authenticator services push a silent notice through the same provider
then (an FCM data message, an APNs background push), and so does the core:
``docs/protocol.md`` §16.9. The phone removes the request from its screen and
says "cancelled", "timed out" or "answered elsewhere".

The notice follows ``session.decided`` (after the commit), in the background,
and only for sessions whose push did reach the provider. The answering phone
itself gets no notice: the decision is in the answer to its ``POST
/v1/push/response``. A notice is best effort: one dispatch with a short
budget; a phone that never gets it (or ignores it, as phones built before
the notice existed do) still sees the request expire by its own clock.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from core.event_kinds import CoreEvent
from core.events import Event
from core.protocol.session import SessionStatus
from core.service.context import ServiceContext
from core.service.dispatch import PushService, push_app_config, push_app_for, push_to
from core.service.event_details import EndedNoticeSent
from core.service.views import SessionDecided

log = logging.getLogger(__name__)

# the session's status as the notice's outcome (a failure ended it without an answer)
OUTCOMES = {
    SessionStatus.ACCEPTED: "accepted",
    SessionStatus.REFUSED: "refused",
    SessionStatus.TIMEOUT: "timeout",
    SessionStatus.FAILURE: "cancelled",
}
REACHED_PROVIDER = frozenset({"sent", "retrying", "poll-fallback"})  # push states
NOTICE_TTL = 30  # seconds, at least: an expired session's notice still has a use
NOTICE_BUDGET = 5.0  # seconds of retries at most: the notice is a courtesy


def needs_notice(details: SessionDecided) -> bool:
    """False when the phone's own response decided, every check passed: it has the answer."""
    answered_by_phone = details.checks is not None and details.check is None
    return not answered_by_phone


class EndedNotices:
    """Subscribes to the core's events; sends one notice per session ended elsewhere."""

    def __init__(self, ctx: ServiceContext, push: PushService) -> None:
        self._ctx = ctx
        self._push = push
        self._tasks: set[asyncio.Task[None]] = set()
        self._unsubscribe: Callable[[], None] | None = None

    def start(self) -> None:
        if self._unsubscribe is None:
            self._unsubscribe = self._ctx.events.subscribe(self._on_event)

    def _on_event(self, event: Event) -> None:
        details = event.details
        if (
            event.kind != CoreEvent.SESSION_DECIDED
            or event.request_id is None
            or not isinstance(details, SessionDecided)
            or not needs_notice(details)
        ):
            return
        outcome = OUTCOMES.get(SessionStatus(details.status))
        if outcome is None:
            return
        task = asyncio.get_running_loop().create_task(
            self._send(event.request_id, outcome), name=f"ended notice {event.request_id}"
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send(self, request_id: str, outcome: str) -> None:
        try:
            await self._notify(request_id, outcome)
        except asyncio.CancelledError:
            raise
        except Exception:  # a courtesy notice must never disturb the core
            log.exception("the ended notice for %s failed", request_id)

    async def _notify(self, request_id: str, outcome: str) -> None:
        ctx = self._ctx
        # a session ended a moment after its login may still have its push on the way
        await self._push.handed_over(request_id, NOTICE_BUDGET)
        async with ctx.db.read() as repos:
            session = await repos.sessions.get(request_id)
            serial = session.serial if session is not None else None
            authenticator = await repos.authenticators.get(serial) if serial else None
            domain = await repos.domains.get(session.domain) if session is not None else None
        if (
            session is None
            or session.push_state not in REACHED_PROVIDER
            or authenticator is None
            or authenticator.push_token is None
            or domain is None
        ):
            return
        app = await push_app_for(ctx, authenticator.push_app_id or domain.mobile_app_name)
        if app is None:
            return
        ttl = max(NOTICE_TTL, int(session.expires - ctx.clock.now()))  # offline: back soon?
        notice = push_to(
            authenticator,
            request_id,
            ttl=ttl,
            # APNs keeps only the newest push of an offline device: a stored notice would
            # replace a newer login's push. 0 = deliver now or never (FCM stores each one)
            expiration=0,
            ended=outcome,
        )
        result = await ctx.dispatcher.dispatch(
            app=push_app_config(app), notification=notice, challenge_key="", budget=NOTICE_BUDGET
        )
        service = result.attempts[-1].service if result.attempts else app.platform
        async with ctx.unit() as u:
            u.add(
                CoreEvent.PUSH_ENDED,
                summary=f"request-ended notice ({outcome}) to {service}: {result.outcome.value}",
                request_id=request_id,
                target=service,
                raw=result.attempts[-1].request_body if result.attempts else None,
                details=EndedNoticeSent(
                    outcome=outcome, service=service, result=result.outcome.value
                ),
            )

    async def wait_idle(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def aclose(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
