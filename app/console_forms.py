"""The console's edit forms: inline (in the console's form area), never modal.

A form is a column of fields, each with its label above, an optional hint and
an error line below, so it fits the console's ~270 px. Submitting runs the
form's action in the background; a refusal's validation errors (the core's
``validationErrors``, keyed by the record's field names) are shown next to
their fields, anything else under the buttons, and what the user typed stays.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from PySide6 import QtWidgets
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.background import BackgroundTasks
from app.styling import named
from core.service.errors import InvalidInput, ServiceError

Values = dict[str, Any]
Action = Callable[[Values], Coroutine[Any, Any, str]]


@dataclass(frozen=True)
class FieldSpec:
    """``name`` is the core's field name (what its validation errors name)."""

    name: str
    label: str
    kind: str = "text"  # text | password | int | bool | choice
    value: Any = ""
    choices: tuple[str, ...] = ()
    hint: str = ""


@dataclass(frozen=True)
class FormSpec:
    title: str
    fields: list[FieldSpec]
    submit: str
    action: Action


def field_error(field: str, message: str) -> InvalidInput:
    """A refusal the form shows next to ``field`` (for checks the console makes itself)."""
    return InvalidInput("invalid input", validation_errors=[{"field": field, "message": message}])


class _Field:
    def __init__(self, spec: FieldSpec, parent: QWidget) -> None:
        self.spec = spec
        self.editor: QLineEdit | QCheckBox | QComboBox
        if spec.kind == "bool":
            self.editor = QCheckBox(spec.label, parent)
            self.editor.setChecked(bool(spec.value))
        elif spec.kind == "choice":
            self.editor = QComboBox(parent)
            self.editor.addItems(list(spec.choices))
            self.editor.setCurrentText(str(spec.value))
        else:
            self.editor = QLineEdit(str(spec.value), parent)
            if spec.kind == "password":
                self.editor.setEchoMode(QLineEdit.EchoMode.Password)
        self.editor.setObjectName(f"field_{spec.name}")
        self.error = named(QLabel(parent), "fieldError")
        self.error.setObjectName(f"error_{spec.name}")
        self.error.setProperty("refusal", True)  # styled as an error (01-base.qss)
        self.error.setWordWrap(True)
        self.error.hide()

    def value(self) -> Any:
        editor = self.editor
        if isinstance(editor, QCheckBox):
            return editor.isChecked()
        if isinstance(editor, QComboBox):
            return editor.currentText()
        text = editor.text().strip() if self.spec.kind != "password" else editor.text()
        if self.spec.kind == "int":
            try:
                return int(text)
            except ValueError:
                raise field_error(self.spec.name, "must be a whole number") from None
        return text

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))


class ConsoleForm(QWidget):
    done = Signal(str)  # the action's message, after it succeeded
    failed = Signal()  # errors are shown (tests wait on it)
    cancelled = Signal()

    def __init__(self, spec: FormSpec, tasks: BackgroundTasks, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("consoleForm")
        self.tasks = tasks
        self._action = spec.action
        title, fields, submit = spec.title, spec.fields, spec.submit
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(3)
        heading = QLabel(f"<b>{title}</b>")
        heading.setWordWrap(True)
        layout.addWidget(heading)
        self.fields: dict[str, _Field] = {}
        for one in fields:
            field = self.fields[one.name] = _Field(one, self)
            if one.kind != "bool":
                label = QLabel(one.label)
                label.setWordWrap(True)
                layout.addWidget(label)
            layout.addWidget(field.editor)
            if one.hint:
                hint = named(QLabel(one.hint), "fieldHint")
                hint.setWordWrap(True)
                layout.addWidget(hint)
            layout.addWidget(field.error)
        self.form_error = named(QLabel(), "fieldError")
        self.form_error.setWordWrap(True)
        self.form_error.hide()
        layout.addWidget(self.form_error)
        row = QtWidgets.QHBoxLayout()
        self.submit_button = QPushButton(submit)
        self.submit_button.setObjectName("formSubmit")
        self.cancel_button = QPushButton("Cancel")
        row.addWidget(self.submit_button)
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.submit_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.cancelled.emit)

    def editor(self, name: str) -> Any:
        return self.fields[name].editor

    def error_text(self, name: str) -> str:
        """The error shown next to ``name`` ("" when none)."""
        shown = self.fields[name].error
        return shown.text() if not shown.isHidden() else ""

    def submit(self) -> None:
        for field in self.fields.values():
            field.show_error("")
        self.form_error.hide()
        values: Values = {}
        wrong: list[dict[str, str]] = []
        for name, field in self.fields.items():
            try:
                values[name] = field.value()
            except ServiceError as exc:  # every field's error at once, not the first only
                wrong.extend(dict(item) for item in exc.validation_errors)
        if wrong:
            self._show(InvalidInput("invalid input", validation_errors=wrong))
            return
        self.submit_button.setEnabled(False)
        self.tasks.spawn(self._run(values), name="console form", on_error=self._failed)

    async def _run(self, values: Values) -> None:
        try:
            message = await self._action(values)
        finally:
            self.submit_button.setEnabled(True)
        self.done.emit(message)

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, ServiceError):
            self._show(error)
        else:
            self.form_error.setText(f"failed: {error}")
            self.form_error.show()
        self.failed.emit()

    def _show(self, error: ServiceError) -> None:
        rest = []
        for item in error.validation_errors or []:
            field = self.fields.get(str(item.get("field")))
            if field is None:
                rest.append(f"{item.get('field')}: {item.get('message')}")
            else:
                field.show_error(str(item.get("message")))
        if rest or not error.validation_errors:
            self.form_error.setText("; ".join(rest) or error.reason)
            self.form_error.show()
        self.failed.emit()
