"""Crash safety: SIGKILL the serve process mid-load, restart, and every decision a client saw holds.

A real ``python -m core.serve`` subprocess; logins and answers over HTTPS from
concurrent workers, the answers made with the protocol's device functions and
keys from activations driven through the API. Pushes go nowhere (no mocks), so
the phones use the signed poll fallback to get their challenges.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.pki import client_ssl_context
from core.protocol.activation import (
    activation_signature,
    begin_device_activation,
    finish_device_activation,
    read_activation_message1,
)
from core.protocol.keys import AuthenticatorKeys
from core.protocol.messages import Decision
from tests.core.device_core import answer, signed

ROOT = Path(__file__).resolve().parents[2]
USERS = 8
KILL_AFTER = 30  # decisions seen before the kill


@asynccontextmanager
async def serve(
    workspace: Path, log: Path
) -> AsyncIterator[tuple[asyncio.subprocess.Process, dict[str, Any]]]:
    with log.open("ab") as errors:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "core.serve",
            "--workspace",
            str(workspace),
            "--json",
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
            stderr=errors,
        )
    try:
        assert process.stdout is not None
        async with asyncio.timeout(30):
            line = await process.stdout.readline()
        assert line, f"serve printed nothing; see {log}"
        yield process, json.loads(line)
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            async with asyncio.timeout(20):
                await process.wait()


def client(described: dict[str, Any]) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=described["url"],
        verify=client_ssl_context(Path(described["ca_file"])),
        headers={"authorization": f"Bearer {described['admin_token']}"},
        timeout=20,
    )


async def activate(api: httpx.AsyncClient, user: str) -> AuthenticatorKeys:
    started = (
        await api.post(
            "/v1/users/register",
            json={
                "userID": user,
                "domain": "crash",
                "appKind": "authenticator",
                "platform": "android",
            },
        )
    ).json()
    reg = started["registrationID"]
    state, code = begin_device_activation(
        read_activation_message1(started["activationMessage1"]), started["activationPassword"]
    )
    added = await api.post(f"/v1/registrations/{reg}/add-device", json={"deviceCode": code})
    keys = finish_device_activation(state, added.json()["activationMessage2"])
    await api.post(
        f"/v1/registrations/{reg}/activate", json={"signature": activation_signature(keys, reg)}
    )
    fields = {
        "platform": "android",
        "pushToken": f"token-{user}",
        "appID": "com.pushsim.authenticator",
    }
    now = _now()
    registered = await api.post(
        f"/v1/authenticators/{keys.serial}/notification-registration",
        json={
            **fields,
            "time": now,
            "signature": signed(keys, "notification-registration", {**fields, "time": now}),
        },
    )
    assert registered.status_code == 200, registered.text
    return keys


def _now() -> float:
    return time.time()


async def worker(
    api: httpx.AsyncClient,
    index: int,
    keys: AuthenticatorKeys,
    seen: dict[str, str],
    enough: asyncio.Event,
) -> None:
    """Log in, fetch the challenge by polling, answer; record every decision the server confirms."""
    user = f"user{index}"
    round_ = 0
    try:
        while True:
            round_ += 1
            login = await api.post(
                f"/v1/users/{user}@crash/login", json={"credentials": {"passKey": "push"}}
            )
            assert login.status_code == 200, login.text
            request_id = login.json()["requestID"]
            now = _now()
            pending = await api.get(
                f"/v1/authenticators/{keys.serial}/pending",
                params={"time": repr(now), "signature": signed(keys, "pending", {"time": now})},
            )
            message = pending.json()["requestMessage"]
            assert message is not None
            decision = Decision.REJECT if (index + round_) % 4 == 0 else Decision.ACCEPT
            reply = await api.post(
                "/v1/push/response",
                json={
                    "serialNumber": keys.serial,
                    "responseMessage": answer(keys, message, now=_now(), decision=decision),
                },
            )
            assert reply.status_code == 200, reply.text
            seen[request_id] = reply.json()["sessionStatus"]
            if len(seen) >= KILL_AFTER:
                enough.set()
    except (httpx.TransportError, httpx.RemoteProtocolError):
        return  # the server died under us: exactly what this test does


@pytest.mark.slow
async def test_sigkill_mid_load_keeps_every_seen_decision(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    log = tmp_path / "serve.log"
    seen: dict[str, str] = {}
    async with serve(workspace, log) as (process, described), client(described) as api:
        domain = {
            "name": "crash",
            "mobileApplicationName": "com.pushsim.authenticator",
            "requestMethod": "KeywordOnly",
            "keywords": {"push": "device"},
            "pollFallback": True,
            "pushTimeout": 300,
            "pushRateLimit": 1000,  # every worker logs in again as soon as it is decided
        }
        assert (await api.post("/v1/admin/domains", json=domain)).status_code == 201
        for i in range(USERS):
            created = await api.post(
                "/v1/admin/users", json={"userID": f"user{i}", "domain": "crash"}
            )
            assert created.status_code == 201
        keys = [await activate(api, f"user{i}") for i in range(USERS)]
        enough = asyncio.Event()
        workers = [asyncio.create_task(worker(api, i, keys[i], seen, enough)) for i in range(USERS)]
        async with asyncio.timeout(60):
            await enough.wait()
        process.send_signal(signal.SIGKILL)  # mid-load: requests are in flight
        await process.wait()
        assert process.returncode == -signal.SIGKILL
        await asyncio.gather(*workers)
    assert len(seen) >= KILL_AFTER
    assert set(seen.values()) == {"accepted", "refused"}

    async with serve(workspace, log) as (_, described), client(described) as api:
        for request_id, status in seen.items():
            now = (await api.get(f"/v1/sessions/{request_id}")).json()
            assert now["sessionStatus"] == status, request_id
        trace = await api.get(f"/v1/sessions/{next(iter(seen))}/trace")
        assert "session.decided" in [e["kind"] for e in trace.json()["events"]]
    with sqlite3.connect(workspace / "core.sqlite3") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
