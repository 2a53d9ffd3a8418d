"""Retention: decided sessions past the age or count limit go with their audit events."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core.clock import FrozenClock
from core.settings import CoreSettings
from core.storage import Database
from core.storage.records import AuditRecord
from core.storage.repo_sessions import SessionQuery
from core.storage.retention import Pruned, prune, run_retention
from tests.core.helpers_core import session_record

DAY = 24 * 3600.0
NOW = 1_800_000_000.0


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "c.sqlite3")
    yield database
    await database.close()


def audit(request_id: str | None, time: float) -> AuditRecord:
    return AuditRecord(request_id=request_id, kind="login.received", source="client", time=time)


async def add_session(db: Database, request_id: str, created: float, status: str) -> None:
    async with db.transaction() as tx:
        await tx.sessions.insert(session_record(request_id, created=created, status=status))
        await tx.audit.append(audit(request_id, created))
        await tx.nonces.remember("PS00000001", request_id.encode(), created)


async def left(db: Database) -> tuple[set[str], int, int]:
    async with db.read() as repos:
        sessions = {s.request_id for s in await repos.sessions.find(SessionQuery(limit=1000))}
        events = await repos.audit.find(limit=1000)
    nonces = sum([await _seen(db, s) for s in ("old-done", "new-done", "old-pending")])
    return sessions, len(events), nonces


async def _seen(db: Database, request_id: str) -> int:
    async with db.read() as repos:
        return int(await repos.nonces.seen("PS00000001", request_id.encode()))


async def test_old_decided_sessions_go_with_their_events(db: Database) -> None:
    await add_session(db, "old-done", NOW - 31 * DAY, "accepted")
    await add_session(db, "new-done", NOW - 29 * DAY, "refused")
    await add_session(db, "old-pending", NOW - 40 * DAY, "pending")  # never pruned
    async with db.transaction() as tx:  # admin events: no session
        await tx.audit.append(audit(None, NOW - 31 * DAY))
        await tx.audit.append(audit(None, NOW - DAY))

    pruned = await prune(db, now=NOW, max_age=30 * DAY, max_sessions=100)

    assert pruned == Pruned(sessions=1, audit_events=2, nonces=2)
    sessions, events, _ = await left(db)
    assert sessions == {"new-done", "old-pending"}
    assert events == 3  # new-done's, old-pending's and the recent admin event
    assert await _seen(db, "new-done") == 1
    assert await _seen(db, "old-done") == 0
    again = await prune(db, now=NOW, max_age=30 * DAY, max_sessions=100)
    assert again == Pruned()


async def test_only_the_newest_sessions_are_kept(db: Database) -> None:
    for n in range(7):
        await add_session(db, f"s{n}", NOW - 100 + n, "timeout")
    pruned = await prune(db, now=NOW, max_age=30 * DAY, max_sessions=3, batch=2)  # 2 a batch
    assert pruned.sessions == 4
    sessions, events, _ = await left(db)
    assert sessions == {"s4", "s5", "s6"}
    assert events == 3


async def test_runs_at_start_and_every_interval_by_the_clock(db: Database) -> None:
    clock = FrozenClock(NOW)
    settings = CoreSettings(retention_max_age=30 * DAY, retention_interval=DAY)
    await add_session(db, "a", NOW - 10 * DAY, "accepted")
    await add_session(db, "b", NOW - 5 * DAY, "accepted")
    slept: list[float] = []
    rounds: asyncio.Queue[set[str]] = asyncio.Queue()

    async def fake_sleep(seconds: float) -> None:  # one interval passes on the fake clock
        slept.append(seconds)
        rounds.put_nowait((await left(db))[0])
        clock.advance(21 * DAY if len(slept) == 1 else 5 * DAY)
        await asyncio.sleep(0)

    task = asyncio.create_task(run_retention(db, settings, clock, sleep=fake_sleep))
    try:
        assert await rounds.get() == {"a", "b"}  # at start: both within 30 days
        assert await rounds.get() == {"b"}  # 21 days later: a is 31 days old
        assert await rounds.get() == set()  # 5 more: b is 31 days old
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert slept[:3] == [DAY, DAY, DAY]


def test_settings_refuse_a_retention_that_keeps_nothing() -> None:
    with pytest.raises(ValueError, match="retention"):
        CoreSettings(retention_max_sessions=0)
    with pytest.raises(ValueError, match="retention"):
        CoreSettings(retention_interval=0)
