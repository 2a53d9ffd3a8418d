"""Step mode in the window: the narration of the held step and the "Next" that releases it.

The gate (``core.step_gate.StepGate``) really holds the flow; this panel only
shows what waits, reads the step's text from ``resources/narration/steps.toml``
(a trainer edits that file; it is read again each time step mode starts) and
calls ``release()``. Presenter clickers send PageDown, → or Space: while step
mode is on, ``NextKeys`` takes those keys anywhere in the window, except Space
and → inside a text field, where they still type and move the cursor.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from core.step_gate import StepGate

NARRATION_FILE = Path(__file__).resolve().parents[1] / "resources" / "narration" / "steps.toml"
NEXT_KEYS = (Qt.Key.Key_PageDown, Qt.Key.Key_Right, Qt.Key.Key_Space)
_TYPING_KEYS = (Qt.Key.Key_Right, Qt.Key.Key_Space)


@dataclass(frozen=True)
class StepText:
    number: int
    title: str
    text: str


def load_narration(path: Path = NARRATION_FILE) -> dict[int, StepText]:
    """The seven steps' texts; a missing or broken file gives plain titles, not an error."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        steps = {
            int(s["number"]): StepText(int(s["number"]), str(s["title"]), str(s["text"]))
            for s in data.get("step", [])
        }
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        return {n: StepText(n, f"Step {n}", f"(narration not read: {exc})") for n in range(1, 8)}
    return {n: steps.get(n, StepText(n, f"Step {n}", "")) for n in range(1, 8)}


class NarrationPanel(QWidget):
    """What the held step is about, and Next."""

    shown = Signal()  # the panel shows a new state (tests wait on it)

    def __init__(self, gate: StepGate, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("narrationPanel")
        self.gate = gate
        self.narration = load_narration()
        self.heading = QLabel()
        self.heading.setObjectName("narrationTitle")
        self.text = QLabel()
        self.text.setObjectName("narrationText")
        self.text.setWordWrap(True)
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.state = QLabel()
        self.state.setObjectName("muted")
        self.next_button = QPushButton("Next ▶")
        self.next_button.setObjectName("nextStep")
        self.next_button.setToolTip("Go on (PageDown, → or Space)")
        self.next_button.clicked.connect(self.next)
        row = QHBoxLayout()
        row.addWidget(self.state, 1)
        row.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.text, 1)
        layout.addLayout(row)
        self._unsubscribe = gate.on_change(self.refresh)
        self.refresh()

    def start(self) -> None:
        self.narration = load_narration()  # a trainer may have edited it since
        self.refresh()

    def next(self) -> None:
        self.gate.release()

    def refresh(self) -> None:
        held = self.gate.held
        self.next_button.setEnabled(bool(held))
        if not self.gate.enabled:
            self.heading.setText("Step mode is off")
            self.text.setText("Switch it on (View › Step mode, F9) to pause before each step.")
            self.state.setText("")
        elif not held:
            self.heading.setText("Step mode: waiting for a login")
            self.text.setText("Log in: the flow stops before each of the seven steps.")
            self.state.setText("")
        else:
            first = held[0]
            step = self.narration[first.step]
            self.heading.setText(f"Step {step.number} of 7 — {step.title}")
            self.text.setText(step.text)
            session = f" · session {first.request_id[:8]}" if first.request_id else ""
            more = f" · {len(held) - 1} more waiting" if len(held) > 1 else ""
            self.state.setText(f"held before step {step.number}{session}{more}")
        self.shown.emit()

    def close_panel(self) -> None:
        self._unsubscribe()


class NextKeys(QObject):
    """An application event filter: the clicker's keys mean Next while something is held."""

    def __init__(self, panel: NarrationPanel) -> None:
        super().__init__(panel)
        self._panel = panel

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not self._panel.gate.held:
            return False
        assert isinstance(event, QKeyEvent)
        key = Qt.Key(event.key())
        if key not in NEXT_KEYS or event.modifiers() != Qt.KeyboardModifier.NoModifier:
            return False
        focus = QApplication.focusWidget()
        if key in _TYPING_KEYS and isinstance(focus, QLineEdit | QTextEdit | QPlainTextEdit):
            return False
        self._panel.next()
        return True
