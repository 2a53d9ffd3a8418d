"""What happened, for traces, the audit log, the GUI and tests.

Every component publishes frozen ``Event`` objects on an ``EventBus``. A bus is
synchronous and cheap: ``publish`` calls each subscriber in order and never
awaits, so it can be used from any coroutine or callback without blocking the
loop. A subscriber that raises is unsubscribed-safe: its error is logged and the
others still run. Tests and scenarios await events with ``wait_for``.

``source``/``target`` name lanes of the flow view: ``client``, ``core``,
``fcm``, ``apns``, ``phone:<name>``.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import Field, dataclass, field, fields
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, dataclass_transform

log = logging.getLogger(__name__)

_sequence = itertools.count(1)


KEY = "key"  # field metadata: the mapping's key, where it is not the field's name
SPARSE = "sparse"  # field metadata: left out of the mapping while None
SPREAD = "spread"  # field metadata: the value's wire form, whose items join the mapping

WireForm = Callable[[Any], Mapping[str, Any]]


def wire(
    key: str | None = None, *, sparse: bool = False, spread: WireForm | None = None
) -> dict[str, Any]:
    """The metadata of one ``EventDetails`` field: ``field(metadata=wire("messageID"))``."""
    meta: dict[str, Any] = {SPARSE: sparse, SPREAD: spread}
    if key is not None:
        meta[KEY] = key
    return meta


def _plain(value: Any) -> Any:
    """A field's value as the mapping shows it: nested details as dicts, tuples as lists."""
    if isinstance(value, EventDetails):
        return dict(value)
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    return value


