"""Throughput and latency of the mock push services with real client libraries.

For each mock: register ``--devices`` phones that hold live delivery streams,
then fire ``--sends`` concurrent sends from a real client (aioapns 4 for APNs,
firebase-admin ``send_each_async`` for FCM, and for comparison the lean path
the core's sender takes: google-auth + httpx over HTTP/2), each timed, and wait
until every notification reached its phone. The mocks and the phones share the
main asyncio loop (as in ``pushsim serve``); the client library runs in its own
process (a thread would make both sides fight over one GIL and measure that).
A warm-up send first opens the connection (and fetches the OAuth token).

    .venv/bin/python benchmarks/bench_mocks.py [--sends 1000] [--devices 50] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import json
import multiprocessing
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.clock import SystemClock
from core.events import EventBus
from core.pki import client_ssl_context, ensure_pki
from core.provider_credentials import (
    FCM_ANDROID_APP_ID,
    ProviderCredentials,
    ensure_provider_credentials,
)
from core.workspace import Workspace
from simulators.apns.server import ApnsMock
from simulators.delivery.client import DeliveryClient
from simulators.delivery.registry import IssuedRegistration
from simulators.fcm.server import FcmMock


@dataclass(frozen=True)
class Result:
    service: str
    client: str
    sends: int
    errors: int
    delivered: int
    seconds: float
    sends_per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    one_at_a_time_p50_ms: float


def _result(service: str, client: str, measured: Measured, delivered: int) -> Result:
    latencies, errors, wall, single = measured
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return 1000 * ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]

    return Result(
        service=service,
        client=client,
        sends=len(latencies),
        errors=errors,
        delivered=delivered,
        seconds=round(wall, 3),
        sends_per_second=round(len(latencies) / wall, 1),
        p50_ms=round(pct(0.50), 1),
        p95_ms=round(pct(0.95), 1),
        p99_ms=round(pct(0.99), 1),
        max_ms=round(1000 * ordered[-1], 1),
        one_at_a_time_p50_ms=round(1000 * statistics.median(single), 2),
    )


SEQUENTIAL = 100
Measured = tuple[list[float], int, float, list[float]]


async def _measure(timed: Callable[[int], Awaitable[tuple[float, bool]]], n: int) -> Measured:
    """``n`` sends at once, then ``SEQUENTIAL`` one at a time (idle round trip)."""
    start = time.perf_counter()
    burst = await asyncio.gather(*(timed(i) for i in range(n)))
    wall = time.perf_counter() - start
    single = [await timed(n + i) for i in range(SEQUENTIAL)]
    errors = sum(not ok for _, ok in [*burst, *single])
    return [t for t, _ in burst], errors, wall, [t for t, _ in single]


async def _in_process(function: Callable[..., Any], *args: Any) -> Any:
    """Run a client in a fresh process (spawned: no loop or lock inherited)."""
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return await asyncio.get_running_loop().run_in_executor(pool, function, *args)


class Phones:
    """``count`` phones holding delivery streams; counts what they receive."""

    def __init__(self, client: DeliveryClient, issued: list[IssuedRegistration]) -> None:
        self._client = client
        self.tokens = [registration.token for registration in issued]
        client.secrets.update({r.token: r.secret for r in issued})  # streams prove them
        self.received = 0
        self._target = 0
        self._done = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        online = [asyncio.Event() for _ in self.tokens]
        for token, event in zip(self.tokens, online, strict=True):
            self._tasks.append(asyncio.create_task(self._listen(token, event.set)))
        await asyncio.gather(*(event.wait() for event in online))

    async def _listen(self, token: str, on_online: Callable[[], None]) -> None:
        async for _ in self._client.notifications(token, on_online=on_online):
            self.received += 1
            if self._target and self.received >= self._target:
                self._done.set()

    async def wait_for(self, count: int, limit: float) -> int:
        self._target = count
        if self.received < count:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(limit):
                    await self._done.wait()
        return self.received

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._client.aclose()


# -- APNs with aioapns -------------------------------------------------------------------------
def _aioapns_run(port: int, creds: ProviderCredentials, ca: Path, tokens: list[str], n: int) -> Any:
    from aioapns import APNs, NotificationRequest, PushType
    from aioapns.connection import APNsProductionClientProtocol

    class MockProtocol(APNsProductionClientProtocol):
        APNS_SERVER = "127.0.0.1"
        APNS_PORT = port

    async def run() -> Measured:
        client = APNs(
            key=creds.apns_key_file.read_text(),
            key_id=creds.apns_key_id,
            team_id=creds.apns_team_id,
            topic=creds.apns_bundle_id,
            ssl_context=client_ssl_context(ca),
        )
        client.pool.protocol_class = MockProtocol

        def request(index: int) -> NotificationRequest:
            message = {
                "aps": {"alert": {"title": "Transaction Request", "body": "Tap here"}},
                "pushsim": 1,
                "requestID": f"bench-{index}",
            }
            token = tokens[index % len(tokens)]
            return NotificationRequest(token, message, push_type=PushType.ALERT, time_to_live=60)

        warm = await client.send_notification(request(-1))
        assert warm.is_successful, warm.description

        async def timed(index: int) -> tuple[float, bool]:
            start = time.perf_counter()
            result = await client.send_notification(request(index))
            return time.perf_counter() - start, result.is_successful

        try:
            return await _measure(timed, n)
        finally:
            client.pool.close()

    return asyncio.run(run())


async def bench_apns(
    creds: ProviderCredentials, ca: Path, pki: Any, n: int, devices: int
) -> Result:
    mock = ApnsMock(pki=pki, credentials=creds, events=EventBus(), clock=SystemClock())
    await mock.start()
    try:
        client = DeliveryClient(mock.device_url, ca)
        issued = [mock.hub.register_apns(bundle_id=creds.apns_bundle_id) for _ in range(devices)]
        phones = Phones(client, issued)
        tokens = phones.tokens
        await phones.start()
        measured = await _in_process(_aioapns_run, mock.port, creds, ca, tokens, n)
        delivered = await phones.wait_for(n + SEQUENTIAL + 1, limit=30) - 1  # minus the warm-up
        await phones.stop()
    finally:
        await mock.stop()
    return _result("apns", "aioapns 4.0 (token auth)", measured, delivered)


# -- FCM with firebase-admin -----------------------------------------------------------------
def _firebase_run(send_url: str, account_file: Path, tokens: list[str], n: int) -> Any:
    import firebase_admin
    from firebase_admin import credentials, messaging

    app = firebase_admin.initialize_app(
        credentials.Certificate(str(account_file)), name=f"bench-{os.getpid()}"
    )
    service = messaging._get_messaging_service(app)
    service._fcm_url = send_url

    def message(index: int) -> messaging.Message:
        return messaging.Message(
            fid=tokens[index % len(tokens)],
            data={"pushsim": "1", "serialNumber": "PS00000001", "requestID": f"bench-{index}"},
            notification=messaging.Notification(title="Transaction Request", body="Tap here"),
            android=messaging.AndroidConfig(priority="high", ttl=60),
        )

    async def run() -> Measured:
        try:
            warm = await messaging.send_each_async([message(-1)], app=app)
            assert warm.success_count == 1, warm.responses[0].exception

            async def timed(index: int) -> tuple[float, bool]:
                start = time.perf_counter()
                batch = await messaging.send_each_async([message(index)], app=app)
                return time.perf_counter() - start, batch.success_count == 1

            return await _measure(timed, n)
        finally:
            await service._async_client.aclose()

    try:
        return asyncio.run(run())
    finally:
        firebase_admin.delete_app(app)


def _httpx_run(send_url: str, account_file: Path, ca: Path, tokens: list[str], n: int) -> Any:
    """The lean path the core's sender takes: google-auth for OAuth, httpx over HTTP/2."""
    import httpx
    from google.auth.transport.requests import Request
    from google.oauth2 import service_account

    account = service_account.Credentials.from_service_account_file(
        str(account_file), scopes=["https://www.googleapis.com/auth/firebase.messaging"]
    )
    account.refresh(Request())
    headers = {"Authorization": f"Bearer {account.token}"}

    def body(index: int) -> dict[str, Any]:
        return {
            "message": {
                "token": tokens[index % len(tokens)],
                "data": {"pushsim": "1", "serialNumber": "PS00000001", "requestID": f"b-{index}"},
                "notification": {"title": "Transaction Request", "body": "Tap here"},
                "android": {"priority": "high", "ttl": "60s"},
            }
        }

    async def run() -> Measured:
        async with httpx.AsyncClient(http2=True, verify=client_ssl_context(ca)) as client:
            warm = await client.post(send_url, json=body(-1), headers=headers)
            assert warm.status_code == 200, warm.text

            async def timed(index: int) -> tuple[float, bool]:
                start = time.perf_counter()
                answer = await client.post(send_url, json=body(index), headers=headers)
                return time.perf_counter() - start, answer.status_code == 200

            return await _measure(timed, n)

    return asyncio.run(run())


