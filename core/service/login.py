"""Steps 1-2: check keyword + static password, apply the rate limits, build the challenge.

Order of checks (each refusal sends no push): the domain exists -> the
passKey fits the domain's method/keywords -> the user exists (an unknown one is
answered like a wrong password, see ``login_checks``) -> the user is not locked
-> the static password (scrypt, off the loop; the attempt is charged towards the
lockout before the hash runs) -> a push-ready authenticator -> no reject
cool-down -> the push rate limit -> the pending-push limit. The last four run
inside the transaction that creates the session, so two concurrent logins
cannot both slip under a limit. Refusals by a rate limit are recorded as failed
sessions, so the trace shows them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import secrets
from dataclasses import dataclass

from core.event_kinds import CoreEvent
from core.events import MessageDetails
from core.protocol.fields import copied
from core.protocol.keys import AuthenticatorKeys, UnlockProtection
from core.protocol.messages import ChallengeRequest, RequestContext, new_challenge
from core.protocol.passkey import RequestMethod, split_passkey
from core.protocol.secure_channel import MessageType, Protection, peek_header, seal
from core.protocol.session import SessionStatus, SessionTrigger
from core.service.alert import SUBJECT, TITLE
from core.service.context import ServiceContext
from core.service.credentials import challenge_key_hash
from core.service.dispatch import PushService
from core.service.errors import Conflict, InvalidInput, NotFound, TooManyRequests
from core.service.event_details import LoginDetails, SecureHeader
from core.service.lifecycle import decide
from core.service.login_checks import PasswordGate, locked, push_cap_wait
from core.service.unit import Journal, Unit
from core.settings import PendingPolicy
from core.storage.records import DomainRecord, SessionRecord, UserRecord

REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


@dataclass(frozen=True, kw_only=True)
class LoginResult:
    request_id: str
    status: str
    reason: str
    number: int | None


class LoginService:
    def __init__(self, ctx: ServiceContext, push: PushService) -> None:
        self._ctx = ctx
        self._push = push
        self._gate = PasswordGate(ctx)
        self.password_checks = self._gate.checking  # (user_id, domain) -> checks in flight

    async def login(
        self,
        *,
        user_id: str,
        domain: str,
        passkey: str,
        client_ip: str = "",
        request_id: str | None = None,
    ) -> LoginResult:
        if request_id is not None and not REQUEST_ID.fullmatch(request_id):
            raise InvalidInput(
                "invalid requestID",
                validation_errors=[
                    {"field": "request_id", "message": "1-64 of A-Z a-z 0-9 . _ : -"}
                ],
            )
        async with self._ctx.db.read() as repos:
            domain_record = await repos.domains.get(domain)
            user = await repos.users.get(user_id, domain)
        if domain_record is None:
            raise NotFound(f"unknown domain {domain}")
        parts = split_passkey(
            passkey,
            method=RequestMethod(domain_record.request_method),
            keywords=list(domain_record.keywords),
        )
        if user is None:
            await self._gate.unknown_user(user_id, domain_record, parts.password)
        if user.locked:
            raise locked(f"{user_id}@{domain}")
        if parts.password is not None:
            async with self._gate.charge(user, domain_record):
                await self._check_password(user, domain_record, parts.password)
        protection = UnlockProtection(
            domain_record.keywords.get(parts.keyword or "", UnlockProtection.DEVICE.value)
        )
        return await self._start(
            user, domain_record, protection, parts.keyword, client_ip, request_id
        )

    async def _check_password(self, user: UserRecord, domain: DomainRecord, password: str) -> None:
        """One charged attempt: right resets the count, wrong stays counted (and may lock)."""
        ok = await self._gate.verify(user, password)
        async with self._ctx.unit() as u:
            if ok:
                if await u.tx.users.password_right(user.user_id, user.domain):
                    return
                raise locked(f"{user.user_id}@{user.domain}")  # by a concurrent guess or admin
            after, locked_now = await u.tx.users.password_wrong(
                user.user_id, user.domain, domain.lockout_threshold
            )
            u.add(
                CoreEvent.LOGIN_REFUSED,
                summary=f"wrong static password for {user.user_id}@{user.domain}"
                f" ({after.failed_attempts}/{domain.lockout_threshold})"
                + ("; user locked" if after.locked else ""),
                step=1,
                source="client",
                target="core",
                details=LoginDetails(user=f"{user.user_id}@{user.domain}"),
            )
        if after.locked and not locked_now:  # locked while this check ran: the same 423
            raise locked(f"{user.user_id}@{user.domain}")
        raise self._gate.wrong(domain, after, locked_now)

    async def _start(
        self,
        user: UserRecord,
        domain: DomainRecord,
        protection: UnlockProtection,
        keyword: str | None,
        client_ip: str,
        request_id: str | None,
    ) -> LoginResult:
        request_id = request_id or secrets.token_hex(16)
        await self._ctx.gate.reach(2, request_id)  # step mode: before the challenge
        now = self._ctx.clock.now()
        settings = self._ctx.settings
        who = f"{user.user_id}@{user.domain}"
        login_raw = json.dumps(
            {
                "objectType": "LoginInput",
                "credentials": {"passKey": f"{keyword or ''}•••"},  # never the password
                "orchestrationDelivery": ["pushNotification"],
                "clientIP": client_ip,
                "requestID": request_id,
            }
        )
        refusal: TooManyRequests | None = None
        async with self._ctx.unit() as u:
            u.add(
                CoreEvent.LOGIN_RECEIVED,
                summary=f"login for {who} (keyword {keyword or '-'})",
                request_id=request_id,
                step=1,
                source="client",
                target="core",
                raw=login_raw,
                details=LoginDetails(user=who),
            )
            if await u.tx.sessions.get(request_id) is not None:
                raise Conflict(f"requestID {request_id} is taken")
            current = await u.tx.users.get(user.user_id, user.domain)
            if current is None:
                raise NotFound(f"unknown user {who}")
            if current.locked:
                raise locked(who)
            authenticator = await u.tx.authenticators.push_ready_for_user(user.user_id, user.domain)
            if authenticator is None:
                raise Conflict(f"no active authenticator with a push registration for {who}")
            seed = _Seed(
                request_id=request_id,
                user_id=user.user_id,
                domain=user.domain,
                serial=authenticator.serial,
                challenge=new_challenge(),
                protection=protection,
                keyword=keyword,
                client_ip=client_ip,
                created=now,
                expires=now + domain.push_timeout,
            )
            if current.cooldown_until is not None and current.cooldown_until > now:
                wait = int(current.cooldown_until - now) + 1
                refusal = TooManyRequests(
                    f"push cool-down: {settings.reject_limit} rejected pushes within"
                    f" {settings.reject_window / 60:g} min; logins refused for {wait} s",
                    extra={"request_id": request_id, "retry_after": wait},
                )
            elif capped := await push_cap_wait(u.tx, current, authenticator.serial, domain, now):
                refusal = TooManyRequests(
                    f"push rate limit: at most {domain.push_rate_limit} pushes per"
                    f" {domain.push_rate_window} s for {who} and its authenticator;"
                    f" logins refused for {capped} s",
                    extra={"request_id": request_id, "retry_after": capped},
                )
            else:
                pending = await self._pending(u, user, now)
                over = len(pending) - settings.max_pending_per_user + 1
                if over > 0 and settings.pending_policy is PendingPolicy.REFUSE:
                    refusal = TooManyRequests(
                        f"a push for {who} is already pending; answer or let it expire first",
                        extra={"request_id": request_id},
                    )
                elif over > 0:
                    for old in pending[:over]:
                        reason = f"cancelled: superseded by a newer login ({request_id})"
                        await decide(u, old, SessionTrigger.FAIL, reason, now=now)
            if refusal is not None:
                await u.tx.sessions.insert(
                    seed.record(SessionStatus.FAILURE, f"refused: {refusal.reason}")
                )
                u.add(
                    CoreEvent.LOGIN_REFUSED,
                    summary=f"refused: {refusal.reason}",
                    request_id=request_id,
                    step=1,
                    target="client",
                    details=LoginDetails(rate_limit=True),
                )
                session = None
            else:
                keys = AuthenticatorKeys.from_dict(dict(authenticator.keys))
                session, challenge_key = _challenge(seed, keys, domain, u.journal)
                await u.tx.sessions.insert(session)
        if refusal is not None:
            raise refusal
        assert session is not None  # made in the transaction when nothing refused
        handed_over = self._push.start(
            session=session, authenticator=authenticator, domain=domain, challenge_key=challenge_key
        )
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(settings.login_dispatch_wait):
                await handed_over.wait()
        async with self._ctx.db.read() as repos:
            latest = await repos.sessions.get(request_id)
        assert latest is not None
        return LoginResult(
            request_id=request_id, status=latest.status, reason=latest.reason, number=latest.number
        )

    async def _pending(
        self,
        u: Unit,
        user: UserRecord,
        now: float,
    ) -> list[SessionRecord]:
        """The user's live pending sessions; expired ones are marked timeout on the way."""
        live = []
        for session in await u.tx.sessions.pending_for_user(user.user_id, user.domain):
            if session.expires > now:
                live.append(session)
            else:
                await decide(u, session, SessionTrigger.EXPIRE, "push timeout", now=now)
        return live


