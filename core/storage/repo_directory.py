"""Domains, push app configurations and users."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from core.storage.base import Repository, from_json, from_row, to_json
from core.storage.records import DomainRecord, PushAppRecord, UserRecord


def _domain(row: sqlite3.Row) -> DomainRecord:
    return from_row(
        DomainRecord,
        row,
        keywords=from_json(row["keywords"]),
        push_timeout=int(row["push_timeout"]),
        lockout_threshold=int(row["lockout_threshold"]),
        poll_fallback=bool(row["poll_fallback"]),
        number_matching=bool(row["number_matching"]),
        created=float(row["created"]),
        reveal_unknown_users=bool(row["reveal_unknown_users"]),
    )


class DomainRepository(Repository):
    async def get(self, name: str) -> DomainRecord | None:
        row = await self._one("SELECT * FROM domains WHERE name = ?", (name,))
        return _domain(row) if row else None

    async def all(self) -> list[DomainRecord]:
        return [_domain(r) for r in await self._all("SELECT * FROM domains ORDER BY name")]

    async def insert(self, domain: DomainRecord) -> None:
        values = asdict(domain)
        values["keywords"] = to_json(dict(domain.keywords))
        await self._insert("domains", values)

    async def update(self, name: str, changes: Mapping[str, Any]) -> int:
        values = dict(changes)
        if "keywords" in values:
            values["keywords"] = to_json(dict(values["keywords"]))
        return await self._update("domains", {"name": name}, values)

    async def delete(self, name: str) -> int:
        return await self._run("DELETE FROM domains WHERE name = ?", (name,))


def _push_app(row: sqlite3.Row) -> PushAppRecord:
    return PushAppRecord(**{key: row[key] for key in row.keys()})  # noqa: SIM118


class PushAppRepository(Repository):
    async def get(self, app_id: str) -> PushAppRecord | None:
        row = await self._one("SELECT * FROM push_apps WHERE app_id = ?", (app_id,))
        return _push_app(row) if row else None

    async def find_by_bundle_id(self, bundle_id: str) -> PushAppRecord | None:
        row = await self._one(
            "SELECT * FROM push_apps WHERE apns_bundle_id = ? ORDER BY app_id LIMIT 1",
            (bundle_id,),
        )
        return _push_app(row) if row else None

    async def all(self) -> list[PushAppRecord]:
        return [_push_app(r) for r in await self._all("SELECT * FROM push_apps ORDER BY app_id")]

    async def insert(self, app: PushAppRecord) -> None:
        await self._insert("push_apps", asdict(app))

    async def replace(self, app: PushAppRecord) -> int:
        values = asdict(app)
        del values["app_id"]
        return await self._update("push_apps", {"app_id": app.app_id}, values)

    async def delete(self, app_id: str) -> int:
        return await self._run("DELETE FROM push_apps WHERE app_id = ?", (app_id,))


def _user(row: sqlite3.Row) -> UserRecord:
    return from_row(
        UserRecord,
        row,
        failed_attempts=int(row["failed_attempts"]),
        locked=bool(row["locked"]),
        created=float(row["created"]),
    )


class UserRepository(Repository):
    async def get(self, user_id: str, domain: str) -> UserRecord | None:
        row = await self._one(
            "SELECT * FROM users WHERE user_id = ? AND domain = ?", (user_id, domain)
        )
        return _user(row) if row else None

    async def find(self, domain: str | None = None) -> list[UserRecord]:
        if domain is None:
            rows = await self._all("SELECT * FROM users ORDER BY domain, user_id")
        else:
            rows = await self._all(
                "SELECT * FROM users WHERE domain = ? ORDER BY user_id", (domain,)
            )
        return [_user(r) for r in rows]

    async def count_in_domain(self, domain: str) -> int:
        row = await self._one("SELECT COUNT(*) FROM users WHERE domain = ?", (domain,))
        return int(row[0]) if row else 0

    async def insert(self, user: UserRecord) -> None:
        await self._insert("users", asdict(user))

    async def update(self, user_id: str, domain: str, changes: Mapping[str, Any]) -> int:
        return await self._update("users", {"user_id": user_id, "domain": domain}, changes)

    async def reserve_password_check(self, user_id: str, domain: str, threshold: int) -> bool:
        """Charge one attempt before the hash is checked; False when no slot is free.

        A check in flight counts as a wrong password until it proves right
        (``password_right``), so however many guesses arrive at once, at most
        ``threshold`` are charged, and only charged ones are evaluated.
        """
        reserved = await self._run(
            "UPDATE users SET failed_attempts = failed_attempts + 1"
            " WHERE user_id = ? AND domain = ? AND locked = 0 AND failed_attempts < ?",
            (user_id, domain, threshold),
        )
        return reserved == 1

    async def password_right(self, user_id: str, domain: str) -> bool:
        """A charged check proved right: the count starts over, unless the user got locked
        meanwhile (by a concurrent wrong guess or an admin); False then."""
        return (
            await self._run(
                "UPDATE users SET failed_attempts = 0"
                " WHERE user_id = ? AND domain = ? AND locked = 0",
                (user_id, domain),
            )
            == 1
        )

    async def password_wrong(
        self, user_id: str, domain: str, threshold: int
    ) -> tuple[UserRecord, bool]:
        """A charged check proved wrong (it stays counted): lock at the threshold.

        Returns the user after it and whether this very call locked them.
        """
        locked_now = await self._run(
            "UPDATE users SET locked = 1"
            " WHERE user_id = ? AND domain = ? AND locked = 0 AND failed_attempts >= ?",
            (user_id, domain, threshold),
        )
        user = await self.get(user_id, domain)
        if user is None:  # deleted in between; the caller holds the transaction, so no
            raise LookupError(f"user {user_id}@{domain} vanished")
        return user, locked_now == 1

    async def delete(self, user_id: str, domain: str) -> int:
        return await self._run(
            "DELETE FROM users WHERE user_id = ? AND domain = ?", (user_id, domain)
        )
