"""The new phone's side of the activation wizard: its authenticator app's screens.

While a phone is being activated it has no card in the phone strip yet (it
appears there, drawn like the others, once activated); its app's activation
screens are shown here, next to the portal: pick the code on screen and
"scan" it, type the activation password, read the device code. Each field has
its error line (``error_<field>``) right under it.
"""

from __future__ import annotations

from PySide6 import QtWidgets as qw
from PySide6.QtCore import Qt

from app.styling import named


def error_line(field: str, parent: qw.QWidget | None = None) -> qw.QLabel:
    """The hidden error label shown under ``field`` (object name ``error_<field>``)."""
    label = named(qw.QLabel(parent), "fieldError")
    label.setObjectName(f"error_{field}")
    label.setWordWrap(True)
    label.hide()
    return label


def show_error(label: qw.QLabel, message: str) -> None:
    label.setText(message)
    label.setVisible(bool(message))


class PhoneActivationScreen(qw.QGroupBox):
    """Scan a code, type the activation password, show the device code."""

    def __init__(self, parent: qw.QWidget | None = None) -> None:
        super().__init__("On the phone", parent)
        self.setObjectName("wizardPhone")
        self.scan_choice = named(qw.QComboBox(), "wizardScanChoice")
        self.scan_choice.setToolTip("The code on the portal's screen the phone's camera points at")
        self.scan_button = named(qw.QPushButton("Scan with phone"), "wizardScan")
        self.prompt = named(
            qw.QLabel("Open the app and scan the portal's QR code."), "wizardPrompt"
        )
        self.prompt.setWordWrap(True)
        self.password_edit = named(qw.QLineEdit(), "field_activation_password")
        self.password_edit.setPlaceholderText("activation password, e.g. ABCD-EFGH-JKLM")
        self.password_button = named(qw.QPushButton("Show device code"), "wizardPasswordOk")
        self.device_code = named(qw.QLabel(), "wizardDeviceCode")
        self.device_code.setWordWrap(True)
        self.device_code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.device_code.setStyleSheet("font-family: monospace;")
        self.errors = {name: error_line(name) for name in ("scan", "activation_password")}
        scan_row = qw.QHBoxLayout()
        scan_row.addWidget(self.scan_choice, 1)
        scan_row.addWidget(self.scan_button)
        password_row = qw.QHBoxLayout()
        password_row.addWidget(self.password_edit, 1)
        password_row.addWidget(self.password_button)
        layout = qw.QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(scan_row)
        layout.addWidget(self.errors["scan"])
        layout.addWidget(self.prompt)
        layout.addLayout(password_row)
        layout.addWidget(self.errors["activation_password"])
        layout.addWidget(self.device_code)
        layout.addStretch(1)
        self.reset("")

    def reset(self, phone_name: str) -> None:
        self.setTitle(f"On the phone {phone_name}" if phone_name else "On the phone")
        self.scan_choice.clear()
        self.prompt.setText("Open the app and scan the portal's QR code.")
        self.password_edit.clear()
        self.device_code.clear()
        self.ask_password(False)
        for label in self.errors.values():
            show_error(label, "")

    def offer_code(self, label: str, code: str) -> None:
        """A code the portal shows now: the one to scan next is picked."""
        self.scan_choice.addItem(label, code)
        self.scan_choice.setCurrentIndex(self.scan_choice.count() - 1)

    def ask_password(self, on: bool) -> None:
        self.password_edit.setEnabled(on)
        self.password_button.setEnabled(on)

    def show_device_code(self, code: str) -> None:
        self.device_code.setText(f"Device code — enter it at the portal:\n{code}")
        self.prompt.setText("Type this device code at the portal, then scan its next code.")

    def shown_device_code(self) -> str:
        return self.device_code.text().rpartition("\n")[2]