def _three_numbers() -> list[int]:
    """Three distinct two-digit numbers (10-99), in random order."""
    pool = list(range(10, 100))
    picked = []
    for _ in range(3):
        picked.append(pool.pop(secrets.randbelow(len(pool))))
    return picked


@dataclass(frozen=True, kw_only=True)
class _Seed:
    """What a new session is made of, before its challenge message exists."""

    request_id: str
    user_id: str
    domain: str
    serial: str
    challenge: str
    protection: UnlockProtection
    keyword: str | None
    client_ip: str
    created: float
    expires: float

    def record(
        self,
        status: SessionStatus,
        reason: str,
        *,
        number: int | None = None,
        numbers: tuple[int, ...] | None = None,
        request_message: str | None = None,
        challenge_key_hash: str | None = None,
        push_state: str = "none",
    ) -> SessionRecord:
        return SessionRecord(
            request_id=self.request_id,
            user_id=self.user_id,
            domain=self.domain,
            serial=self.serial,
            challenge=self.challenge,
            protection=self.protection.value,
            keyword=self.keyword,
            status=status,
            reason=reason,
            number=number,
            numbers=numbers,
            client_ip=self.client_ip,
            created=self.created,
            expires=self.expires,
            decided=None if status is SessionStatus.PENDING else self.created,
            request_message=request_message,
            challenge_key_hash=challenge_key_hash,
            fetched=False,
            push_state=push_state,
            push_detail="",
            user_rejected=False,
            checks=None,
            failed_check=None,
        )


