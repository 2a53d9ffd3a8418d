"""At 1280×720 nothing in the window's main areas is cut: every widget gets at least its minimum.

What lives inside a scroll area may scroll (that is how a long session or
many phones fit), so only widgets outside scroll viewports are checked: each
must be inside the window and no smaller than its minimum size hint (smaller
would clip its text or controls). Checked in the normal and presenter views.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QPoint, QRect
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QWidget

from app.main_window import MainWindow
from tests.app.test_scenario_panel import in_window


def scrolled(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea) and parent.viewport().isAncestorOf(widget):
            return True
        parent = parent.parentWidget()
    return False


def clipped(window: MainWindow) -> list[str]:
    areas = [window.login_panel, window.flow, window.details, window.phones, window.console]
    frame = QRect(QPoint(0, 0), window.size())
    found = []
    for area in areas:
        if not area.isVisibleTo(window):
            continue
        for widget in [area, *area.findChildren(QWidget)]:
            if not widget.isVisibleTo(window) or scrolled(widget):
                continue
            if widget.objectName().startswith("qt_scrollarea_"):
                continue  # a scroll area's own scroll bar: it scrolls at any length
            if widget.objectName() in ("ScrollLeftButton", "ScrollRightButton"):
                continue  # a tab bar's own arrows, which QTabBar sizes itself when tabs overflow
            rect = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
            hint = widget.minimumSizeHint()
            name = f"{type(widget).__name__}#{widget.objectName() or '?'} in {area.objectName()}"
            if not frame.contains(rect):
                found.append(f"{name} outside the window: {rect}")
            if hint.isValid() and (
                widget.width() < hint.width() or widget.height() < hint.height()
            ):
                found.append(
                    f"{name} {widget.width()}×{widget.height()} < minimum {hint.toTuple()}"
                )
    return found


def settle(window: MainWindow) -> None:
    """Deliver the layout requests a new style sheet posted (no event loop run)."""
    for _ in range(3):
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest.value)
        window.layout().activate()


def test_nothing_is_cut_at_1280_by_720(qapp: QApplication, tmp_path: Path) -> None:
    async def check(window: MainWindow) -> None:
        assert window.size().toTuple() == (1280, 720)
        problems = clipped(window)
        assert not problems, "\n".join(problems)
        window.toggle_presenter(True)
        settle(window)
        assert window.size().toTuple() == (1280, 720), "presenter mode must not grow the window"
        problems = clipped(window)
        assert not problems, "\n".join(problems)

    in_window(qapp, tmp_path, check)
