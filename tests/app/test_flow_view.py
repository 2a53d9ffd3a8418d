"""The flow view in the real window: arrows 1-7 on the right lanes, the inspector's checks.

Driven by clicks like a user: alice logs in, approves on her phone, the
diagram (awaited on ``FlowPanel.flow_shown``) shows the seven numbered arrows;
a click on the step-7 arrow fills the inspector with every validation check,
and "Copy as JSON" puts the same facts on the clipboard. A second login takes
the stage while following; a picked session stays pinned.
"""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QScrollArea

from app.main_window import MainWindow
from core.seed import DEMO_PASSWORD
from simulators.session_flow import SessionFlow
from tests.app.test_main_window import request_shown, signalled, view_where
from tests.app.test_scenario_panel import in_window
from tests.e2e.test_session_flow import EXPECTED


def test_the_diagram_draws_a_login_and_the_inspector_shows_its_checks(
    qapp: QApplication, tmp_path: Path
) -> None:
    in_window(qapp, tmp_path, drive)


async def shown_where(window: MainWindow, check: object, what: str) -> SessionFlow:
    flow = await signalled(
        window.flow.flow_shown,
        lambda: window.flow.shown,
        lambda shown: shown is not None and check(shown),  # type: ignore[operator]
        what,
    )
    assert flow is not None
    return flow


async def drive(window: MainWindow) -> None:
    panel = window.login_panel
    alice = window.phones.cards["alice-pixel"]
    panel.user_edit.setText("alice")
    panel.password_edit.setText("push" + DEMO_PASSWORD)
    panel.login_button.click()
    await view_where(alice, request_shown, "alice's phone to show the request")
    alice.approve_button.click()
    flow = await shown_where(window, lambda f: f.status == "accepted", "the accepted session")
    assert [(a.step, a.source, a.target) for a in flow.arrows] == EXPECTED
    diagram = window.flow.diagram
    assert diagram.arrows == flow.arrows
    assert window.flow.picker.count() == 1
    assert "alice@demo" in window.flow.picker.currentText()

    # a click on the step-7 arrow shows every check in the inspector
    QTest.mouseClick(diagram, Qt.MouseButton.LeftButton, pos=diagram.row_rect(6).center())
    assert diagram.selected is not None
    assert diagram.selected.step == 7
    assert window.details.currentWidget() is window.inspector
    # ... with room for them: the inspector gets half the stage, the clicked arrow in view
    assert window.stage.sizes()[1] >= min(sum(window.stage.sizes()) // 2, 340) - 2
    viewport = window.flow.findChild(QScrollArea, "flowScroll").viewport()
    row = diagram.row_rect(6)
    assert viewport.rect().contains(diagram.mapTo(viewport, row.center())), "arrow 7 in view"
    text = window.inspector.text.toPlainText()
    assert "every check passed" in text
    for check in ("secure_channel_tag", "signature_valid", "nonce_fresh", "number_matches"):
        assert check in text
    window.inspector.copy_button.click()
    copied = json.loads(QGuiApplication.clipboard().text())
    assert [c["state"] for c in copied["checks"]] == ["passed"] * 11

    # the response arrow: raw hex with the header fields, decoded header, body
    QTest.mouseClick(diagram, Qt.MouseButton.LeftButton, pos=diagram.row_rect(5).center())
    text = window.inspector.text.toPlainText()
    assert "Decoded header" in text
    assert "Decrypted body" in text
    assert "Raw message (" in text
    assert "serial [3–13)" in text

    # pinned on this session, a second login does not take the stage ...
    window.flow.follow.setChecked(False)
    first = flow.request_id
    await signalled(
        panel.model.changed, lambda: panel.model.state.phase, lambda p: p == "accepted", "done"
    )
    panel.password_edit.setText("push" + DEMO_PASSWORD)
    panel.login_button.click()
    picker = window.flow.picker
    await signalled(
        picker.model().rowsInserted, picker.count, lambda n: n == 2, "a second session listed"
    )
    assert window.flow.shown is not None
    assert window.flow.shown.request_id == first
    # ... and following again shows the newest
    window.flow.follow.setChecked(True)
    assert window.flow.shown is not None
    assert window.flow.shown.request_id != first
    assert window.flow.picker.count() == 2

    # one login at a time: while it is pending the button waits, and asks before replacing it
    await signalled(
        panel.model.changed, lambda: panel.model.state.phase, lambda p: p == "pending", "pending"
    )
    assert panel.login_button.text() == "waiting…"
    asked: list[bool] = []
    panel.confirm_supersede = lambda: asked.append(True) or False  # type: ignore[method-assign]
    panel.login_button.click()
    assert asked == [True]
    assert panel.model.state.phase == "pending", "declined: the pending login stays"
    assert window.flow.picker.count() == 2
