"""One SQLite connection in WAL mode, serialised by an asyncio lock.

Theory of operation: every statement runs inline on the loop thread
(``core.storage.connection``), but coroutines can still interleave *between*
statements. A transaction therefore
holds ``_lock`` from ``BEGIN IMMEDIATE`` to ``COMMIT``, and plain reads take the
same lock, so no coroutine ever sees another's uncommitted writes (a client
must never be told a decision that a crash could undo). SQLite runs in
autocommit mode (``isolation_level=None``); transactions are explicit.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from core.storage.connection import Connection
from core.storage.migrations import LATEST_VERSION, MIGRATIONS
from core.storage.repositories import Repositories

log = logging.getLogger(__name__)


def _create_private(file: Path) -> None:
    """The database holds keys and password hashes: owner-only from the start."""
    file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not file.exists():
        os.close(os.open(file, os.O_WRONLY | os.O_CREAT, 0o600))


class SchemaTooNew(RuntimeError):
    """The database was written by a newer PushSim than this one."""


class Database:
    def __init__(self, connection: Connection, path: Path | None) -> None:
        self._connection = connection
        self._lock = asyncio.Lock()
        self.path = path
        # how many of each the process ran (benchmarks count them per login)
        self.transactions = 0
        self.reads = 0

    @classmethod
    async def open(cls, path: Path | str, *, synchronous: str = "NORMAL") -> Database:
        """Open (creating when needed, owner-only) and migrate to the latest schema."""
        memory = str(path) == ":memory:"
        if not memory:
            await asyncio.to_thread(_create_private, Path(path))
        connection = Connection.connect(str(path))
        database = cls(connection, None if memory else Path(path))
        try:
            await database._configure(synchronous)
            await database.migrate()
        except BaseException:
            await connection.close()
            raise
        return database

    async def _configure(self, synchronous: str) -> None:
        if synchronous not in ("NORMAL", "FULL"):
            raise ValueError(f"unsupported synchronous mode {synchronous!r}")
        await self._connection.execute("PRAGMA journal_mode=WAL")
        await self._connection.execute(f"PRAGMA synchronous={synchronous}")
        await self._connection.execute("PRAGMA foreign_keys=ON")
        await self._connection.execute("PRAGMA busy_timeout=5000")
        # Deleted or overwritten rows held activation passwords and key material:
        # zero their bytes instead of leaving them readable in free space. Many
        # SQLite builds (Debian's) default to this; others (python.org's) do not.
        await self._connection.execute("PRAGMA secure_delete=ON")

    async def schema_version(self) -> int:
        async with self._lock:
            rows = await self._connection.execute_fetchall("PRAGMA user_version")
        return int(rows[0][0]) if rows else 0

    async def migrate(self) -> int:
        """Apply the missing migrations, each in its own transaction."""
        current = await self.schema_version()
        if current > LATEST_VERSION:
            raise SchemaTooNew(
                f"database schema {current} is newer than this PushSim ({LATEST_VERSION})"
            )
        for migration in MIGRATIONS:
            if migration.version <= current:
                continue
            async with self._lock:
                await self._connection.execute("BEGIN IMMEDIATE")
                try:
                    for statement in migration.statements:
                        await self._connection.execute(statement)
                    # PRAGMA takes no parameters; the version is our own int
                    await self._connection.execute(f"PRAGMA user_version={int(migration.version)}")
                    await self._connection.execute("COMMIT")
                except BaseException:
                    await self._connection.execute("ROLLBACK")
                    raise
            log.info("core database migrated to %d (%s)", migration.version, migration.description)
        return await self.schema_version()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Repositories]:
        """All-or-nothing writes; committed when the block ends without an exception."""
        async with self._lock:
            self.transactions += 1
            await self._connection.execute("BEGIN IMMEDIATE")
            try:
                yield Repositories(self._connection)
            except BaseException:
                await self._connection.execute("ROLLBACK")
                raise
            await self._connection.execute("COMMIT")

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Repositories]:
        """Reads that see only committed data (no transaction of another coroutine is open)."""
        async with self._lock:
            self.reads += 1
            yield Repositories(self._connection)

    async def integrity_check(self) -> str:
        async with self._lock:
            rows = await self._connection.execute_fetchall("PRAGMA integrity_check")
        return str(rows[0][0]) if rows else "no answer"

    async def close(self) -> None:
        await self._connection.close()
