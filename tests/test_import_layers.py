"""The layer rules of SPEC §1, checked two ways.

1. import-linter's contracts in pyproject.toml (static: every import statement).
2. A fresh interpreter imports every core and simulators module and must not
   have pulled in Qt (dynamic: catches imports hidden behind importlib).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_linter_contracts_hold() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from importlinter.cli import lint_imports_command;"
            " sys.exit(lint_imports_command())",
            "--no-cache",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 4 kept, 0 broken" in result.stdout


def test_headless_packages_load_without_qt() -> None:
    script = """
import importlib, pkgutil, sys
import core, simulators
for package in (core, simulators):
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        importlib.import_module(info.name)
banned = {"PySide6", "qasync", "shiboken6", "app"}
leaked = sorted(m for m in sys.modules if m.split(".")[0] in banned)
print("LEAKED", leaked)
sys.exit(1 if leaked else 0)
"""
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "LEAKED []" in result.stdout
