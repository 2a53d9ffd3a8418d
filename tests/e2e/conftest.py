"""End-to-end fixtures: the whole suite (core + mock FCM/APNs + phones) on loopback.

Building a workspace (CA, provider credentials, two phone activations) takes a
second or two, so one template is built per test session and copied for each
test: every test gets its own workspace, database and phones, on fresh ports.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from core.clock import SystemClock
from core.pki import client_ssl_context
from core.settings import FAST_TEST_SETTINGS
from core.workspace import Workspace
from simulators.phone import KdfParams
from simulators.suite import Suite, SuiteOptions

TEST_KDF = KdfParams(n=2**4)
TEST_SETTINGS = replace(FAST_TEST_SETTINGS, expiry_sweep_interval=0.1)


def suite_options() -> SuiteOptions:
    return SuiteOptions(core_settings=TEST_SETTINGS, phone_kdf=TEST_KDF)


@pytest.fixture(scope="session")
def template_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("template") / "workspace"

    async def build() -> None:
        suite = Suite(Workspace(root), options=suite_options())
        await suite.start()
        await suite.stop()

    asyncio.run(build())
    return root


@pytest.fixture
async def suite(template_workspace: Path, tmp_path: Path) -> AsyncIterator[Suite]:
    root = tmp_path / "workspace"
    shutil.copytree(template_workspace, root)
    running = Suite(Workspace(root), clock=SystemClock(), options=suite_options())
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


@pytest.fixture
async def http(suite: Suite) -> AsyncIterator[httpx.AsyncClient]:
    """The login client: plain HTTPS to the core, trusting the workspace CA."""
    async with httpx.AsyncClient(
        base_url=suite.core.url, verify=client_ssl_context(suite.pki.ca_file), timeout=20
    ) as client:
        yield client
