"""Through the window: a login superseded or ended at the core leaves the phone's screen."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication

from app.main_window import MainWindow
from core.seed import DEMO_PASSWORD
from simulators.phone.inbox import NotificationStatus
from simulators.phone.views import PhoneView
from tests.app.login_steps import log_in
from tests.app.test_main_window import login_where, request_shown, view_where
from tests.app.test_scenario_panel import in_window


def status_of(view: PhoneView, request_id: str) -> NotificationStatus | None:
    found = [n.status for n in view.notifications if n.request_id == request_id]
    return found[-1] if found else None


async def superseded_and_deactivated(window: MainWindow) -> None:
    panel = window.login_panel
    alice = window.phones.cards["alice-pixel"]
    log_in(panel, "alice", "push" + DEMO_PASSWORD)
    await login_where(panel, lambda state: state.phase == "pending", "the first login pending")
    await view_where(alice, request_shown, "alice's phone to show the first request")
    first_id = alice.views.view.shown_notification.request_id  # type: ignore[union-attr]
    panel.confirm_supersede = lambda: True  # type: ignore[method-assign]
    panel.login_button.click()  # a new login: the core cancels the first
    await view_where(
        alice,
        lambda view: status_of(view, first_id) == NotificationStatus.CANCELLED,
        "the first request cancelled on alice's phone",
    )
    await view_where(alice, request_shown, "the second request live on alice's phone")
    await login_where(
        panel,
        lambda state: state.phase == "pending" and state.request_id != first_id,
        "the second login pending",
    )

    # bob's request is the one on his screen when an administrator deactivates the phone
    bob = window.phones.cards["bob-iphone"]
    log_in(panel, "bob", "NoPIN" + DEMO_PASSWORD)
    await view_where(bob, request_shown, "bob's phone to show the request")
    assert bob.approve_button.isVisible()
    serial = window.suite.phone_for("bob").app.serial
    assert serial is not None
    await window.suite.core.service.directory.set_authenticator_status(serial, "deactivated")
    await view_where(
        bob,
        lambda view: (
            view.shown_notification is not None
            and view.shown_notification.status == NotificationStatus.CANCELLED
        ),
        "bob's phone to say cancelled",
    )
    assert "cancelled" in bob.state_label.text()
    assert not bob.approve_button.isVisible()


def test_the_phone_shows_a_cancelled_login(qapp: QApplication, tmp_path: Path) -> None:
    in_window(qapp, tmp_path, superseded_and_deactivated)
