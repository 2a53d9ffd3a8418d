"""Mock events with fixed fields carry typed, frozen details that still read as mappings."""

from __future__ import annotations

import dataclasses
import json

import pytest

from core.events import EventDetails
from simulators.delivery.event_details import (
    ApnsSendAnswer,
    DeviceConnection,
    FcmSendAnswer,
    ServiceStarted,
)


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
