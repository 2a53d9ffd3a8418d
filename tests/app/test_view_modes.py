"""Menus and keys of the real window: presenter mode, themes, zoom, quit; choices remembered.

The window is built on a suite that has not started (it shows "starting…"),
which is all the view controls need. Keys go through Qt's shortcut map, as a
user's would.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.main_window import MainWindow
from app.menus import ACTIONS, shortcut_rows
from app.theme import available_themes, load_theme, stylesheet
from app.view_modes import PRESENTER_ZOOM
from core.workspace import Workspace
from simulators.suite import Suite


def new_window(tmp_path: Path, prefs: Path) -> MainWindow:
    window = MainWindow(Suite(Workspace(tmp_path / "workspace")), prefs_file=prefs)
    window.resize(1280, 720)
    window.show()
    window.activateWindow()
    QTest.qWaitForWindowActive(window)
    return window


def test_presenter_mode_enlarges_text_and_hides_the_desk(
    qapp: QApplication, tmp_path: Path
) -> None:
    window = new_window(tmp_path, tmp_path / "prefs.ini")
    assert "font-size: 10pt" in window.styleSheet()
    assert window.console.isVisibleTo(window)
    QTest.keyClick(window, Qt.Key.Key_F11)
    assert window.view.presenter
    assert f"font-size: {10 * PRESENTER_ZOOM:.3g}pt" in window.styleSheet()
    assert window.flow.diagram.scale == PRESENTER_ZOOM
    assert not window.console.isVisibleTo(window)
    assert not window.details.isTabVisible(window.details.indexOf(window.log_view))
    QTest.keyClick(window, Qt.Key.Key_F11)
    assert not window.view.presenter
    assert window.console.isVisibleTo(window)
    window.close()


def test_zoom_keys_step_the_text_size(qapp: QApplication, tmp_path: Path) -> None:
    window = new_window(tmp_path, tmp_path / "prefs.ini")
    QTest.keyClick(window, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert window.view.zoom > 1.0
    assert "font-size: 10pt" not in window.styleSheet()
    QTest.keyClick(window, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert window.view.zoom == 1.0
    QTest.keyClick(window, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert window.view.zoom < 1.0
    window.close()


def test_the_dark_theme_changes_the_palette_and_is_remembered(
    qapp: QApplication, tmp_path: Path
) -> None:
    prefs = tmp_path / "prefs.ini"
    window = new_window(tmp_path, prefs)
    light = QApplication.palette().color(QPalette.ColorRole.Base).name()
    window.menu_actions["theme:dark"].trigger()
    dark = QApplication.palette().color(QPalette.ColorRole.Base).name()
    assert dark == load_theme("dark").palette["Base"]
    assert dark != light
    assert load_theme("dark").tokens["panel"] in window.styleSheet()
    window.close()
    again = new_window(tmp_path, prefs)
    assert again.view.theme == "dark"
    assert again.menu_actions["theme:dark"].isChecked()
    again.close()


def test_ctrl_q_closes_the_window(qapp: QApplication, tmp_path: Path) -> None:
    window = new_window(tmp_path, tmp_path / "prefs.ini")
    closed: list[bool] = []
    window.closing.connect(lambda: closed.append(True))
    QTest.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert closed == [True]


def test_every_theme_defines_every_token_the_sheets_use() -> None:
    keys = available_themes()
    assert {"light", "dark"} <= set(keys)
    token_sets = {key: set(load_theme(key).tokens) for key in keys}
    assert len({frozenset(t) for t in token_sets.values()}) == 1, "themes define the same tokens"
    for key in keys:
        assert "$" not in stylesheet(load_theme(key))


def test_the_shortcuts_list_is_the_menu_table() -> None:
    listed = dict(shortcut_rows())
    assert listed["Ctrl+Q"] == "Quit"
    assert listed["F11"] == "Presenter mode"
    assert len(listed) == sum(1 for spec in ACTIONS if spec.keys) + 1, "and step mode's Next"
    assert listed["F9"] == "Step mode"
