"""The push-login targets of issue 12, one named target each (benchmarks, not tests).

Every target but ``soak`` and ``throughput-apart`` is one ``pushsim bench``
command (printed before it runs, so it can be rerun alone); the script reads
its JSON report and says whether the target holds. ``throughput-apart`` runs
``bench_phones_apart.py``; ``soak`` drives the same fleet in process for ten
minutes and samples RSS, asyncio tasks and open file descriptors.

    .venv/bin/python benchmarks/bench_push_login.py        # the four targets of make bench
    .venv/bin/python benchmarks/bench_push_login.py --target phones-1000
    .venv/bin/python benchmarks/bench_push_login.py --target soak [--minutes 10]
    .venv/bin/python benchmarks/bench_push_login.py --target all --json results.json

Machine load matters: each result carries ``os.getloadavg()`` from before and
after its run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PRIVACYIDEA_MS = "126-180 ms median (privacyIDEA 3.14, lean settings, this machine)"


@dataclass(frozen=True)
class Target:
    name: str
    goal: str
    args: tuple[str, ...]
    check: Callable[[dict[str, Any]], tuple[bool, str]]


def _idle(report: dict[str, Any]) -> tuple[bool, str]:
    median = report["latency_ms"]["login"]["p50"]
    return median <= 10 and report["errors"] == 0, f"median {median:.1f} ms"


def _throughput(report: dict[str, Any]) -> tuple[bool, str]:
    rate = report["throughput_per_s"]
    return rate >= 150 and report["errors"] == 0, f"{rate:.1f} logins/s, {report['errors']} errors"


def _product_hash(report: dict[str, Any]) -> tuple[bool, str]:
    rate, capacity = report["throughput_per_s"], report["hash_capacity_per_s"]
    share = rate / capacity
    text = f"{rate:.1f} logins/s = {share:.0%} of {capacity:.1f} hashes/s the cores can do"
    return share >= 0.8 and report["errors"] == 0, text


def _rss(report: dict[str, Any]) -> tuple[bool, str]:
    rss = report["peak_rss_mb"]
    return rss <= 300 and report["errors"] == 0, f"peak RSS {rss:.0f} MB (core+mocks+phones)"


CHEAP = ("--password-hash-cost", "4")
TARGETS = {
    t.name: t
    for t in (
        Target(
            "idle",
            "concurrency 1, cheap hash: median complete push login <= 10 ms",
            ("--phones", "4", "--logins", "300", "--concurrency", "1", *CHEAP),
            _idle,
        ),
        Target(
            "throughput",
            "100 phones, concurrency 20, cheap hash: >= 150 logins/s, 0 errors",
            ("--phones", "100", "--logins", "2000", "--concurrency", "20", *CHEAP),
            _throughput,
        ),
        Target(
            "product-hash",
            "100 phones, concurrency 20, scrypt 2^15: >= 80 % of what the cores can hash",
            ("--phones", "100", "--logins", "500", "--concurrency", "20"),
            _product_hash,
        ),
        Target(
            "phones-1000",
            "1,000 connected phones: core + mocks <= 300 MB RSS",
            ("--phones", "1000", "--logins", "200", "--concurrency", "10", *CHEAP),
            _rss,
        ),
    )
}
DEFAULT = ("idle", "throughput", "throughput-apart", "product-hash")


def run_target(target: Target) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        report_file = Path(folder) / "report.json"
        command = [sys.executable, "-m", "app.cli", "bench", *target.args, "--json", report_file]
        print("$ pushsim bench " + " ".join(target.args), file=sys.stderr, flush=True)
        subprocess.run(command, check=False, cwd=Path(__file__).resolve().parents[1])
        report = json.loads(report_file.read_text(encoding="utf-8"))
    holds, figure = target.check(report)
    return {
        "target": target.name,
        "goal": target.goal,
        "command": "pushsim bench " + " ".join(target.args),
        "holds": holds,
        "measured": figure,
        "load_average": report["load_average"],
        "report": report,
    }


APART = ("--phones", "100", "--logins", "2000", "--concurrency", "20")


def throughput_apart() -> dict[str, Any]:
    """The throughput target with the servers in a process of their own (``pushsim
    serve``: core and both mocks), the phones and login clients in another, as
    phones and browsers are in life: ``benchmarks/bench_phones_apart.py``."""
    script = Path(__file__).resolve().with_name("bench_phones_apart.py")
    print("$ benchmarks/bench_phones_apart.py " + " ".join(APART), file=sys.stderr, flush=True)
    load_before = os.getloadavg()
    out = subprocess.run(
        [sys.executable, str(script), *APART, "--json"],
        check=False,
        capture_output=True,
        text=True,
        cwd=script.parents[1],
    ).stdout
    report = json.loads(out)
    rate, errors = report["logins_per_s"], report["errors"]
    return {
        "target": "throughput-apart",
        "goal": "100 phones, concurrency 20, cheap hash, servers in their own process:"
        " >= 150 logins/s, 0 errors",
        "command": "benchmarks/bench_phones_apart.py " + " ".join(APART),
        "holds": rate >= 150 and errors == 0,
        "measured": f"{rate:.1f} logins/s, {errors} errors,"
        f" servers' CPU {report['server_cpu_ms_per_login']:.2f} ms per login",
        "load_average": {"before": list(load_before), "after": list(os.getloadavg())},
        "report": report,
    }


async def soak(minutes: float, phones: int = 20, concurrency: int = 10) -> dict[str, Any]:
    """Mixed platforms, cheap hash, logins for ``minutes`` after the warm-up; RSS slope.

    Warm-up: every phone's inbox fills to its limit first (the phone keeps its
    newest ``DEFAULT_LIMIT`` notifications by design), then the baseline is taken.
    """
    from core.collector import settle_heap
    from core.workspace import Workspace
    from simulators.bench.fleet import BenchFleet, FleetPlan
    from simulators.bench.runner import LoginLoad, peak_rss_bytes
    from simulators.bench.timeline import Timeline
    from simulators.phone.inbox import DEFAULT_LIMIT

    def rss_mb() -> float:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

    def fds() -> int:
        return len(os.listdir("/proc/self/fd"))

    plan = FleetPlan(phones=phones, platform="mixed", password_hash_log2_n=4)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as folder:
        fleet = BenchFleet(Workspace(Path(folder) / "workspace"), plan)
        await fleet.start()
        settle_heap()  # as pushsim serve does once started
        try:
            load = LoginLoad(fleet, concurrency)
            timeline = Timeline(fleet.events)
            await load.warm_up()
            await load.run(DEFAULT_LIMIT * phones, lambda _n: None, timeline)
            base_tasks, base_fds = len(asyncio.all_tasks()), fds()
            samples = [(0.0, rss_mb())]
            errors = logins = 0
            began = time.monotonic()
            while time.monotonic() - began < minutes * 60:
                batch = await load.run(10 * concurrency, lambda _n: None, timeline)
                logins += len(batch)
                errors += sum(not s.ok for s in batch)
                samples.append(((time.monotonic() - began) / 60, rss_mb()))
            end_tasks, end_fds = len(asyncio.all_tasks()), fds()
            timeline.close()
            await load.aclose()
        finally:
            await fleet.stop()
    steady = samples
    slope = _slope(steady)
    holds = slope <= 1.0 and end_tasks <= base_tasks and end_fds <= base_fds and errors == 0
    return {
        "target": "soak",
        "goal": f"{minutes:g}-minute mixed run after warm-up: RSS slope <= 1 MB/min, no leaked"
        " tasks or fds",
        "command": f"python benchmarks/bench_push_login.py --target soak --minutes {minutes:g}",
        "holds": holds,
        "measured": f"RSS slope {slope:+.2f} MB/min ({steady[0][1]:.0f} -> {steady[-1][1]:.0f} MB),"
        f" tasks {base_tasks} -> {end_tasks}, fds {base_fds} -> {end_fds},"
        f" {logins} logins, {errors} errors, peak {peak_rss_bytes() / 2**20:.0f} MB",
        "load_average": {"before": list(load_before), "after": list(os.getloadavg())},
        "rss_mb_by_minute": [[round(m, 2), round(mb, 1)] for m, mb in samples],
    }


def _slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (minute, MB) points."""
    if len(points) < 2:
        return 0.0
    mx = sum(x for x, _ in points) / len(points)
    my = sum(y for _, y in points) / len(points)
    var = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / var if var else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--target",
        action="append",
        choices=[*TARGETS, "throughput-apart", "soak", "all"],
        help=f"repeatable; default {' '.join(DEFAULT)}",
    )
    parser.add_argument("--minutes", type=float, default=10.0, help="length of the soak run")
    parser.add_argument("--json", type=Path, help="write all results to this file")
    args = parser.parse_args()
    names = args.target or list(DEFAULT)
    if "all" in names:
        names = [*TARGETS, "throughput-apart", "soak"]
    results = []
    for name in names:
        if name == "soak":
            results.append(asyncio.run(soak(args.minutes)))
        elif name == "throughput-apart":
            results.append(throughput_apart())
        else:
            results.append(run_target(TARGETS[name]))
        row = results[-1]
        load = row["load_average"]["before"][0]
        verdict = "holds" if row["holds"] else "DOES NOT HOLD"
        print(f"{row['target']:16} {verdict:13} {row['measured']}  (load {load:.2f})", flush=True)
    print(f"peer: {PRIVACYIDEA_MS}")
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
