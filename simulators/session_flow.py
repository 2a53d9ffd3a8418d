"""A push login as the sequence diagram draws it: four lanes and numbered arrows.

The diagram does not take each emitter's ``source``/``target`` spelling on
trust (the mocks say ``device``, the core says ``phone``; start-up events carry
step numbers too). One table, ``ARROWS``, says which event kinds are messages
of a push login, the lane each starts and ends on and which of the seven steps
of SPEC §2.3 it is. Events that tell of the same message from both ends (the
core's ``push.attempt`` and the mock's ``fcm.send``; the phone's
``phone.response.sent`` and the core's ``response.received``) become one arrow
carrying all of them, so the inspector can show both views of one message.

Only events with a ``request_id`` take part: service start-up is not a step.
``FlowRecorder`` keeps the recent sessions, newest first, and calls its
listeners with the flow that changed. It is Qt-free: the GUI adapts it, the
HTML report and tests read it directly.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from enum import IntEnum

from core.event_kinds import CoreEvent
from core.events import Event, EventBus
from simulators.phone.event_kinds import PhoneEvent


class Lane(IntEnum):
    """The four lanes, left to right."""

    CLIENT = 0
    CORE = 1
    PUSH = 2
    PHONE = 3

    @property
    def title(self) -> str:
        return _LANE_TITLES[self]


_LANE_TITLES = {
    Lane.CLIENT: "Login client",
    Lane.CORE: "Validation core",
    Lane.PUSH: "FCM · APNs",
    Lane.PHONE: "Phone",
}


@dataclass(frozen=True)
class ArrowSpec:
    """How one event kind is drawn; events sharing a ``key`` are one message."""

    step: int
    source: Lane
    target: Lane
    label: str | None  # None: the event's own summary
    key: str = ""


def _both(kind: str, spec: ArrowSpec) -> dict[str, ArrowSpec]:
    """The same message as the FCM and the APNs mock report it."""
    return {f"fcm.{kind}": spec, f"apns.{kind}": spec}


_PUSH = ArrowSpec(3, Lane.CORE, Lane.PUSH, "push", key="push")
_NOTIFICATION = ArrowSpec(4, Lane.PUSH, Lane.PHONE, "notification", key="notification")
_FETCH = ArrowSpec(4, Lane.PHONE, Lane.CORE, "fetch challenge", key="fetch")
_RESPONSE = ArrowSpec(6, Lane.PHONE, Lane.CORE, "signed response", key="response")

ARROWS: dict[str, ArrowSpec] = {
    CoreEvent.LOGIN_RECEIVED: ArrowSpec(1, Lane.CLIENT, Lane.CORE, "login"),
    CoreEvent.LOGIN_REFUSED: ArrowSpec(1, Lane.CORE, Lane.CLIENT, None),
    CoreEvent.CHALLENGE_CREATED: ArrowSpec(2, Lane.CORE, Lane.CORE, "challenge"),
    CoreEvent.PUSH_ATTEMPT: _PUSH,
    **_both("send", _PUSH),
    **_both("accepted", _PUSH),
    **_both("fault_fired", _PUSH),  # a fault the mock applied to this push: marked on it
    **_both("rejected", ArrowSpec(3, Lane.PUSH, Lane.CORE, None)),
    **_both("delivered", _NOTIFICATION),
    **_both("stored", ArrowSpec(4, Lane.PUSH, Lane.PUSH, "stored: phone offline")),
    **_both("dropped", ArrowSpec(4, Lane.PUSH, Lane.PUSH, "dropped")),
    PhoneEvent.NOTIFICATION_RECEIVED: _NOTIFICATION,
    CoreEvent.CHALLENGE_FETCHED: _FETCH,
    PhoneEvent.REQUEST_FETCHED: _FETCH,
    PhoneEvent.UNLOCK_FAILED: ArrowSpec(5, Lane.PHONE, Lane.PHONE, None),
    PhoneEvent.USER_APPROVE: ArrowSpec(5, Lane.PHONE, Lane.PHONE, "user approves"),
    PhoneEvent.USER_REJECT: ArrowSpec(5, Lane.PHONE, Lane.PHONE, "user rejects"),
    PhoneEvent.RESPONSE_SENT: _RESPONSE,
    CoreEvent.RESPONSE_RECEIVED: _RESPONSE,
    CoreEvent.RESPONSE_REFUSED: ArrowSpec(7, Lane.CORE, Lane.PHONE, None),
    CoreEvent.SESSION_DECIDED: ArrowSpec(7, Lane.CORE, Lane.CLIENT, None),
}


@dataclass(frozen=True)
class FlowArrow:
    """One message of a session: where it goes, its step, and every event telling of it."""

    key: str
    step: int
    source: Lane
    target: Lane
    events: tuple[Event, ...]
    fixed_label: str | None = None

    @classmethod
    def first(cls, key: str, spec: ArrowSpec, event: Event) -> FlowArrow:
        return cls(key, spec.step, spec.source, spec.target, (event,), spec.label)

    @property
    def time(self) -> float:
        return min(e.time for e in self.events)

    @property
    def label(self) -> str:
        label = self.fixed_label or _first_clause(self.events[0].summary)
        return f"{label} · fault: {self.fault}" if self.fault else label

    @property
    def fault(self) -> str:
        """The injected faults that fired on this message ("error BadDeviceToken"), or ""."""
        fired = (e.details for e in self.events if e.kind.endswith(".fault_fired"))
        names = (" ".join(str(d[k]) for k in ("kind", "error") if d.get(k)) for d in fired)
        return ", ".join(dict.fromkeys(names))

    @property
    def summary(self) -> str:
        """The hover line: the step and what each end said of the message."""
        said = " · ".join(dict.fromkeys(e.summary for e in self.events if e.summary))
        return f"{self.step}. {said}" if said else f"{self.step}. {self.label}"

    def event(self, kind: str) -> Event | None:
        return next((e for e in self.events if e.kind == kind), None)


@dataclass(frozen=True)
class SessionFlow:
    """The arrows of one session in the order they happened."""

    request_id: str
    arrows: tuple[FlowArrow, ...] = ()
    provider: str = ""  # fcm | apns, once the push went out
    phone: str = ""  # the phone's name, once it took part

    @property
    def started(self) -> float:
        return self.arrows[0].time if self.arrows else 0.0

    @property
    def decision(self) -> Event | None:
        return next(
            (
                e
                for a in reversed(self.arrows)
                for e in a.events
                if e.kind == CoreEvent.SESSION_DECIDED
            ),
            None,
        )

    @property
    def status(self) -> str:
        decided = self.decision
        status = None if decided is None else decided.details.get("status")
        return str(status) if status else "pending"

    @property
    def user(self) -> str:
        login = next((a for a in self.arrows if a.step == 1), None)
        return "" if login is None else str(login.events[0].details.get("user", ""))

    def lane_detail(self, lane: Lane) -> str:
        """What this session adds to a lane's name: the provider used, the phone's name."""
        if lane is Lane.PUSH:
            return self.provider.upper()
        return self.phone if lane is Lane.PHONE else ""

    def lane_title(self, lane: Lane) -> str:
        detail = self.lane_detail(lane)
        return f"{lane.title} ({detail})" if detail else lane.title

    def with_event(self, event: Event, spec: ArrowSpec) -> SessionFlow:
        key = spec.key or event.kind
        arrows = list(self.arrows)
        index = next((i for i, a in enumerate(arrows) if a.key == key), None)
        if index is None:
            arrows.append(FlowArrow.first(key, spec, event))
        else:
            arrows[index] = replace(arrows[index], events=(*arrows[index].events, event))
        arrows.sort(key=lambda a: (a.time, a.step))
        return replace(
            self,
            arrows=tuple(arrows),
            provider=self.provider or _provider(event),
            phone=self.phone or _phone(event),
        )


def _first_clause(summary: str) -> str:
    return summary.split(":", 1)[0] if summary else ""


def _provider(event: Event) -> str:
    prefix = event.kind.split(".", 1)[0]
    return prefix if prefix in ("fcm", "apns") else ""


def _phone(event: Event) -> str:
    return event.source.removeprefix("phone:") if event.source.startswith("phone:") else ""


def flows_of(events: Iterable[Event]) -> list[SessionFlow]:
    """The sessions told by ``events``, oldest first (for reports and tests)."""
    recorder = FlowRecorder(limit=None)
    for event in events:
        recorder.add(event)
    return list(reversed(recorder.sessions))


@dataclass
class FlowRecorder:
    """Builds ``SessionFlow`` values from live events; the newest ``limit`` are kept."""

    limit: int | None = 200
    _flows: OrderedDict[str, SessionFlow] = field(default_factory=OrderedDict)
    _listeners: list[Callable[[SessionFlow], None]] = field(default_factory=list)

    @property
    def sessions(self) -> list[SessionFlow]:
        """Newest first."""
        return list(reversed(self._flows.values()))

    def get(self, request_id: str) -> SessionFlow | None:
        return self._flows.get(request_id)

    def on_change(self, listener: Callable[[SessionFlow], None]) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def attach(self, bus: EventBus) -> Callable[[], None]:
        """Read the bus's history, then follow it; returns the unsubscribe call."""
        for event in bus.history:
            self.add(event)
        return bus.subscribe(self.add)

    def add(self, event: Event) -> None:
        spec = ARROWS.get(event.kind)
        if spec is None or not event.request_id:
            return
        flow = self._flows.get(event.request_id) or SessionFlow(request_id=event.request_id)
        flow = flow.with_event(event, spec)
        self._flows[event.request_id] = flow
        if self.limit is not None:
            while len(self._flows) > self.limit:
                self._flows.popitem(last=False)
        for listener in list(self._listeners):
            listener(flow)
