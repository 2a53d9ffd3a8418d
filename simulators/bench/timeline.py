"""When each step of a login happened, from the event bus and the login client's clock.

The client stamps the start of the login call, its answer and the moment it
saw the decision; the other milestones are the trace events' own timestamps
(every lane stamps events with the simulation clock, so they share one time
line):

==================  ===================================================
milestone           event
==================  ===================================================
handed_over         the mock's first ``fcm.send`` / ``apns.send`` (the request arrived)
delivered           the phone's first ``phone.notification.received``
responded           the core's ``response.received`` (the phone's answer arrived)
==================  ===================================================

Step durations are the gaps between consecutive milestones, so they add up to
the whole login; the login call (start to answer) runs beside them, since the
core answers the login once the push is handed over.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

from core.event_kinds import CoreEvent
from core.events import Event, EventBus
from simulators.delivery.event_kinds import MockEvent
from simulators.phone.event_kinds import PhoneEvent

MILESTONE_EVENTS = {
    **{f"{service}.{MockEvent.SEND}": "handed_over" for service in ("fcm", "apns")},
    PhoneEvent.NOTIFICATION_RECEIVED.value: "delivered",
    CoreEvent.RESPONSE_RECEIVED.value: "responded",
}
# the milestones in the order a login passes them; each step runs from one to the next
ORDER = ("started", "handed_over", "delivered", "responded", "seen")
STEPS = {
    "login_call": ("started", "answered"),
    **dict(
        zip(
            ("push_handed_to_provider", "delivered_to_phone", "response_posted", "decision_seen"),
            itertools.pairwise(ORDER),
            strict=True,
        )
    ),
}


@dataclass(kw_only=True)
class LoginSample:
    """One login: its milestones (seconds since the epoch) and what went wrong, if anything."""

    user_id: str
    marks: dict[str, float] = field(default_factory=dict)  # milestone -> time
    request_id: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return not self.error

    @property
    def total(self) -> float | None:
        return self.step_between("started", "seen")

    def step(self, name: str) -> float | None:
        return self.step_between(*STEPS[name])

    def step_between(self, begin: str, end: str) -> float | None:
        if begin not in self.marks or end not in self.marks:
            return None
        return self.marks[end] - self.marks[begin]


class Timeline:
    """Collects the milestone events of every login while subscribed to the bus."""

    def __init__(self, events: EventBus) -> None:
        self._seen: dict[str, dict[str, float]] = {}
        self._unsubscribe: Callable[[], None] = events.subscribe(self._on_event)

    def _on_event(self, event: Event) -> None:
        milestone = MILESTONE_EVENTS.get(event.kind)
        if milestone is not None and event.request_id is not None:
            self._seen.setdefault(event.request_id, {}).setdefault(milestone, event.time)

    def complete(self, sample: LoginSample) -> None:
        """Copy the bus milestones of ``sample``'s request into it (and forget them)."""
        if sample.request_id is not None:
            sample.marks.update(self._seen.pop(sample.request_id, {}))

    def close(self) -> None:
        self._unsubscribe()
