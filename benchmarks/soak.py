"""The reliability soak (issue 13): approve, reject, timeout, faults and churn on one suite.

    .venv/bin/python benchmarks/soak.py [--minutes 10] [--json FILE]

One suite (core, both mocks) with a fleet of phones, half Android and half
iOS: a quarter of the users' phones reject, a quarter ignore (their logins
time out after 3 s), the rest approve. Six clients log in at random for the
whole run. Every 20 s a fault is injected (FCM UNAVAILABLE twice — retried —,
or one dropped APNs push), every 30 s one phone goes into airplane mode for
5 s (its pushes are stored and forwarded or lost), so logins meet every
outcome. Each 30 s the process's RSS, open file descriptors, asyncio tasks
and the SQLite file size are sampled; at the end the database's
``integrity_check`` must say ``ok`` and every session must be decided.
Outcomes that are the product working (a reject, a timeout, a 429 from the
reject cool-down or the push rate limit) are counted by kind, not as errors;
an error is a 5xx, a transport failure, or a session left pending.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.seed import DEMO_DOMAIN
from core.workspace import Workspace
from simulators.bench.fleet import PASSKEY, BenchFleet, FleetPlan
from simulators.delivery.control_client import FaultControl
from simulators.login_client import CoreUnreachable, LoginClient
from simulators.phone import AutoAction, AutoResponsePolicy

PHONES, CLIENTS, PUSH_TIMEOUT = 12, 6, 3
FAULTS = (
    {"service": "fcm", "kind": "error", "reason": "UNAVAILABLE", "count": 2},
    {"service": "apns", "kind": "drop", "count": 1},
)


def rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def db_mb(path: Path) -> float:
    files = [path, path.with_name(path.name + "-wal")]
    return sum(f.stat().st_size for f in files if f.exists()) / 2**20


def policy_of(index: int) -> AutoAction:
    return (AutoAction.REJECT, AutoAction.IGNORE, AutoAction.APPROVE, AutoAction.APPROVE)[index % 4]


async def client_loop(
    fleet: BenchFleet, users: list[str], until: float, outcomes: Counter[str], rng: random.Random
) -> None:
    async with LoginClient(fleet.core.url, fleet.pki.ca_file) as client:
        while time.monotonic() < until:
            user = rng.choice(users)
            try:
                started = await client.login(user, DEMO_DOMAIN, PASSKEY)
                if started.refused or started.request_id is None:
                    kind = f"refused {started.http_status}"
                    outcomes["error" if started.http_status >= 500 else kind] += 1
                    await asyncio.sleep(0.2)  # a refused user: let the others go first
                    continue
                decision = await client.wait_decided(started.request_id, timeout=PUSH_TIMEOUT + 20)
                outcomes[decision.status] += 1
            except (CoreUnreachable, TimeoutError) as exc:
                outcomes["error"] += 1
                outcomes[f"error: {type(exc).__name__}"] += 1


async def disturb(
    fleet: BenchFleet, until: float, rng: random.Random, counts: Counter[str]
) -> None:
    faults = FaultControl(fleet)
    phones = list(fleet.phones.values())
    tick = 0
    try:
        while time.monotonic() < until:
            await asyncio.sleep(10)
            tick += 1
            if tick % 2 == 0:
                await faults.add(FAULTS[tick // 2 % len(FAULTS)], None)
                counts["faults injected"] += 1
            if tick % 3 == 0:
                phone = rng.choice(phones)
                phone.set_airplane_mode(True)
                await asyncio.sleep(5)
                phone.set_airplane_mode(False)
                counts["airplane churns"] += 1
    finally:
        await faults.aclose()


async def soak(minutes: float) -> dict[str, Any]:
    rng = random.Random(13)
    outcomes: Counter[str] = Counter()
    disturbances: Counter[str] = Counter()
    samples: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory() as folder:
        fleet = BenchFleet(
            Workspace(Path(folder) / "workspace"),
            FleetPlan(phones=PHONES, platform="mixed", password_hash_log2_n=4),
        )
        await fleet.start()
        db_path = fleet.workspace.core_db
        try:
            await fleet.core.service.directory.update_domain(
                DEMO_DOMAIN, {"push_timeout": PUSH_TIMEOUT}
            )
            for index, phone in enumerate(fleet.phones.values()):
                policy = AutoResponsePolicy(action=policy_of(index))
                await fleet.set_auto_responder(phone, policy)
            users = [u.user_id for u in fleet.users]
            began = time.monotonic()
            until = began + minutes * 60

            async def sample() -> None:
                while True:
                    samples.append(
                        {
                            "minute": round((time.monotonic() - began) / 60, 2),
                            "rss_mb": round(rss_mb(), 1),
                            "fds": len(os.listdir("/proc/self/fd")),
                            "tasks": len(asyncio.all_tasks()),
                            "db_mb": round(db_mb(db_path), 2),
                        }
                    )
                    await asyncio.sleep(30)

            sampler = asyncio.create_task(sample())
            await asyncio.gather(
                disturb(fleet, until, rng, disturbances),
                *(client_loop(fleet, users, until, outcomes, rng) for _ in range(CLIENTS)),
            )
            sampler.cancel()
        finally:
            await fleet.stop()
        with sqlite3.connect(db_path) as db:
            integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
            statuses = dict(db.execute("SELECT status, count(*) FROM sessions GROUP BY status"))
    first, last = samples[1] if len(samples) > 1 else samples[0], samples[-1]
    return {
        "minutes": minutes,
        "machine": os.uname().nodename,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "cpus": os.cpu_count(),
        "outcomes": dict(outcomes),
        "disturbances": dict(disturbances),
        "sessions_by_status": statuses,
        "pending_at_end": statuses.get("pending", 0),
        "integrity_check": integrity,
        "samples": samples,
        "rss_mb": [first["rss_mb"], last["rss_mb"]],
        "fds": [first["fds"], last["fds"]],
        "tasks": [first["tasks"], last["tasks"]],
        "db_mb": [first["db_mb"], last["db_mb"]],
        "holds": integrity == "ok" and outcomes["error"] == 0 and not statuses.get("pending"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result = asyncio.run(soak(args.minutes))
    text = json.dumps(result, indent=2)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0 if result["holds"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
