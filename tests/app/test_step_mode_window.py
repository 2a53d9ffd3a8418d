"""Step mode in the real window, walked with the keyboard as a trainer with a clicker would.

F9 turns it on; Return in the user-ID field logs in; before each step the
narration tab names it while the session stays pending; PageDown (what a
presenter clicker sends) goes on. The user still approves on the phone.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.main_window import MainWindow
from app.step_mode import load_narration
from core.seed import DEMO_PASSWORD
from tests.app.test_main_window import request_shown, signalled, view_where
from tests.app.test_scenario_panel import in_window


def test_step_mode_walked_with_the_keyboard(qapp: QApplication, tmp_path: Path) -> None:
    in_window(qapp, tmp_path, walk)


async def held_at(window: MainWindow, step: int) -> None:
    narration = window.narration
    await signalled(
        narration.shown,
        narration.heading.text,
        lambda text: text.startswith(f"Step {step} of 7"),
        f"the narration of step {step}",
    )


async def walk(window: MainWindow) -> None:
    texts = load_narration()
    QTest.keyClick(window, Qt.Key.Key_F9)
    assert window.suite.gate.enabled
    assert window.details.currentWidget() is window.narration
    panel = window.login_panel
    panel.user_edit.setText("alice")
    panel.password_edit.setText("push" + DEMO_PASSWORD)
    panel.user_edit.setFocus()
    QTest.keyClick(panel.user_edit, Qt.Key.Key_Return)  # Return logs in from the user ID too
    alice = window.phones.cards["alice-pixel"]
    for step in range(1, 8):
        if step == 5:  # the user decides on the phone; step mode then holds the answer
            await view_where(alice, request_shown, "alice's phone to show the request")
            alice.approve_button.click()
        await held_at(window, step)
        assert texts[step].text == window.narration.text.text()
        assert window.suite.clock.paused, "the push timeout does not run while held"
        assert panel.model.state.phase in ("sending", "pending"), f"decided before step {step}"
        QTest.keyClick(window, Qt.Key.Key_PageDown)
    await signalled(
        panel.model.changed,
        lambda: panel.model.state.phase,
        lambda phase: phase == "accepted",
        "the login accepted",
    )
    QTest.keyClick(window, Qt.Key.Key_F9)
    assert not window.suite.gate.enabled
    assert window.details.currentWidget() is not window.narration
