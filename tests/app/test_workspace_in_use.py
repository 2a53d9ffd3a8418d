"""A second desktop PushSim on a taken workspace says so in a message box, naming the first."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from app import cli
from app.in_use_notice import TITLE
from core.workspace_lock import lock_workspace


def test_a_second_window_on_the_workspace_is_refused_with_a_message_box(
    qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(
        QMessageBox, "critical", lambda _parent, title, text, *_: shown.append((title, text))
    )
    workspace = tmp_path / "ws"
    first = lock_workspace(workspace, "pushsim")  # the running one, as far as the lock goes
    try:
        assert cli.main(["--workspace", str(workspace)]) == cli.WORKSPACE_IN_USE
    finally:
        first.release()
    ((title, text),) = shown
    assert title == TITLE
    assert f"pid {os.getpid()}" in text
    assert str(workspace) in text
    assert "close it first, or pass another --workspace" in text
