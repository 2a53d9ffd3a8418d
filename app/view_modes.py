"""How the window looks: theme, zoom and presenter mode, remembered between runs.

``ViewState`` is the choice; ``ViewSettings`` keeps it (and the window's
geometry and splitters) in an INI file through ``QSettings``, or nowhere when
no file is given (tests, ``--self-test``). Presenter mode multiplies the zoom
by ``PRESENTER_ZOOM``; the window hides the console and the technical log.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, QTimer
from PySide6.QtWidgets import QMainWindow, QSplitter

from app.theme import DEFAULT_THEME, available_themes

ZOOM_STEPS = (0.8, 0.9, 1.0, 1.15, 1.3, 1.5, 1.75, 2.0)
PRESENTER_ZOOM = 1.6


@dataclass(frozen=True)
class ViewState:
    theme: str = DEFAULT_THEME
    zoom: float = 1.0
    presenter: bool = False

    @property
    def scale(self) -> float:
        """What sizes are multiplied by: the zoom, and presenter mode's on top."""
        return self.zoom * (PRESENTER_ZOOM if self.presenter else 1.0)

    def zoomed(self, steps: int) -> ViewState:
        """``steps`` zoom steps in (+) or out (−); 0 is back to 100 %."""
        if steps == 0:
            return replace(self, zoom=1.0)
        nearest = min(range(len(ZOOM_STEPS)), key=lambda i: abs(ZOOM_STEPS[i] - self.zoom))
        index = max(0, min(len(ZOOM_STEPS) - 1, nearest + steps))
        return replace(self, zoom=ZOOM_STEPS[index])


class ViewSettings:
    def __init__(self, path: Path | None) -> None:
        self._settings = None if path is None else QSettings(str(path), QSettings.Format.IniFormat)

    def load(self) -> ViewState:
        if self._settings is None:
            return ViewState()
        theme = str(self._settings.value("view/theme", DEFAULT_THEME))
        try:
            zoom = float(str(self._settings.value("view/zoom", 1.0)))
        except ValueError:
            zoom = 1.0
        return ViewState(
            theme=theme if theme in available_themes() else DEFAULT_THEME,
            zoom=zoom if min(ZOOM_STEPS) <= zoom <= max(ZOOM_STEPS) else 1.0,
            presenter=False,  # a new run starts at the desk, not on stage
        )

    def save(self, state: ViewState) -> None:
        if self._settings is not None:
            self._settings.setValue("view/theme", state.theme)
            self._settings.setValue("view/zoom", state.zoom)

    def restore_layout(self, window: QMainWindow, splitters: dict[str, QSplitter]) -> bool:
        if self._settings is None:
            return False
        geometry = self._settings.value("window/geometry")
        restored = isinstance(geometry, QByteArray) and window.restoreGeometry(geometry)
        for name, splitter in splitters.items():
            state = self._settings.value(f"splitters/{name}")
            if isinstance(state, QByteArray):
                splitter.restoreState(state)
        return restored

    def save_layout(self, window: QMainWindow, splitters: dict[str, QSplitter]) -> None:
        if self._settings is None:
            return
        self._settings.setValue("window/geometry", window.saveGeometry())
        for name, splitter in splitters.items():
            self._settings.setValue(f"splitters/{name}", splitter.saveState())
        self._settings.sync()


class PresenterLayout:
    """The splitters for presenter mode: no console column, the stage to the diagram, the
    rest to the phones; leaving it gives back the sizes the user had."""

    PHONES_SHARE = 0.45  # of the width: two phones large enough to read from the back

    def __init__(self, main: QSplitter, stage: QSplitter) -> None:
        self.main, self.stage = main, stage
        self._before: tuple[list[int], list[int]] | None = None
        self._on = False

    def remember(self) -> None:
        """Keep the user's sizes; called before the presenter fonts clamp them."""
        if self._before is None:
            self._before = (self.main.sizes(), self.stage.sizes())

    def set(self, on: bool) -> None:
        if on and not self._on:
            self._on = True
            self.remember()
            width, height = sum(self.main.sizes()), sum(self.stage.sizes())
            phones = round(width * self.PHONES_SHARE)
            self.main.setSizes([0, width - phones, phones])
            below = self.stage.widget(1)
            details = below.minimumHeight() if below is not None else 0  # keeps its minimum
            self.stage.setSizes([height - details, details])
        elif not on and self._on and self._before is not None:
            self._on = False
            main, stage = self._before
            self._before = None

            def restore() -> None:
                self.main.setSizes(main)
                self.stage.setSizes(stage)

            # after the normal-size sheet is laid out: the presenter fonts' minimum widths
            # would clamp the sizes now
            QTimer.singleShot(0, self.main, restore)