@dataclass_transform(frozen_default=True, kw_only_default=True, field_specifiers=(field,))
class EventDetails(Mapping[str, Any]):
    """Base of the typed details of one event kind (or family of kinds).

    Subclasses are frozen dataclasses, so readers use fields
    (``event.details.status``). They are also read-only mappings, so the audit
    log, the JSON trace and the inspector serialise them like any dict, with
    no converter per kind. The mapping holds every field under its name, or
    under ``wire(key)`` (a wire spelling such as ``messageID``); a
    ``wire(sparse=True)`` field is left out while it is None, and a record
    field marked ``wire(spread=Record.to_dict)`` contributes the items of its
    wire form. A kind whose mapping is not one key per field overrides
    ``_pairs``. Every subclass is made a frozen, keyword-only dataclass when
    it is defined.
    """

    if TYPE_CHECKING:  # set on each subclass by dataclass()
        __dataclass_fields__: ClassVar[dict[str, Field[Any]]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        dataclass(frozen=True, kw_only=True)(cls)

    def _pairs(self) -> Iterable[tuple[str, Any]]:
        for spec in fields(self):
            value = getattr(self, spec.name)
            if value is None and spec.metadata.get(SPARSE):
                continue
            form = spec.metadata.get(SPREAD)
            if form is not None:
                yield from form(value).items()
            else:
                yield spec.metadata.get(KEY, spec.name), _plain(value)

    @cached_property
    def _mapping(self) -> dict[str, Any]:
        return dict(self._pairs())

    def __getitem__(self, key: str) -> Any:
        return self._mapping[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._mapping)

    def __len__(self) -> int:
        return len(self._mapping)


class NoDetails(EventDetails):
    """The details of a kind whose summary says it all (an empty mapping)."""


NO_DETAILS = NoDetails()

Kind = TypeVar("Kind", bound=str)
Allowed = type[EventDetails] | tuple[type[EventDetails], ...]  # a kind's details class(es)


def check_details(registry: Mapping[Kind, Allowed], kind: Kind, details: object) -> None:
    """Refuse details of another class than ``registry`` names for ``kind``."""
    allowed = registry[kind]
    classes = allowed if isinstance(allowed, tuple) else (allowed,)
    if type(details) not in classes:
        names = " or ".join(c.__name__ for c in classes)
        raise TypeError(f"{kind} carries {names}, not {type(details).__name__}")


class MessageDetails(EventDetails):
    """Details of an event about one Secure Channel message.

    ``header`` is the decoded header and ``body`` the decrypted body, each None
    when it could not be read; the audit log keeps them in their own columns.
    """

    header: Mapping[str, Any] | None = field(default=None, metadata=wire(sparse=True))
    body: Mapping[str, Any] | None = field(default=None, metadata=wire(sparse=True))

    def facts(self) -> dict[str, Any]:
        """The mapping without the message's header and body."""
        return {key: value for key, value in self.items() if key not in ("header", "body")}


@dataclass(frozen=True, kw_only=True)
class Event:
    """One observable thing: a message on the wire or a state change.

    ``step`` is the push-login step (1-7) the event belongs to, when it does.
    ``raw`` carries the exact message bytes/text on the wire, when there are any.
    """

    kind: str
    source: str
    target: str = ""
    summary: str = ""
    request_id: str | None = None
    step: int | None = None
    raw: str | None = None
    details: EventDetails = NO_DETAILS
    time: float = field(default_factory=time.time)
    seq: int = field(default_factory=lambda: next(_sequence))

    def __post_init__(self) -> None:
        if not self.kind:
            raise ValueError("event kind must not be empty")
        if self.step is not None and not 1 <= self.step <= 7:
            raise ValueError(f"step must be 1-7, got {self.step}")
        if not isinstance(self.details, EventDetails):
            raise TypeError(f"{self.kind}: details must be typed (an EventDetails)")


Subscriber = Callable[[Event], None]


class EventBus:
    """Fan-out of events to subscribers; also keeps a bounded history."""

    def __init__(self, history: int = 5000) -> None:
        self._subscribers: list[Subscriber] = []
        self._by_source: dict[str, list[Subscriber]] = {}  # subscribers to one source only
        self._history: list[Event] = []
        self._history_limit = history
        self._waiters: list[tuple[Callable[[Event], bool], asyncio.Future[Event]]] = []

    def subscribe(self, subscriber: Subscriber, *, source: str | None = None) -> Callable[[], None]:
        """Add a subscriber (to every event, or to ``source``'s only: a bench fleet's
        thousand phones each hear their own events without filtering everyone's);
        returns a function that removes it."""
        subscribers = (
            self._subscribers if source is None else self._by_source.setdefault(source, [])
        )
        subscribers.append(subscriber)

        def unsubscribe() -> None:
            if subscriber in subscribers:
                subscribers.remove(subscriber)

        return unsubscribe

    def publish(self, event: Event) -> None:
        self._history.append(event)
        if len(self._history) > self._history_limit:
            del self._history[: len(self._history) - self._history_limit]
        for subscriber in [*self._subscribers, *self._by_source.get(event.source, ())]:
            try:
                subscriber(event)
            except Exception:  # a broken view must not break the flow
                log.exception("event subscriber failed on %s", event.kind)
        for waiter in list(self._waiters):
            predicate, future = waiter
            if not future.done() and predicate(event):
                future.set_result(event)
                self._waiters.remove(waiter)

    def emit(self, kind: str, source: str, **fields: Any) -> Event:
        """Build and publish an event in one call."""
        event = Event(kind=kind, source=source, **fields)
        self.publish(event)
        return event

    @property
    def history(self) -> list[Event]:
        return list(self._history)

    async def wait_for(
        self,
        predicate: Callable[[Event], bool],
        timeout: float = 10.0,  # noqa: ASYNC109 - a deadline is this helper's point
        *,
        include_history: bool = False,
    ) -> Event:
        """The next event matching ``predicate`` (or a past one, if asked)."""
        if include_history:
            for event in self._history:
                if predicate(event):
                    return event
        future: asyncio.Future[Event] = asyncio.get_running_loop().create_future()
        entry = (predicate, future)
        self._waiters.append(entry)
        try:
            async with asyncio.timeout(timeout):
                return await future
        finally:
            if entry in self._waiters:
                self._waiters.remove(entry)
