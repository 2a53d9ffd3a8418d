"""A phone's persistent storage: one owner-only JSON file per phone.

The file lives under the workspace's ``phones`` folder (``phones/<name>.json``)
and survives restarts, like a real phone's flash. It holds the device state
(settings, fingerprint enrolment) and the app's sandbox (keystore, push token,
PIN counters). Key material in it is wrapped by ``keystore`` before it gets
here; this module only moves JSON to and from disk.

Writes are atomic (a 0600 temp file renamed over the old one), so a crash
mid-write leaves either the old or the new state, never half of one. The
files are a few kilobytes, so writing them inline does not stall the loop.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from pathlib import Path
from typing import Any

from core.workspace import write_secret

STORAGE_VERSION = 1

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")


def validate_phone_name(name: str) -> str:
    """Phone names become file names, so only a safe alphabet is allowed."""
    if not _NAME.fullmatch(name) or name.endswith(".tmp"):
        raise ValueError(
            f"phone name {name!r} must be 1-63 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return name


class StorageCorrupt(Exception):
    """The storage file exists but is not a PushSim phone record."""


class PhoneStorage:
    """Load and atomically save one phone's record (a JSON object)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def for_phone(cls, phones_dir: Path, name: str) -> PhoneStorage:
        return cls(phones_dir / f"{validate_phone_name(name)}.json")

    def exists(self) -> bool:
        return self.path.exists()

    def load(self) -> dict[str, Any] | None:
        """The saved record, or None when the phone has never been saved."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        try:
            record = json.loads(text)
        except json.JSONDecodeError as exc:
            raise StorageCorrupt(f"{self.path}: not JSON ({exc.msg})") from exc
        if not isinstance(record, dict) or record.get("version") != STORAGE_VERSION:
            raise StorageCorrupt(f"{self.path}: not a version {STORAGE_VERSION} phone record")
        return record

    def save(self, record: dict[str, Any]) -> None:
        data = dict(record, version=STORAGE_VERSION)
        payload = json.dumps(data, indent=2, sort_keys=True).encode("utf-8")
        # A unique temp name: two phones never share a file, but a test may
        # reload a phone while the old object still exists.
        temp = self.path.with_name(f".{self.path.name}.{secrets.token_hex(4)}.tmp")
        try:
            write_secret(temp, payload)
            os.replace(temp, self.path)
        finally:
            if temp.exists():
                temp.unlink()

    def delete(self) -> None:
        self.path.unlink(missing_ok=True)
