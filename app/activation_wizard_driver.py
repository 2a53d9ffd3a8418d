"""The activation wizard driven as a user does: typing, picking and clicking.

Shared by the GUI tests, ``pushsim --self-test`` and the screenshots, so all
three walk the same path. Waiting is on the wizard's ``changed`` signal
(``app.self_test.until``: no nested Qt loop, no sleeps).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtTest import QTest
from PySide6.QtWidgets import QComboBox, QLineEdit

from app.activation_wizard import ActivationWizard
from app.self_test import until

if TYPE_CHECKING:
    from simulators.phone import Phone


def _type(editor: QLineEdit, text: str) -> None:
    editor.clear()
    QTest.keyClicks(editor, text)


async def fill_new_phone(
    wizard: ActivationWizard,
    *,
    user_id: str,
    pin: str,
    platform: str = "android",
    fingers: str = "",
) -> None:
    """The form typed in and submitted; returns once QR #1 shows."""
    form = wizard.form
    _type(form.editor("user_id"), user_id)
    platform_box: QComboBox = form.editor("platform")
    platform_box.setCurrentText(platform)
    _type(form.editor("pin"), pin)
    _type(form.editor("fingers"), fingers)
    form.submit_button.click()
    await until(wizard.changed, lambda: wizard.step, lambda step: step == "qr1", "QR 1")


async def scan(wizard: ActivationWizard, label_prefix: str) -> None:
    """The phone scans the code listed as ``label_prefix`` (``QR 1`` or ``QR 2``)."""
    choice = wizard.phone_screen.scan_choice
    index = next(i for i in range(choice.count()) if choice.itemText(i).startswith(label_prefix))
    choice.setCurrentIndex(index)
    before = wizard.step
    screen = wizard.phone_screen
    wizard.phone_screen.scan_button.click()
    if label_prefix == "QR 1":
        await until(wizard.changed, screen.password_edit.isEnabled, bool, "the password prompt")
    else:
        await until(wizard.changed, lambda: wizard.step, lambda s: s != before, "the activation")


async def type_password_and_send_code(wizard: ActivationWizard, activation_password: str) -> str:
    """Typed on the phone; its device code typed at the portal. The step after (qr1 or qr2)."""
    screen = wizard.phone_screen
    _type(screen.password_edit, activation_password)
    screen.password_button.click()
    code = screen.shown_device_code()
    assert code, wizard.error_text("activation_password")
    wizard.device_code_edit.setText(code)  # typed off the phone's screen
    wizard.add_device_button.click()

    def answered(_: object) -> bool:
        return wizard.step == "qr2" or bool(wizard.error_text("device_code"))

    await until(wizard.changed, lambda: wizard.step, answered, "the portal's answer")
    return wizard.step


def shown_activation_password(wizard: ActivationWizard) -> str:
    activation = wizard.activation
    assert activation is not None
    assert activation.registration is not None
    shown = wizard.password_label.text()
    password = activation.registration.activation_password
    assert password in shown, shown  # what the user reads off the portal
    return password


async def activate_in_wizard(
    wizard: ActivationWizard, *, at_step: Callable[[str], object] | None = None, **form: str
) -> Phone:
    """The whole wizard (``form``: ``fill_new_phone``'s fields); ``at_step("qr1" | "qr2")``
    is called as each code shows."""
    await fill_new_phone(wizard, **form)
    if at_step is not None:
        at_step("qr1")
    await scan(wizard, "QR 1")
    step = await type_password_and_send_code(wizard, shown_activation_password(wizard))
    assert step == "qr2", wizard.error_text("device_code")
    if at_step is not None:
        at_step("qr2")
    await scan(wizard, "QR 2")
    assert wizard.step == "done", wizard.status.text() or wizard.error_text("scan")
    activation = wizard.activation
    assert activation is not None
    assert activation.phone is not None
    return activation.phone
