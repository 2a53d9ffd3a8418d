"""The Faults tab through the real window: a fault from the panel and the way out.

APNs ``BadDeviceToken`` injected from the panel for bob's phone: bob's login
fails with the provider's reason, his phone and the console say "push
unregistered", one click on the phone recovers, and the next login is
accepted. The form shows the mock's refusal and keeps what was chosen; a
fault is listed while active and removed with its button.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication

from app.fault_panel import FaultPanel
from app.main_window import MainWindow
from app.phone_panel import PhoneCard
from core.seed import DEMO_PASSWORD
from tests.app.login_steps import log_in
from tests.app.test_main_window import (
    console_shows,
    login_where,
    request_shown,
    signalled,
    view_where,
)
from tests.app.test_scenario_panel import in_window


async def listed(panel: FaultPanel, count: int, what: str) -> None:
    await signalled(panel.changed, panel.active.topLevelItemCount, lambda n: n == count, what)


def test_bad_device_token_from_the_panel_then_one_click_recovers_bob(
    qapp: QApplication, tmp_path: Path
) -> None:
    async def drive(window: MainWindow) -> None:
        panel = window.faults
        bob: PhoneCard = window.phones.cards["bob-iphone"]
        await signalled(panel.changed, lambda: panel.described, lambda d: "apns" in d, "faults")
        stage_height = sum(window.stage.sizes())
        window.details.setCurrentWidget(panel)  # a workbench tab gets room when chosen
        assert window.stage.sizes()[1] >= min(stage_height // 2, 340) - 2, window.stage.sizes()
        assert "apns control API" not in panel.form_error.text()
        panel.fill("apns", "latency")
        kinds = [panel.kind_combo.itemData(i) for i in range(panel.kind_combo.count())]
        assert {"latency", "drop", "error", "offline", "uninstall", "rate_limit", "outage"} <= set(
            kinds
        ), kinds
        assert {"expired_credentials", "invalid_credentials"} <= set(kinds)
        token = window.suite.phones["bob-iphone"].push_token
        panel.fill("apns", "error", token=token, error="BadDeviceToken", count=1)
        panel.add_button.click()
        await listed(panel, 1, "the fault listed")
        row = panel.active.topLevelItem(0)
        assert row is not None
        assert row.text(0) == "APNs: error BadDeviceToken\nbob-iphone · next 1"

        log_in(window.login_panel, "bob", "NoPIN" + DEMO_PASSWORD)
        await login_where(
            window.login_panel, lambda s: s.phase not in ("sending", "pending"), "bob's login"
        )
        state = window.login_panel.model.state
        assert state.phase != "accepted"
        assert "BadDeviceToken" in state.message, state
        await view_where(bob, lambda v: not v.app.push_registered, "bob's phone unregistered")
        assert "push unregistered" in bob.app_line_label.text()
        assert bob.register_push_button.isVisibleTo(bob)
        await console_shows(window, "push unregistered")
        await listed(panel, 0, "the spent fault gone")

        bob.register_push_button.click()  # the one click
        await view_where(bob, lambda v: v.app.push_registered, "bob registered again")
        assert not bob.register_push_button.isVisibleTo(bob)

        log_in(window.login_panel, "bob", "NoPIN" + DEMO_PASSWORD)
        await view_where(bob, request_shown, "bob's request")
        bob.approve_button.click()
        await login_where(window.login_panel, lambda s: s.phase == "accepted", "accepted")

        # an always-on latency fault is listed until removed; the seed is set
        panel.fill("apns", "latency")
        panel.latency_spin.setValue(0.5)
        panel.add_button.click()
        await listed(panel, 1, "the latency fault listed")
        row = panel.active.topLevelItem(0)
        assert row is not None
        assert row.text(0) == "APNs: latency 0.5 s\nevery device · always"
        panel.active.setCurrentItem(row)
        panel.remove_button.click()
        await listed(panel, 0, "the latency fault removed")
        panel.seed_spin.setValue(4242)
        panel.seed_button.click()
        await signalled(
            panel.changed,
            lambda: panel.described["apns"].get("seed"),
            lambda seed: seed == 4242,
            "the seed set",
        )

    in_window(qapp, tmp_path, drive)
