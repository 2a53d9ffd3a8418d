"""Every setting of one phone, in the window: what QA flips to see what goes wrong.

The "Phone settings" tab works on the phone picked at its top: airplane mode,
notifications denied (pushes arrive but the OS shows nothing), the app
uninstalled and reinstalled (then activated again, for a demo phone), the
phone's clock offset, an auto-responder (approve, reject or ignore, after a
delay), the enrolled fingers (enrol, remove; the card's sensor also offers
fingers nobody enrolled), and a PIN change. Every action goes through the
phone model (``simulators.phone.Phone``), so the phone card, the technical log
and the scenario recorder see it as they see a tap on the phone; an error is
shown next to the field it concerns and nothing typed is lost. The panel
follows the phone's published view, so a change made elsewhere (the card's
airplane switch, a scenario) shows here too.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.background import BackgroundTasks
from app.event_log_model import EventFeed
from app.phone_view_feed import PhoneViewFeed
from app.styling import named
from core.events import Event
from simulators.phone import AutoAction, AutoResponsePolicy, Phone
from simulators.phone.errors import PhoneError
from simulators.phone.event_kinds import PhoneEvent
from simulators.phone.views import PhoneView
from simulators.phone_setup import activate_again, can_activate_again

if TYPE_CHECKING:
    from simulators.suite import Suite

SIDE_BY_SIDE_WIDTH = 760  # px: narrower, the two halves of the form stack
AUTO_CHOICES = (("off: the user answers", ""), *((a.value, a.value) for a in AutoAction))


def _error_label() -> QLabel:
    label = named(QLabel(), "fieldError")
    label.setWordWrap(True)
    label.hide()
    return label


class PhoneSettingsPanel(QWidget):
    done = Signal(str)  # what an action did (tests wait on it), or its error

    def __init__(
        self, suite: Suite, feed: EventFeed, tasks: BackgroundTasks, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("phoneSettings")
        self.suite, self.tasks = suite, tasks
        self._feed: PhoneViewFeed | None = None
        self._started = False
        feed.received.connect(self._on_event)
        self.phone_combo = named(QComboBox(), "settingsPhone")
        self.airplane = named(QCheckBox("Airplane mode (offline)"), "settingsAirplane")
        self.denied = named(QCheckBox("Notifications denied (pushes not shown)"), "settingsDenied")
        self.clock = named(QDoubleSpinBox(), "settingsClock")
        self.clock.setRange(-86400.0, 86400.0)
        self.clock.setDecimals(0)
        self.clock.setSuffix(" s")
        self.clock_button = QPushButton("Set clock")
        self.uninstall_button = QPushButton("Uninstall app")
        self.install_button = QPushButton("Reinstall app")
        self.activate_button = QPushButton("Activate again")
        self.auto_combo = named(QComboBox(), "settingsAuto")
        for text, action in AUTO_CHOICES:
            self.auto_combo.addItem(text, action)
        self.auto_delay = QDoubleSpinBox()
        self.auto_delay.setRange(0.0, 300.0)
        self.auto_delay.setSuffix(" s")
        self.auto_pin = QLineEdit("1234")
        self.auto_pin.setPlaceholderText("the PIN it types when one is required")
        self.auto_button = QPushButton("Apply")
        self.fingers_label = named(QLabel(), "settingsFingers")
        self.fingers_label.setWordWrap(True)
        self.finger_edit = QLineEdit()
        self.finger_edit.setPlaceholderText("finger, e.g. left-thumb")
        self.enrol_button = QPushButton("Enrol")
        self.remove_button = QPushButton("Remove")
        self.old_pin = QLineEdit()
        self.old_pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.new_pin = QLineEdit()
        self.new_pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_button = QPushButton("Change PIN")
        self.errors = {name: _error_label() for name in ("clock", "auto", "finger", "pin", "app")}
        self.status = named(QLabel(), "settingsStatus")
        self.status.setWordWrap(True)
        self._lay_out()
        self._connect()
        self.setEnabled(False)

    def _lay_out(self) -> None:
        device = QFormLayout()
        device.addRow("Phone", self.phone_combo)
        device.addRow(self.airplane)
        device.addRow(self.denied)
        device.addRow("Clock offset", _row(self.clock, self.clock_button))
        device.addRow(self.errors["clock"])
        device.addRow("App", _row(self.uninstall_button, self.install_button))
        device.addRow("", self.activate_button)
        device.addRow(self.errors["app"])
        person = QFormLayout()
        person.addRow("Auto-responder", self.auto_combo)
        person.addRow("after", _row(self.auto_delay, QLabel("PIN"), self.auto_pin))
        person.addRow("", self.auto_button)
        person.addRow(self.errors["auto"])
        person.addRow("Fingers", self.fingers_label)
        person.addRow("", _row(self.finger_edit, self.enrol_button, self.remove_button))
        person.addRow(self.errors["finger"])
        person.addRow("Old PIN", self.old_pin)
        person.addRow("New PIN", _row(self.new_pin, self.pin_button))
        person.addRow(self.errors["pin"])
        # side by side when wide (a big window), one above the other when narrow
        self.columns = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.columns.addLayout(device, 1)
        self.columns.addLayout(person, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(self.columns)
        layout.addWidget(self.status)
        layout.addStretch(1)

    def resizeEvent(self, event: QResizeEvent) -> None:
        wide = event.size().width() >= SIDE_BY_SIDE_WIDTH
        direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        if self.columns.direction() != direction:
            self.columns.setDirection(direction)
        super().resizeEvent(event)

    def _connect(self) -> None:
        self.phone_combo.currentIndexChanged.connect(self._follow_phone)
        self.airplane.toggled.connect(lambda on: self._now(lambda p: p.set_airplane_mode(on)))
        self.denied.toggled.connect(lambda on: self._now(lambda p: p.set_notifications_denied(on)))
        self.clock_button.clicked.connect(self._set_clock)
        self.uninstall_button.clicked.connect(lambda: self._run("app", _uninstall))
        self.install_button.clicked.connect(lambda: self._run("app", _install))
        self.activate_button.clicked.connect(
            lambda: self._run("app", lambda p: activate_again(self.suite, p))
        )
        self.auto_button.clicked.connect(self._set_auto)
        self.enrol_button.clicked.connect(lambda: self._finger(enrol=True))
        self.remove_button.clicked.connect(lambda: self._finger(enrol=False))
        self.pin_button.clicked.connect(self._change_pin)

    # -- which phone -------------------------------------------------------------------
    def _on_event(self, event: Event) -> None:
        if self._started and event.kind in (PhoneEvent.STARTED, PhoneEvent.STOPPED):
            self.start()  # a phone came or went (the wizard, a reset)

    def start(self) -> None:
        """The suite is up: list its phones (again after a phone was added or removed)."""
        self._started = True
        names = list(self.suite.phones)
        if names != [self.phone_combo.itemText(i) for i in range(self.phone_combo.count())]:
            keep = self.phone_combo.currentText()
            self.phone_combo.blockSignals(True)
            self.phone_combo.clear()
            self.phone_combo.addItems(names)
            self.phone_combo.setCurrentIndex(max(0, self.phone_combo.findText(keep)))
            self.phone_combo.blockSignals(False)
            self._follow_phone()
        self.setEnabled(bool(names))

    @property
    def phone(self) -> Phone | None:
        return self.suite.phones.get(self.phone_combo.currentText())

    def _follow_phone(self, *_: object) -> None:
        if self._feed is not None:
            self._feed.changed.disconnect(self._show)
            self._feed.close()
            self._feed = None
        phone = self.phone
        if phone is not None:
            self._feed = PhoneViewFeed(phone, self.suite.events, self)
            self._feed.changed.connect(self._show)
            self._show(self._feed.view)

    def _show(self, view: PhoneView) -> None:
        """The phone's state as the controls show it (without acting on it again)."""
        denied = view.settings.notifications_denied
        for box, on in ((self.airplane, view.airplane_mode), (self.denied, denied)):
            box.blockSignals(True)
            box.setChecked(on)
            box.blockSignals(False)
        if not self.clock.hasFocus():
            self.clock.setValue(view.settings.clock_offset)
        enrolled = view.sensor.enrolled
        self.fingers_label.setText(", ".join(enrolled) if enrolled else "no finger enrolled")
        app = view.app
        self.uninstall_button.setEnabled(app.installed)
        self.install_button.setEnabled(not app.installed)
        phone = self.phone
        self.activate_button.setVisible(phone is not None and app.installed and not app.activated)
        self.activate_button.setEnabled(phone is not None and can_activate_again(phone))
        auto = view.auto_responder
        self.status.setText(
            f"{view.name}: {'offline' if not view.online else 'online'}"
            f" · clock {view.settings.clock_offset:+.0f} s"
            f" · {'auto: ' + auto if auto else 'the user answers'}"
        )

    # -- acting --------------------------------------------------------------------------
    def _now(self, change: Callable[[Phone], None]) -> None:
        phone = self.phone
        if phone is not None:
            change(phone)

    def _set_clock(self) -> None:
        seconds = self.clock.value()

        async def set_clock(phone: Phone) -> str:
            phone.set_clock_offset(seconds)
            return f"clock offset {seconds:+.0f} s"

        self._run("clock", set_clock)

    def _set_auto(self) -> None:
        chosen = str(self.auto_combo.currentData() or "")
        action = AutoAction(chosen) if chosen else None
        delay, pin = self.auto_delay.value(), self.auto_pin.text().strip() or None

        async def apply(phone: Phone) -> str:
            policy = None
            if action is not None:
                fingers = phone.view().sensor.enrolled
                policy = AutoResponsePolicy(
                    action=action, delay=delay, pin=pin, finger=fingers[0] if fingers else None
                )
            await self.suite.set_auto_responder(phone, policy)
            return f"auto-responder: {chosen} after {delay:g} s" if policy else "off"

        self._run("auto", apply)

    def _finger(self, *, enrol: bool) -> None:
        finger = self.finger_edit.text().strip()

        async def change(phone: Phone) -> str:
            if not finger:
                raise ValueError("type the finger's name first")
            if enrol:
                phone.enroll_finger(finger)
                return f"{finger} enrolled"
            if finger not in phone.view().sensor.enrolled:
                raise ValueError(f"{finger} is not enrolled")
            phone.remove_finger(finger)
            return f"{finger} removed"

        self._run("finger", change)

    def _change_pin(self) -> None:
        old, new = self.old_pin.text(), self.new_pin.text()

        async def change(phone: Phone) -> str:
            if not await phone.change_pin(old, new):
                raise ValueError("the old PIN is wrong")
            self.old_pin.clear()
            self.new_pin.clear()
            self.auto_pin.setText(new)  # what an auto-responder types from now on
            return "PIN changed"

        self._run("pin", change)

    def _run(self, field: str, action: Callable[[Phone], Awaitable[Any]]) -> None:
        phone = self.phone
        if phone is None:
            return
        error = self.errors[field]

        async def run() -> None:
            try:
                said = await action(phone)
            except (PhoneError, ValueError) as exc:
                error.setText(str(exc))
                error.show()
                self.done.emit(f"error: {exc}")
                return
            error.hide()
            self.done.emit(str(said) if isinstance(said, str) else "done")

        self.tasks.spawn(run(), name=f"phone setting {field}")


async def _uninstall(phone: Phone) -> str:
    await phone.uninstall_app()
    return "app uninstalled"


async def _install(phone: Phone) -> str:
    await phone.install_app()
    return "app installed, not activated"


def _row(*widgets: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    for widget in widgets:
        row.addWidget(widget)
    return row
