"""The headless login client against the real suite: typed answers, no JSON for callers."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from simulators.login_client import CoreUnreachable, Decision, LoginClient, LoginStarted
from simulators.phone import Pin
from simulators.suite import DEMO_PIN, Suite
from tests.e2e.flow import PASSWORD, notification


@pytest.fixture
async def client(suite: Suite) -> AsyncIterator[LoginClient]:
    async with LoginClient(suite.core.url, suite.pki.ca_file) as login_client:
        yield login_client


async def test_an_approved_login_is_started_then_decided(suite: Suite, client: LoginClient) -> None:
    started = await client.login("alice", "demo", "push" + PASSWORD)
    assert isinstance(started, LoginStarted)
    assert (started.status, started.http_status, started.refused) == ("pending", 200, False)
    assert started.request_id is not None
    phone = suite.phone_for("alice")
    await phone.approve((await notification(suite, phone, started.request_id)).id)
    decision = await client.wait_decided(started.request_id, timeout=15)
    assert isinstance(decision, Decision)
    assert decision.request_id == started.request_id
    assert decision.decided
    assert decision.status == "accepted"
    assert decision.protection_used == "device"


async def test_a_pin_approval_reports_the_protection_used(
    suite: Suite, client: LoginClient
) -> None:
    started = await client.login("bob", "demo", "PIN" + PASSWORD)
    assert started.request_id is not None
    phone = suite.phone_for("bob")
    note = await notification(suite, phone, started.request_id)
    await phone.approve(note.id, unlock=Pin(DEMO_PIN))
    decision = await client.wait_decided(started.request_id, timeout=15)
    assert (decision.status, decision.protection_used) == ("accepted", "pin")


async def test_a_rejection_is_refused_with_the_reason(suite: Suite, client: LoginClient) -> None:
    started = await client.login("alice", "demo", "push" + PASSWORD)
    assert started.request_id is not None
    phone = suite.phone_for("alice")
    await phone.reject((await notification(suite, phone, started.request_id)).id)
    decision = await client.wait_decided(started.request_id, timeout=15)
    assert decision.status == "refused"
    assert decision.reason is not None
    assert "reject" in decision.reason
    assert decision.message == decision.reason


async def test_a_wrong_password_is_a_refused_call(client: LoginClient) -> None:
    started = await client.login("alice", "demo", "push" + "wrong-password")
    assert started.refused
    assert started.status == "error"
    assert started.http_status >= 400
    assert started.refusal.startswith(f"HTTP {started.http_status}: ")
    assert started.number is None


async def test_an_unknown_session_is_refused(client: LoginClient) -> None:
    decision = await client.wait_decided("no-such-request", timeout=5)
    assert decision.refused
    assert decision.http_status == 404
    assert decision.request_id == "no-such-request"


async def test_waiting_gives_up_after_the_timeout(client: LoginClient) -> None:
    started = await client.login("alice", "demo", "push" + PASSWORD)
    assert started.request_id is not None
    with pytest.raises(TimeoutError):
        await client.wait_decided(started.request_id, timeout=0.2)  # nobody answers


async def test_an_unreachable_core_is_one_error(suite: Suite) -> None:
    async with LoginClient("https://127.0.0.1:9", suite.pki.ca_file) as client:
        with pytest.raises(CoreUnreachable, match=r"core unreachable|Error"):
            await client.login("alice", "demo", "push" + PASSWORD)
