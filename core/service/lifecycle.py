"""The one place a push-login session leaves ``pending``.

Every decision (an answer, a push failure, an expiry, a cancellation, a
deactivated authenticator) goes through ``decide``, so the lifecycle is the
table in ``core.protocol.session`` (``TRANSITIONS`` via ``next_status``), not
status strings spread over the use cases:

1. ``next_status`` says what the trigger leads to; a transition the table does
   not have is refused (``decide`` returns False, nothing changes);
2. the storage update is conditional (``WHERE status = 'pending'``), so of two
   concurrent deciders exactly one wins;
3. the winner records the one ``session.decided`` event in the journal;
4. the unit remembers the decided session; after the commit it publishes
   the events and wakes the session's long polls (``core.service.unit``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from core.event_kinds import CoreEvent
from core.protocol.errors import SessionOutdated
from core.protocol.session import SessionStatus, SessionTrigger, next_status
from core.service.unit import Unit
from core.service.views import SessionDecided, SessionView
from core.storage.records import SessionRecord

__all__ = ["decide"]


async def decide(
    u: Unit,
    session: SessionRecord,
    trigger: SessionTrigger,
    reason: str,
    *,
    now: float,
    user_rejected: bool = False,
    checks: Sequence[Mapping[str, Any]] | None = None,
    failed_check: str | None = None,
    protection_used: str | None = None,
) -> bool:
    """Decide ``session`` by ``trigger`` inside the unit; True only for the caller that won.

    ``checks`` (the validation checks of a response) also go into the event,
    with the failed check, so the trace shows why an answer decided as it did.
    """
    try:
        status = next_status(SessionStatus(session.status), trigger)
    except SessionOutdated:
        return False
    won = await u.tx.sessions.decide(
        session.request_id,
        status=status,
        reason=reason,
        decided=now,
        user_rejected=user_rejected,
        checks=checks,
        failed_check=failed_check,
        protection_used=protection_used,
    )
    if not won:
        return False
    view = SessionView.of(session).decided_as(
        status, reason, at=now, failed_check=failed_check, protection_used=protection_used
    )
    u.add(
        CoreEvent.SESSION_DECIDED,
        summary=f"{status}: {reason}",
        request_id=session.request_id,
        step=7,
        target="client",
        details=SessionDecided(
            status=status.value,
            reason=reason,
            check=failed_check if checks is not None else None,
            checks=None if checks is None else tuple(dict(c) for c in checks),
            view=view,
        ),
    )
    u.journal.decided.append(session.request_id)
    return True
