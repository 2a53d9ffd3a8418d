"""Fixtures of the validation-core tests (service environment, in-process API client)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from core.clock import SystemClock
from core.events import EventBus
from core.pki import ensure_pki
from core.provider_credentials import ensure_provider_credentials
from core.seed import DEMO_KEYWORDS, seed_demo
from core.server import CoreServer
from core.settings import FAST_TEST_SETTINGS
from core.workspace import Workspace
from tests.core.device_core import CoreEnv, api_client, make_env
from tests.core.helpers_core import ENDPOINTS, FakeProviders


@pytest.fixture
async def core_env(tmp_path: Path) -> AsyncIterator[CoreEnv]:
    """Domain ``demo`` (demo keywords), both demo push apps, alice and bob (Demo-1234)."""
    env = await make_env(tmp_path)
    await env.add_domain(keywords=dict(DEMO_KEYWORDS))
    await env.add_apps()
    for user in ("alice", "bob"):
        await env.service.directory.create_user(user, "demo", "Demo-1234")
    yield env
    await env.service.close()
    await env.service.db.close()


@pytest.fixture
async def api(core_env: CoreEnv) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(core_env) as client:
        yield client


@pytest.fixture
async def running(  # the real CoreServer over HTTPS, demo seed, fake providers
    tmp_path: Path,
) -> AsyncIterator[tuple[CoreServer, FakeProviders]]:
    workspace = Workspace(tmp_path / "ws").ensure()
    pki = await asyncio.to_thread(ensure_pki, workspace)
    credentials = await asyncio.to_thread(ensure_provider_credentials, workspace, pki)
    providers = FakeProviders()
    server = CoreServer(
        workspace=workspace,
        pki=pki,
        events=EventBus(),
        clock=SystemClock(),
        endpoints=dataclasses.replace(ENDPOINTS, ca_file=pki.ca_file),
        settings=FAST_TEST_SETTINGS,
        client_factory=providers.factory,
    )
    service = await server.open_service()
    first = await seed_demo(service, credentials)
    assert first.changed
    assert not (await seed_demo(service, credentials)).changed  # idempotent
    await server.start()
    yield server, providers
    await server.stop()
