"""Mock events with fixed fields carry typed, frozen details that still read as mappings."""

from __future__ import annotations

import dataclasses
import json

import pytest

from core.clock import FrozenClock
from core.events import EventBus, EventDetails
from simulators.delivery.event_details import (
    DETAILS_FOR,
    ApnsSendAnswer,
    DeviceConnection,
    DeviceRegistered,
    FaultChanged,
    FaultFired,
    FcmSendAnswer,
    Notice,
    NotificationEvent,
    ServiceStarted,
)
from simulators.delivery.event_kinds import MockEvent
from simulators.delivery.faults import Fault, FaultKind, FaultPlan
from simulators.delivery.hub import DeliveryHub
from simulators.delivery.registry import Registration
from simulators.delivery.store import Notification


def test_details_are_frozen_fields_and_mappings() -> None:
    details = FcmSendAnswer(status=200, outcome="delivered", answer={"name": "n"})
    assert isinstance(details, EventDetails)
    assert details.status == 200
    assert dict(details) == {"status": 200, "outcome": "delivered", "answer": {"name": "n"}}
    assert json.dumps(dict(details))  # the trace serialises it like any dict
    with pytest.raises(dataclasses.FrozenInstanceError):
        details.status = 500  # type: ignore[misc]


def test_apns_answer_keeps_the_wire_key_apns_id() -> None:
    details = ApnsSendAnswer(status=400, reason="BadPayload", apns_id="A-1", outcome="BadPayload")
    assert details.apns_id == "A-1"
    assert details["apns-id"] == "A-1"
    assert dict(details) == {
        "status": 400,
        "reason": "BadPayload",
        "apns-id": "A-1",
        "outcome": "BadPayload",
    }
    with pytest.raises(KeyError):
        details["apns_id"]


def test_simple_kinds() -> None:
    assert dict(ServiceStarted(url="https://127.0.0.1:1")) == {"url": "https://127.0.0.1:1"}
    assert DeviceConnection(token="t").get("token") == "t"


def test_every_mock_kind_has_a_details_class() -> None:
    assert set(DETAILS_FOR) == set(MockEvent)


def test_records_read_as_their_to_dict_plus_the_event_facts() -> None:
    registration = Registration(service="fcm", token="t1", app_id="a", registered_at=1.0)
    assert dict(DeviceRegistered(registration=registration)) == registration.to_dict()
    assert dict(DeviceRegistered(registration=registration, discarded=2)) == {
        **registration.to_dict(),
        "discarded": 2,
    }
    fault = Fault(id="f1", kind=FaultKind.DROP, count=1)
    assert dict(FaultChanged(fault=fault)) == fault.to_dict()
    # the target is there even when the fault fired for any device
    assert dict(FaultFired(fault=fault, target=None)) == {**fault.to_dict(), "target": None}


def test_a_notification_event_spreads_the_providers_notice() -> None:
    apns = Notice(topic="com.pushsim.demo", push_type="alert", priority="10")
    assert dict(NotificationEvent(token="t", message_id="m", notice=apns, from_store=True)) == {
        "token": "t",
        "message_id": "m",
        "topic": "com.pushsim.demo",
        "push_type": "alert",
        "priority": "10",
        "from_store": True,
    }
    fcm = Notice(ttl=60.0, priority="high")
    assert dict(NotificationEvent(token="t", message_id="m", notice=fcm, fault="f1")) == {
        "token": "t",
        "message_id": "m",
        "ttl": 60.0,
        "priority": "high",
        "fault": "f1",
    }


def test_the_hub_publishes_typed_details_and_refuses_others() -> None:
    events = EventBus()
    hub = DeliveryHub(service="fcm", events=events, clock=FrozenClock(), faults=FaultPlan())
    with pytest.raises(TypeError, match="NotificationEvent"):
        hub.emit(MockEvent.DELIVERED, "delivered", details=DeviceConnection(token="t"))
    registration = hub.register_fcm(project_id="p", app_id="a").registration
    note = Notification(
        service="fcm",
        message_id="m1",
        token=registration.token,
        app_id="a",
        payload={},
        raw="{}",
        accepted_at=0.0,
        expires_at=None,
        details=Notice(ttl=60.0, priority="normal"),
    )
    assert hub.accept(note) == "stored"  # the device holds no stream
    stored = events.history[-1]
    assert stored.kind == "fcm.stored"
    assert isinstance(stored.details, NotificationEvent)
    assert stored.details.notice == note.details
    assert dict(stored.details) == {
        "token": registration.token,
        "message_id": "m1",
        "ttl": 60.0,
        "priority": "normal",
    }
    registered = events.history[0].details
    assert isinstance(registered, DeviceRegistered)
    assert registered.registration == registration