async def bench_fcm(
    creds: ProviderCredentials, ca: Path, pki: Any, n: int, devices: int, *, lean: bool = False
) -> Result:
    mock = FcmMock(pki=pki, credentials=creds, events=EventBus(), clock=SystemClock())
    await mock.start()
    try:
        client = DeliveryClient(mock.device_url, ca)
        project = creds.fcm_project_id
        issued = [
            mock.hub.register_fcm(project_id=project, app_id=FCM_ANDROID_APP_ID)
            for _ in range(devices)
        ]
        phones = Phones(client, issued)
        tokens = phones.tokens
        await phones.start()
        if lean:
            measured = await _in_process(
                _httpx_run, mock.send_url, creds.fcm_service_account_file, ca, tokens, n
            )
        else:
            measured = await _in_process(
                _firebase_run, mock.send_url, creds.fcm_service_account_file, tokens, n
            )
        delivered = await phones.wait_for(n + SEQUENTIAL + 1, limit=30) - 1
        await phones.stop()
    finally:
        await mock.stop()
    client = "httpx HTTP/2 + google-auth" if lean else "firebase-admin 7 send_each_async"
    return _result("fcm", client, measured, delivered)


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sends", type=int, default=1000)
    parser.add_argument("--devices", type=int, default=50)
    parser.add_argument("--json", action="store_true", help="print JSON only")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="pushsim-bench-") as folder:
        workspace = Workspace(Path(folder)).ensure()
        pki = ensure_pki(workspace)
        creds = ensure_provider_credentials(workspace, pki)
        os.environ["SSL_CERT_FILE"] = str(pki.ca_file)  # firebase-admin async path (httpx)
        os.environ["REQUESTS_CA_BUNDLE"] = str(pki.ca_file)  # its OAuth refresh (requests)
        results = [
            await bench_apns(creds, pki.ca_file, pki, args.sends, args.devices),
            await bench_fcm(creds, pki.ca_file, pki, args.sends, args.devices),
            await bench_fcm(creds, pki.ca_file, pki, args.sends, args.devices, lean=True),
        ]

    machine = (
        f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores"
    )
    if args.json:
        print(json.dumps({"machine": machine, "results": [asdict(r) for r in results]}, indent=2))
    else:
        print(
            f"{args.sends} concurrent sends per mock (then {SEQUENTIAL} one by one), "
            f"{args.devices} phones online ({machine})"
        )
        print(
            f"{'mock':5} {'client':34} {'sends/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
            f"{'max ms':>7} {'1-by-1 p50':>10} {'errors':>6} {'delivered':>9}"
        )
        for r in results:
            print(
                f"{r.service:5} {r.client:34} {r.sends_per_second:8.1f} {r.p50_ms:7.1f} "
                f"{r.p95_ms:7.1f} {r.p99_ms:7.1f} {r.max_ms:7.1f} {r.one_at_a_time_p50_ms:10.2f} "
                f"{r.errors:6d} {r.delivered:9d}"
            )
    ok = all(r.errors == 0 and r.delivered == r.sends + SEQUENTIAL for r in results)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
