"""Secrets the core deletes do not stay readable in the SQLite file's free space."""

from __future__ import annotations

import asyncio
from pathlib import Path

from core.storage.connection import Connection
from core.storage.database import Database

SECRET = b"ACTIVATION-PASSWORD-7Q2W9E4R"


async def _overwrite_a_secret(connection: Connection, path: Path) -> bytes:
    """Write a secret, overwrite it, checkpoint; the file's bytes afterwards."""
    await connection.execute("CREATE TABLE scratch (id INTEGER PRIMARY KEY, state TEXT)")
    await connection.execute("INSERT INTO scratch (state) VALUES (?)", (SECRET.decode() * 8,))
    await connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert SECRET in await asyncio.to_thread(path.read_bytes)  # what an attacker would see
    await connection.execute("UPDATE scratch SET state = '{}'")
    await connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return await asyncio.to_thread(path.read_bytes)


async def test_without_secure_delete_the_secret_would_stay(tmp_path: Path) -> None:
    # the control: proves the check below can see a leftover
    path = tmp_path / "plain.sqlite3"
    connection = Connection.connect(str(path))
    try:
        await connection.execute("PRAGMA journal_mode=WAL")
        await connection.execute("PRAGMA secure_delete=OFF")
        assert SECRET in await _overwrite_a_secret(connection, path)
    finally:
        await connection.close()


async def test_the_core_database_zeroes_overwritten_secrets(tmp_path: Path) -> None:
    path = tmp_path / "core.sqlite3"
    database = await Database.open(path)
    try:
        connection = database._connection  # a scratch table: the point is SQLite's free space
        await connection.execute("PRAGMA secure_delete=OFF")  # as some SQLite builds default
        await database._configure("NORMAL")  # what every open does
        assert SECRET not in await _overwrite_a_secret(connection, path)
    finally:
        await database.close()
