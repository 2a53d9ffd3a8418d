"""The attack panel in the real window: each attack is refused, and the refusing check named."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication

from app.main_window import MainWindow
from core.protocol.session import Check
from core.seed import DEMO_DOMAIN, DEMO_PASSWORD
from simulators.attacks import AttackResult
from tests.app.test_main_window import login_where, request_shown, signalled, view_where
from tests.app.test_scenario_panel import in_window


async def attacked(window: MainWindow, click: object) -> AttackResult:
    panel = window.attacks
    results: list[AttackResult] = []
    panel.attacked.connect(results.append)
    before = panel.results.count()
    click.click()  # type: ignore[attr-defined]
    await signalled(panel.said, panel.results.count, lambda n: n > before, "the panel's answer")
    assert results, panel.results.item(0).text()  # the core answered (not "not possible")
    return results[0]


async def log_in(window: MainWindow) -> None:
    """alice logs in; returns once her phone shows the request and the diagram its session
    (the two views are fed apart: the diagram's events come in batches)."""
    login = window.login_panel
    before = window.flow.shown
    login.user_edit.setText("alice")
    login.password_edit.setText("push" + DEMO_PASSWORD)
    login.login_button.click()
    await view_where(window.phones.cards["alice-pixel"], request_shown, "alice's request")
    await signalled(
        window.flow.flow_shown,
        lambda: window.flow.shown,
        lambda flow: flow is not None and (before is None or flow.request_id != before.request_id),
        "the new session in the diagram",
    )


def test_replay_flip_cross_session_and_late_answers_are_refused_by_name(
    qapp: QApplication, tmp_path: Path
) -> None:
    async def drive(window: MainWindow) -> None:
        panel, alice = window.attacks, window.phones.cards["alice-pixel"]
        await log_in(window)
        alice.approve_button.click()
        await login_where(window.login_panel, lambda s: s.phase == "accepted", "accepted")
        first = window.flow.shown
        assert first is not None
        assert first.request_id[:8] in panel.target.text()

        replay = await attacked(window, panel.replay_button)
        assert replay.refused
        assert replay.check == Check.SESSION_PENDING.value  # decided once, never again
        assert f"refused by {replay.check}" in panel.results.item(0).text()

        flipped = await attacked(window, panel.flip_button)
        assert (flipped.check, flipped.http_status) == (Check.SECURE_CHANNEL_TAG.value, 400)

        # a second login: session A (the first) signed, sent as this one's answer
        await log_in(window)
        second = window.flow.shown
        assert second is not None
        assert second.request_id != first.request_id
        await signalled(
            window.flow.flow_shown,
            lambda: panel.source_combo.count(),
            lambda n: n > 0,
            "session A offered",
        )
        assert panel.source_combo.currentData() == first.request_id
        cross = await attacked(window, panel.cross_button)
        assert (cross.check, cross.http_status) == (Check.CHALLENGE_MATCHES.value, 400)
        now = window.flow.recorder.get(second.request_id)
        assert now is not None
        assert now.status == "pending"

        # too early: the panel says to wait for the timeout
        panel.late_button.click()
        await signalled(panel.said, lambda: panel.results.item(0).text(), lambda t: "wait" in t, "")
        alice.reject_button.click()  # ends the second session: one login at a time
        await login_where(window.login_panel, lambda s: s.phase == "refused", "refused")
        directory = window.suite.core.service.directory
        await directory.update_domain(DEMO_DOMAIN, {"push_timeout": 1})
        await log_in(window)  # the phone still holds this request once it has timed out
        third = window.flow.shown
        assert third is not None
        await login_where(
            window.login_panel, lambda s: s.phase not in ("sending", "pending"), "the timeout"
        )
        assert window.login_panel.model.state.phase == "timeout", window.login_panel.model.state
        shown = window.flow.shown  # flows are snapshots: the newest one of this session
        assert shown is not None
        assert shown.request_id == third.request_id
        assert shown.status == "timeout", shown.status
        late = await attacked(window, panel.late_button)
        assert (late.check, late.http_status) == (Check.SESSION_PENDING.value, 409)
        assert "expired" in (late.reason or "")

    in_window(qapp, tmp_path, drive)
