"""The ``pushsim bench`` command line: options, progress bar on stderr, table, JSON file.

``pushsim bench --phones N --logins M --concurrency C [--password-hash-cost LOG2N]
[--platform android|ios|mixed] [--json FILE] [--profile FILE]``. The table goes
to stdout, the progress bar to stderr; ``--json -`` writes the JSON report to
stdout instead of the table. Exit status 0 when every login was accepted, 1
when any failed.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import logging
import platform
import sys
from dataclasses import fields
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from simulators.bench.report import print_report
from simulators.bench.runner import BenchOptions, run_bench


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "system": platform.platform(),
        "date_utc": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M"),
    }


def run_bench_command(args: argparse.Namespace) -> int:
    """``pushsim bench``: parse-level checks, the run, the output; the exit status."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    err = Console(stderr=True)
    try:
        options = BenchOptions(**{f.name: getattr(args, f.name) for f in fields(BenchOptions)})
        options.plan  # noqa: B018 - validates the fleet options too
    except ValueError as exc:
        err.print(f"pushsim bench: {exc}")
        return 2
    to_stdout = args.json is not None and str(args.json) == "-"
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
    ) as bar:
        task = bar.add_task("setting up", total=options.logins)
        report = asyncio.run(
            run_bench(
                options,
                progress=lambda n: bar.advance(task, n),
                on_phase=lambda text: bar.update(task, description=text),
            )
        )
    report["machine"] = machine()
    report["command"] = " ".join(["pushsim", *sys.argv[1:]])
    text = json.dumps(report, indent=2)
    if to_stdout:
        print(text)
    else:
        print_report(report, Console())
        if args.json is not None:
            args.json.write_text(text + "\n", encoding="utf-8")
    return 0 if report["errors"] == 0 and report["warmup_errors"] == 0 else 1
