"""The activation wizard in the real window: a new phone by clicks and typing, then a login."""

from __future__ import annotations

from pathlib import Path

import segno
from PySide6.QtWidgets import QApplication

from app.activation_wizard_driver import (
    activate_in_wizard,
    fill_new_phone,
    scan,
    shown_activation_password,
    type_password_and_send_code,
)
from app.main_window import MainWindow
from app.qr_code import QUIET_ZONE, qr_image, qr_matrix
from core.seed import DEMO_PASSWORD
from simulators.extra_phones import load_extra_phones
from tests.app.login_steps import log_in
from tests.app.test_main_window import login_where, request_shown, signalled, view_where
from tests.app.test_scenario_panel import in_window


def test_the_wizard_activates_a_new_android_phone_that_then_approves_a_login(
    qapp: QApplication, tmp_path: Path
) -> None:
    async def drive(window: MainWindow) -> None:
        window.menu_actions["newPhone"].trigger()  # File › New phone…
        wizard = window.wizard
        assert window.details.currentWidget() is wizard
        phone = await activate_in_wizard(wizard, user_id="carol", pin="2468")
        assert phone.name == "carol-pixel"
        assert phone.platform.value == "android"
        assert phone.app.state.activated
        assert phone.app.state.core_registered
        assert "registered for push" in wizard.result.text()
        card = window.phones.cards["carol-pixel"]  # drawn in the strip like the demo phones
        assert list(window.phones.cards) == ["alice-pixel", "bob-iphone", "carol-pixel"]

        log_in(window.login_panel, "carol", "push" + DEMO_PASSWORD)
        await view_where(card, request_shown, "carol's request")
        card.approve_button.click()
        await login_where(window.login_panel, lambda s: s.phase == "accepted", "accepted")

        # Reset to demo data: the wizard's phone and user are gone, from the strip too
        await window.suite.reset_demo()
        await signalled(
            wizard.changed, lambda: list(window.phones.cards), lambda c: len(c) == 2, ""
        )
        assert "carol-pixel" not in window.suite.phones
        assert load_extra_phones(window.suite.workspace) == []
        assert wizard.step == "form"

    in_window(qapp, tmp_path, drive)


def test_a_wrong_activation_password_shows_the_remaining_attempts(
    qapp: QApplication, tmp_path: Path
) -> None:
    async def drive(window: MainWindow) -> None:
        window.open_wizard()
        wizard = window.wizard
        # every bad field is marked next to itself, and nothing is created
        wizard.form.submit_button.click()
        await signalled(wizard.changed, lambda: wizard.error_text("pin"), bool, "PIN error")
        assert wizard.error_text("user_id") == "enter a user ID"
        assert "digits" in wizard.error_text("pin")
        assert wizard.step == "form"

        await fill_new_phone(wizard, user_id="dave", pin="1357", platform="ios")
        assert wizard.activation is not None
        assert wizard.activation.new is not None
        assert (wizard.activation.new.phone_name, wizard.activation.new.app_kind) == (
            "dave-iphone",
            "sdk",
        )
        await scan(wizard, "QR 1")
        step = await type_password_and_send_code(wizard, "AAAA-BBBB-CCCC")
        assert step == "qr1"
        shown = wizard.error_text("device_code")
        assert "wrong activation password" in shown
        assert "4 attempts left" in shown
        step = await type_password_and_send_code(wizard, "AAAA-BBBB-CCCD")
        assert "3 attempts left" in wizard.error_text("device_code")
        # typed right: QR 2, and the error is gone
        step = await type_password_and_send_code(wizard, shown_activation_password(wizard))
        assert step == "qr2"
        assert wizard.error_text("device_code") == ""
        await scan(wizard, "QR 2")
        assert wizard.step == "done"
        assert "dave-iphone" in window.phones.cards

    in_window(qapp, tmp_path, drive)


def test_a_qr_code_is_painted_module_by_module_with_its_quiet_zone(qapp: QApplication) -> None:
    text = "0123abcd" * 40  # the size of an activation message
    matrix = qr_matrix(text)
    size = len(matrix)
    assert size == segno.make(text, error="m", micro=False).symbol_size(border=QUIET_ZONE)[0]
    assert not any(matrix[0])  # the quiet zone is white
    q = QUIET_ZONE
    assert all(matrix[q][q : q + 7])  # the top edge of the top-left finder pattern
    image = qr_image(text, fit=300)
    scale = image.width() // size
    assert (image.width(), scale) == (size * scale, max(2, 300 // size))
    assert image.pixelColor(q * scale, q * scale).black() == 255  # dark module
    assert image.pixelColor(0, 0).black() == 0  # white border
