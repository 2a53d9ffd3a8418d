"""Where a workspace's files live, and the admin token.

A workspace is one folder holding everything a PushSim installation needs: the
TLS CA and certificates, provider credentials for the mock FCM/APNs, the core's
SQLite database, the phones' secure storage, and the admin token. It is created
owner-only (0700 folders, 0600 secrets) because it holds private keys.
"""

from __future__ import annotations

import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from core.workspace_lock import LOCK_NAME

APP_NAME = "pushsim"


def default_workspace_root() -> Path:
    """The per-user data directory, unless PUSHSIM_WORKSPACE says otherwise."""
    override = os.environ.get("PUSHSIM_WORKSPACE")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "workspace"


def write_secret(path: Path, data: bytes) -> None:
    """Write a file readable by its owner only, created with those rights."""
    _write_with_mode(path, data, 0o600)


def write_public(path: Path, data: bytes) -> None:
    """Write a non-secret file (a certificate): anyone may read, only the owner write.

    The mode is given explicitly, not left to the umask: under ``umask 000`` a
    plain ``write_bytes`` makes a CA certificate world-writable, and whoever
    can rewrite the CA file decides whom the phones and clients trust.
    """
    _write_with_mode(path, data, 0o644)


def _write_with_mode(path: Path, data: bytes, mode: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        os.fchmod(handle.fileno(), mode)  # a file that existed keeps its old mode under O_CREAT
        handle.write(data)


class _Below:
    """A path below the workspace root, read like an attribute (``ws.pki_dir``)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, workspace: Workspace, owner: type | None = None) -> Path:
        return workspace.root / self.name


@dataclass(frozen=True)
class Workspace:
    root: Path

    # -- layout -----------------------------------------------------------
    pki_dir = _Below("pki")
    credentials_dir = _Below("credentials")  # provider credentials, as a customer hands them over
    core_db = _Below("core.sqlite3")
    phones_dir = _Below("phones")
    admin_token_file = _Below("admin-token")

    # -- lifecycle ----------------------------------------------------------
    def ensure(self, *, reset: bool = False) -> Workspace:
        """Create the folder tree (owner-only); wipe it first when ``reset``."""
        if reset and self.root.exists():
            for child in self.root.iterdir():  # the lock stays: this process holds it
                if child.name == LOCK_NAME:
                    continue
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child)
                else:
                    child.unlink()
        for folder in (self.root, self.pki_dir, self.credentials_dir, self.phones_dir):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.chmod(folder, 0o700)
        return self

    def admin_token(self) -> str:
        """The admin bearer token, generated at first use and kept 0600."""
        path = self.admin_token_file
        if path.exists():
            return path.read_text(encoding="ascii").strip()
        token = secrets.token_urlsafe(32)
        write_secret(path, token.encode("ascii") + b"\n")
        return token
