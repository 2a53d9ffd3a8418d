"""Activation registrations and authenticators."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from core.storage.base import Repository, from_json, from_row, to_json
from core.storage.records import AUTH_ACTIVE, AuthenticatorRecord, RegistrationRecord


def _registration(row: sqlite3.Row) -> RegistrationRecord:
    return from_row(
        RegistrationRecord,
        row,
        server_state=from_json(row["server_state"]),
        keys=from_json(row["keys"]),
        failed_attempts=int(row["failed_attempts"]),
        expires=float(row["expires"]),
        created=float(row["created"]),
    )


class RegistrationRepository(Repository):
    async def get(self, registration_id: str) -> RegistrationRecord | None:
        row = await self._one(
            "SELECT * FROM registrations WHERE registration_id = ?", (registration_id,)
        )
        return _registration(row) if row else None

    async def serial_exists(self, serial: str) -> bool:
        row = await self._one(
            "SELECT 1 FROM registrations WHERE serial = ?"
            " UNION SELECT 1 FROM authenticators WHERE serial = ?",
            (serial, serial),
        )
        return row is not None

    async def insert(self, registration: RegistrationRecord) -> None:
        values = asdict(registration)
        values["server_state"] = to_json(dict(registration.server_state))
        values["keys"] = to_json(None if registration.keys is None else dict(registration.keys))
        await self._insert("registrations", values)

    async def update(self, registration_id: str, changes: Mapping[str, Any]) -> int:
        values = dict(changes)
        if "keys" in values:
            values["keys"] = to_json(values["keys"])
        return await self._update("registrations", {"registration_id": registration_id}, values)

    async def transition(self, registration_id: str, *, from_status: str, to_status: str) -> bool:
        """Conditional status change: True only for the one caller that made it."""
        changed = await self._run(
            "UPDATE registrations SET status = ? WHERE registration_id = ? AND status = ?",
            (to_status, registration_id, from_status),
        )
        return changed == 1


def _authenticator(row: sqlite3.Row) -> AuthenticatorRecord:
    return from_row(
        AuthenticatorRecord,
        row,
        keys=from_json(row["keys"]),
        created=float(row["created"]),
    )


class AuthenticatorRepository(Repository):
    async def get(self, serial: str) -> AuthenticatorRecord | None:
        row = await self._one("SELECT * FROM authenticators WHERE serial = ?", (serial,))
        return _authenticator(row) if row else None

    async def find(
        self, *, user_id: str | None = None, domain: str | None = None
    ) -> list[AuthenticatorRecord]:
        clauses, params = [], []
        if user_id is not None:
            clauses.append("user_id = ?")
            params.append(user_id)
        if domain is not None:
            clauses.append("domain = ?")
            params.append(domain)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = await self._all(
            f"SELECT * FROM authenticators {where} ORDER BY created, serial",  # noqa: S608
            params,
        )
        return [_authenticator(r) for r in rows]

    async def push_ready_for_user(self, user_id: str, domain: str) -> AuthenticatorRecord | None:
        """The newest active authenticator of a user that can receive a push."""
        row = await self._one(
            "SELECT * FROM authenticators WHERE user_id = ? AND domain = ? AND status = ?"
            " AND push_token IS NOT NULL ORDER BY activated DESC, created DESC LIMIT 1",
            (user_id, domain, AUTH_ACTIVE),
        )
        return _authenticator(row) if row else None

    async def insert(self, authenticator: AuthenticatorRecord) -> None:
        values = asdict(authenticator)
        values["keys"] = to_json(dict(authenticator.keys))
        await self._insert("authenticators", values)

    async def update(self, serial: str, changes: Mapping[str, Any]) -> int:
        return await self._update("authenticators", {"serial": serial}, changes)

    async def set_status(self, serial: str, status: str, *, only_from: str | None = None) -> bool:
        if only_from is None:
            changed = await self._run(
                "UPDATE authenticators SET status = ? WHERE serial = ?", (status, serial)
            )
        else:
            changed = await self._run(
                "UPDATE authenticators SET status = ? WHERE serial = ? AND status = ?",
                (status, serial, only_from),
            )
        return changed == 1
