"""``pushsim bench``: complete push logins over the real loopback servers, timed.

The run: start a ``BenchFleet`` (core, both mocks, N users with activated
auto-approving phones) in a fresh temporary workspace; time the password
hash at the run's cost on its own; open C login clients (one connection
each); every client logs in once to warm up (TLS handshakes, the FCM OAuth
token, the APNs provider token), then the C clients run the M measured
logins between them. A client works through its own share of the users, one
login at a time, so no user ever has two pushes pending (the core would
cancel the older). A login is: the login call, then long polls until the
session is decided; it counts as an error unless the decision is
``accepted``.
"""

from __future__ import annotations

import asyncio
import cProfile
import itertools
import os
import resource
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.clock import Clock
from core.collector import settle_heap
from core.seed import DEMO_DOMAIN, DemoUser
from core.service.passwords import HASH_WORKERS, hash_password
from core.workspace import Workspace
from simulators.bench.fleet import PASSKEY, BenchFleet, FleetPlan
from simulators.bench.report import RunCosts, build_report
from simulators.bench.timeline import LoginSample, Timeline
from simulators.login_client import CoreUnreachable, LoginClient

DECISION_TIMEOUT = 60.0  # seconds one login may take before it counts as an error


@dataclass(frozen=True, kw_only=True)
class BenchOptions:
    """What to run; the field names are the command's option names."""

    phones: int
    logins: int
    concurrency: int
    password_hash_cost: int = 15  # scrypt log2 N of the bench users' static passwords
    platform: str = "android"
    profile: Path | None = None  # cProfile of the measured logins (the loop thread)

    def __post_init__(self) -> None:
        if self.logins < 1 or self.concurrency < 1:
            raise ValueError("logins and concurrency must be at least 1")
        if self.concurrency > self.phones:
            raise ValueError("concurrency must not exceed phones (one login per user at a time)")

    @property
    def plan(self) -> FleetPlan:
        return FleetPlan(
            phones=self.phones,
            platform=self.platform,
            password_hash_log2_n=self.password_hash_cost,
        )


Progress = Callable[[int], None]  # called with the number of logins just finished
HASH_SAMPLES = 5


def time_one_hash(log2_n: int) -> float:
    """Median seconds of one password hash at ``2**log2_n`` (one core)."""
    durations = []
    for _ in range(HASH_SAMPLES):
        began = time.perf_counter()
        hash_password("bench-password", log2_n=log2_n)
        durations.append(time.perf_counter() - began)
    return statistics.median(durations)


def hash_capacity(log2_n: int, one_hash: float) -> float:
    """Hashes per second all the hash workers manage together, measured with every core
    hashing at once (two scrypts share the memory bus, so this is not cores / one hash);
    ``one_hash``: seconds of one hash alone, to size the run (about 0.5 s)."""
    count = HASH_WORKERS * max(2, min(50, int(0.5 / max(one_hash, 1e-4))))
    with ThreadPoolExecutor(max_workers=HASH_WORKERS) as pool:
        pool.submit(hash_password, "bench", log2_n=log2_n).result()  # the threads started
        began = time.perf_counter()
        for job in [pool.submit(hash_password, "bench", log2_n=log2_n) for _ in range(count)]:
            job.result()
        return count / (time.perf_counter() - began)


async def one_login(client: LoginClient, user: DemoUser, clock: Clock) -> LoginSample:
    """A complete push login of ``user``, stamped with ``clock``; never raises for a failure."""
    sample = LoginSample(user_id=user.user_id, marks={"started": clock.now()})
    try:
        started = await client.login(user.user_id, DEMO_DOMAIN, PASSKEY)
        sample.marks["answered"] = clock.now()
        sample.request_id = started.request_id
        if started.refused or started.request_id is None:
            sample.error = f"login refused: {started.refusal}"
            return sample
        decision = await client.wait_decided(started.request_id, timeout=DECISION_TIMEOUT)
        sample.marks["seen"] = clock.now()
        if decision.status != "accepted":
            sample.error = f"session {decision.status}: {decision.message or decision.reason}"
    except (CoreUnreachable, TimeoutError) as exc:
        sample.error = f"{type(exc).__name__}: {exc}"
    return sample


