"""File › Reset to demo data through the window: asked in the status bar, no restart."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication

from app.main_window import MainWindow
from core.seed import DEMO_PASSWORD
from simulators.phone.inbox import NotificationStatus
from tests.app.login_steps import log_in
from tests.app.test_main_window import login_where, request_shown, signalled, view_where
from tests.app.test_scenario_panel import in_window


async def reset_from_the_menu(window: MainWindow) -> None:
    bar = window.reset_bar
    alice_phone = window.suite.phone_for("alice")
    bob_phone = window.suite.phone_for("bob")
    old_serial = alice_phone.app.serial
    bob_phone.set_airplane_mode(True)
    window.suite.apns.faults.drop()

    window.menu_actions["resetDemo"].trigger()
    assert bar.isVisible()
    assert "Reset to demo data?" in bar.question.text()
    bar.keep_button.click()  # the first answer keeps everything
    assert not bar.isVisible()
    assert window.status_text.text() == "Demo data kept."
    assert window.suite.apns.faults.faults != ()

    window.menu_actions["resetDemo"].trigger()
    bar.confirm_button.click()
    await signalled(bar.done, lambda: bar.running, lambda running: not running, "the reset")
    text = window.status_text.text()
    assert text.startswith("Demo data restored in ")
    assert text.endswith(" s (no restart).")
    assert not bar.isVisible()
    assert window.suite.apns.faults.faults == ()
    assert not bob_phone.settings.airplane_mode
    assert alice_phone.app.serial != old_serial

    # the demo works at once: alice logs in through the panel and approves
    alice = window.phones.cards["alice-pixel"]
    panel = window.login_panel
    log_in(panel, "alice", "push" + DEMO_PASSWORD)
    await view_where(alice, request_shown, "alice's phone to show the request")
    alice.approve_button.click()
    await login_where(panel, lambda state: state.phase == "accepted", "the login accepted")
    await view_where(
        alice,
        lambda view: view.notifications[-1].status == NotificationStatus.APPROVED,
        "alice's phone to say approved",
    )


def test_reset_to_demo_data_from_the_file_menu(qapp: QApplication, tmp_path: Path) -> None:
    in_window(qapp, tmp_path, reset_from_the_menu)
