"""The servers' own memory with 1,000 connected phones (issue 12, benchmark).

    .venv/bin/python benchmarks/bench_phones_apart.py [--phones 1000] [--logins 200] [--json]

``pushsim bench`` runs the phones in the servers' process, so its peak RSS is
core + mocks + phones. Here ``pushsim serve`` (core, both mocks, the two demo
phones; scrypt 2^4 for the static passwords) runs alone in its own process,
and this process is the phones' and the users' side: it creates the users
through the admin API, activates one Android phone per user through the real
two-step activation (as ``docs/protocol.md`` and ``docs/api.md`` describe:
``POST /v1/users/register``, the phone's ``add-device``), keeps each phone's
delivery stream to mock FCM open, lets each approve by itself, and runs
``--logins`` complete push logins. The server process's RSS (``VmRSS``, and
its high-water mark ``VmHWM``) is read from ``/proc``: the core's and the
mocks' own memory, phones excluded.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.serve_process import cpu_seconds, memory_mb, print_result, serve  # noqa: E402
from core.clock import SystemClock  # noqa: E402
from core.collector import settle_heap  # noqa: E402
from core.events import EventBus  # noqa: E402
from core.seed import DEMO_DOMAIN, DEMO_PASSWORD  # noqa: E402
from core.workspace import Workspace  # noqa: E402
from simulators.activation_portal import ActivationPortal  # noqa: E402
from simulators.delivery.client import FcmDeviceClient  # noqa: E402
from simulators.login_client import LoginClient  # noqa: E402
from simulators.phone import (  # noqa: E402
    AutoAction,
    AutoResponsePolicy,
    HttpCoreDeviceApi,
    KdfParams,
    Phone,
    Platform,
)
from simulators.phone.auto_responder import start_auto_responder  # noqa: E402
from simulators.phone.delivery_adapter import DeliveryClientAdapter  # noqa: E402

AT_ONCE = 8  # phones activated concurrently


async def measure(phones: int, logins: int, concurrency: int = 1) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder:
        process, described = await serve(Path(folder) / "servers", "--password-hash-cost", "4")
        core, fcm = described["core"], described["fcm"]
        assert isinstance(core, dict)
        assert isinstance(fcm, dict)
        ca = Path(str(described["ca_file"]))
        mine = Workspace(Path(folder) / "phones")
        mine.ensure(reset=True)
        events, clock = EventBus(history=100), SystemClock()
        portal = ActivationPortal(str(core["url"]), ca, str(described["admin_token"]))
        await portal._call("PATCH", f"/admin/domains/{DEMO_DOMAIN}", {"pushRateLimit": 1000})
        started: list[Phone] = []
        closers: list[Callable[[], Awaitable[None]]] = []
        gate = asyncio.Semaphore(AT_ONCE)
        began = time.monotonic()
        before = memory_mb(process.pid)

        async def add(index: int) -> None:
            user = f"apart{index:04d}"
            async with gate:
                await portal.create_user(user, DEMO_DOMAIN, DEMO_PASSWORD)
                api = HttpCoreDeviceApi(str(core["url"]), ca_file=ca)
                delivery = DeliveryClientAdapter(FcmDeviceClient(str(fcm["device_url"]), ca))
                closers.extend((api.aclose, delivery.aclose))
                phone = Phone(
                    name=f"{user}-pixel",
                    platform=Platform.ANDROID,
                    workspace=mine,
                    events=events,
                    clock=clock,
                    core=api,
                    delivery=delivery,
                    kdf=KdfParams(n=2**4),
                )
                await phone.start()
                registration = await portal.register(
                    user_id=user, domain=DEMO_DOMAIN, app_kind="authenticator", platform="android"
                )
                await phone.activate(
                    registration.activation_message1, registration.activation_password, pin="1234"
                )
                start_auto_responder(phone, AutoResponsePolicy(action=AutoAction.APPROVE))
                started.append(phone)

        try:
            async with asyncio.TaskGroup() as group:
                for index in range(phones):
                    group.create_task(add(index))
            connected = memory_mb(process.pid)
            settle_heap()  # this process too: the phones' and clients' side collects less
            activated_seconds = time.monotonic() - began
            accepted = errors = 0

            async def client_loop(first: int) -> None:
                nonlocal accepted, errors
                async with LoginClient(str(core["url"]), ca) as client:
                    # a client's own share of the users: no user has two pushes pending
                    for number in range(first, logins, concurrency):
                        user = f"apart{number % phones:04d}"
                        start = await client.login(user, DEMO_DOMAIN, "push" + DEMO_PASSWORD)
                        if start.request_id is None:
                            errors += 1
                            continue
                        decision = await client.wait_decided(start.request_id, timeout=30)
                        accepted += decision.status == "accepted"
                        errors += decision.status != "accepted"

            cpu_before, logins_began = cpu_seconds(process.pid), time.monotonic()
            async with asyncio.TaskGroup() as group:
                for first in range(concurrency):
                    group.create_task(client_loop(first))
            logins_seconds = time.monotonic() - logins_began
            server_cpu = cpu_seconds(process.pid) - cpu_before
            after = memory_mb(process.pid)
        finally:
            for phone in started:
                await phone.stop()
            for close in closers:
                await close()
            await portal.aclose()
            process.terminate()
            await process.wait()
    return {
        "target": "1,000 connected phones: core + mocks <= 300 MB RSS",
        "command": f"benchmarks/bench_phones_apart.py --phones {phones} --logins {logins}"
        + (f" --concurrency {concurrency}" if concurrency != 1 else ""),
        "phones": phones,
        "activation_seconds": round(activated_seconds, 1),
        "logins": logins,
        "accepted": accepted,
        "errors": errors,
        "concurrency": concurrency,
        "logins_per_s": round(accepted / logins_seconds, 1),
        "server_cpu_ms_per_login": round(server_cpu * 1000 / max(1, logins), 2),
        "server_rss_mb_before_phones": round(before["VmRSS"], 1),
        "server_rss_mb_phones_connected": round(connected["VmRSS"], 1),
        "server_rss_mb_after_logins": round(after["VmRSS"], 1),
        "server_peak_rss_mb": round(after["VmHWM"], 1),
        "holds": after["VmHWM"] <= 300.0 and errors == 0,
        "load_average": os.getloadavg(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=1000)
    parser.add_argument("--logins", type=int, default=200)
    parser.add_argument(
        "--concurrency", type=int, default=1, help="login clients at once (own users each)"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = asyncio.run(measure(args.phones, args.logins, args.concurrency))
    print_result(result, as_json=args.json)
    return 0 if result["holds"] else 1


if __name__ == "__main__":
    sys.exit(main())
