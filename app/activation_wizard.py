"""The activation wizard: a new user and phone, activated with QR codes (SPEC §4).

A details tab ("New phone"), never modal. The portal side, left:

1. the form (``console_forms``): user ID, password, domain, platform, app
   kind, phone name, PIN, enrolled fingers; the core creates the user and
   starts the activation;
2. QR #1 (activation message 1) and the activation password; the device code
   the phone shows is typed here (``add-device``); a wrong activation password
   shows the core's refusal with its remaining attempts;
3. QR #2 (activation message 2).

The phone side, right (``activation_wizard_phone``): scan the chosen code,
type the activation password, read the device code; scanning QR #2 verifies
it, activates and registers for push, and the phone joins the phone strip.
The steps are ``simulators.activation_portal.NewPhoneActivation``; every
refusal is shown next to the field it is about.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.activation_wizard_phone import PhoneActivationScreen, error_line, show_error
from app.background import BackgroundTasks
from app.console_forms import ConsoleForm, FieldSpec, FormSpec, Values
from app.event_log_model import EventFeed
from app.phone_strip import PhonePanel
from app.qr_code import qr_pixmap
from app.styling import named
from core.events import Event
from core.seed import DEMO_DOMAIN, DEMO_PASSWORD
from core.service.errors import InvalidInput
from simulators.activation_portal import (
    APP_KINDS,
    PLATFORMS,
    NewPhone,
    NewPhoneActivation,
    PortalRefused,
    parse_fingers,
)
from simulators.phone.event_kinds import SuiteEvent

if TYPE_CHECKING:
    from simulators.suite import Suite

QR_SIZE = 230  # px: a scannable code that fits the details pane
DEFAULT_APP = {"android": "authenticator", "ios": "sdk"}
HANDSET = {"android": "pixel", "ios": "iphone"}


def new_phone_fields() -> list[FieldSpec]:
    return [
        FieldSpec("user_id", "User ID", hint="a new user of the domain"),
        FieldSpec("password", "Password", "password", DEMO_PASSWORD, hint="for the login panel"),
        FieldSpec("domain", "Domain", value=DEMO_DOMAIN),
        FieldSpec("platform", "Platform", "choice", "android", PLATFORMS),
        FieldSpec("app_kind", "App kind", "choice", "authenticator", APP_KINDS),
        FieldSpec("phone_name", "Phone name", hint="empty: <user ID>-pixel / -iphone"),
        FieldSpec("pin", "App PIN", "password", hint="4-8 digits, chosen on the phone"),
        FieldSpec("fingers", "Enrolled fingers", hint="e.g. right-index, left-thumb; empty: none"),
    ]


def wrapped(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


class ActivationWizard(QWidget):
    changed = Signal()  # a step, a code or an error is shown (tests wait on it)
    activated = Signal(object)  # the Phone, activated and in the strip

    def __init__(
        self, suite: Suite, tasks: BackgroundTasks, phones: PhonePanel, feed: EventFeed
    ) -> None:
        super().__init__()
        self.setObjectName("activationWizard")
        self.suite, self.tasks, self.phones = suite, tasks, phones
        feed.received.connect(self._on_event)
        self.activation: NewPhoneActivation | None = None
        self.step = "form"  # form | qr1 | qr2 | done
        # one page shown at a time; hidden pages take no room (a stack would keep the tallest)
        self.steps = QVBoxLayout()
        self.steps.setContentsMargins(0, 0, 0, 0)
        self.form = self._new_form()
        self.steps.addWidget(self.form)
        self.qr1_page, self.qr1 = self._qr_page("1 · Scan activation message 1 with the phone")
        self.password_label = named(QLabel(), "wizardActivationPassword")
        self.password_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.about_label = named(QLabel(), "muted")
        self.about_label.setWordWrap(True)
        self.device_code_edit = named(QLineEdit(), "field_device_code")
        self.device_code_edit.setPlaceholderText("the code the phone shows")
        self.add_device_button = named(QPushButton("Add device"), "wizardAddDevice")
        self.errors = {"device_code": error_line("device_code")}
        side = self.qr1_page.findChild(QVBoxLayout, "qrSide")
        assert side is not None
        for widget in (
            wrapped("Activation password (type it on the phone):"),
            self.password_label,
            self.about_label,
            wrapped("Device code shown by the phone:"),
            self.device_code_edit,
            self.errors["device_code"],
            self.add_device_button,
        ):
            side.addWidget(widget)
        side.addStretch(1)
        self.qr2_page, self.qr2 = self._qr_page("2 · Scan activation message 2 with the phone")
        self.result = named(QLabel("The phone verifies it, activates and registers for push."), "")
        self.result.setWordWrap(True)
        self.again_button = named(QPushButton("Another new phone…"), "wizardAgain")
        side2 = self.qr2_page.findChild(QVBoxLayout, "qrSide")
        assert side2 is not None
        side2.addWidget(self.result)
        side2.addStretch(1)
        self.steps.addWidget(self.qr1_page)
        self.steps.addWidget(self.qr2_page)
        self.phone_screen = PhoneActivationScreen()
        self.phone_screen.hide()
        self.status = named(QLabel(), "fieldError")
        self.status.setWordWrap(True)
        self.status.hide()
        layout = QVBoxLayout(self)  # the portal above, the phone below: the pane is narrow
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(self.steps)
        layout.addWidget(self.phone_screen)
        layout.addWidget(self.status)
        layout.addWidget(self.again_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)
        self.add_device_button.clicked.connect(self._add_device)
        self.device_code_edit.returnPressed.connect(self._add_device)
        self.phone_screen.scan_button.clicked.connect(self._scan)
        self.phone_screen.password_button.clicked.connect(self._enter_password)
        self.phone_screen.password_edit.returnPressed.connect(self._enter_password)
        self.again_button.clicked.connect(self.start_over)
        self._go("form")

    # -- building ---------------------------------------------------------------
    def _new_form(self) -> ConsoleForm:
        spec = FormSpec(
            "New user and phone", new_phone_fields(), "Create user and QR code", self._start
        )
        form = ConsoleForm(spec, self.tasks)
        form.setObjectName("wizardForm")
        form.cancelled.connect(self.start_over)
        form.failed.connect(self.changed.emit)
        platform = form.editor("platform")
        platform.currentTextChanged.connect(
            lambda chosen: form.editor("app_kind").setCurrentText(DEFAULT_APP.get(chosen, ""))
        )
        return form

    def _qr_page(self, title: str) -> tuple[QWidget, QLabel]:
        page = QWidget()
        heading = QLabel(f"<b>{title}</b>")
        heading.setWordWrap(True)
        code = named(QLabel(), "wizardQr")
        code.setFixedSize(QR_SIZE, QR_SIZE)
        code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        side = QVBoxLayout()
        side.setObjectName("qrSide")
        row = QHBoxLayout()
        row.addWidget(code, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(side, 1)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(heading)
        layout.addLayout(row, 1)
        return page, code

    def _go(self, step: str) -> None:
        self.step = step
        page = {"form": self.form, "qr1": self.qr1_page}.get(step, self.qr2_page)
        for one in (self.form, self.qr1_page, self.qr2_page):
            one.setVisible(one is page)
        self.phone_screen.setVisible(step != "form")
        self.again_button.setVisible(step != "form")
        self.again_button.setText("Another new phone…" if step == "done" else "Start over")
        self.changed.emit()

    # -- steps --------------------------------------------------------------------
    async def _start(self, values: Values) -> str:
        platform, user_id = str(values["platform"]), str(values["user_id"])
        new = NewPhone(
            user_id=user_id,
            password=str(values["password"]),
            domain=str(values["domain"]),
            platform=platform,
            app_kind=str(values["app_kind"]),
            phone_name=str(values["phone_name"]) or f"{user_id}-{HANDSET.get(platform, 'phone')}",
            pin=str(values["pin"]),
            fingers=parse_fingers(str(values["fingers"])),
        )
        activation = NewPhoneActivation(self.suite)
        try:
            registration = await activation.start(new)
        except PortalRefused as refused:  # shown next to the form's fields
            errors = [{"field": e.field, "message": e.message} for e in refused.errors]
            raise InvalidInput(refused.message, validation_errors=errors) from None
        self.activation = activation
        self.qr1.setPixmap(qr_pixmap(registration.activation_message1, fit=QR_SIZE))
        self.password_label.setText(f"<big><tt>{registration.activation_password}</tt></big>")
        valid = time.strftime("%H:%M", time.localtime(registration.expires))
        self.about_label.setText(
            f"{new.user_id}@{new.domain} · serial {registration.serial} · valid until {valid}"
        )
        self.phone_screen.reset(new.phone_name)
        self.phone_screen.offer_code(
            "QR 1 · activation message 1", registration.activation_message1
        )
        self._go("qr1")
        return f"activation started for {new.user_id}@{new.domain}"

    def _spawn(self, step: Callable[[NewPhoneActivation], Coroutine[Any, Any, None]]) -> None:
        self._clear_errors()
        if self.activation is not None:
            self.tasks.spawn(step(self.activation), name="wizard step", on_error=self._refused)

    def _scan(self) -> None:
        code = str(self.phone_screen.scan_choice.currentData() or "")
        self._spawn(lambda a: self._scanned(a, code))

    async def _scanned(self, activation: NewPhoneActivation, code: str) -> None:
        which = await activation.scan(code)
        screen = self.phone_screen
        if which == 1:
            offer = activation.offer
            who = f"{offer.user_id}@{offer.domain}" if offer else "the user"
            screen.prompt.setText(f"Activation for {who} — type the activation password.")
            screen.ask_password(True)
            screen.password_edit.setFocus()
            self.changed.emit()
            return
        phone = activation.phone
        assert phone is not None
        pushed = "registered for push" if phone.app.state.core_registered else "push not registered"
        text = f"{phone.name} activated as {activation.serial} · {pushed}"
        self.result.setText(text)
        screen.prompt.setText(text)
        screen.ask_password(False)
        screen.password_edit.clear()
        screen.device_code.clear()
        self.sync_cards()
        self._go("done")
        self.activated.emit(phone)

    def _enter_password(self) -> None:
        self._clear_errors()
        if self.activation is None:
            return
        try:
            code = self.activation.enter_password(self.phone_screen.password_edit.text())
        except PortalRefused as refused:
            self._refused(refused)
            return
        self.phone_screen.show_device_code(code)
        self.changed.emit()

    def _add_device(self) -> None:
        typed = self.device_code_edit.text()
        self._spawn(lambda a: self._device_added(a, typed))

    async def _device_added(self, activation: NewPhoneActivation, typed: str) -> None:
        message2 = await activation.add_device(typed)
        self.qr2.setPixmap(qr_pixmap(message2, fit=QR_SIZE))
        self.phone_screen.offer_code("QR 2 · activation message 2", message2)
        self.phone_screen.prompt.setText("Scan the portal's second code to finish.")
        self._go("qr2")

    def sync_cards(self) -> None:
        """The phone strip shows the suite's phones: a new one added, a stopped one gone."""
        self.phones.sync(self.suite.phones, self.suite.events, self.tasks)
        self.phones.prune(self.suite.phones)

    def _on_event(self, event: Event) -> None:
        if event.kind == SuiteEvent.RESET:  # the wizard's phones and users are gone
            self.activation = None
            self.start_over()
            self.sync_cards()
            self.changed.emit()

    def start_over(self) -> None:
        """Back to an empty form; a phone left half-activated is stopped."""
        activation, self.activation = self.activation, None
        if activation is not None:
            self.tasks.spawn(self._abandon(activation), name="wizard abandon")
        self.steps.removeWidget(self.form)
        self.form.deleteLater()
        self.form = self._new_form()
        self.steps.insertWidget(0, self.form)
        self.device_code_edit.clear()
        self._clear_errors()
        self._go("form")

    async def _abandon(self, activation: NewPhoneActivation) -> None:
        await activation.abandon()
        self.sync_cards()

    # -- errors -----------------------------------------------------------------------
    def error_text(self, field: str) -> str:
        """The error shown next to ``field`` (any step's; "" when none)."""
        label = self.errors.get(field) or self.phone_screen.errors.get(field)
        if label is None:
            return self.form.error_text(field)
        return label.text() if not label.isHidden() else ""

    def _clear_errors(self) -> None:
        for label in (*self.errors.values(), *self.phone_screen.errors.values(), self.status):
            show_error(label, "")

    def _refused(self, error: BaseException) -> None:
        problems = error.errors if isinstance(error, PortalRefused) else ()
        rest: list[str] = []
        for problem in problems:
            label = self.errors.get(problem.field) or self.phone_screen.errors.get(problem.field)
            if label is None:
                rest.append(problem.message)
            else:
                show_error(label, problem.message)
        if rest or not problems:
            message = getattr(error, "message", "") or f"{type(error).__name__}: {error}"
            show_error(self.status, "; ".join(rest) or message)
        self.changed.emit()