def _challenge(
    seed: _Seed, keys: AuthenticatorKeys, domain: DomainRecord, journal: Journal
) -> tuple[SessionRecord, str]:
    """Step 2: the challenge request, sealed for the authenticator (type 3, 0x01)."""
    number: int | None = None
    numbers: tuple[int, ...] | None = None
    if domain.number_matching:
        choices = _three_numbers()
        number = choices[secrets.randbelow(3)]
        numbers = tuple(choices)
    request = copied(
        ChallengeRequest,
        seed,
        title=TITLE,
        subject=SUBJECT,
        context=RequestContext(client_ip=seed.client_ip, time=seed.created),
        numbers=numbers,
    )
    message = seal(
        type=MessageType.REQUEST,
        protection=Protection.ENCRYPT_AND_MAC,
        serial=request.serial,
        body=request.to_bytes(),
        keys=keys.server_to_device,
    )
    challenge_key = secrets.token_urlsafe(24)
    session = seed.record(
        SessionStatus.PENDING,
        "",
        number=number,
        numbers=numbers,
        request_message=message,
        challenge_key_hash=challenge_key_hash(challenge_key),
        push_state="sending",
    )
    journal.add(
        CoreEvent.CHALLENGE_CREATED,
        summary=f"challenge for {request.serial}, protection {request.protection.value}"
        + (f", number {number}" if number is not None else ""),
        request_id=request.request_id,
        step=2,
        raw=message,
        details=MessageDetails(
            header=SecureHeader.of(peek_header(message)), body=request.to_dict()
        ),
    )
    return session, challenge_key
