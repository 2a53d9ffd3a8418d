"""Steps 4, 6 and 7 on the core's side: the phone fetches a challenge, answers, the core decides.

Deciding (step 7): the protocol's ``validate_response`` runs the checks on a
snapshot of the session; then one transaction records the nonce (PRIMARY KEY
(serial, nonce): a concurrent replay loses here) and moves the session out of
``pending`` with a conditional UPDATE. Of N simultaneous answers exactly one
update wins; the others are told ``session outdated: <status>``. The answer
is sent only after the commit, so a decision a client has seen survives a crash.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NoReturn

from core.event_kinds import CoreEvent
from core.protocol.errors import OUTDATED_WORDS, SecureChannelError
from core.protocol.keys import AuthenticatorKeys, UnlockProtection
from core.protocol.messages import Decision
from core.protocol.secure_channel import SecureChannelHeader, peek_header
from core.protocol.session import (
    OUTCOME_TRIGGERS,
    REFUSAL_STATUS,
    Check,
    SessionFacts,
    SessionStatus,
    Verdict,
    open_response,
    validate_response,
)
from core.service.context import ServiceContext
from core.service.credentials import challenge_key_hash, signed_authenticator
from core.service.errors import Conflict, Forbidden, InvalidInput, NotFound, ServiceError
from core.service.event_details import CoolDown, ResponseReceived, ResponseRefused, SecureHeader
from core.service.lifecycle import decide
from core.service.unit import Journal, Unit
from core.storage.records import AUTH_ACTIVE, AuthenticatorRecord, SessionRecord

# The refusal statuses live once, in ``REFUSAL_STATUS``; this only names the
# service error that carries each status.
_ERROR_BY_STATUS: dict[int, type[ServiceError]] = {
    error.http_status: error for error in (InvalidInput, Forbidden, NotFound, Conflict)
}


@dataclass(frozen=True, kw_only=True)
class Decided:
    request_id: str
    status: str
    reason: str


def outdated(status: str) -> str:
    return f"session outdated: {OUTDATED_WORDS.get(status, status)}"


def checks_json(verdict: Verdict) -> list[dict[str, Any]]:
    return [
        {"check": c.check.value, "passed": c.passed, "detail": c.detail} for c in verdict.checks
    ]


class ResponseService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    # -- step 4: fetch once --------------------------------------------------------
    async def fetch_by_challenge_key(self, serial: str, challenge_key: str) -> str:
        async with self._ctx.unit() as u:
            session = await u.tx.sessions.get_by_challenge_key_hash(
                challenge_key_hash(challenge_key)
            )
            if session is None or session.serial != serial or session.request_message is None:
                raise NotFound("unknown or already used challenge key")
            if session.expires <= self._ctx.clock.now():
                # the sweeper may not have marked it yet; an expired challenge is gone
                raise NotFound("unknown or already used challenge key")
            if not await u.tx.sessions.mark_fetched(session.request_id):
                raise NotFound("unknown or already used challenge key")
            self._fetched(u.journal, session, "by challengeKey")
        return session.request_message

    async def fetch_pending(self, serial: str, *, time: float, signature: str) -> str | None:
        """The poll fallback: the newest unfetched pending challenge, once."""
        async with self._ctx.unit() as u:
            authenticator = await signed_authenticator(
                self._ctx,
                u.tx,
                serial,
                purpose="pending",
                fields={},
                time=time,
                signature=signature,
            )
            if authenticator.status != AUTH_ACTIVE:
                raise Forbidden(f"authenticator {serial} is {authenticator.status}")
            domain = await u.tx.domains.get(authenticator.domain)
            if domain is None or not domain.poll_fallback:
                raise Forbidden(f"domain {authenticator.domain} does not allow polling")
            session = await u.tx.sessions.newest_unfetched_pending(serial, self._ctx.clock.now())
            if session is None or not await u.tx.sessions.mark_fetched(session.request_id):
                return None
            self._fetched(u.journal, session, "by polling")
        return session.request_message

    @staticmethod
    def _fetched(journal: Journal, session: SessionRecord, how: str) -> None:
        journal.add(
            CoreEvent.CHALLENGE_FETCHED,
            summary=f"challenge fetched {how}",
            request_id=session.request_id,
            step=4,
            source="phone",
            target="core",
            raw=session.request_message,
        )

    # -- steps 6-7: answer and decision -------------------------------------------------
    async def respond(self, *, serial: str, response_message: str) -> Decided:
        async with self._ctx.db.read() as repos:
            authenticator = await repos.authenticators.get(serial)
        if authenticator is None:
            raise NotFound(f"unknown authenticator {serial}", extra={"check": "serial_matches"})
        if not isinstance(response_message, str):  # the API's boundary checks this already
            raise InvalidInput(
                "response_message must be a string",
                validation_errors=[{"field": "response_message", "message": "must be a string"}],
            )
        keys = AuthenticatorKeys.from_dict(dict(authenticator.keys))
        opened = open_response(response_message, keys)
        request_id = None if opened is None else opened.request_id
        await self._ctx.gate.reach(7, request_id)  # step mode: before validating
        async with self._ctx.db.read() as repos:
            session = None if request_id is None else await repos.sessions.get(request_id)
            seen = opened is not None and await repos.nonces.seen(
                opened.header.serial, opened.header.nonce
            )
        now = self._ctx.clock.now()
        verdict = validate_response(
            message=opened,
            authenticator_serial=serial,
            authenticator_active=authenticator.status == AUTH_ACTIVE,
            keys=keys,
            session=_facts(session),
            nonce_is_fresh=lambda _serial, _nonce: not seen,
            now=now,
        )
        journal = Journal(self._ctx.clock)
        trace_id, attributed = await self._trace_target(session, serial)
        # a message that did not open: its unverified header is still worth showing
        shown = verdict.header or _peek(response_message)
        journal.add(
            CoreEvent.RESPONSE_RECEIVED,
            summary=f"response from {serial}"
            + (f": {verdict.response.decision.value}" if verdict.response else ""),
            request_id=trace_id,
            step=6,
            source="phone",
            target="core",
            raw=response_message,
            # an unverified header is still worth showing; header_verified says which it is
            details=ResponseReceived(
                header=None if shown is None else SecureHeader.of(shown),
                header_verified=verdict.header is not None,
                body=None if verdict.response is None else verdict.response.to_dict(),
                serial=serial,
                attributed=attributed,
            ),
        )
        if verdict.outcome is None:
            await self._refuse(journal, verdict, trace_id, serial)
        assert session is not None  # a decision needs the session ...
        assert verdict.header is not None  # ... and an authentic header
        return await self._decide(journal, verdict, session, authenticator, verdict.header)

    async def _trace_target(
        self, session: SessionRecord | None, serial: str
    ) -> tuple[str | None, bool]:
        """Which session's trace shows this message, and whether that is only a guess.

        A message that cannot be opened names no session; QA still wants to see
        the tampered answer in the trace, so it is filed under the serial's
        newest pending (else newest) session, marked ``attributed``.
        """
        if session is not None:
            return session.request_id, False
        async with self._ctx.db.read() as repos:
            guess = await repos.sessions.newest_for_serial(serial)
        return (None, False) if guess is None else (guess.request_id, True)

    async def _refuse(
        self, journal: Journal, verdict: Verdict, trace_id: str | None, serial: str
    ) -> NoReturn:
        failed = verdict.failed or Check.SECURE_CHANNEL_TAG
        refused = ResponseRefused(
            check=failed.value,
            reason=verdict.reason,
            checks=tuple(checks_json(verdict)),
            serial=serial,
        )
        _refused(journal, refused, f"{verdict.reason}; session unchanged", trace_id)
        async with self._ctx.unit(journal):
            pass  # the refusal's events are all this unit writes
        error = _ERROR_BY_STATUS[REFUSAL_STATUS.get(failed, Forbidden.http_status)]
        # a message that did not open gets the one opaque answer (protocol §1.3), even an
        # authentic one with a bad body; the reason stays in the trace for the operator
        said = SecureChannelError.MESSAGE if failed is Check.SECURE_CHANNEL_TAG else verdict.reason
        raise error(said, extra={"check": failed.value})

    async def _decide(
        self,
        journal: Journal,
        verdict: Verdict,
        session: SessionRecord,
        authenticator: AuthenticatorRecord,
        header: SecureChannelHeader,
    ) -> Decided:
        assert verdict.outcome is not None
        status = verdict.outcome.value
        user_rejected = (
            verdict.failed is None
            and verdict.response is not None
            and verdict.response.decision is Decision.REJECT
        )
        now = self._ctx.clock.now()
        refusal: ServiceError | None = None
        async with self._ctx.unit(journal) as u:
            if not await u.tx.nonces.remember(header.serial, header.nonce, now):
                _refused(
                    u.journal,
                    ResponseRefused(check=Check.NONCE_FRESH.value),
                    "replayed message; session unchanged",
                    session.request_id,
                )
                refusal = Forbidden(
                    "replayed message: nonce seen before", extra={"check": Check.NONCE_FRESH.value}
                )
            elif await decide(
                u,
                session,
                OUTCOME_TRIGGERS[verdict.outcome],
                verdict.reason,
                now=now,
                user_rejected=user_rejected,
                checks=checks_json(verdict),
                failed_check=None if verdict.failed is None else verdict.failed.value,
                protection_used=(
                    None if verdict.response is None else verdict.response.protection.value
                ),
            ):
                if user_rejected:
                    await self._cool_down(u, session, now)
            else:
                latest = await u.tx.sessions.get(session.request_id)
                final = latest.status if latest else "unknown"
                _refused(
                    u.journal,
                    ResponseRefused(check=Check.SESSION_PENDING.value),
                    f"{outdated(final)}; lost the race",
                    session.request_id,
                )
                refusal = Conflict(outdated(final), extra={"check": Check.SESSION_PENDING.value})
        if refusal is not None:
            raise refusal
        return Decided(request_id=session.request_id, status=status, reason=verdict.reason)

    async def _cool_down(self, u: Unit, session: SessionRecord, now: float) -> None:
        """M rejects within the window: refuse this user's logins for a while (push bombing)."""
        settings = self._ctx.settings
        user = await u.tx.users.get(session.user_id, session.domain)
        since = max(now - settings.reject_window, (user and user.pushes_counted_from) or 0.0)
        rejects = await u.tx.sessions.count_user_rejects(session.user_id, session.domain, since)
        if rejects < settings.reject_limit:
            return
        until = now + settings.reject_cooldown
        await u.tx.users.update(session.user_id, session.domain, {"cooldown_until": until})
        u.add(
            CoreEvent.RATELIMIT_COOLDOWN,
            summary=f"{rejects} rejects within {settings.reject_window / 60:g} min:"
            f" logins for {session.user_id}@{session.domain} refused for"
            f" {settings.reject_cooldown:g} s",
            request_id=session.request_id,
            step=7,
            details=CoolDown(until=until),
        )


def _peek(message: str) -> SecureChannelHeader | None:
    try:
        return peek_header(message)
    except SecureChannelError:
        return None


def _facts(session: SessionRecord | None) -> SessionFacts | None:
    if session is None or session.serial is None:
        return None
    return SessionFacts(
        request_id=session.request_id,
        serial=session.serial,
        challenge=session.challenge,
        status=SessionStatus(session.status),
        required_protection=UnlockProtection(session.protection),
        expires=session.expires,
        number=session.number,
    )


def _refused(journal: Journal, details: ResponseRefused, why: str, request_id: str | None) -> None:
    """The one ``response.refused`` event: an answer that could not speak for the session."""
    journal.add(
        CoreEvent.RESPONSE_REFUSED,
        summary=f"{details.check} failed: {why}",
        request_id=request_id,
        step=7,
        target="phone",
        details=details,
    )
