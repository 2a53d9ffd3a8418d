"""Fixtures of the validation-core tests (service environment, in-process API client)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from core.seed import DEMO_KEYWORDS
from tests.core.device_core import CoreEnv, api_client, make_env


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