class LoginLoad:
    """C clients sharing M logins, each over its own slice of the users."""

    def __init__(self, fleet: BenchFleet, concurrency: int) -> None:
        self.fleet = fleet
        self.clients = [LoginClient(fleet.core.url, fleet.pki.ca_file) for _ in range(concurrency)]
        self._shares = [fleet.users[w :: len(self.clients)] for w in range(len(self.clients))]

    async def warm_up(self) -> list[LoginSample]:
        return list(
            await asyncio.gather(
                *(
                    one_login(client, share[0], self.fleet.clock)
                    for client, share in zip(self.clients, self._shares, strict=True)
                )
            )
        )

    async def run(self, logins: int, progress: Progress, timeline: Timeline) -> list[LoginSample]:
        samples: list[LoginSample] = []
        left = [logins]

        async def client_loop(client: LoginClient, share: Sequence[DemoUser]) -> None:
            for user in itertools.cycle(share):
                if left[0] <= 0:
                    return
                left[0] -= 1
                sample = await one_login(client, user, self.fleet.clock)
                timeline.complete(sample)
                samples.append(sample)
                progress(1)

        await asyncio.gather(
            *(
                client_loop(client, share)
                for client, share in zip(self.clients, self._shares, strict=True)
            )
        )
        return samples

    async def aclose(self) -> None:
        for client in self.clients:
            await client.aclose()


async def storage_counts(fleet: BenchFleet) -> tuple[int, int, int]:
    """(transactions, reads, audit rows) of the core database so far."""
    service = fleet.core.service
    await service.observations.flush()
    async with service.db.read() as repos:
        audit_rows = await repos.audit.count()
    return service.db.transactions, service.db.reads - 1, audit_rows  # minus this read


def peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


async def run_bench(
    options: BenchOptions,
    *,
    progress: Progress = lambda _n: None,
    on_phase: Callable[[str], None] = lambda _text: None,
) -> dict[str, Any]:
    """Run the bench as ``options`` say; the report as ``report.build_report`` makes it."""
    with tempfile.TemporaryDirectory(prefix="pushsim-bench-") as folder:
        fleet = BenchFleet(Workspace(Path(folder) / "workspace"), options.plan)
        on_phase(f"starting the suite and {options.phones} phones")
        began = time.perf_counter()
        await fleet.start()
        settle_heap()  # as pushsim serve and the window do once started
        try:
            setup_seconds = time.perf_counter() - began
            on_phase(f"timing one password hash at 2^{options.password_hash_cost}")
            hash_seconds = await asyncio.to_thread(time_one_hash, options.password_hash_cost)
            capacity = await asyncio.to_thread(
                hash_capacity, options.password_hash_cost, hash_seconds
            )
            report = await _measure(fleet, options, progress, on_phase)
        finally:
            await fleet.stop()
    report.update(
        setup_seconds=round(setup_seconds, 2),
        password_hash_ms=round(hash_seconds * 1000, 3),
        hash_workers=HASH_WORKERS,
        hash_capacity_per_s=round(capacity, 1),
    )
    return report


async def _measure(
    fleet: BenchFleet,
    options: BenchOptions,
    progress: Progress,
    on_phase: Callable[[str], None],
) -> dict[str, Any]:
    load = LoginLoad(fleet, options.concurrency)
    timeline = Timeline(fleet.events)
    try:
        on_phase(f"warming up {options.concurrency} login clients")
        warm = await load.warm_up()
        on_phase(f"{options.logins} logins")
        before = await storage_counts(fleet)
        load_before = os.getloadavg()
        profiler = cProfile.Profile() if options.profile else None
        cpu0, wall0 = time.process_time(), time.perf_counter()
        if profiler is not None:
            profiler.enable()
        samples = await load.run(options.logins, progress, timeline)
        if profiler is not None:
            profiler.disable()
        costs = RunCosts(
            wall_seconds=time.perf_counter() - wall0,
            cpu_seconds=time.process_time() - cpu0,
            peak_rss_bytes=peak_rss_bytes(),
            load_before=load_before,
            load_after=os.getloadavg(),
        )
        after = await storage_counts(fleet)
    finally:
        timeline.close()
        await load.aclose()
    if profiler is not None and options.profile is not None:
        profiler.dump_stats(options.profile)
    per_login = [round((a - b) / len(samples), 2) for a, b in zip(after, before, strict=True)]
    return build_report(
        setup={
            "phones": options.phones,
            "logins": options.logins,
            "concurrency": options.concurrency,
            "platform": options.platform,
            "password_hash_log2_n": options.password_hash_cost,
            "warmup_errors": sum(not s.ok for s in warm),
        },
        samples=samples,
        costs=costs,
        extra={
            "per_login": dict(
                zip(("sqlite_transactions", "sqlite_reads", "audit_rows"), per_login, strict=True)
            ),
        },
    )
