"""Emptying the core's tables (File › Reset to demo data), children before parents."""

from __future__ import annotations

from core.storage.base import Repository

# foreign keys are on: rows that reference others go first
TABLES = (
    "seen_nonces",
    "audit_events",
    "sessions",
    "authenticators",
    "registrations",
    "users",
    "push_apps",
    "domains",
)


class ResetRepository(Repository):
    async def pending_ids(self) -> list[str]:
        rows = await self._all("SELECT request_id FROM sessions WHERE status = 'pending'")
        return [str(row["request_id"]) for row in rows]

    async def clear_all(self) -> int:
        """Delete every row of every table; returns how many went."""
        removed = 0
        for table in TABLES:  # our own constant names, never input
            removed += await self._run(f"DELETE FROM {table}")  # noqa: S608
        return removed
