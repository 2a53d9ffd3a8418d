"""The window's scenario runner and recorder: play a scenario visibly, record one.

Play: pick a file (the built-in ``resources/scenarios`` or "Open…"), a speed,
Run. ``simulators.scenarios.runner.play_on`` plays it on the window's own
suite, pausing between steps, so the phones animate and the diagram fills;
each step's row turns ✓ or ✗ as its outcome arrives, and a summary line
counts the expectations that held. Stop cancels the play. Phones the scenario
adds to the suite get their cards (on each ``phone.started``).

Record: while on, ``simulators.scenarios.recorder.SessionRecorder`` writes
down what the user does in the window (logins, unlocks, answers, airplane
mode) and how each session ended; "Save…" writes it as a scenario file.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.background import BackgroundTasks
from app.event_log_model import EventFeed
from app.login_panel import LoginModel
from app.phone_strip import PhonePanel
from app.styling import named, repolish
from core.events import Event
from simulators.phone.event_kinds import PhoneEvent
from simulators.scenarios.loader import load_scenario
from simulators.scenarios.model import Scenario, ScenarioInvalid
from simulators.scenarios.recorder import SessionRecorder
from simulators.scenarios.runner import ScenarioResult, play_on
from simulators.scenarios.world import Outcome

if TYPE_CHECKING:
    from simulators.suite import Suite

BUILT_IN = Path(__file__).resolve().parents[1] / "resources" / "scenarios"
OPEN = "Open…"
SPEEDS = (("0.5×", 0.5), ("1×", 1.0), ("2×", 2.0), ("4×", 4.0), ("no pauses", 0.0))


class ScenarioPanel(QWidget):
    outcome_shown = Signal(object)  # Outcome, once its row shows it
    finished = Signal(object)  # ScenarioResult
    stopped = Signal()  # a play cancelled by Stop has ended

    def __init__(
        self,
        suite: Suite,
        feed: EventFeed,
        tasks: BackgroundTasks,
        phones: PhonePanel,
        login: LoginModel,
    ) -> None:
        super().__init__()
        self.suite, self.tasks, self.phones = suite, tasks, phones
        self.setObjectName("scenarioPanel")
        self.scenario: Scenario | None = None
        self.result: ScenarioResult | None = None
        self.recorder: SessionRecorder | None = None
        self._rows: dict[int, QListWidgetItem] = {}  # step line -> its row
        self._task: asyncio.Task[None] | None = None
        self._picked = 0  # the file shown before "Open…" (back to it on a cancelled dialog)

        self.file_combo = QComboBox()
        for path in sorted(BUILT_IN.glob("*.toml")):
            self.file_combo.addItem(path.stem, str(path))
        self.file_combo.addItem(OPEN, None)
        self.file_combo.activated.connect(self._on_file_picked)
        # long file names must not widen the window: the list shows them in full
        self.file_combo.setMinimumContentsLength(14)
        self.file_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.speed_combo = QComboBox()
        for label, speed in SPEEDS:
            self.speed_combo.addItem(label, speed)
        self.speed_combo.setCurrentIndex(1)
        self.run_button = QPushButton("Run")
        self.run_button.clicked.connect(self._on_run)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setEnabled(False)
        self.stop_button.clicked.connect(self.stop)
        self.record_button = QPushButton("Record")
        self.record_button.setCheckable(True)
        self.record_button.toggled.connect(self.set_recording)
        self.save_button = QPushButton("Save…")
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self._on_save)
        self.steps = QListWidget()
        self.steps.setObjectName("scenarioSteps")
        self.summary = named(QLabel("Pick a scenario and press Run."), "muted")
        self.summary.setWordWrap(True)

        controls = QHBoxLayout()
        controls.addWidget(self.file_combo, 1)
        controls.addWidget(self.speed_combo)
        buttons = QHBoxLayout()
        for button in (self.run_button, self.stop_button, self.record_button, self.save_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(controls)
        layout.addLayout(buttons)
        layout.addWidget(self.steps, 1)
        layout.addWidget(self.summary)
        feed.received.connect(self._on_event)
        login.submitted.connect(self._on_login_submitted)

    # -- play ------------------------------------------------------------------------
    def select(self, path: Path) -> None:
        index = self.file_combo.findData(str(path))
        if index < 0:
            self.file_combo.insertItem(self.file_combo.count() - 1, path.stem, str(path))
            index = self.file_combo.findData(str(path))
        self.file_combo.setCurrentIndex(index)

    def play(self, path: Path, *, speed: float | None = None) -> None:
        """Load ``path`` and play it on the window's suite (``speed`` else the chosen one)."""
        try:
            scenario = load_scenario(path)
        except (ScenarioInvalid, OSError) as exc:
            self._say(str(exc), error=True)
            return
        self.scenario, self.result = scenario, None
        self.steps.clear()
        self._rows.clear()
        for step in scenario.steps:
            item = QListWidgetItem(f"·  line {step.line}  {step.action}")
            self.steps.addItem(item)
            self._rows[step.line] = item
        chosen = self.speed_combo.currentData() if speed is None else speed
        self._set_running(True)
        self._say(f"playing {scenario.name}…")
        self._task = self.tasks.spawn(
            self._play(scenario, float(chosen)),
            name=f"scenario {scenario.name}",
            on_error=self._on_crash,
        )
        self._task.add_done_callback(self._on_task_done)

    @property
    def playing(self) -> bool:
        return self._task is not None and not self._task.done()

    def stop(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            self._say("stopped")
        self._set_running(False)

    def _on_task_done(self, task: asyncio.Task[None]) -> None:
        if task.cancelled():
            self.stopped.emit()

    async def _play(self, scenario: Scenario, speed: float) -> None:
        result = await play_on(self.suite, scenario, speed=speed, on_outcome=self._show_outcome)
        self.result = result
        held, written = result.expectations
        verdict = "passed" if result.passed else "FAILED"
        text = f"{scenario.name}: {verdict} · {held}/{written} expectations held"
        self._say(text + (f" · {result.error}" if result.error else ""), error=not result.passed)
        self._set_running(False)
        self.finished.emit(result)

    def _show_outcome(self, outcome: Outcome) -> None:
        item = self._rows.get(outcome.line)
        if item is not None:
            mark = "✓" if outcome.passed else "✗"
            detail = f" — {outcome.message}" if outcome.message else ""
            item.setText(f"{mark}  line {outcome.line}  {outcome.action}{detail}")
        self.outcome_shown.emit(outcome)

    def _on_crash(self, error: BaseException) -> None:
        self._say(f"{type(error).__name__}: {error}", error=True)
        self._set_running(False)

    def _set_running(self, running: bool) -> None:
        self.run_button.setEnabled(not running)
        self.stop_button.setEnabled(running)

    def _on_run(self) -> None:
        chosen = self.file_combo.currentData()
        if chosen:
            self.play(Path(str(chosen)))

    def _on_file_picked(self, index: int) -> None:
        if self.file_combo.itemData(index) is not None:
            self._picked = index
            return
        path, _ = QFileDialog.getOpenFileName(
            self, "Open scenario", str(BUILT_IN), "Scenarios (*.toml)"
        )
        if path:
            self.select(Path(path))
            self._picked = self.file_combo.currentIndex()
        else:
            self.file_combo.setCurrentIndex(self._picked)

    def _on_event(self, event: Event) -> None:
        # a phone the suite started after the window filled in (a scenario's) gets a card
        if event.kind == PhoneEvent.STARTED and self.suite.startup_seconds is not None:
            self.phones.sync(self.suite.phones, self.suite.events, self.tasks)

    # -- record ------------------------------------------------------------------------
    def set_recording(self, on: bool) -> None:
        if self.record_button.isChecked() != on:
            self.record_button.setChecked(on)  # comes back here through toggled
            return
        if on:
            self.recorder = SessionRecorder(self.suite)
            self.recorder.start()
            self._say("recording: log in, unlock, approve or reject…")
        elif self.recorder is not None:
            self.recorder.stop()
            self._say(f"recorded {len(self.recorder.steps)} steps; Save… writes them")
        self.save_button.setEnabled(self.recorder is not None)

    def _on_login_submitted(self, user_id: str, passkey: str) -> None:
        if self.recorder is not None and self.recorder.recording:
            self.recorder.login_submitted(user_id, passkey)

    async def save_recording(self, path: Path) -> Path:
        """Write the recording as a scenario file (recording goes on if it was on)."""
        if self.recorder is None:
            raise ValueError("nothing recorded yet: press Record first")
        await self.recorder.save(path)
        self._say(f"scenario written to {path}")
        return path

    def _on_save(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save recorded scenario", "recorded.toml", "Scenarios (*.toml)"
        )
        if path:
            self.tasks.spawn(self.save_recording(Path(path)), name="save", on_error=self._on_crash)

    def _say(self, text: str, *, error: bool = False) -> None:
        self.summary.setText(text)
        self.summary.setProperty("error", error)
        repolish(self.summary)
