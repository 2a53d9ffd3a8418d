"""The menu bar and its keyboard shortcuts, built from one table.

Every action's text, shortcut and handler are listed once (``ACTIONS``);
Help › Keyboard shortcuts is generated from the same table, so it cannot
drift from what the keys do. Presenter clickers send PageDown/→/Space, which
step mode binds when it is on (see the step-mode controls), not here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

from app.theme import available_themes, load_theme


class MenuHost(Protocol):
    """What the menus call on the window."""

    def export_session(self) -> None: ...
    def reset_demo(self) -> None: ...
    def open_wizard(self) -> None: ...
    def close(self) -> bool: ...
    def toggle_presenter(self, on: bool) -> None: ...
    def toggle_step_mode(self, on: bool) -> None: ...
    def zoom(self, steps: int) -> None: ...
    def set_theme(self, key: str) -> None: ...
    def focus_login(self) -> None: ...
    def show_shortcuts(self) -> None: ...
    def show_about(self) -> None: ...


@dataclass(frozen=True)
class ActionSpec:
    menu: str
    name: str  # object name, for tests and the shortcuts list
    text: str
    keys: tuple[str, ...] = ()
    checkable: bool = False


ACTIONS = (
    ActionSpec("&File", "newPhone", "&New phone…", ("Ctrl+N",)),
    ActionSpec("&File", "resetDemo", "&Reset to demo data…", ("Ctrl+Shift+R",)),
    ActionSpec("&File", "exportSession", "&Export session report…", ("Ctrl+E",)),
    ActionSpec("&File", "quit", "&Quit", ("Ctrl+Q",)),
    ActionSpec("&View", "stepMode", "&Step mode", ("F9",), checkable=True),
    ActionSpec("&View", "presenter", "&Presenter mode", ("F11",), checkable=True),
    ActionSpec("&View", "zoomIn", "Zoom &in", ("Ctrl++", "Ctrl+=")),
    ActionSpec("&View", "zoomOut", "Zoom &out", ("Ctrl+-",)),
    ActionSpec("&View", "zoomReset", "&Actual size", ("Ctrl+0",)),
    ActionSpec("&View", "focusLogin", "Go to the &login", ("Ctrl+L",)),
    ActionSpec("&Help", "shortcuts", "&Keyboard shortcuts", ("F1",)),
    ActionSpec("&Help", "about", "&About PushSim"),
)


def shortcut_rows() -> list[tuple[str, str]]:
    """(keys, what they do) for every action with a shortcut, and step mode's Next."""
    rows = [
        (" or ".join(spec.keys), spec.text.replace("&", "").rstrip("…"))
        for spec in ACTIONS
        if spec.keys
    ]
    return [*rows, ("PageDown, → or Space", "Next step (in step mode)")]


def _handler(host: MenuHost, name: str, action: QAction) -> None:
    calls = {
        "exportSession": host.export_session,
        "resetDemo": host.reset_demo,
        "newPhone": host.open_wizard,
        "quit": host.close,
        "stepMode": lambda: host.toggle_step_mode(action.isChecked()),
        "presenter": lambda: host.toggle_presenter(action.isChecked()),
        "zoomIn": lambda: host.zoom(1),
        "zoomOut": lambda: host.zoom(-1),
        "zoomReset": lambda: host.zoom(0),
        "focusLogin": host.focus_login,
        "shortcuts": host.show_shortcuts,
        "about": host.show_about,
    }
    action.triggered.connect(lambda _checked=False: calls[name]())


def build_menus(window: QMainWindow, host: MenuHost) -> dict[str, QAction]:
    """Fill ``window``'s menu bar; returns the actions by object name (themes: ``theme:<key>``)."""
    menus: dict[str, QMenu] = {}
    actions: dict[str, QAction] = {}
    for spec in ACTIONS:
        menu = menus.get(spec.menu) or window.menuBar().addMenu(spec.menu)
        menus[spec.menu] = menu
        action = QAction(spec.text, window)
        action.setObjectName(spec.name)
        action.setShortcuts([QKeySequence(k) for k in spec.keys])
        action.setCheckable(spec.checkable)
        menu.addAction(action)
        _handler(host, spec.name, action)
        actions[spec.name] = action
    themes = menus["&View"].addMenu("&Theme")
    group = QActionGroup(window)
    for key in available_themes():
        action = QAction(load_theme(key).name, window, checkable=True)
        action.setObjectName(f"theme:{key}")
        group.addAction(action)
        themes.addAction(action)
        action.triggered.connect(lambda _checked=False, chosen=key: host.set_theme(chosen))
        actions[f"theme:{key}"] = action
    return actions
