"""Step 1's guards: the static password under a lockout that holds however many guesses
arrive at once, answers that do not tell unknown users from wrong passwords, and the
push rate limit.

Lockout: an attempt is charged (a conditional UPDATE that succeeds only while the
user is unlocked and below the threshold) *before* its hash is checked, and a
charged check counts as a wrong password until it proves right. So at most
``lockoutThreshold`` wrong guesses are ever evaluated; a guess that finds every
slot charged waits until a check in flight settles and tries again, and once the
user is locked every guess, right or wrong, gets the same 423.

Unknown users: unless the domain reveals them (a demo option), an unknown user's
password is checked against a dummy hash with the current cost and the answer is
the wrong password's 401, body included (which is why that body names no
remaining attempts unless the domain reveals unknown users).
"""

from __future__ import annotations

import asyncio
import math
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import NoReturn

from core.event_kinds import CoreEvent
from core.service.context import ServiceContext
from core.service.errors import Locked, NotFound
from core.service.errors import Unauthorized as WrongPassword
from core.service.event_details import LoginDetails
from core.service.passwords import hash_password_async, verify_password_async
from core.storage import Repositories
from core.storage.records import DomainRecord, UserRecord

UNKNOWN_OR_WRONG = "wrong user ID or static password"

__all__ = ["UNKNOWN_OR_WRONG", "PasswordGate", "locked", "push_cap_wait", "pushes_in_window"]


def locked(who: str) -> Locked:
    return Locked(f"user {who} is locked after too many wrong static passwords")


class PasswordGate:
    """Charges, checks and settles static password attempts.

    The charge is in the database; which checks are still running is known only
    to this process (the one core process that owns the database), which is how
    a charge that never settled (a cancelled request, a crash) is told apart
    from one in flight: it counts as the failure it was charged as.
    """

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._dummy: asyncio.Task[str] | None = None
        self._in_flight: dict[tuple[str, str], int] = {}
        self._settled: dict[tuple[str, str], asyncio.Event] = {}

    def checking(self, user_id: str, domain: str) -> int:
        """How many of the user's charged checks are running now (not failures yet)."""
        return self._in_flight.get((user_id, domain), 0)

    async def _dummy_hash(self) -> str:
        """A hash of a random password at today's cost: what an unknown user is checked
        against, so both cost the same scrypt."""
        if self._dummy is None:
            s = self._ctx.settings
            self._dummy = asyncio.ensure_future(
                hash_password_async(
                    secrets.token_urlsafe(16),
                    log2_n=s.password_hash_log2_n,
                    r=s.password_hash_r,
                    p=s.password_hash_p,
                )
            )
        return await asyncio.shield(self._dummy)

    async def verify(self, user: UserRecord, password: str) -> bool:
        """One scrypt evaluation; a user without a password costs the same and never passes.

        The dummy hash is made by whichever check comes first, known user or not,
        so that one-time cost tells nothing either.
        """
        dummy = await self._dummy_hash()
        encoded = user.password_hash or dummy
        right = await verify_password_async(password, encoded)
        return right and user.password_hash is not None

    async def unknown_user(
        self, user_id: str, domain: DomainRecord, password: str | None
    ) -> NoReturn:
        """An unknown user: 404 where the domain reveals it, else the wrong password's 401
        after the same hash."""
        who = f"{user_id}@{domain.name}"
        if domain.reveal_unknown_users:
            raise NotFound(f"unknown user {who}")
        if password is not None:
            await verify_password_async(password, await self._dummy_hash())
        async with self._ctx.unit() as u:
            u.add(
                CoreEvent.LOGIN_REFUSED,
                summary=f"unknown user {who} (answered as a wrong static password)",
                step=1,
                source="client",
                target="core",
                details=LoginDetails(user=who),
            )
        raise WrongPassword(UNKNOWN_OR_WRONG)

    @asynccontextmanager
    async def charge(self, user: UserRecord, domain: DomainRecord) -> AsyncIterator[None]:
        """Hold one charged attempt for the block (raises 423 when the user is locked)."""
        key = (user.user_id, user.domain)
        while True:
            settled = self._settled.setdefault(key, asyncio.Event())  # before looking
            async with self._ctx.db.transaction() as tx:
                if await tx.users.reserve_password_check(*key, domain.lockout_threshold):
                    break
                current = await tx.users.get(*key)
                if current is not None and not current.locked and not self._in_flight.get(key):
                    # charged by checks that never settled (cancelled, or a crash): failures
                    current, _ = await tx.users.password_wrong(*key, domain.lockout_threshold)
            if current is None:
                raise WrongPassword(UNKNOWN_OR_WRONG)  # deleted meanwhile
            if current.locked:
                raise locked(f"{user.user_id}@{user.domain}")
            await settled.wait()  # every slot is charged by a check in flight
        self._in_flight[key] = self._in_flight.get(key, 0) + 1
        try:
            yield
        finally:
            left = self._in_flight.pop(key) - 1
            if left:
                self._in_flight[key] = left
            event = self._settled.pop(key, None)
            if event is not None:
                event.set()

    @staticmethod
    def wrong(domain: DomainRecord, after: UserRecord, locked_now: bool) -> WrongPassword:
        """The 401 of a wrong guess; it names the attempts left only where the domain
        reveals unknown users (an unknown user has no count to show)."""
        if not domain.reveal_unknown_users:
            return WrongPassword(UNKNOWN_OR_WRONG)
        remaining = max(0, domain.lockout_threshold - after.failed_attempts)
        message = "wrong static password" + ("; the user is now locked" if locked_now else "")
        return WrongPassword(message, extra={"remaining_attempts": remaining})


async def pushes_in_window(
    tx: Repositories, user: UserRecord, domain: DomainRecord, now: float, serial: str | None = None
) -> list[float]:
    """When the pushes that count against the rate limit went out (newest first, at most
    the limit): the user's, or with ``serial`` that authenticator's."""
    since = max(now - domain.push_rate_window, user.pushes_counted_from or 0.0)
    mine = {"user_id": user.user_id, "domain": user.domain}
    owner = mine if serial is None else {"serial": serial}
    return await tx.sessions.pushes_after(since, domain.push_rate_limit, **owner)


async def push_cap_wait(
    tx: Repositories, user: UserRecord, serial: str, domain: DomainRecord, now: float
) -> int | None:
    """Seconds until the push rate limit lets another push out, or None when one may go.

    At most ``push_rate_limit`` pushes per ``push_rate_window`` seconds, counted for
    the user and for the authenticator; an admin unlock restarts both counts.
    """
    wait = 0.0
    for one in (None, serial):
        sent = await pushes_in_window(tx, user, domain, now, one)
        if len(sent) >= domain.push_rate_limit:
            wait = max(wait, sent[-1] + domain.push_rate_window - now, 1.0)
    return math.ceil(wait) if wait else None
