"""A phone's published view models as a Qt signal.

The phone emits ``phone.view.changed`` with a frozen ``PhoneView`` after each
state change; ``PhoneViewFeed`` turns those of one phone into ``changed``
(carrying the ``PhoneView``) and keeps the latest in ``view``, so widgets and
GUI tests wait on view-model values instead of polling widgets. One bus
subscriber per bus routes the views by phone (``_ViewRouter``): with twenty
phones, every event would otherwise be looked at twenty times.
"""

from __future__ import annotations

import weakref

from PySide6.QtCore import QObject, Signal

from core.events import Event, EventBus
from simulators.phone import Phone
from simulators.phone.event_kinds import PhoneEvent
from simulators.phone.views import PhoneView, PhoneViewChanged


class _ViewRouter:
    """The bus's ``phone.view.changed`` events, handed to the feeds of their phone."""

    def __init__(self, bus: EventBus) -> None:
        self.feeds: dict[str, list[PhoneViewFeed]] = {}
        self._unsubscribe = bus.subscribe(self._on_event)

    def _on_event(self, event: Event) -> None:
        if event.kind != PhoneEvent.VIEW_CHANGED:
            return
        details = event.details
        if isinstance(details, PhoneViewChanged):
            for feed in self.feeds.get(event.source, ()):
                feed.deliver(details.view)

    def add(self, source: str, feed: PhoneViewFeed) -> None:
        self.feeds.setdefault(source, []).append(feed)

    def remove(self, source: str, feed: PhoneViewFeed) -> None:
        feeds = self.feeds.get(source, [])
        if feed in feeds:
            feeds.remove(feed)
        if not feeds:
            self.feeds.pop(source, None)


_routers: weakref.WeakKeyDictionary[EventBus, _ViewRouter] = weakref.WeakKeyDictionary()


class PhoneViewFeed(QObject):
    changed = Signal(object)  # PhoneView

    def __init__(self, phone: Phone, bus: EventBus, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._source = phone.source
        self.view: PhoneView = phone.view()
        router = _routers.get(bus)
        if router is None:
            router = _routers[bus] = _ViewRouter(bus)
        self._router = router
        router.add(self._source, self)

    def deliver(self, view: PhoneView) -> None:
        self.view = view
        self.changed.emit(view)

    def close(self) -> None:
        self._router.remove(self._source, self)
