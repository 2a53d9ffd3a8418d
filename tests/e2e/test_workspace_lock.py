"""One PushSim per workspace: a second one is refused, naming the first; a crash frees it."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

import pytest

from core.workspace import Workspace
from core.workspace_lock import LOCK_NAME, WorkspaceInUse, lock_workspace

PUSHSIM = [sys.executable, "-m", "app.cli"]
HEADLESS = {k: v for k, v in os.environ.items() if k != "DISPLAY"}


async def serve(workspace: Path) -> asyncio.subprocess.Process:
    """``pushsim serve --json`` on the workspace, once it printed its endpoints."""
    process = await asyncio.create_subprocess_exec(
        *PUSHSIM,
        *("--workspace", str(workspace), "serve", "--json", "--password-hash-cost", "4"),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=HEADLESS,
    )
    assert process.stdout is not None
    async with asyncio.timeout(60):
        line = await process.stdout.readline()
    assert json.loads(line)["core"]["url"].startswith("https://127.0.0.1:")
    return process


async def run_pushsim(*args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        *PUSHSIM,
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=HEADLESS,
    )
    async with asyncio.timeout(60):
        _, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, err.decode()


async def test_a_second_pushsim_is_refused_until_the_first_is_killed(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    first = await serve(workspace)
    try:
        for command in ("serve", "demo"):
            code, err = await run_pushsim("--workspace", str(workspace), command)
            assert code == 3, err
            assert f"pid {first.pid}" in err
            assert "pushsim serve" in err
            assert "started 20" in err
            assert str(workspace) in err
        assert first.returncode is None, "the refused one must not have disturbed the first"
    finally:
        first.send_signal(signal.SIGKILL)  # a crash: nothing cleans up
        await first.wait()
    second = await serve(workspace)  # the kernel released the lock with the process
    try:
        with_lock = json.loads((workspace / LOCK_NAME).read_text())
        assert with_lock["pid"] == second.pid
    finally:
        second.send_signal(signal.SIGTERM)
        async with asyncio.timeout(30):
            assert await second.wait() == 0


def test_the_lock_is_released_and_survives_a_reset(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    lock = lock_workspace(root, "pushsim")
    Workspace(root).ensure(reset=True)
    assert (root / LOCK_NAME).exists(), "--reset must not delete the held lock"
    with pytest.raises(WorkspaceInUse, match=f"pid {os.getpid()}"):
        lock_workspace(root, "pushsim demo")
    lock.release()
    lock_workspace(root, "pushsim demo").release()
