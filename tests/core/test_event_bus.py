"""The event bus: subscribers to every event, and subscribers to one source's events."""

from __future__ import annotations

from core.events import Event, EventBus


def test_a_source_subscriber_hears_only_its_source_and_can_leave() -> None:
    bus = EventBus(history=10)
    everything: list[str] = []
    mine: list[str] = []
    bus.subscribe(lambda event: everything.append(event.summary))
    leave = bus.subscribe(lambda event: mine.append(event.summary), source="phone:a")
    bus.emit("phone.x", "phone:a", summary="a1")
    bus.emit("phone.x", "phone:b", summary="b1")
    leave()
    bus.emit("phone.x", "phone:a", summary="a2")
    assert everything == ["a1", "b1", "a2"]
    assert mine == ["a1"]
    assert [event.summary for event in bus.history] == ["a1", "b1", "a2"]


def test_a_failing_subscriber_does_not_stop_the_others() -> None:
    bus = EventBus()
    heard: list[Event] = []

    def broken(_event: Event) -> None:
        raise RuntimeError("a broken view")

    bus.subscribe(broken, source="core")
    bus.subscribe(heard.append, source="core")
    bus.emit("core.x", "core", summary="still heard")
    assert [event.summary for event in heard] == ["still heard"]
