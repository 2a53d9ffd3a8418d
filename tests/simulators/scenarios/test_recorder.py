"""The recorder without a window: what a person does with the phones becomes a scenario.

A wrong static password, an unknown then the enrolled finger, and an unlock
the user gives up on are recorded from the event bus (and the login client's
submissions), saved, validated by the loader and replayed on a fresh suite
by the headless runner, which finds the same outcomes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from core.seed import DEMO_DOMAIN, DEMO_PASSWORD
from core.settings import FAST_TEST_SETTINGS
from core.workspace import Workspace
from simulators.login_client import LoginClient, LoginStarted
from simulators.phone import KdfParams, Phone
from simulators.phone.errors import PhoneError, UnlockError
from simulators.phone.unlock import Finger
from simulators.scenarios.loader import load_scenario
from simulators.scenarios.recorder import UNKNOWN_FINGER, WRONG_PASSWORD, SessionRecorder
from simulators.scenarios.runner import ScenarioResult, build_template, run_scenario
from simulators.suite import DEMO_FINGER, Suite, SuiteOptions

WAIT = 15.0


async def until(suite: Suite, holds: Callable[[], bool]) -> None:
    """Until ``holds()`` (checked now and on each event of the bus)."""
    if not holds():
        await suite.events.wait_for(lambda _: holds(), WAIT)


async def prompted(suite: Suite, phone: Phone, request_id: str) -> asyncio.Task[object]:
    """Approve ``request_id`` on ``phone`` until the app asks for the unlock."""
    await until(suite, lambda: phone.notification_for(request_id) is not None)
    note = phone.notification_for(request_id)
    assert note is not None
    task: asyncio.Task[object] = asyncio.create_task(phone.approve(note.id))
    await until(suite, lambda: phone.app.prompt is not None)
    return task


@asynccontextmanager
async def recording(
    tmp_path: Path, name: str
) -> AsyncIterator[tuple[Suite, LoginClient, SessionRecorder]]:
    """A started demo suite, a login client and a recorder listening to it."""
    options = SuiteOptions(core_settings=FAST_TEST_SETTINGS, phone_kdf=KdfParams(n=2**4))
    suite = Suite(Workspace(tmp_path / "workspace"), options=options)
    await suite.start(reset=True)
    client = LoginClient(suite.core.url, suite.pki.ca_file)
    recorder = SessionRecorder(suite, name=name)
    recorder.start()
    try:
        yield suite, client, recorder
    finally:
        recorder.stop()
        await client.aclose()
        await suite.stop()


async def log_in(
    client: LoginClient, recorder: SessionRecorder, user: str, passkey: str
) -> LoginStarted:
    recorder.login_submitted(user, passkey)
    return await client.login(user, DEMO_DOMAIN, passkey)


async def replayed(tmp_path: Path, saved: Path) -> ScenarioResult:
    template = await build_template(tmp_path / "template")
    return await run_scenario(load_scenario(saved), template, seed=2)


async def test_a_recorded_finger_password_and_cancel_session_replays(tmp_path: Path) -> None:
    async with recording(tmp_path, "finger, password, cancel") as (suite, client, recorder):
        recorder.start()  # a second start does not record twice
        bob = suite.phones["bob-iphone"]
        refused = await log_in(client, recorder, "bob", "PIN" + "not-it")
        assert refused.http_status == 401

        request_id = (
            await log_in(client, recorder, "bob", "Fingerprint" + DEMO_PASSWORD)
        ).request_id
        assert request_id is not None
        task = await prompted(suite, bob, request_id)
        with pytest.raises(UnlockError):
            await bob.answerer.submit_unlock(Finger(UNKNOWN_FINGER))
        await bob.answerer.submit_unlock(Finger(DEMO_FINGER))
        await task
        assert (await client.wait_decided(request_id, timeout=WAIT)).status == "accepted"

        request_id = (await log_in(client, recorder, "bob", "PIN" + DEMO_PASSWORD)).request_id
        assert request_id is not None
        task = await prompted(suite, bob, request_id)
        bob.cancel_unlock()
        with pytest.raises(PhoneError):
            await task
        recorder.stop()
        assert not recorder.recording
        saved = await recorder.save(tmp_path / "recorded.toml")

    scenario = load_scenario(saved)
    assert scenario.name == "finger, password, cancel"
    steps = [(s.action, dict(s.args)) for s in scenario.steps]
    assert steps == [
        (
            "login",
            {"user": "bob", "keyword": "PIN", "password": WRONG_PASSWORD, "expect_http": 401},
        ),
        ("login", {"user": "bob", "keyword": "Fingerprint", "as": "s1"}),
        ("unlock", {"phone": "bob-iphone", "finger": UNKNOWN_FINGER, "expect_ok": False}),
        ("unlock", {"phone": "bob-iphone", "finger": DEMO_FINGER}),
        ("approve", {"phone": "bob-iphone", "session": "s1"}),
        ("expect", {"session": "s1", "status": "accepted", "reason": "approved with fingerprint"}),
        ("login", {"user": "bob", "keyword": "PIN", "as": "s2"}),
        ("approve", {"phone": "bob-iphone", "session": "s2", "expect_ok": False}),
    ]
    (phone,) = scenario.phones
    assert (phone.name, phone.platform, phone.app, phone.user) == (
        "bob-iphone",
        "ios",
        "sdk",
        "bob",
    )
    assert phone.fingers == (DEMO_FINGER,)
    assert "not-it" not in saved.read_text(encoding="utf-8")  # what was typed is never written

    result = await replayed(tmp_path, saved)
    assert result.passed, result.failures()
    assert result.expectations == (1, 1)


async def test_a_wrong_number_and_the_domain_settings_are_recorded(tmp_path: Path) -> None:
    async with recording(tmp_path, "number matching") as (suite, client, recorder):
        await suite.core.service.directory.update_domain(DEMO_DOMAIN, {"number_matching": True})
        alice = suite.phones["alice-pixel"]
        started = await log_in(client, recorder, "alice", "push" + DEMO_PASSWORD)
        request_id = started.request_id
        assert request_id is not None
        await until(suite, lambda: alice.notification_for(request_id) is not None)
        note = alice.notification_for(request_id)
        assert note is not None
        await alice.open_notification(note.id)
        opened = alice.notification_for(request_id)
        assert opened is not None
        assert opened.request is not None
        assert opened.request.numbers is not None
        wrong = next(n for n in opened.request.numbers if n != started.number)
        await alice.approve(note.id, number=wrong)
        assert (await client.wait_decided(request_id, timeout=WAIT)).status == "refused"
        saved = await recorder.save(tmp_path / "recorded.toml")

    scenario = load_scenario(saved)
    assert scenario.domain["number_matching"] is True
    assert scenario.domain["keywords"]["push"] == "device"
    approve = next(s for s in scenario.steps if s.action == "approve")
    assert approve.get("pick") == "wrong"
    result = await replayed(tmp_path, saved)
    assert result.passed, result.failures()
