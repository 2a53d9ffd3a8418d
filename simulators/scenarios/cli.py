"""``pushsim scenario run PATH... [--junit FILE] [--json FILE] [--seed N] [--jobs N]``.

Every file is validated before anything runs: one bad file stops the run
with its ``file:line`` problems (exit 2). Otherwise the scenarios run, a
progress bar and a summary table are printed, the reports are written, and
the exit status is 0 only when every expectation of every scenario held
(1 otherwise).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

from simulators.scenarios.loader import load_scenario, scenario_files
from simulators.scenarios.model import Problem, Scenario, ScenarioInvalid
from simulators.scenarios.reports import Progress, json_report, junit_xml, summary, write
from simulators.scenarios.runner import run_scenarios

EXIT_FAILED = 1
EXIT_INVALID = 2


def load_all(paths: list[Path]) -> list[Scenario]:
    """Every scenario, or ``ScenarioInvalid`` with the problems of every bad file."""
    files = scenario_files(paths)
    scenarios: list[Scenario] = []
    problems: list[Problem] = []
    for path in files:
        try:
            scenarios.append(load_scenario(path))
        except ScenarioInvalid as exc:
            problems.extend(exc.problems)
    if problems:
        raise ScenarioInvalid(problems)
    return scenarios


def run_command(args: argparse.Namespace) -> int:
    try:
        scenarios = load_all(args.paths)
    except ScenarioInvalid as exc:
        print(exc, file=sys.stderr)
        print("nothing was run: fix the files above", file=sys.stderr)
        return EXIT_INVALID
    if not scenarios:
        print("no scenario files found", file=sys.stderr)
        return EXIT_INVALID
    began = time.perf_counter()
    progress = Progress(len(scenarios))
    results = asyncio.run(
        run_scenarios(scenarios, seed=args.seed, jobs=args.jobs, on_done=progress)
    )
    seconds = time.perf_counter() - began
    print(summary(results, seconds))
    if args.junit:
        write(args.junit, junit_xml(results, seconds))
    if args.json:
        write(args.json, json_report(results, seconds, args.seed))
    return 0 if all(r.passed for r in results) else EXIT_FAILED
