"""Push-login sessions and the seen nonces that stop replays."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from core.protocol.session import SessionStatus
from core.storage.base import Repository, from_json, from_row, to_json
from core.storage.records import SessionRecord

PENDING = SessionStatus.PENDING


@dataclass(frozen=True, kw_only=True)
class SessionQuery:
    """Which sessions a listing wants: any of user, domain, status; newest first."""

    user_id: str | None = None
    domain: str | None = None
    status: str | None = None
    limit: int = 100


def _session(row: sqlite3.Row) -> SessionRecord:
    numbers = from_json(row["numbers"])
    checks = from_json(row["checks"])
    return from_row(
        SessionRecord,
        row,
        status=SessionStatus(row["status"]),
        numbers=None if numbers is None else tuple(int(n) for n in numbers),
        created=float(row["created"]),
        expires=float(row["expires"]),
        fetched=bool(row["fetched"]),
        user_rejected=bool(row["user_rejected"]),
        checks=None if checks is None else tuple(checks),
    )


class SessionRepository(Repository):
    async def get(self, request_id: str) -> SessionRecord | None:
        row = await self._one("SELECT * FROM sessions WHERE request_id = ?", (request_id,))
        return _session(row) if row else None

    async def get_by_challenge_key_hash(self, key_hash: str) -> SessionRecord | None:
        row = await self._one("SELECT * FROM sessions WHERE challenge_key_hash = ?", (key_hash,))
        return _session(row) if row else None

    async def find(self, query: SessionQuery) -> list[SessionRecord]:
        clauses: list[str] = []
        params: list[Any] = []
        criteria = (("user_id", query.user_id), ("domain", query.domain), ("status", query.status))
        for column, value in criteria:
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = await self._all(
            f"SELECT * FROM sessions {where} ORDER BY created DESC, rowid DESC LIMIT ?",  # noqa: S608
            [*params, query.limit],
        )
        return [_session(r) for r in rows]

    async def pushes_after(self, since: float, limit: int, **owner: str) -> list[float]:
        """When the newest ``limit`` pushes created after ``since`` went out, newest first;
        ``owner``: ``serial=`` (one authenticator) or ``user_id=`` and ``domain=``."""
        where = "".join(f"{column} = :{column} AND " for column in owner)  # our own names
        rows = await self._all(
            f"SELECT created FROM sessions WHERE {where}created > :since"  # noqa: S608
            " AND push_state != 'none' ORDER BY created DESC LIMIT :limit",
            {**owner, "since": since, "limit": limit},
        )
        return [float(r["created"]) for r in rows]

    async def pending_for_user(self, user_id: str, domain: str) -> list[SessionRecord]:
        rows = await self._all(
            "SELECT * FROM sessions WHERE user_id = ? AND domain = ? AND status = ?"
            " ORDER BY created, rowid",
            (user_id, domain, PENDING),
        )
        return [_session(r) for r in rows]

    async def pending_for_serial(self, serial: str) -> list[SessionRecord]:
        rows = await self._all(
            "SELECT * FROM sessions WHERE serial = ? AND status = ? ORDER BY created, rowid",
            (serial, PENDING),
        )
        return [_session(r) for r in rows]

    async def newest_for_serial(self, serial: str) -> SessionRecord | None:
        """The serial's newest pending session, else its newest session of any status."""
        row = await self._one(
            "SELECT * FROM sessions WHERE serial = ?"
            " ORDER BY status = 'pending' DESC, created DESC, rowid DESC LIMIT 1",
            (serial,),
        )
        return _session(row) if row else None

    async def newest_unfetched_pending(self, serial: str, now: float) -> SessionRecord | None:
        row = await self._one(
            "SELECT * FROM sessions WHERE serial = ? AND status = ? AND fetched = 0"
            " AND expires > ? AND request_message IS NOT NULL"
            " ORDER BY created DESC, rowid DESC LIMIT 1",
            (serial, PENDING, now),
        )
        return _session(row) if row else None

    async def due_for_expiry(self, now: float, limit: int = 500) -> list[SessionRecord]:
        rows = await self._all(
            "SELECT * FROM sessions WHERE status = ? AND expires <= ? ORDER BY expires LIMIT ?",
            (PENDING, now, limit),
        )
        return [_session(r) for r in rows]

    async def next_expiry(self) -> float | None:
        row = await self._one("SELECT MIN(expires) FROM sessions WHERE status = ?", (PENDING,))
        return None if row is None or row[0] is None else float(row[0])

    async def count_user_rejects(self, user_id: str, domain: str, since: float) -> int:
        row = await self._one(
            "SELECT COUNT(*) FROM sessions WHERE user_id = ? AND domain = ?"
            " AND user_rejected = 1 AND decided >= ?",
            (user_id, domain, since),
        )
        return int(row[0]) if row else 0

    async def insert(self, session: SessionRecord) -> None:
        values = asdict(session)
        values["numbers"] = to_json(None if session.numbers is None else list(session.numbers))
        values["checks"] = to_json(None if session.checks is None else list(session.checks))
        await self._insert("sessions", values)

    async def update(self, request_id: str, changes: Mapping[str, Any]) -> int:
        values = dict(changes)
        if "checks" in values:
            values["checks"] = to_json(None if values["checks"] is None else list(values["checks"]))
        return await self._update("sessions", {"request_id": request_id}, values)

    async def decide(
        self,
        request_id: str,
        *,
        status: SessionStatus,
        reason: str,
        decided: float,
        user_rejected: bool = False,
        checks: Sequence[Mapping[str, Any]] | None = None,
        failed_check: str | None = None,
        protection_used: str | None = None,
    ) -> bool:
        """Leave ``pending`` exactly once: True only for the caller whose update won."""
        changed = await self._run(
            "UPDATE sessions SET status = ?, reason = ?, decided = ?, user_rejected = ?,"
            " checks = COALESCE(?, checks), failed_check = COALESCE(?, failed_check),"
            " protection_used = COALESCE(?, protection_used)"
            " WHERE request_id = ? AND status = ?",
            (
                status,
                reason,
                decided,
                int(user_rejected),
                to_json(None if checks is None else list(checks)),
                failed_check,
                protection_used,
                request_id,
                PENDING,
            ),
        )
        return changed == 1

    async def mark_fetched(self, request_id: str) -> bool:
        """Fetch-once: True only for the first fetch of a pending session's challenge."""
        changed = await self._run(
            "UPDATE sessions SET fetched = 1 WHERE request_id = ? AND fetched = 0 AND status = ?",
            (request_id, PENDING),
        )
        return changed == 1

    async def set_push_state(self, request_id: str, state: str, detail: str) -> None:
        await self._run(
            "UPDATE sessions SET push_state = ?, push_detail = ? WHERE request_id = ?",
            (state, detail, request_id),
        )


class NonceRepository(Repository):
    async def seen(self, serial: str, nonce: bytes) -> bool:
        row = await self._one(
            "SELECT 1 FROM seen_nonces WHERE serial = ? AND nonce = ?", (serial, nonce.hex())
        )
        return row is not None

    async def remember(self, serial: str, nonce: bytes, now: float) -> bool:
        """Record a nonce; False when it was already there (a replay)."""
        try:
            await self._run(
                "INSERT INTO seen_nonces (serial, nonce, seen) VALUES (?, ?, ?)",
                (serial, nonce.hex(), now),
            )
        except sqlite3.IntegrityError:
            return False
        return True
