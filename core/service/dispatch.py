"""Step 3: hand the challenge to FCM/APNs and map the provider's answer to the session.

Dispatch runs as a background task per session. The login waits until the
push is *handed over* (the provider accepted it, refused it for good, or asked
to retry), at most ``login_dispatch_wait`` seconds: a healthy provider's
verdict (or a dead token) is in the login answer, while retries and backoff
never hold the login; the session status and the events report the rest. Outcomes (SPEC §2.3):

=================  =====================================================
provider says      session / authenticator
=================  =====================================================
delivered          stays pending (push_state ``sent``)
unregistered       failure; authenticator ``push-unregistered``
auth error         failure, with the provider's reason
rejected/config    failure, with the reason (e.g. legacy FCM key)
retries exhausted  failure, or pending with ``poll-fallback`` when the
                   domain allows polling
=================  =====================================================

Every decision is a conditional update, so an answer that arrived meanwhile
(e.g. through the poll fallback) is never overwritten.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from core.event_kinds import CoreEvent
from core.protocol.fields import copied
from core.protocol.session import SessionStatus, SessionTrigger
from core.push.config import PushAppConfig
from core.push.dispatcher import DispatchResult
from core.push.transport import PushAttempt, PushNotification, PushOutcome
from core.service.alert import SUBJECT, TITLE
from core.service.context import ServiceContext
from core.service.event_details import AuthenticatorStatus, PushAttempted, PushResult
from core.service.lifecycle import decide
from core.service.unit import Journal
from core.storage.records import (
    AUTH_ACTIVE,
    AUTH_PUSH_UNREGISTERED,
    AuthenticatorRecord,
    DomainRecord,
    PushAppRecord,
    SessionRecord,
)

log = logging.getLogger(__name__)


class PushService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._tasks: set[asyncio.Task[None]] = set()
        self._handing_over: dict[str, asyncio.Event] = {}  # request ID -> handed over

    def start(
        self,
        *,
        session: SessionRecord,
        authenticator: AuthenticatorRecord,
        domain: DomainRecord,
        challenge_key: str,
    ) -> asyncio.Event:
        """Dispatch in the background; the event is set once the push is handed over.

        "Handed over" = the provider accepted it, refused it for good, or asked
        for a retry (the retries then go on in the background).
        """
        handed_over = asyncio.Event()
        dispatch = functools.partial(
            self._dispatch, session, authenticator, domain, challenge_key, handed_over
        )
        request_id = session.request_id
        task = asyncio.create_task(
            self._run(session, handed_over, dispatch), name=f"push {request_id}"
        )
        self._tasks.add(task)
        self._handing_over[request_id] = handed_over
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(lambda _: self._handing_over.pop(request_id, None))
        return handed_over

    async def handed_over(self, request_id: str, timeout: float) -> None:  # noqa: ASYNC109
        """Return once the session's push is handed over (or never was), at most ``timeout`` s.

        A session can end while its push is still on the way to the provider
        (deactivated, superseded a moment after the login): whoever needs the
        push's fate, like the request-ended notice, waits here first.
        """
        handing_over = self._handing_over.get(request_id)
        if handing_over is not None:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    await handing_over.wait()

    async def _run(
        self,
        session: SessionRecord,
        handed_over: asyncio.Event,
        dispatch: Callable[[], Awaitable[None]],
    ) -> None:
        """``dispatch()``, and whatever becomes of it, ``handed_over`` is set at the end."""
        try:
            await dispatch()
        except asyncio.CancelledError:
            raise
        except Exception:  # a bug must not leave the session pending without a word
            log.exception("push dispatch for %s failed", session.request_id)
            await self._fail(session, "internal error during push dispatch")
        finally:
            handed_over.set()

    async def _dispatch(
        self,
        session: SessionRecord,
        authenticator: AuthenticatorRecord,
        domain: DomainRecord,
        challenge_key: str,
        handed_over: asyncio.Event,
    ) -> None:
        request_id = session.request_id
        await self._ctx.gate.reach(3, request_id)  # step mode: before the push goes out
        app_id = authenticator.push_app_id or domain.mobile_app_name
        app = await push_app_for(self._ctx, app_id)
        if app is None:
            await self._fail(session, f"no push app configuration for app ID {app_id}")
            return
        assert session.request_message is not None
        assert authenticator.push_token is not None
        notification = push_to(
            authenticator,
            request_id,
            ttl=domain.push_timeout,
            expiration=int(session.expires),
            request_message=session.request_message,
        )

        # the last attempt's event is stored with the outcome, in the same transaction
        last = Journal(self._ctx.clock)

        async def on_attempt(number: int, attempt: PushAttempt, delay: float | None) -> bool:
            verb = {PushOutcome.DELIVERED: "accepted"}.get(attempt.outcome, attempt.outcome.value)
            summary = f"{attempt.service} attempt {number}: {verb} ({attempt.reason})"
            if delay is None:
                self._attempt_event(last, request_id, number, attempt, summary, delay)
                return True
            summary += f", retry in {delay:.2f} s"
            async with self._ctx.unit() as u:
                self._attempt_event(u.journal, request_id, number, attempt, summary, delay)
                current = await u.tx.sessions.get(request_id)
                still_pending = current is not None and current.status == SessionStatus.PENDING
                if still_pending:
                    await u.tx.sessions.set_push_state(request_id, "retrying", summary)
            handed_over.set()  # the login need not wait for the retries
            return still_pending  # retrying for a decided session would only bother the phone

        budget = max(0.0, session.expires - self._ctx.clock.now())
        result = await self._ctx.dispatcher.dispatch(
            app=push_app_config(app),
            notification=notification,
            challenge_key=challenge_key,
            on_attempt=on_attempt,
            budget=budget,
        )
        await self._conclude(session, authenticator, domain, result, last)

    async def _conclude(
        self,
        session: SessionRecord,
        authenticator: AuthenticatorRecord,
        domain: DomainRecord,
        result: DispatchResult,
        journal: Journal,
    ) -> None:
        outcome = result.outcome
        via = " (challengeKey)" if result.challenge_key_used else ""
        if result.stopped:
            summary = "retries stopped: the session was decided meanwhile"
            await self._result(
                session, "stopped", result.reason, summary, journal, PushResult(outcome="stopped")
            )
        elif outcome is PushOutcome.DELIVERED:
            summary = f"handed to {result.reason.split(':')[0]}{via}"
            await self._result(
                session,
                "sent",
                result.reason + via,
                summary,
                journal,
                PushResult(outcome=outcome.value, challenge_key=result.challenge_key_used),
            )
        elif outcome is PushOutcome.UNREGISTERED:
            await self._fail(
                session,
                f"push token unregistered ({result.reason})",
                unregister=authenticator.serial,
                j=journal,
            )
        elif outcome is PushOutcome.RETRYABLE and domain.poll_fallback:
            summary = f"push not delivered ({result.reason}); waiting for the app to poll"
            await self._result(
                session,
                "poll-fallback",
                result.reason,
                summary,
                journal,
                PushResult(outcome="poll-fallback"),
            )
        elif outcome is PushOutcome.RETRYABLE:
            await self._fail(session, f"push not delivered: {result.reason}", j=journal)
        else:
            await self._fail(session, f"push refused: {result.reason}", j=journal)

    async def _result(
        self,
        session: SessionRecord,
        push_state: str,
        detail: str,
        summary: str,
        journal: Journal,
        details: PushResult,
    ) -> None:
        """A dispatch that ends without deciding the session: its push state and one event."""
        async with self._ctx.unit(journal) as u:
            u.add(
                CoreEvent.PUSH_RESULT,
                summary=summary,
                request_id=session.request_id,
                step=3,
                details=details,
            )
            await u.tx.sessions.set_push_state(session.request_id, push_state, detail)

    async def _fail(
        self, session: SessionRecord, reason: str, *, unregister: str = "", j: Journal | None = None
    ) -> None:
        """Fail the session (``j``: events gathered before, e.g. the last attempt's)."""
        async with self._ctx.unit(j) as u:
            await u.tx.sessions.set_push_state(session.request_id, "failed", reason)
            u.add(
                CoreEvent.PUSH_RESULT,
                summary=reason,
                request_id=session.request_id,
                step=3,
                details=PushResult(outcome="failure"),
            )
            await decide(u, session, SessionTrigger.FAIL, reason, now=self._ctx.clock.now())
            if unregister and await u.tx.authenticators.set_status(
                unregister, AUTH_PUSH_UNREGISTERED, only_from=AUTH_ACTIVE
            ):
                u.add(
                    CoreEvent.AUTHENTICATOR_STATUS,
                    summary=f"authenticator {unregister}: {AUTH_PUSH_UNREGISTERED}",
                    request_id=session.request_id,
                    details=AuthenticatorStatus(serial=unregister, status=AUTH_PUSH_UNREGISTERED),
                )

    @staticmethod
    def _attempt_event(
        u: Journal,
        request_id: str,
        number: int,
        attempt: PushAttempt,
        summary: str,
        delay: float | None,
    ) -> None:
        u.add(
            CoreEvent.PUSH_ATTEMPT,
            summary=summary,
            request_id=request_id,
            step=3,
            target=attempt.service,
            raw=attempt.request_body,
            details=PushAttempted.of(number, attempt, delay),
        )

    async def wait_idle(self) -> None:
        """Until every dispatch started so far has finished (tests, orderly shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def aclose(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def push_to(
    authenticator: AuthenticatorRecord, request_id: str, **content: Any
) -> PushNotification:
    """A push for ``request_id`` to the authenticator's token; ``content``: ttl, expiration..."""
    assert authenticator.push_token is not None
    to: dict[str, Any] = {"token": authenticator.push_token, "serial": authenticator.serial}
    return PushNotification(**to, request_id=request_id, title=TITLE, body=SUBJECT, **content)


async def push_app_for(ctx: ServiceContext, app_id: str) -> PushAppRecord | None:
    """The push app an authenticator's pushes go through: by app ID, else by Bundle ID."""
    async with ctx.db.read() as repos:
        return await repos.push_apps.get(app_id) or await repos.push_apps.find_by_bundle_id(app_id)


def push_app_config(app: PushAppRecord) -> PushAppConfig:
    """The stored push app in the push layer's own terms: its ``PushApp`` fields."""
    return copied(PushAppConfig, app)
