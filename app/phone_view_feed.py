"""A phone's published view models as a Qt signal.

The phone emits ``phone.view.changed`` with a frozen ``PhoneView`` after each
state change; ``PhoneViewFeed`` turns those of one phone into ``changed``
(carrying the ``PhoneView``) and keeps the latest in ``view``, so widgets and
GUI tests wait on view-model values instead of polling widgets.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from core.events import Event, EventBus
from simulators.phone import Phone
from simulators.phone.event_kinds import PhoneEvent
from simulators.phone.views import PhoneView, PhoneViewChanged


class PhoneViewFeed(QObject):
    changed = Signal(object)  # PhoneView

    def __init__(self, phone: Phone, bus: EventBus, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._source = phone.source
        self.view: PhoneView = phone.view()
        self._unsubscribe = bus.subscribe(self._on_event)

    def _on_event(self, event: Event) -> None:
        if event.source != self._source or event.kind != PhoneEvent.VIEW_CHANGED:
            return
        details = event.details
        if isinstance(details, PhoneViewChanged):
            self.view = details.view
            self.changed.emit(details.view)

    def close(self) -> None:
        self._unsubscribe()
