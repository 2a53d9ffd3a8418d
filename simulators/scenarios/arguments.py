"""The options of ``pushsim scenario run``.

Only ``argparse`` here: ``app.cli`` builds its parser on every start, the
window's included, and the scenario runner (the whole suite) loads only when
the command runs.
"""

from __future__ import annotations

import argparse
from pathlib import Path

DEFAULT_JOBS = 4  # scenarios at once


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    scenario = commands.add_parser("scenario", help="run QA scenarios headless")
    actions = scenario.add_subparsers(dest="scenario_command", required=True)
    run = actions.add_parser("run", help="run scenario files or folders of them")
    run.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="a .toml file or a folder")
    run.add_argument("--junit", type=Path, metavar="FILE", help="write JUnit XML here")
    run.add_argument("--json", type=Path, metavar="FILE", help="write the results as JSON here")
    run.add_argument("--seed", type=int, help="seed for faults and generated values")
    run.add_argument(
        "--jobs", type=int, default=DEFAULT_JOBS, help=f"scenarios at once (default {DEFAULT_JOBS})"
    )
