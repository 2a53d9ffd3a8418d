"""The bench result: one JSON-ready mapping, and its table for the terminal.

Latencies are in milliseconds, nearest-rank percentiles over the logins that
completed (errors are counted, not timed). CPU seconds are the whole
process's (core, mocks, phones and login clients share it) during the run,
divided by the logins; peak RSS is the process's high-water mark.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from rich.console import Console
from rich.table import Table

from simulators.bench.timeline import STEPS, LoginSample

PERCENTILES = (50, 95, 99)
ERRORS_LISTED = 5


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def distribution(values: Iterable[float | None]) -> dict[str, float] | None:
    """p50/p95/p99/max in ms of the values that exist; None when there are none."""
    present = sorted(v * 1000 for v in values if v is not None)
    if not present:
        return None
    summary = {f"p{p}": round(percentile(present, p), 2) for p in PERCENTILES}
    summary["max"] = round(present[-1], 2)
    summary["count"] = len(present)
    return summary


class RunCosts(NamedTuple):
    """What the run cost the process, measured around the logins."""

    wall_seconds: float
    cpu_seconds: float
    peak_rss_bytes: int
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]


def build_report(
    *,
    setup: Mapping[str, Any],
    samples: Sequence[LoginSample],
    costs: RunCosts,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    done = [s for s in samples if s.ok]
    failed = [s for s in samples if not s.ok]
    logins = len(samples)
    return {
        **setup,
        "logins_run": logins,
        "errors": len(failed),
        "error_examples": [f"{s.user_id}: {s.error}" for s in failed[:ERRORS_LISTED]],
        "wall_seconds": round(costs.wall_seconds, 3),
        "throughput_per_s": round(len(done) / costs.wall_seconds, 2) if costs.wall_seconds else 0,
        "latency_ms": {
            "login": distribution(s.total for s in done),
            **{step: distribution(s.step(step) for s in done) for step in STEPS},
        },
        "cpu_seconds_per_login": round(costs.cpu_seconds / logins, 5) if logins else None,
        "peak_rss_mb": round(costs.peak_rss_bytes / 2**20, 1),
        "load_average": {"before": list(costs.load_before), "after": list(costs.load_after)},
        **(extra or {}),
    }


def print_report(report: Mapping[str, Any], console: Console) -> None:
    """The human-readable summary of ``report`` (the same figures as the JSON)."""
    console.print(
        f"[bold]{report['logins_run']} logins[/], {report['phones']} phones "
        f"({report['platform']}), concurrency {report['concurrency']}, "
        f"password hash scrypt 2^{report['password_hash_log2_n']} "
        f"({report['password_hash_ms']:.2f} ms per hash, "
        f"{report['hash_capacity_per_s']:.0f} hashes/s on {report['hash_workers']} cores)"
    )
    console.print(
        f"throughput [bold]{report['throughput_per_s']:.1f} logins/s[/] "
        f"in {report['wall_seconds']:.2f} s, errors [bold]{report['errors']}[/], "
        f"CPU {report['cpu_seconds_per_login'] * 1000:.2f} ms per login, "
        f"peak RSS {report['peak_rss_mb']:.0f} MB, load {report['load_average']['before'][0]:.2f}"
    )
    table = Table("latency (ms)", *(f"p{p}" for p in PERCENTILES), "max")
    for name, summary in report["latency_ms"].items():
        if summary is None:
            table.add_row(name, *("-" for _ in range(len(PERCENTILES) + 1)))
            continue
        cells = [summary[f"p{p}"] for p in PERCENTILES] + [summary["max"]]
        table.add_row(name.replace("_", " "), *(f"{value:.1f}" for value in cells))
    console.print(table)
    for example in report["error_examples"]:
        console.print(f"[red]error[/] {example}")
