"""File › Reset to demo data, confirmed in the status bar (never a modal dialog).

The menu entry only *asks*: the status bar shows what a reset replaces with
"Reset now" and "Keep" buttons (Escape keeps). "Reset now" runs
``Suite.reset_demo`` in the background, without restarting anything, and the
status bar then shows the measured time ("Demo data restored in 0.84 s").
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from app.background import BackgroundTasks

QUESTION = (
    "Reset to demo data? Users, domains and push apps go back to the demo, sessions are"
    " cleared, faults removed, the demo phones re-activated."
)


class ResetBar(QWidget):
    """The confirmation and the reset; ``done(seconds)`` once the demo is back."""

    done = Signal(float)

    def __init__(
        self,
        reset: Callable[[], Awaitable[float]],
        tasks: BackgroundTasks,
        report: Callable[[str], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("resetBar")
        self._reset, self._tasks, self._report = reset, tasks, report
        self.question = QLabel(QUESTION)
        self.question.setWordWrap(True)
        self.confirm_button = QPushButton("Reset now")
        self.confirm_button.setObjectName("resetNow")
        self.keep_button = QPushButton("Keep")
        self.keep_button.setObjectName("resetKeep")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.question, 1)
        layout.addWidget(self.confirm_button)
        layout.addWidget(self.keep_button)
        self.confirm_button.clicked.connect(self.confirm)
        self.keep_button.clicked.connect(self.keep)
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.activated.connect(self.keep)
        self.running = False
        self.hide()

    def ask(self) -> None:
        if not self.running:
            self.show()
            self.keep_button.setFocus()  # Return on a stray keypress keeps the data

    def keep(self) -> None:
        self.hide()
        self._report("Demo data kept.")

    def confirm(self) -> None:
        if self.running:
            return
        self.running = True
        self.confirm_button.setEnabled(False)
        self._report("Restoring the demo data…")
        self._tasks.spawn(self._run(), name="reset demo data", on_error=self._failed)

    async def _run(self) -> None:
        seconds = await self._reset()
        self._finish()
        self._report(f"Demo data restored in {seconds:.2f} s (no restart).")
        self.done.emit(seconds)

    def _failed(self, error: BaseException) -> None:
        self._finish()
        self._report(f"Reset to demo data failed: {type(error).__name__}: {error}")

    def _finish(self) -> None:
        self.running = False
        self.confirm_button.setEnabled(True)
        self.hide()
