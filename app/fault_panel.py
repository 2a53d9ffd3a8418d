"""Fault injection in the window: the mocks' control API as a form, and what is active.

Per service (FCM, APNs) and per phone (its push token) or the whole service:
a fault kind, a provider error from the mock's own list (``errors`` in the
control API's description, never a copy), the next N sends or always, and
the latency of a latency fault. The form posts to the mock's real control API
over HTTPS (``FaultControl``); the mock's refusal is shown next to the form
and nothing typed is lost. Active faults are listed with a remove button;
the seed of each mock's randomness is shown and can be set.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.background import BackgroundTasks
from app.event_log_model import EventFeed
from app.styling import named, repolish
from core.events import Event
from simulators.delivery.control_client import SERVICES, FaultControl, FaultError

if TYPE_CHECKING:
    from simulators.suite import Suite

LABELS = {"fcm": "FCM", "apns": "APNs"}
PLATFORM_OF = {"fcm": "android", "apns": "ios"}
EVERY_DEVICE = "every device"


class FaultPanel(QWidget):
    changed = Signal(object)  # {service: description} after each read

    def __init__(
        self, suite: Suite, feed: EventFeed, tasks: BackgroundTasks, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("faultPanel")
        self.suite, self.tasks = suite, tasks
        self.client: FaultControl | None = None
        self._calls: set[asyncio.Task[None]] = set()  # control API calls in flight
        self.described: dict[str, dict[str, Any]] = {}
        self.service_combo = named(QComboBox(), "faultService")
        for service in SERVICES:
            self.service_combo.addItem(LABELS[service], service)
        self.target_combo = named(QComboBox(), "faultTarget")
        self.kind_combo = named(QComboBox(), "faultKind")
        self.error_combo = named(QComboBox(), "faultError")
        self.count_spin = named(QSpinBox(), "faultCount")
        self.count_spin.setRange(0, 1000)
        self.count_spin.setSpecialValueText("always")
        self.count_spin.setValue(1)
        self.latency_spin = named(QDoubleSpinBox(), "faultLatency")
        self.latency_spin.setRange(0.0, 30.0)
        self.latency_spin.setSuffix(" s")
        self.latency_spin.setValue(2.0)
        self.add_button = named(QPushButton("Inject"), "faultAdd")
        self.form_error = named(QLabel(), "formError")
        self.form_error.setWordWrap(True)
        self.form_error.setProperty("error", True)
        self.active = named(QTreeWidget(), "activeFaults")
        self.active.setHeaderHidden(True)
        self.active.setRootIsDecorated(False)
        self.active.setWordWrap(True)
        self.active.setAlternatingRowColors(True)
        self.remove_button = named(QPushButton("Remove selected"), "faultRemove")
        self.seed_spin = named(QSpinBox(), "faultSeed")
        self.seed_spin.setRange(0, 2**31 - 1)
        self.seed_button = named(QPushButton("Set seed"), "faultSetSeed")
        self.urls = named(QLabel("control APIs: starting…"), "faultUrls")
        self.urls.setWordWrap(True)
        self.urls.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        form = QFormLayout()
        form.addRow("Service", self.service_combo)
        form.addRow("Target", self.target_combo)
        form.addRow("Fault", self.kind_combo)
        form.addRow("Error", self.error_combo)
        form.addRow("Sends", self.count_spin)
        form.addRow("Latency", self.latency_spin)
        left = QVBoxLayout()
        left.addLayout(form)
        left.addWidget(self.add_button)
        left.addWidget(self.form_error)
        left.addStretch(1)
        seed_row = QHBoxLayout()
        seed_row.addWidget(QLabel("Seed"))
        seed_row.addWidget(self.seed_spin, 1)
        seed_row.addWidget(self.seed_button)
        right = QVBoxLayout()
        right.addWidget(QLabel("Active faults"))
        right.addWidget(self.active, 1)
        right.addWidget(self.remove_button)
        right.addLayout(seed_row)
        columns = QHBoxLayout()  # the form beside what is active: both in view at 1280×720
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(columns, 1)
        layout.addWidget(self.urls)

        self.service_combo.currentIndexChanged.connect(self._fill_choices)
        self.kind_combo.currentIndexChanged.connect(self._kind_changed)
        self.add_button.clicked.connect(self.inject)
        self.remove_button.clicked.connect(self.remove_selected)
        self.seed_button.clicked.connect(self.set_seed)
        self._soon = QTimer(self, singleShot=True, interval=150)
        self._soon.timeout.connect(self.refresh)
        feed.received.connect(self._on_event)
        self.setEnabled(False)

    # -- life --------------------------------------------------------------------------
    def start(self) -> None:
        """The suite is up: connect to both control APIs and read them."""
        self.client = FaultControl(self.suite)
        self.urls.setText(
            "control APIs: "
            + " · ".join(f"{LABELS[s]} {url}" for s, url in self.client.urls.items())
        )
        self.setEnabled(True)
        self.refresh()

    async def aclose(self) -> None:
        """Let a call in flight finish (a cancelled httpx call leaves its stream to the GC),
        then close the client."""
        self._soon.stop()
        client, self.client = self.client, None
        pending = [task for task in self._calls if not task.done()]
        if pending:
            await asyncio.wait(pending, timeout=5.0)
        if client is not None:
            await client.aclose()

    def _on_event(self, event: Event) -> None:
        if self.client is not None and (".fault" in event.kind or event.kind == "phone.started"):
            self._soon.start()

    # -- reading ---------------------------------------------------------------------
    def refresh(self) -> None:
        if self.client is None or self.tasks.closed:
            return
        self._track(self.tasks.spawn(self._read(), name="fault panel", on_error=self._show_error))

    def _track(self, task: asyncio.Task[None]) -> None:
        self._calls.add(task)
        task.add_done_callback(self._calls.discard)

    async def _read(self) -> None:
        client = self.client
        if client is None:
            return
        self.described = {service: await client.describe(service) for service in SERVICES}
        self._show()
        self.changed.emit(self.described)

    def _show(self) -> None:
        self._fill_choices()
        self.active.clear()
        for service, described in self.described.items():
            for fault in described.get("faults", []):
                what = fault["kind"] + (f" {fault['error']}" if fault.get("error") else "")
                if fault.get("latency"):
                    what += f" {fault['latency']:g} s"
                left = fault.get("remaining", fault.get("count"))
                sends = "always" if left is None else f"next {left}"
                target = self._target_name(service, fault.get("token"))
                # two lines, whole: the list is narrow beside the form
                item = QTreeWidgetItem([f"{LABELS[service]}: {what}\n{target} · {sends}"])
                item.setData(0, Qt.ItemDataRole.UserRole, (service, fault["id"]))
                item.setToolTip(0, str(fault))
                self.active.addTopLevelItem(item)
        service = self.service
        self.seed_spin.setValue(int(self.described.get(service, {}).get("seed") or 0))

    @property
    def service(self) -> str:
        return str(self.service_combo.currentData())

    def _phones(self, service: str) -> list[tuple[str, str]]:
        return [
            (phone.name, phone.push_token)
            for phone in self.suite.phones.values()
            if phone.platform.value == PLATFORM_OF[service] and phone.push_token
        ]

    def _target_name(self, service: str, token: str | None) -> str:
        if token is None:
            return EVERY_DEVICE
        names = {t.lower(): name for name, t in self._phones(service)}
        return names.get(token.lower(), token[:10] + "…")

    def _fill_choices(self, *_: object) -> None:
        described = self.described.get(self.service, {})
        _refill(self.kind_combo, [(k, k) for k in described.get("fault_kinds", [])])
        _refill(self.error_combo, [(e, e) for e in described.get("errors", [])])
        targets = [(EVERY_DEVICE, None), *self._phones(self.service)]
        _refill(self.target_combo, targets)
        self._kind_changed()

    def _kind_changed(self, *_: object) -> None:
        kind = self.kind_combo.currentData()
        self.error_combo.setEnabled(kind == "error")
        self.latency_spin.setEnabled(kind == "latency")
        self.count_spin.setEnabled(kind not in ("latency", "offline", "uninstall"))

    # -- acting --------------------------------------------------------------------------
    def fill(
        self, service: str, kind: str, *, token: str | None = None, error: str = "", count: int = 1
    ) -> None:
        """Set the form as a tester would (the self-test and tests use it); ValueError
        names a choice the panel does not offer."""
        _choose(self.service_combo, service)
        _choose(self.target_combo, token)
        _choose(self.kind_combo, kind)
        if error:
            _choose(self.error_combo, error)
        self.count_spin.setValue(count)

    def fault_body(self) -> dict[str, Any]:
        """The control API body the form describes now."""
        kind = str(self.kind_combo.currentData())
        body: dict[str, Any] = {"kind": kind}
        token = self.target_combo.currentData()
        if isinstance(token, str):
            body["token"] = token
        if kind == "error":
            body["error"] = self.error_combo.currentData()
        if kind == "latency":
            body["latency"] = self.latency_spin.value()
        elif self.count_spin.isEnabled() and self.count_spin.value() > 0:
            body["count"] = self.count_spin.value()
        return body

    def inject(self) -> None:
        service, body = self.service, self.fault_body()
        self._run(lambda c: c.inject(service, body), "inject fault")

    def remove_selected(self) -> None:
        item = self.active.currentItem()
        if item is None:
            self._show_error(FaultError("select a fault to remove"))
            return
        service, fault_id = item.data(0, Qt.ItemDataRole.UserRole)
        self._run(lambda c: c.remove_fault(service, fault_id), "remove fault")

    def set_seed(self) -> None:
        service, seed = self.service, self.seed_spin.value()
        self._run(lambda c: c.set_seed(service, seed), "set seed")

    def _run(self, call: Callable[[FaultControl], Awaitable[Any]], name: str) -> None:
        self._track(self.tasks.spawn(self._act(call), name=name))

    async def _act(self, call: Callable[[FaultControl], Awaitable[Any]]) -> None:
        if self.client is None:
            return
        try:
            await call(self.client)
        except FaultError as exc:
            self._show_error(exc)
            return
        self._show_error(None)
        await self._read()

    def _show_error(self, error: BaseException | None) -> None:
        self.form_error.setText("" if error is None else str(error))
        repolish(self.form_error)


def _choose(combo: QComboBox, data: object) -> None:
    index = combo.findData(data)
    if index < 0:
        raise ValueError(f"{data!r} is not offered by {combo.objectName()}")
    combo.setCurrentIndex(index)


def _refill(combo: QComboBox, items: list[tuple[str, Any]]) -> None:
    """Replace ``combo``'s items, keeping the current choice when it is still offered."""
    keep = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    for text, data in items:
        combo.addItem(text, data)
    index = combo.findData(keep)
    combo.setCurrentIndex(max(index, 0))
    combo.blockSignals(False)
