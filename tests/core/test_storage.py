"""Storage: WAL, versioned migrations, conditional decisions, nonces, owner-only file."""

from __future__ import annotations

import asyncio
import sqlite3
import stat
from pathlib import Path

import pytest

from core.service.passwords import hash_password, verify_password
from core.storage import Database, SchemaTooNew
from core.storage.migrations import LATEST_VERSION, MIGRATIONS
from core.storage.records import DomainRecord, UserRecord
from tests.core.helpers_core import session_record as session


async def test_open_migrates_wal_and_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "core.sqlite3"
    db = await Database.open(path)
    assert await db.schema_version() == LATEST_VERSION == 5
    assert await db.migrate() == LATEST_VERSION  # idempotent
    await db.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"domains", "push_apps", "users", "authenticators", "registrations"} <= tables
    assert {"sessions", "seen_nonces", "audit_events"} <= tables
    db = await Database.open(path)  # reopening keeps data and version
    assert await db.integrity_check() == "ok"
    await db.close()


async def test_migrates_an_old_database_step_by_step(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as raw:  # a database written by schema version 1
        for statement in MIGRATIONS[0].statements:
            raw.execute(statement)
        raw.execute("PRAGMA user_version=1")
    db = await Database.open(path)
    assert await db.schema_version() == LATEST_VERSION
    await db.close()
    with sqlite3.connect(path) as raw:
        indexes = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        columns = {r[1] for r in raw.execute("PRAGMA table_info(sessions)")}
    assert "sessions_by_serial" in indexes  # version 2
    assert "protection_used" in columns  # version 3
    assert "sessions_by_user_created" in indexes  # version 4
    assert "sessions_by_user_status" in indexes  # version 5 (replaced version 2's by-user)
    assert "sessions_by_user" not in indexes


async def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA user_version=99")
    with pytest.raises(SchemaTooNew):
        await Database.open(path)


async def test_failed_transaction_rolls_back(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "c.sqlite3")
    domain = DomainRecord(
        name="demo",
        mobile_app_name="a.b",
        request_method="KeywordPassword",
        keywords={"push": "device"},
        push_timeout=60,
        lockout_threshold=5,
        poll_fallback=False,
        number_matching=False,
        created=0.0,
    )

    async def insert_then_fail() -> None:
        async with db.transaction() as tx:
            await tx.domains.insert(domain)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await insert_then_fail()
    async with db.read() as repos:
        assert await repos.domains.get("demo") is None
    async with db.transaction() as tx:
        await tx.domains.insert(domain)
        await tx.users.insert(
            UserRecord(
                user_id="alice",
                domain="demo",
                password_hash=None,
                failed_attempts=0,
                locked=False,
                cooldown_until=None,
                created=0.0,
            )
        )
    async with db.read() as repos:
        got = await repos.domains.get("demo")
    assert got == domain
    await db.close()


async def test_decide_is_exactly_once_even_concurrently(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "c.sqlite3")
    async with db.transaction() as tx:
        await tx.sessions.insert(session("r1"))

    async def decide(status: str) -> bool:
        async with db.transaction() as tx:
            return await tx.sessions.decide("r1", status=status, reason=status, decided=2.0)

    results = await asyncio.gather(*(decide(s) for s in ["accepted", "refused"] * 10))
    assert results.count(True) == 1
    async with db.read() as repos:
        stored = await repos.sessions.get("r1")
    assert stored is not None
    assert stored.status == ["accepted", "refused"][results.index(True) % 2]
    assert stored.numbers == (12, 34, 56)
    await db.close()


async def test_nonces_are_remembered_per_serial(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "c.sqlite3")
    async with db.transaction() as tx:
        assert await tx.nonces.remember("PS00000001", b"12345678", 1.0)
        assert not await tx.nonces.remember("PS00000001", b"12345678", 2.0)
        assert await tx.nonces.remember("PS00000002", b"12345678", 2.0)
        assert await tx.nonces.seen("PS00000001", b"12345678")
        assert not await tx.nonces.seen("PS00000001", b"87654321")
    await db.close()


async def test_fetch_once(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "c.sqlite3")
    async with db.transaction() as tx:
        await tx.sessions.insert(session("r1"))
        assert await tx.sessions.mark_fetched("r1")
        assert not await tx.sessions.mark_fetched("r1")
    await db.close()


def test_scrypt_hashes_record_their_cost_and_verify() -> None:
    encoded = hash_password("Demo-1234", log2_n=4)
    scheme, log2_n, r, p, salt, _digest = encoded.split("$")
    assert (scheme, log2_n, r, p) == ("scrypt", "4", "8", "1")
    assert len(bytes.fromhex(salt)) == 16
    assert verify_password("Demo-1234", encoded)
    assert not verify_password("demo-1234", encoded)
    assert not verify_password("Demo-1234", encoded.replace("scrypt", "md5"))
    assert not verify_password("Demo-1234", "garbage")
    assert hash_password("Demo-1234", log2_n=4) != encoded  # salted


async def test_a_users_pending_sessions_are_found_without_reading_their_history(
    tmp_path: Path,
) -> None:
    db = await Database.open(tmp_path / "core.sqlite3")
    await db.close()
    with sqlite3.connect(tmp_path / "core.sqlite3") as raw:
        plan = raw.execute(
            "EXPLAIN QUERY PLAN SELECT * FROM sessions WHERE user_id = ? AND domain = ?"
            " AND status = ? ORDER BY created, rowid",
            ("alice", "demo", "pending"),
        ).fetchall()
    assert "sessions_by_user_status (user_id=? AND domain=? AND status=?)" in plan[0][3]
