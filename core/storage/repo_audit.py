"""The audit log: every message and state change, with raw message bytes."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

from core.events import Event
from core.protocol.fields import copied
from core.storage.base import Repository, from_json, from_row, to_json
from core.storage.records import AuditRecord


def _audit(row: sqlite3.Row) -> AuditRecord:
    return from_row(
        AuditRecord,
        row,
        id=int(row["id"]),
        header=from_json(row["header"]),
        body=from_json(row["body"]),
        details=from_json(row["details"]) or {},
        time=float(row["time"]),
    )


def audit_record(event: Event, *, observed: bool = False) -> AuditRecord:
    """The one event -> audit row converter.

    The core's own events carry a message's header and body as details; they
    get their own columns. Events observed from another lane (phones,
    providers) are stored as they came, marked ``observed``.
    """
    details = dict(event.details)
    header = body = None
    if observed:
        details["observed"] = True
    else:
        header = details.pop("header", None)
        body = details.pop("body", None)
    return copied(AuditRecord, event, header=header, body=body, details=details)


_PLAIN = ("request_id", "step", "kind", "source", "target", "summary", "raw", "time")
_JSON = ("header", "body", "details")
_INSERT = "INSERT INTO audit_events ({}) VALUES ({})".format(  # noqa: S608 - our own names
    ", ".join(_PLAIN + _JSON), ", ".join(f":{name}" for name in _PLAIN + _JSON)
)


def _columns(record: AuditRecord) -> dict[str, Any]:
    row: dict[str, Any] = {name: getattr(record, name) for name in _PLAIN}
    for name in _JSON:
        value = getattr(record, name)
        row[name] = to_json(None if value is None else dict(value))
    row["details"] = row["details"] or "{}"
    return row


class AuditRepository(Repository):
    async def append(self, record: AuditRecord) -> int:
        return await self._insert("audit_events", _columns(record))

    async def append_many(self, records: Iterable[AuditRecord]) -> None:
        """Several rows in one statement (one round trip to the database thread)."""
        rows = [_columns(record) for record in records]
        if rows:
            await self._c.executemany(_INSERT, rows)

    async def count(self) -> int:
        row = await self._one("SELECT count(*) FROM audit_events")
        return int(row[0]) if row else 0

    async def for_request(self, request_id: str) -> list[AuditRecord]:
        rows = await self._all(
            "SELECT * FROM audit_events WHERE request_id = ? ORDER BY time, id", (request_id,)
        )
        return [_audit(r) for r in rows]

    async def find(
        self, *, request_id: str | None = None, after_id: int = 0, limit: int = 200
    ) -> list[AuditRecord]:
        if request_id is None:
            rows = await self._all(
                "SELECT * FROM audit_events WHERE id > ? ORDER BY id LIMIT ?", (after_id, limit)
            )
        else:
            rows = await self._all(
                "SELECT * FROM audit_events WHERE request_id = ? AND id > ? ORDER BY id LIMIT ?",
                (request_id, after_id, limit),
            )
        return [_audit(r) for r in rows]
