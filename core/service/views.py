"""Frozen view models of core state, for views that must not read storage rows.

A ``SessionView`` is what the server console, the sequence diagram and the
session inspector show of a push login. It travels in the typed details of
``session.decided`` (``SessionDecided.view``), so a GUI adapter updates from
the event alone, without a second query, and a test can wait on it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from core.events import EventDetails
from core.protocol.fields import copied
from core.protocol.session import SessionStatus
from core.storage.records import SessionRecord


@dataclass(frozen=True, kw_only=True)
class SessionView:
    request_id: str
    user_id: str
    domain: str
    serial: str | None
    status: SessionStatus
    reason: str
    protection: str  # the unlock the login required
    protection_used: str | None  # the unlock the phone's answer says it used
    number: int | None  # number matching: what the login screen shows
    created: float
    expires: float
    decided: float | None
    failed_check: str | None

    @property
    def pending(self) -> bool:
        return self.status is SessionStatus.PENDING

    @classmethod
    def of(cls, record: SessionRecord) -> SessionView:
        return copied(cls, record, status=SessionStatus(record.status))

    def decided_as(
        self,
        status: SessionStatus,
        reason: str,
        *,
        at: float,
        failed_check: str | None,
        protection_used: str | None,
    ) -> SessionView:
        return replace(
            self,
            status=status,
            reason=reason,
            decided=at,
            failed_check=failed_check,
            protection_used=protection_used or self.protection_used,
        )


class SessionDecided(EventDetails):
    """Details of ``session.decided``.

    As a mapping (what the audit log and the trace store) it holds ``status``
    and ``reason``, plus ``check`` and ``checks`` when a phone's answer
    decided; ``view``, the session as it now stands, is for live views only.
    """

    status: str
    reason: str
    check: str | None = None
    checks: tuple[dict[str, Any], ...] | None = None
    view: SessionView | None = field(default=None, compare=False)

    def _pairs(self) -> Iterator[tuple[str, Any]]:
        yield "status", self.status
        yield "reason", self.reason
        if self.checks is not None:  # an answer decided: its checks and the failed one
            yield "check", self.check
            yield "checks", [dict(check) for check in self.checks]
