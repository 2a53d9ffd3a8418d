"""Every phone setting through the real window's "Phone settings" tab.

Fingers enrolled and removed (and the error for one that is not), a PIN
changed (a wrong old PIN refused next to its field) and then used to approve,
an unknown finger refused by the sensor and the enrolled one accepted, an
auto-responder that rejects after a delay, the clock offset, the app
uninstalled, reinstalled and activated again, and notifications denied: the
push arrives but nothing is shown.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication

from app.main_window import MainWindow
from app.phone_settings import PhoneSettingsPanel
from core.events import Event
from core.seed import DEMO_PASSWORD
from simulators.phone.event_kinds import PhoneEvent
from simulators.phone.inbox import NotificationStatus
from simulators.phone.views import PhoneView
from tests.app.login_steps import log_in
from tests.app.test_main_window import card_says, login_where, request_shown, signalled, view_where
from tests.app.test_scenario_panel import in_window


async def act(panel: PhoneSettingsPanel, click: object, expect: str) -> str:
    """Click, then wait for the panel's report of what it did (or its error)."""
    said: list[str] = []
    panel.done.connect(said.append)
    try:
        click.click()  # type: ignore[attr-defined]
        return await signalled(panel.done, lambda: said[-1] if said else "", bool, expect)
    finally:
        panel.done.disconnect(said.append)


def answered(view: PhoneView) -> bool:
    return bool(view.notifications) and view.notifications[-1].status == NotificationStatus.APPROVED


def pick(panel: PhoneSettingsPanel, phone: str) -> None:
    panel.phone_combo.setCurrentIndex(panel.phone_combo.findText(phone))
    assert panel.phone is not None
    assert panel.phone.name == phone


def test_every_phone_setting_from_the_tab(qapp: QApplication, tmp_path: Path) -> None:
    async def drive(window: MainWindow) -> None:
        panel, login = window.phone_settings, window.login_panel
        window.details.setCurrentWidget(panel)
        pick(panel, "bob-iphone")
        bob, alice = window.phones.cards["bob-iphone"], window.phones.cards["alice-pixel"]
        assert panel.fingers_label.text() == "right-index"

        # fingers
        panel.finger_edit.setText("left-thumb")
        assert await act(panel, panel.enrol_button, "enrol") == "left-thumb enrolled"
        assert panel.fingers_label.text() == "right-index, left-thumb"
        assert await act(panel, panel.remove_button, "remove") == "left-thumb removed"
        assert await act(panel, panel.remove_button, "again") == "error: left-thumb is not enrolled"
        assert panel.errors["finger"].text() == "left-thumb is not enrolled"
        assert panel.finger_edit.text() == "left-thumb", "nothing typed is lost"

        # PIN change, then the new PIN approves
        panel.old_pin.setText("0000")
        panel.new_pin.setText("4321")
        assert await act(panel, panel.pin_button, "wrong old PIN") == "error: the old PIN is wrong"
        assert panel.errors["pin"].isVisibleTo(panel)
        panel.old_pin.setText("1234")
        assert await act(panel, panel.pin_button, "PIN change") == "PIN changed"
        assert not panel.errors["pin"].isVisibleTo(panel)
        log_in(login, "bob", "PIN" + DEMO_PASSWORD)
        await view_where(bob, request_shown, "bob's PIN request")
        bob.approve_button.click()
        await view_where(bob, lambda v: v.app.prompt is not None, "the PIN prompt")
        bob.pin_edit.setText("4321")
        bob.pin_button.click()
        await login_where(login, lambda s: s.phase == "accepted", "approved with the new PIN")
        await view_where(bob, answered, "the phone has its answer back")

        # the sensor: a finger nobody enrolled is refused, the enrolled one accepted
        log_in(login, "bob", "Fingerprint" + DEMO_PASSWORD)
        await view_where(bob, request_shown, "bob's fingerprint request")
        bob.approve_button.click()
        await view_where(bob, lambda v: v.app.prompt is not None, "the fingerprint prompt")
        offered = [bob.finger_combo.itemData(i) for i in range(bob.finger_combo.count())]
        assert offered[0] == "right-index", offered
        assert len(offered) >= 3, "several fingers nobody enrolled to try"
        bob.finger_combo.setCurrentIndex(1)  # an unknown finger
        bob.finger_button.click()
        await card_says(bob, "not")
        bob.finger_combo.setCurrentIndex(0)
        bob.finger_button.click()
        await login_where(login, lambda s: s.phase == "accepted", "approved with right-index")
        await view_where(bob, answered, "the phone has its answer back")

        # auto-responder: alice's phone rejects by itself after a second
        pick(panel, "alice-pixel")
        panel.auto_combo.setCurrentIndex(panel.auto_combo.findData("reject"))
        panel.auto_delay.setValue(1.0)
        assert "reject after 1 s" in await act(panel, panel.auto_button, "auto-responder")
        assert "auto: reject" in panel.status.text()
        await view_where(alice, lambda v: v.auto_responder == "reject", "the responder attached")
        assert "auto: reject" in alice.app_line_label.text(), "the phone shows it too"
        log_in(login, "alice", "push" + DEMO_PASSWORD)
        await login_where(login, lambda s: s.phase == "refused", "refused by the auto-responder")
        panel.auto_combo.setCurrentIndex(0)
        assert await act(panel, panel.auto_button, "auto-responder off") == "off"

        # the clock offset
        panel.clock.setValue(30)
        assert await act(panel, panel.clock_button, "clock") == "clock offset +30 s"
        await view_where(alice, lambda v: v.settings.clock_offset == 30.0, "the offset")
        assert "clock +30 s" in panel.status.text()
        assert "clock +30 s" in alice.app_line_label.text()
        panel.clock.setValue(0)
        await act(panel, panel.clock_button, "clock back")

        # uninstall, reinstall, activate again
        assert await act(panel, panel.uninstall_button, "uninstall") == "app uninstalled"
        assert "app not installed" in alice.app_line_label.text()
        assert await act(panel, panel.install_button, "install") == "app installed, not activated"
        assert "not activated" in alice.app_line_label.text()
        assert panel.activate_button.isVisibleTo(panel)
        said = await act(panel, panel.activate_button, "activate again")
        assert said.startswith("activated again as PS"), said
        await view_where(alice, lambda v: v.app.push_registered, "alice registered for push")

        # notifications denied: the push arrives, the lock screen stays empty
        panel.denied.setChecked(True)
        await view_where(alice, lambda v: v.settings.notifications_denied, "denied")

        def suppressed(event: Event) -> bool:
            return event.kind == PhoneEvent.NOTIFICATION_SUPPRESSED and "alice" in event.source

        log_in(login, "alice", "push" + DEMO_PASSWORD)
        await window.suite.events.wait_for(suppressed, timeout=15)
        assert alice.views.view.shown_notification is None
        assert alice.empty_label.isVisibleTo(alice)

    in_window(qapp, tmp_path, drive)
