"""The login client: a form that logs in over HTTPS and shows the session's status live.

``LoginModel`` (no widgets) drives ``simulators.login_client.LoginClient``:
the login POST, then the long poll until the session is decided, keeping the
latest ``LoginState``. ``LoginPanel`` draws the form and that state and hands
clicks to the model; a new login cancels the previous one's polling.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.background import BackgroundTasks
from app.styling import repolish
from core.step_gate import NO_GATE, Gate
from simulators.login_client import PENDING, CoreAnswer, CoreUnreachable, LoginClient


@dataclass(frozen=True, kw_only=True)
class LoginState:
    """What the login client knows: ``phase`` is idle, sending, error or a session status."""

    phase: str = "idle"
    user: str = ""
    request_id: str | None = None
    message: str = ""
    number: int | None = None
    answer: dict[str, Any] = field(default_factory=dict)

    @property
    def busy(self) -> bool:
        return self.phase in ("sending", "pending")


class LoginModel(QObject):
    changed = Signal()
    submitted = Signal(str, str)  # user id, passkey: what the user sent (the recorder's input)

    def __init__(self, tasks: BackgroundTasks, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._client: LoginClient | None = None
        self._current: asyncio.Task[None] | None = None
        self._state = LoginState()

    @property
    def state(self) -> LoginState:
        return self._state

    @property
    def ready(self) -> bool:
        return self._client is not None

    def connect_core(self, base_url: str, ca_file: Path, gate: Gate = NO_GATE) -> None:
        """Point the client at the core (once the suite is up); ``gate``: step mode's."""
        self._client = LoginClient(base_url, ca_file, gate=gate)
        self.changed.emit()

    def submit(self, user_id: str, domain: str, passkey: str) -> None:
        if self._current is not None and not self._current.done():
            self._current.cancel()
        user = f"{user_id}@{domain}"
        self.submitted.emit(user_id, passkey)
        self._set(LoginState(phase="sending", user=user, message="sending the login…"))
        self._current = self._tasks.spawn(
            self._login(user_id, domain, passkey), name="login", on_error=self._failed
        )

    async def aclose(self) -> None:
        if self._current is not None:
            self._current.cancel()
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    # -- the flow ------------------------------------------------------------------
    def _set(self, state: LoginState) -> None:
        self._state = state
        self.changed.emit()

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, CoreUnreachable):
            text = str(error)
        else:
            text = f"{type(error).__name__}: {error}"
        self._set(LoginState(phase="error", user=self._state.user, message=text))

    async def _login(self, user_id: str, domain: str, passkey: str) -> None:
        client = self._client
        if client is None:
            raise RuntimeError("the validation core is not running yet")
        user = f"{user_id}@{domain}"
        answer: CoreAnswer = await client.login(user_id, domain, passkey)
        self._show(user, answer)
        if not answer.refused and answer.status == PENDING and answer.request_id:
            self._show(user, await client.wait_decided(answer.request_id))

    def _show(self, user: str, answer: CoreAnswer) -> None:
        """A refusal (the core said no, or failed) or the session's status."""
        if answer.refused:
            phase, message = "error", answer.refusal
        elif answer.status == PENDING:
            phase, message = PENDING, "push sent — waiting for the phone"
        else:
            phase, message = answer.status, answer.message
        self._set(
            LoginState(
                phase=phase,
                user=user,
                request_id=answer.request_id,
                message=message,
                number=answer.number,
                answer=answer.body,
            )
        )


# -- the view ----------------------------------------------------------------------
STATUS_TEXT = {
    "idle": "not logged in",
    "sending": "sending…",
    "pending": "pending",
    "accepted": "accepted",
    "refused": "refused",
    "timeout": "timeout",
    "failure": "failure",
    "error": "error",
}


