"""A smoke run of ``pushsim bench``: a few logins, cheap hash; no figures are checked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def test_bench_runs_a_few_logins_without_errors_and_writes_json(tmp_path: Path) -> None:
    report_file = tmp_path / "bench.json"
    result = subprocess.run(
        [
            *(sys.executable, "-m", "app.cli", "bench"),
            *("--phones", "2", "--logins", "6", "--concurrency", "2"),
            *("--password-hash-cost", "4", "--platform", "mixed", "--json", str(report_file)),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={k: v for k, v in os.environ.items() if k != "DISPLAY"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(report_file.read_text(encoding="utf-8"))
    assert report["errors"] == 0
    assert report["logins_run"] == 6
