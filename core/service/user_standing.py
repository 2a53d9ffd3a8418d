"""A user's standing as the next login will meet it: lockout, password checks still
running, the reject cool-down and the push rate limit (read by the console)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from core.service.login_checks import push_cap_wait, pushes_in_window
from core.storage import Repositories
from core.storage.records import DomainRecord, UserRecord


@dataclass(frozen=True, kw_only=True)
class UserStanding:
    user: UserRecord
    domain: DomainRecord
    checking: int  # static password checks in flight (charged, not settled yet)
    cooldown: int | None  # seconds the reject cool-down still refuses logins
    pushes: int  # pushes counted against the push rate limit
    push_wait: int | None  # seconds the push rate limit still refuses logins

    @property
    def wrong_passwords(self) -> int:
        """Settled wrong passwords: a check in flight is charged but not yet a failure."""
        return max(0, self.user.failed_attempts - self.checking)


async def read_standing(
    repos: Repositories, user: UserRecord, domain: DomainRecord, now: float, checking: int
) -> UserStanding:
    left = (user.cooldown_until or 0.0) - now
    ready = await repos.authenticators.push_ready_for_user(user.user_id, user.domain)
    sent = await pushes_in_window(repos, user, domain, now)
    if ready is not None:
        push_wait = await push_cap_wait(repos, user, ready.serial, domain, now)
    elif len(sent) >= domain.push_rate_limit:
        push_wait = math.ceil(max(sent[-1] + domain.push_rate_window - now, 1.0))
    else:
        push_wait = None
    return UserStanding(
        user=user,
        domain=domain,
        checking=checking,
        cooldown=math.ceil(left) if left > 0 else None,
        pushes=len(sent),
        push_wait=push_wait,
    )