class LoginPanel(QGroupBox):
    """User ID, domain, keyword+password, Login; the session status below."""

    def __init__(
        self,
        model: LoginModel,
        *,
        domain: str = "demo",
        user_id: str = "",
        passkey: str = "",
        hint: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Login client", parent)
        self.setObjectName("loginPanel")
        self.model = model

        self.user_edit = QLineEdit(user_id)
        self.user_edit.setPlaceholderText("user ID, e.g. alice")
        self.domain_edit = QLineEdit(domain)
        self.password_edit = QLineEdit(passkey)
        self.password_edit.setPlaceholderText("keyword + password, e.g. pushDemo-1234")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.show_password = QCheckBox("show")
        self.login_button = QPushButton("Login")
        self.login_button.setObjectName("loginButton")
        self.login_button.setDefault(True)

        self.status_label = QLabel()
        self.status_label.setObjectName("loginStatus")
        # the pill keeps its text whole; the message beside it wraps instead
        self.status_label.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        self.message_label = QLabel()
        self.message_label.setObjectName("loginMessage")
        self.message_label.setWordWrap(True)
        self.request_label = QLabel()
        self.request_label.setObjectName("muted")
        self.request_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        password_row = QHBoxLayout()
        password_row.addWidget(self.password_edit, 1)
        password_row.addWidget(self.show_password)
        user_row = QHBoxLayout()  # one row: the diagram below needs the height
        user_row.addWidget(self.user_edit, 3)
        user_row.addWidget(QLabel("@"))
        user_row.addWidget(self.domain_edit, 2)
        form = QFormLayout()
        form.addRow("User ID", user_row)
        form.addRow("Password", password_row)

        status_row = QHBoxLayout()
        status_row.addWidget(self.login_button)
        status_row.addSpacing(12)
        status_row.addWidget(self.status_label)
        status_row.addWidget(self.message_label, 1)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        self.hint_label = QLabel(hint)
        self.hint_label.setObjectName("muted")
        self.hint_label.setToolTip(hint)
        # wrapped, never cut, and never widening the window
        self.hint_label.setWordWrap(True)
        self.hint_label.setVisible(bool(hint))
        layout.addWidget(self.hint_label)
        layout.addLayout(status_row)
        layout.addWidget(self.request_label)

        self.login_button.clicked.connect(self._on_login_clicked)
        for edit in (self.user_edit, self.domain_edit, self.password_edit):
            edit.returnPressed.connect(self._on_login_clicked)  # Return logs in from any field
        self.show_password.toggled.connect(self._on_show_password)
        model.changed.connect(self._on_model_changed)
        self._on_model_changed()

    def set_compact(self, on: bool) -> None:
        """Presenter mode: the fields and the status only (the hint and request ID hide)."""
        self.hint_label.setVisible(not on and bool(self.hint_label.text()))
        self.request_label.setVisible(not on)

    def _on_login_clicked(self) -> None:
        if not self.model.ready or self.model.state.phase == "sending":
            return
        if self.model.state.phase == PENDING and not self.confirm_supersede():
            return  # one login at a time, unless the user says the new one replaces it
        self.model.submit(
            self.user_edit.text().strip(),
            self.domain_edit.text().strip(),
            self.password_edit.text(),
        )

    def _on_show_password(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        self.password_edit.setEchoMode(mode)

    def confirm_supersede(self) -> bool:
        """Ask before a new login replaces the pending one (the core cancels the older)."""
        answer = QMessageBox.question(
            self,
            "A login is pending",
            f"The login for {self.model.state.user} is still waiting for the phone.\n"
            "Start a new login? The pending one will be cancelled.",
        )
        return answer == QMessageBox.StandardButton.Yes

    def _on_model_changed(self) -> None:
        state = self.model.state
        self.login_button.setEnabled(self.model.ready and state.phase != "sending")
        self.login_button.setText("waiting…" if state.phase == PENDING else "Login")
        if not self.model.ready:
            self.status_label.setText("starting…")
            self.status_label.setProperty("status", "idle")
        else:
            self.status_label.setText(STATUS_TEXT.get(state.phase, state.phase))
            self.status_label.setProperty("status", state.phase)
        repolish(self.status_label)
        self.status_label.setMinimumWidth(self.status_label.minimumSizeHint().width())
        message = state.message
        if state.number is not None:
            message = f"pick {state.number} on the phone · {message}"
        self.message_label.setText(message)
        if state.request_id:
            self.request_label.setText(f"{state.user} · request {state.request_id}")
        else:
            self.request_label.setText(state.user)
