"""Virtual phones drawn as phones: lock screen, notification, approve/reject, unlock.

``app.lock_screen`` reads the phone's view model (Qt-free); ``app.handset``
paints the body; ``PhoneCard`` lays the screen out and redraws on each new view
(``app.phone_view_feed``) and once a second (clock, expiry countdown). Buttons
call the phone's async methods through ``BackgroundTasks`` and show its own
error text ("wrong PIN (4 attempts left)"); the card keeps only what is in flight.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Coroutine
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.background import BackgroundTasks
from app.handset import BEZEL, paint_handset
from app.lock_screen import UNKNOWN_FINGERS, LockScreen, lock_screen
from app.phone_view_feed import PhoneViewFeed
from app.styling import named, repolish
from simulators.phone import Phone, ResponseReceipt
from simulators.phone.errors import PhoneError

CARD_WIDTH = 240
CARD_HEIGHT = 680  # room for the request, the unlock prompt and a message


class PhoneCard(QWidget):
    """One phone, painted as a handset around its lock screen."""

    said = Signal(str)  # a message shown on the screen (an answer, an error)

    def __init__(
        self,
        phone: Phone,
        views: PhoneViewFeed,
        tasks: BackgroundTasks,
        *,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("phoneCard")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, False)
        self.phone = phone
        self.views = views
        self.tasks = tasks
        self._answering = 0  # approve/reject calls in flight
        self._screen: LockScreen | None = None
        self.scale = 1.0
        self.setFixedSize(CARD_WIDTH, CARD_HEIGHT)

        # status bar, name, big clock
        self.time_label = named(QLabel(), "statusBar")
        self.network_label = named(QLabel(), "statusBar")
        status_bar = QHBoxLayout()
        status_bar.addWidget(self.time_label)
        status_bar.addStretch(1)
        status_bar.addWidget(self.network_label)
        self.name_label = named(QLabel(), "phoneName")
        self.model_label = named(QLabel(), "phoneModel")
        self.clock_label = named(QLabel(), "bigClock")
        self.clock_label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.date_label = named(QLabel(), "phoneDate")
        self.date_label.setAlignment(Qt.AlignmentFlag.AlignHCenter)

        # the notification bubble
        self.bubble = named(QFrame(), "bubble")
        self.app_label = named(QLabel(), "bubbleApp")
        self.title_label = named(QLabel(), "bubbleTitle")
        self.subject_label = named(QLabel(), "bubbleSubject")
        self.subject_label.setWordWrap(True)
        self.context_label = named(QLabel(), "bubbleContext")
        self.context_label.setWordWrap(True)
        self.state_label = named(QLabel(), "bubbleState")
        self.state_label.setWordWrap(True)
        self.numbers_row = QHBoxLayout()
        self.number_buttons: list[QPushButton] = []
        self.approve_button = named(QPushButton("Approve"), "approveButton")
        self.reject_button = named(QPushButton("Reject"), "rejectButton")
        answer_row = QHBoxLayout()
        answer_row.addWidget(self.reject_button)
        answer_row.addWidget(self.approve_button)

        self.unlock_box = named(QFrame(), "unlockBox")
        self.unlock_title = named(QLabel(), "unlockTitle")
        self.unlock_title.setWordWrap(True)
        self.pin_edit = QLineEdit(placeholderText="PIN")
        self.pin_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_edit.setMaxLength(16)
        self.pin_button = named(QPushButton("Unlock"), "unlockButton")
        self.pin_row = QWidget()
        pin_layout = QHBoxLayout(self.pin_row)
        pin_layout.setContentsMargins(0, 0, 0, 0)
        pin_layout.addWidget(self.pin_edit, 1)
        pin_layout.addWidget(self.pin_button)
        self.finger_combo = QComboBox()
        self.finger_button = named(QPushButton("Touch sensor"), "fingerButton")
        self.finger_row = QWidget()
        finger_layout = QVBoxLayout(self.finger_row)
        finger_layout.setContentsMargins(0, 0, 0, 0)
        finger_layout.setSpacing(4)
        finger_layout.addWidget(self.finger_combo)
        finger_layout.addWidget(self.finger_button)
        self.cancel_unlock_button = named(QPushButton("Cancel"), "cancelUnlock")
        unlock_layout = QVBoxLayout(self.unlock_box)
        unlock_layout.setContentsMargins(6, 6, 6, 6)
        unlock_layout.setSpacing(4)
        unlock_layout.addWidget(self.unlock_title)
        unlock_layout.addWidget(self.pin_row)
        unlock_layout.addWidget(self.finger_row)
        unlock_layout.addWidget(self.cancel_unlock_button, 0, Qt.AlignmentFlag.AlignRight)

        bubble_layout = QVBoxLayout(self.bubble)
        bubble_layout.setContentsMargins(10, 10, 10, 10)
        bubble_layout.setSpacing(3)
        for widget in (
            self.app_label,
            self.title_label,
            self.subject_label,
            self.context_label,
            self.state_label,
        ):
            bubble_layout.addWidget(widget)
        bubble_layout.addLayout(self.numbers_row)
        bubble_layout.addLayout(answer_row)
        bubble_layout.addWidget(self.unlock_box)

        self.empty_label = named(QLabel("No notifications"), "emptyScreen")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.message_label = named(QLabel(), "phoneMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setAlignment(Qt.AlignmentFlag.AlignHCenter)

        self.airplane_check = named(QCheckBox("Airplane mode"), "airplane")
        self.app_line_label = named(QLabel(), "appLine")
        self.app_line_label.setWordWrap(True)
        self.register_push_button = named(QPushButton("Register for push again"), "registerPush")
        self.register_push_button.setVisible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(BEZEL + 10, BEZEL + 8, BEZEL + 10, BEZEL + 18)
        layout.setSpacing(4)
        layout.addLayout(status_bar)
        layout.addSpacing(14)
        layout.addWidget(self.name_label)
        layout.addWidget(self.model_label)
        layout.addSpacing(6)
        layout.addWidget(self.clock_label)
        layout.addWidget(self.date_label)
        layout.addSpacing(14)
        layout.addWidget(self.bubble)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.message_label)
        layout.addStretch(1)
        layout.addWidget(self.airplane_check)
        layout.addWidget(self.app_line_label)
        layout.addWidget(self.register_push_button)

        self.approve_button.clicked.connect(lambda: self._approve(None))
        self.reject_button.clicked.connect(self._reject)
        self.pin_button.clicked.connect(self._unlock_with_pin)
        self.pin_edit.returnPressed.connect(self._unlock_with_pin)
        self.finger_button.clicked.connect(self._unlock_with_finger)
        self.cancel_unlock_button.clicked.connect(self._cancel_unlock)
        self.airplane_check.toggled.connect(self._on_airplane_toggled)
        self.register_push_button.clicked.connect(self._register_push)

        self._refresh_soon = QTimer(self, singleShot=True, interval=0)
        self._refresh_soon.timeout.connect(self.refresh)
        self._tick = QTimer(self, interval=1000)
        self._tick.timeout.connect(self.refresh)
        self._tick.start()
        views.changed.connect(self._on_view_changed)
        self.refresh()

    def set_scale(self, scale: float, sheet: str) -> None:
        """Draw the phone ``scale`` times its natural size; ``sheet``: the phone rules, zoomed."""
        self.scale = scale
        self.setFixedSize(round(CARD_WIDTH * scale), round(CARD_HEIGHT * scale))
        self.setStyleSheet(sheet)

    def stop(self) -> None:
        """No more redraws (the window is closing)."""
        self._tick.stop()
        self._refresh_soon.stop()
        self.views.close()

    # -- model -> view -------------------------------------------------------------
    @property
    def lock(self) -> LockScreen | None:
        """What the screen shows now."""
        return self._screen

    def _on_view_changed(self, _view: object) -> None:
        self.refresh()  # now: later listeners of the signal see the card drawn

    def refresh(self) -> None:
        screen = lock_screen(self.phone.view())  # fresh, for the clock
        previous = self._screen
        self._screen = screen
        if previous is not None and previous.notification_id != screen.notification_id:
            self.message_label.clear()  # a new request: the last one's message is stale
        local = time.localtime(screen.clock)
        self.time_label.setText(time.strftime("%H:%M", local))
        if screen.airplane:
            self.network_label.setText("✈ offline")
        else:
            self.network_label.setText("● online" if screen.online else "○ no service")
        self.name_label.setText(screen.name)
        self.model_label.setText(screen.model_line)
        self.clock_label.setText(time.strftime("%H:%M", local))
        self.date_label.setText(time.strftime("%A %d %B", local))
        self.app_line_label.setText(screen.app_line)
        self.register_push_button.setVisible(screen.can_register_push)
        self.airplane_check.blockSignals(True)
        self.airplane_check.setChecked(screen.airplane)
        self.airplane_check.blockSignals(False)
        self._show_notification(screen)
        self.update()

    def _show_notification(self, screen: LockScreen) -> None:
        note = screen.notification
        self.bubble.setVisible(note is not None)
        self.empty_label.setVisible(note is None)
        if note is None:
            return
        self.app_label.setText(f"PUSHSIM · {note.service.upper()}")
        self.title_label.setText(note.title)
        self.subject_label.setText(note.subject)
        request = note.request
        if request is not None:
            self.context_label.setText(
                f"{request.user_id}@{request.domain} from {request.context.client_ip}"
            )
        else:
            self.context_label.setText("open the app to see the request")
        self.state_label.setText(screen.state_line)
        self.state_label.setProperty("status", note.status.value)
        repolish(self.state_label)
        can_answer = screen.answerable and self._answering == 0
        offers = screen.prompt_offers
        self._show_numbers(
            screen.numbers if screen.answerable and not offers else (), enabled=can_answer
        )
        # while the unlock prompt is open the answer is under way: only unlock or cancel
        self.approve_button.setVisible(screen.answerable and not screen.numbers and not offers)
        self.reject_button.setVisible(screen.answerable and not offers)
        self.approve_button.setEnabled(can_answer)
        self.reject_button.setEnabled(can_answer)
        self.unlock_box.setVisible(bool(offers))
        self.pin_row.setVisible("pin" in offers)
        self.finger_row.setVisible("fingerprint" in offers)
        if offers:
            self.unlock_title.setText(
                "Enter your PIN to approve"
                if "fingerprint" not in offers
                else "Touch the sensor to approve"
                if screen.fingers
                else "No finger enrolled: the sensor cannot approve"
            )
            unknown = (f for f in UNKNOWN_FINGERS if f not in screen.fingers)
            fingers = (*screen.fingers, *unknown)
            if tuple(self._finger_choices()) != fingers:
                self.finger_combo.clear()
                for finger in fingers:
                    label = finger if finger in screen.fingers else f"{finger} (not enrolled)"
                    self.finger_combo.addItem(label, finger)

    def _finger_choices(self) -> list[str]:
        return [str(self.finger_combo.itemData(i)) for i in range(self.finger_combo.count())]

    def _show_numbers(self, numbers: tuple[int, ...], *, enabled: bool) -> None:
        shown = tuple(int(b.text()) for b in self.number_buttons)
        if shown != numbers:
            for button in self.number_buttons:
                self.numbers_row.removeWidget(button)
                button.deleteLater()
            self.number_buttons = []
            for number in numbers:
                button = named(QPushButton(str(number)), "numberButton")
                button.clicked.connect(lambda _=False, n=number: self._approve(n))
                self.numbers_row.addWidget(button)
                self.number_buttons.append(button)
        for button in self.number_buttons:
            button.setEnabled(enabled)

    def say(self, text: str, *, error: bool = False) -> None:
        self.message_label.setText(text)
        self.message_label.setProperty("error", error)
        repolish(self.message_label)
        self.said.emit(text)

    # -- view -> model ---------------------------------------------------------------
    def _current_id(self) -> str | None:
        screen = self._screen
        if screen is None or screen.notification is None or not screen.answerable:
            return None
        return screen.notification.id

    def _approve(self, number: int | None) -> None:
        notification_id = self._current_id()
        if notification_id is not None:
            self._answer(self.phone.approve(notification_id, number=number), "approve")

    def _reject(self) -> None:
        notification_id = self._current_id()
        if notification_id is not None:
            self._answer(self.phone.reject(notification_id), "reject")

    def _answer(self, call: Awaitable[ResponseReceipt], action: str) -> None:
        self.say("")
        self._answering += 1
        self._spawn(self._report_answer(call), action)
        self.refresh()

    async def _report_answer(self, call: Awaitable[ResponseReceipt]) -> None:
        try:
            receipt = await call
        finally:
            self._answering -= 1
            self._refresh_soon.start()
        outcome = receipt.session_status or receipt.message or f"HTTP {receipt.http_status}"
        self.say(f"core answered: {outcome}", error=not receipt.decided)

    def _unlock_with_pin(self) -> None:
        pin = self.pin_edit.text()
        self.pin_edit.clear()
        if pin:
            self.say("checking the PIN…")
            self._spawn(self._unlocked(self.phone.unlock_with_pin(pin)), "unlock with PIN")

    def _unlock_with_finger(self) -> None:
        finger = self.finger_combo.currentData()
        if finger:
            self._spawn(self._unlocked(self.phone.unlock_with_finger(str(finger))), "touch")

    async def _unlocked(self, call: Awaitable[Any]) -> None:
        protection = await call
        self.say(f"unlocked ({protection.value}) — sending…")

    def _cancel_unlock(self) -> None:
        try:
            self.phone.cancel_unlock()
        except PhoneError as exc:
            self.say(str(exc), error=True)

    def _register_push(self) -> None:
        async def register() -> None:
            await self.phone.reregister_push()
            self.say("registered for push again")

        self._spawn(register(), "register push")

    def _on_airplane_toggled(self, on: bool) -> None:
        self.phone.set_airplane_mode(on)

    def _spawn(self, coro: Coroutine[Any, Any, None], action: str) -> None:
        self.tasks.spawn(coro, name=f"{self.phone.name}: {action}", on_error=self._on_failed)

    def _on_failed(self, error: BaseException) -> None:
        if isinstance(error, PhoneError):
            self.say(str(error), error=True)
        else:
            self.say(f"{type(error).__name__}: {error}", error=True)
        self._refresh_soon.start()

    def paintEvent(self, event: QPaintEvent) -> None:
        screen = self._screen
        paint_handset(
            self,
            ios=screen is not None and screen.platform == "ios",
            airplane=screen is not None and screen.airplane,
        )
