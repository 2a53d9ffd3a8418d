"""The window's scenario runner and Record, in the real window on one qasync loop.

Play: a built-in scenario runs on the window's suite from the "Scenarios"
tab; its phone gets a card, the diagram shows steps 1-7 of its session and
every row of the panel turns ✓. Record: a session done through the window
(two approvals, a wrong then right PIN, a reject, airplane mode) is saved as
a scenario that the loader validates and the headless runner replays to the
same statuses.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

from PySide6.QtWidgets import QApplication

from app.main_window import MainWindow
from app.phone_panel import PhoneCard
from app.scenario_panel import BUILT_IN
from core.seed import DEMO_PASSWORD
from core.workspace import Workspace
from simulators.phone.inbox import NotificationStatus
from simulators.scenarios.loader import load_scenario
from simulators.scenarios.runner import ScenarioResult, build_template, run_scenario
from simulators.session_flow import SessionFlow
from simulators.suite import DEMO_PIN, Suite
from tests.app.test_main_window import (
    card_says,
    login_where,
    request_shown,
    run_on_qt_loop,
    signalled,
    suite_options,
    view_where,
)


def in_window(
    qapp: QApplication, tmp_path: Path, drive: Callable[[MainWindow], Awaitable[None]]
) -> None:
    """Start a suite under a shown window, ``drive`` it, then close both."""

    async def main() -> None:
        suite = Suite(Workspace(tmp_path / "workspace"), options=suite_options())
        window = MainWindow(suite)
        window.resize(1280, 720)
        window.show()
        try:
            async with asyncio.timeout(120):
                await suite.start(reset=True)
                await drive(window)
        finally:
            await window.aclose()
            await suite.stop()
            window.close()  # last: closing the last window stops the loop

    run_on_qt_loop(qapp, main())


async def finished(window: MainWindow) -> ScenarioResult:
    panel = window.scenarios
    result = await signalled(panel.finished, lambda: panel.result, lambda r: r is not None, "end")
    assert result is not None
    return result


def test_a_scenario_plays_in_the_window_and_the_diagram_shows_each_step(
    qapp: QApplication, tmp_path: Path
) -> None:
    async def drive(window: MainWindow) -> None:
        panel = window.scenarios
        assert window.details.tabText(window.details.indexOf(panel)) == "Scenarios"
        path = BUILT_IN / "approve-pin-android.toml"
        panel.select(path)
        assert panel.file_combo.currentData() == str(path)
        panel.speed_combo.setCurrentIndex(panel.speed_combo.findData(4.0))
        panel.run_button.click()
        assert panel.stop_button.isEnabled()
        result = await finished(window)
        assert result.passed, result.failures()
        assert result.expectations == (2, 2)
        rows = [panel.steps.item(i).text() for i in range(panel.steps.count())]
        assert len(rows) == 5
        assert all(row.startswith("✓") for row in rows), rows
        assert "passed · 2/2 expectations held" in panel.summary.text()
        assert panel.run_button.isEnabled()
        assert "carol-pixel" in window.phones.cards  # the scenario's phone got its card

        flow: SessionFlow | None = window.flow.shown
        assert flow is not None
        assert flow.status == "accepted"
        assert "carol" in flow.user
        assert sorted({arrow.step for arrow in flow.arrows}) == [1, 2, 3, 4, 5, 6, 7]
        assert window.flow.diagram.arrows == flow.arrows

        # Stop cancels a slow play; Run is back
        panel.speed_combo.setCurrentIndex(panel.speed_combo.findData(0.5))
        panel.run_button.click()
        assert panel.playing
        panel.stop_button.click()
        assert panel.summary.text() == "stopped"
        assert panel.run_button.isEnabled()
        assert not panel.stop_button.isEnabled()
        await signalled(panel.stopped, lambda: panel.playing, lambda p: not p, "the play to stop")

        # played again on the same suite: the phone is reused, the play passes again
        panel.speed_combo.setCurrentIndex(panel.speed_combo.findData(0.0))
        panel.run_button.click()
        assert (await finished(window)).passed

    in_window(qapp, tmp_path, drive)


def test_a_recorded_session_replays_headless_to_the_same_statuses(
    qapp: QApplication, tmp_path: Path
) -> None:
    saved = tmp_path / "recorded.toml"

    async def drive(window: MainWindow) -> None:
        login, panel = window.login_panel, window.scenarios
        alice, bob = window.phones.cards["alice-pixel"], window.phones.cards["bob-iphone"]
        panel.record_button.click()
        assert panel.recorder is not None
        assert panel.recorder.recording

        async def log_in(user: str, passkey: str, card: PhoneCard) -> None:
            login.user_edit.setText(user)
            login.password_edit.setText(passkey)
            login.login_button.click()
            await view_where(card, request_shown, f"{user}'s request")

        async def decided(user: str, status: str) -> None:
            await login_where(
                login,
                lambda s: s.phase == status and s.user == f"{user}@demo",
                f"{user}: {status}",
            )

        await log_in("alice", "push" + DEMO_PASSWORD, alice)
        alice.approve_button.click()
        await decided("alice", "accepted")

        await log_in("bob", "PIN" + DEMO_PASSWORD, bob)
        bob.approve_button.click()
        await view_where(bob, lambda view: view.prompt is not None, "the PIN prompt")
        bob.pin_edit.setText("0000")
        bob.pin_button.click()
        await card_says(bob, "wrong PIN")
        bob.pin_edit.setText(DEMO_PIN)
        bob.pin_button.click()
        await decided("bob", "accepted")
        await card_says(bob, "accepted")

        await log_in("alice", "push" + DEMO_PASSWORD, alice)
        alice.reject_button.click()
        await decided("alice", "refused")
        await view_where(
            alice,
            lambda view: view.notifications[-1].status == NotificationStatus.REJECTED,
            "alice's phone to say rejected",
        )

        alice.airplane_check.click()
        await view_where(alice, lambda view: view.airplane_mode, "airplane mode")
        alice.airplane_check.click()
        await view_where(alice, lambda view: not view.airplane_mode, "airplane mode off")
        # back online before the window closes: a delivery stream still in its TLS
        # handshake when the mock stops leaves an unclosed transport behind
        await view_where(alice, lambda view: view.delivery == "online", "the stream back online")

        panel.record_button.click()
        assert not panel.recorder.recording
        assert panel.save_button.isEnabled()
        await panel.save_recording(saved)
        assert str(saved) in panel.summary.text()

    in_window(qapp, tmp_path, drive)

    scenario = load_scenario(saved)
    assert [s.action for s in scenario.steps] == [
        "login", "approve", "expect",
        "login", "unlock", "unlock", "approve", "expect",
        "login", "reject", "expect",
        "offline", "online",
    ]  # fmt: skip
    assert [u.id for u in scenario.users] == ["alice", "bob"]
    assert {p.name: p.app for p in scenario.phones} == {
        "alice-pixel": "authenticator",
        "bob-iphone": "sdk",
    }
    unlocks = [dict(s.args) for s in scenario.steps if s.action == "unlock"]
    assert unlocks[0]["expect_ok"] is False
    assert unlocks[0]["pin"] != DEMO_PIN
    assert unlocks[1]["pin"] == DEMO_PIN
    statuses = [s.get("status") for s in scenario.steps if s.action == "expect"]
    assert statuses == ["accepted", "accepted", "refused"]

    async def replay() -> ScenarioResult:
        template = await build_template(tmp_path / "template")
        return await run_scenario(scenario, template, seed=1)

    result = asyncio.run(replay())
    assert result.passed, result.failures()
    assert result.expectations == (3, 3)
