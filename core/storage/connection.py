"""sqlite3 behind the awaitable API the repositories use, run on the calling thread.

aiosqlite ran every statement on a worker thread: each statement was a queue
put plus a wake-up of the loop, and while the loop thread was busy every hand
over waited for the GIL (the profile of a push login showed 13.5 ms per login
in ``SimpleQueue.put_nowait`` at load 2, more than all of PushSim's own code).
A push login's statements take microseconds in SQLite (WAL, ``synchronous=
NORMAL``: a commit writes the WAL without an fsync; only a checkpoint syncs),
so they now run inline on the loop thread. The methods stay ``async`` so that
the repositories' API, and the lock that serialises transactions in
``Database``, are unchanged.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

Params = Sequence[Any] | Mapping[str, Any]


class Connection:
    """One sqlite3 connection in autocommit mode (transactions are explicit)."""

    def __init__(self, raw: sqlite3.Connection) -> None:
        self._raw = raw
        raw.row_factory = sqlite3.Row

    @classmethod
    def connect(cls, path: str) -> Connection:
        # check_same_thread off: the Database's asyncio lock serialises every use
        return cls(sqlite3.connect(path, isolation_level=None, check_same_thread=False))

    @property
    def total_changes(self) -> int:
        return self._raw.total_changes

    async def execute(self, sql: str, params: Params = ()) -> sqlite3.Cursor:
        return self._raw.execute(sql, params)

    async def execute_fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        rows: list[sqlite3.Row] = self._raw.execute(sql, params).fetchall()
        return rows

    async def executemany(self, sql: str, rows: Iterable[Params]) -> sqlite3.Cursor:
        return self._raw.executemany(sql, rows)

    async def close(self) -> None:
        self._raw.close()
