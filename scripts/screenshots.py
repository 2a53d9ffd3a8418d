"""``make screenshots``: the README's pictures, drawn offscreen with ``QWidget.grab()``.

A fresh workspace, the real window at 1280×720: alice logs in and approves,
then each view is set up and grabbed into ``docs/screenshots/``:
main window (light and dark), the inspector on the signed response, step
mode held before step 3 with its narration, presenter mode, the Faults tab
with two faults active, the console's domain form refusing a value, the
phone settings, the activation wizard at both QR steps. Waiting is on
the window's own signals.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QTreeWidgetItem  # noqa: E402

from app.activation_wizard_driver import activate_in_wizard  # noqa: E402
from app.main_window import MainWindow  # noqa: E402
from app.self_test import log_in, request_up, settled, until  # noqa: E402
from core.seed import DEMO_PASSWORD  # noqa: E402
from core.workspace import Workspace  # noqa: E402
from simulators.phone.inbox import NotificationStatus  # noqa: E402
from simulators.suite import Suite  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
SIZE = (1280, 720)


def console_text(window: MainWindow) -> str:
    tree = window.console.tree
    texts: list[str] = []

    def walk(item: QTreeWidgetItem) -> None:
        texts.append(item.text(0) + " " + item.text(1))
        for index in range(item.childCount()):
            walk(item.child(index))

    for index in range(tree.topLevelItemCount()):
        walk(tree.topLevelItem(index))
    return "\n".join(texts)


def grab(window: MainWindow, name: str) -> None:
    # grab() renders the widgets now; no processEvents() inside a coroutine (qasync re-entry)
    path = OUT / name
    if not window.grab().save(str(path)):
        raise SystemExit(f"could not write {path}")
    print(path.relative_to(ROOT))


async def shoot(window: MainWindow) -> None:
    await log_in(window, "alice", "push" + DEMO_PASSWORD)
    card = await request_up(window, "alice-pixel")
    card.approve_button.click()
    await settled(window)
    await until(  # the phone and the console have caught up with the decision
        card.views.changed,
        lambda: card.views.view.notifications[-1].status,
        lambda status: status == NotificationStatus.APPROVED,
    )
    await until(window.console.shown, lambda: console_text(window), lambda t: "accepted" in t)
    diagram = window.flow.diagram
    QTest.mouseClick(diagram, Qt.MouseButton.LeftButton, pos=diagram.row_rect(6).center())
    grab(window, "main-window.png")
    QTest.mouseClick(diagram, Qt.MouseButton.LeftButton, pos=diagram.row_rect(5).center())
    grab(window, "inspector-response.png")
    window.set_theme("dark")
    grab(window, "main-window-dark.png")
    window.set_theme("light")
    window.toggle_presenter(True)
    await asyncio.sleep(0.2)  # a script, not a test: let the new layout be laid out first
    grab(window, "presenter-mode.png")
    window.toggle_presenter(False)
    window.toggle_step_mode(True)
    await log_in(window, "bob", "PIN" + DEMO_PASSWORD)
    narration = window.narration
    for step in (1, 2, 3):
        prefix = f"Step {step} "
        await until(narration.shown, narration.heading.text, lambda t, p=prefix: t.startswith(p))
        if step < 3:
            narration.next()
    grab(window, "step-mode.png")
    window.toggle_step_mode(False)
    (await request_up(window, "bob-iphone")).reject_button.click()
    await settled(window)


async def shoot_workbench(window: MainWindow) -> None:
    """The Faults tab with a fault active, the console's domain form refusing a value."""
    panel = window.faults
    await until(panel.changed, lambda: panel.described, lambda d: "apns" in d)
    token = window.suite.phones["bob-iphone"].push_token
    panel.fill("apns", "error", token=token, error="BadDeviceToken", count=2)
    panel.add_button.click()
    await until(panel.changed, panel.active.topLevelItemCount, lambda n: n == 1)
    panel.fill("fcm", "latency")
    panel.latency_spin.setValue(1.5)
    panel.add_button.click()
    await until(panel.changed, panel.active.topLevelItemCount, lambda n: n == 2)
    window.details.setCurrentWidget(panel)
    grab(window, "fault-panel.png")
    panel.fill("apns", "error", error="BadDeviceToken")

    console = window.console
    opened: list[object] = []
    console.opened.connect(opened.append)
    menu = console.menu_for(console.item_where("demo ·"))
    assert menu is not None
    (edit,) = [a for a in menu.actions() if a.text().startswith("Edit domain")]
    edit.trigger()
    form = await until(console.opened, lambda: console.form, lambda f: f is not None)
    assert form is not None
    form.editor("push_timeout").setText("900")
    form.submit_button.click()
    await until(form.failed, lambda: form.error_text("push_timeout"), bool)
    grab(window, "console-domain-form.png")
    form.cancel_button.click()


async def shoot_phone_settings(window: MainWindow) -> None:
    """The Phone settings tab on bob's iPhone: fingers, auto-responder, a refused PIN."""
    panel = window.phone_settings
    window.room.fold_for(panel)  # the whole stage's height: every setting in view
    panel.phone_combo.setCurrentIndex(panel.phone_combo.findText("bob-iphone"))
    panel.clock.setValue(30)
    panel.clock_button.click()
    panel.auto_combo.setCurrentIndex(panel.auto_combo.findData("reject"))
    panel.auto_delay.setValue(2.0)
    panel.auto_button.click()
    await until(panel.done, panel.status.text, lambda text: "auto: reject" in text)
    panel.old_pin.setText("0000")
    panel.new_pin.setText("4321")
    panel.pin_button.click()
    await until(panel.done, panel.errors["pin"].text, bool)
    grab(window, "phone-settings.png")
    panel.auto_combo.setCurrentIndex(0)
    panel.auto_button.click()
    await until(panel.done, panel.status.text, lambda text: "auto:" not in text)


async def shoot_wizard(window: MainWindow) -> None:
    window.open_wizard()  # File › New phone…: QR 1 with the activation password, then QR 2
    shot = lambda step: grab(window, f"wizard-{step}.png")  # noqa: E731
    await activate_in_wizard(window.wizard, user_id="carol", pin="2468", at_step=shot)


async def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="pushsim-shots-") as folder:
        suite = Suite(Workspace(Path(folder) / "workspace"))
        window = MainWindow(suite)
        window.resize(*SIZE)
        window.show()
        try:
            await suite.start(reset=True)
            await shoot(window)
            await shoot_workbench(window)
            await shoot_phone_settings(window)
            await shoot_wizard(window)
        finally:
            await window.aclose()
            await suite.stop()
            window.close()


if __name__ == "__main__":
    import qasync

    application = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(application, QApplication)
    application.setQuitOnLastWindowClosed(False)
    qasync.run(main())
