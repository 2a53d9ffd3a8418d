"""One PushSim per workspace: an exclusive ``flock`` on ``<workspace>/pushsim.lock``.

``pushsim`` (the window), ``pushsim serve`` and ``pushsim demo`` take the lock
before they touch the workspace and hold it until the process ends. The
kernel releases a ``flock`` when its file descriptor closes, so the lock goes
with the process however it ends (a clean exit, a crash, ``kill -9``); no
stale lock file is ever left to clean up. The file itself stays (its content,
the holder's pid, command and start time, is only read to name the holder in
the refusal), and ``Workspace.ensure(reset=True)`` keeps it.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

LOCK_NAME = "pushsim.lock"


class WorkspaceInUse(Exception):
    """Another process holds the workspace; the message names it."""

    def __init__(self, root: Path, holder: dict[str, object]) -> None:
        pid = holder.get("pid", "?")
        command = holder.get("command", "pushsim")
        started = holder.get("started", "an unknown time")
        super().__init__(
            f"the workspace {root} is in use by another PushSim ({command}, pid {pid}, "
            f"started {started}); close it first, or pass another --workspace"
        )
        self.holder = holder


@dataclass
class WorkspaceLock:
    """The held lock; ``release()`` (or the process ending) lets the next one in."""

    path: Path
    _handle: IO[str] | None

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()  # closing the descriptor releases the flock
            self._handle = None


def _holder(handle: IO[str]) -> dict[str, object]:
    handle.seek(0)
    try:
        found = json.loads(handle.read() or "{}")
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def lock_workspace(root: Path, command: str) -> WorkspaceLock:
    """Take the workspace's lock for this process, or raise ``WorkspaceInUse``."""
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = root / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    handle = os.fdopen(fd, "r+", encoding="utf-8")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _holder(handle)
        handle.close()
        raise WorkspaceInUse(root, holder) from None
    started = time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime())
    handle.seek(0)
    handle.truncate()
    handle.write(json.dumps({"pid": os.getpid(), "command": command, "started": started}))
    handle.flush()
    return WorkspaceLock(path, handle)
