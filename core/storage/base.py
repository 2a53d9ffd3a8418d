"""Shared plumbing of the repositories: row fetching and JSON columns."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from core.storage.connection import Connection

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Params = Sequence[Any] | Mapping[str, Any]
R = TypeVar("R", bound="DataclassInstance")


def from_row(cls: type[R], row: sqlite3.Row, **values: Any) -> R:
    """The record ``cls`` from its row: ``values`` (the columns that need converting), every
    other field the column of its name as stored."""
    for field in dataclasses.fields(cls):
        if field.init and field.name not in values:
            values[field.name] = row[field.name]
    return cls(**values)


def to_json(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def from_json(text: str | None) -> Any:
    return None if text is None else json.loads(text)


class Repository:
    """Base: one table (or two close ones) over a connection the caller serialises."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    # One call per statement (the cursor is left to the collector).
    async def _one(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        rows = await self._c.execute_fetchall(sql, params)
        return next(iter(rows), None)

    async def _all(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        return list(await self._c.execute_fetchall(sql, params))

    async def _run(self, sql: str, params: Params = ()) -> int:
        """Execute a write; returns the number of rows it changed."""
        cursor = await self._c.execute(sql, params)
        return int(cursor.rowcount)

    async def _insert(self, table: str, values: Mapping[str, Any]) -> int:
        columns = ", ".join(values)
        marks = ", ".join(f":{name}" for name in values)
        # table and column names come from our own code, never from a request
        cursor = await self._c.execute(
            f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608
            dict(values),
        )
        return int(cursor.lastrowid or 0)

    async def _update(self, table: str, key: Mapping[str, Any], values: Mapping[str, Any]) -> int:
        if not values:
            return 0
        assignments = ", ".join(f"{name} = :v_{name}" for name in values)
        where = " AND ".join(f"{name} = :k_{name}" for name in key)
        params = {f"v_{k}": v for k, v in values.items()} | {f"k_{k}": v for k, v in key.items()}
        return await self._run(
            f"UPDATE {table} SET {assignments} WHERE {where}",  # noqa: S608
            params,
        )


def placeholders(values: Iterable[Any]) -> str:
    return ", ".join("?" for _ in values)
