"""Every core event kind has typed details, and they read as the dicts the audit log stored."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from core.clock import SystemClock
from core.event_kinds import CoreEvent
from core.events import NO_DETAILS, Event, EventDetails, MessageDetails, NoDetails, check_details
from core.protocol.secure_channel import MessageType, Protection, SecureChannelHeader
from core.push.transport import PushAttempt, PushOutcome
from core.service.event_details import (
    DETAILS_FOR,
    ActivationRegistered,
    AuthenticatorDetails,
    AuthenticatorStatus,
    CoolDown,
    EndedNoticeSent,
    LoginDetails,
    PushAttempted,
    PushRegistered,
    PushResult,
    ResponseReceived,
    ResponseRefused,
    SecureHeader,
)
from core.service.unit import Journal
from core.service.views import SessionDecided

SERIAL = "AB12CD34EF"
HEADER = SecureChannelHeader(
    version=1,
    type=MessageType.REQUEST,
    protection=Protection.ENCRYPT_AND_MAC,
    serial=SERIAL,
    nonce=bytes(range(8)),
)
# the dict the old ``header_dict`` made of HEADER
OLD_HEADER = {
    "version": 1,
    "type": "REQUEST",
    "protection": "0x01",
    "serialNumber": SERIAL,
    "nonce": "0001020304050607",
}
CHECKS = [{"check": "nonce_fresh", "passed": False, "detail": "seen"}]
ATTEMPT = PushAttempt.of(
    "fcm",
    PushOutcome.RETRYABLE,
    503,
    "UNAVAILABLE",
    request_headers={"content-type": "application/json"},
    response_body="{}",
    message_id=None,
)

# (details as the emitters now build them, the dict the old ``**facts`` call made)
EXAMPLES: list[tuple[CoreEvent, EventDetails, dict[str, Any]]] = [
    (CoreEvent.CORE_STARTED, NO_DETAILS, {}),
    (CoreEvent.LOGIN_RECEIVED, LoginDetails(user="bob@demo"), {"user": "bob@demo"}),
    (CoreEvent.LOGIN_REFUSED, LoginDetails(rate_limit=True), {"rateLimit": True}),
    (
        CoreEvent.CHALLENGE_CREATED,
        MessageDetails(header=SecureHeader.of(HEADER), body={"v": 1}),
        {"header": OLD_HEADER, "body": {"v": 1}},
    ),
    (
        CoreEvent.PUSH_ATTEMPT,
        PushAttempted.of(2, ATTEMPT, 0.5),
        {
            "attempt": 2,
            "outcome": "retryable",
            "status": 503,
            "reason": "UNAVAILABLE",
            "requestHeaders": {"content-type": "application/json"},
            "response": "{}",
            "messageID": None,
            "retryIn": 0.5,
        },
    ),
    (CoreEvent.PUSH_RESULT, PushResult(outcome="failure"), {"outcome": "failure"}),
    (
        CoreEvent.PUSH_ENDED,
        EndedNoticeSent(outcome="cancelled", service="fcm", result="delivered"),
        {"outcome": "cancelled", "service": "fcm", "result": "delivered"},
    ),
    (
        CoreEvent.PUSH_RESULT,
        PushResult(outcome="delivered", challenge_key=False),
        {"outcome": "delivered", "challengeKey": False},
    ),
    (
        CoreEvent.RESPONSE_RECEIVED,
        ResponseReceived(header=None, header_verified=False, serial=SERIAL, attributed=True),
        {"headerVerified": False, "serial": SERIAL, "attributed": True},
    ),
    (
        CoreEvent.RESPONSE_REFUSED,
        ResponseRefused(check="nonce_fresh", reason="seen", checks=tuple(CHECKS), serial=SERIAL),
        {"check": "nonce_fresh", "reason": "seen", "checks": CHECKS, "serial": SERIAL},
    ),
    (CoreEvent.RESPONSE_REFUSED, ResponseRefused(check="x"), {"check": "x"}),
    (
        CoreEvent.SESSION_DECIDED,
        SessionDecided(status="refused", reason="r", check=None, checks=tuple(CHECKS)),
        {"status": "refused", "reason": "r", "check": None, "checks": CHECKS},
    ),
    (CoreEvent.RATELIMIT_COOLDOWN, CoolDown(until=12.5), {"until": 12.5}),
    (
        CoreEvent.ACTIVATION_REGISTERED,
        ActivationRegistered(serial=SERIAL, registration_id="reg"),
        {"serial": SERIAL, "registrationID": "reg"},
    ),
    (CoreEvent.ACTIVATION_ACTIVATED, AuthenticatorDetails(serial=SERIAL), {"serial": SERIAL}),
    (
        CoreEvent.AUTHENTICATOR_PUSH_REGISTERED,
        PushRegistered(serial=SERIAL, app_id="com.pushsim.demo"),
        {"serial": SERIAL, "appID": "com.pushsim.demo"},
    ),
    (
        CoreEvent.AUTHENTICATOR_STATUS,
        AuthenticatorStatus(serial=SERIAL, status="push-unregistered"),
        {"serial": SERIAL, "status": "push-unregistered"},
    ),
    (CoreEvent.AUTHENTICATOR_STATUS, AuthenticatorStatus(serial=SERIAL), {"serial": SERIAL}),
]


def test_every_core_kind_has_a_details_class() -> None:
    assert set(DETAILS_FOR) == set(CoreEvent)
    assert all(issubclass(cls, EventDetails) for cls in DETAILS_FOR.values())


@pytest.mark.parametrize(("kind", "details", "old"), EXAMPLES)
def test_the_mapping_is_the_old_dict(
    kind: CoreEvent, details: EventDetails, old: dict[str, Any]
) -> None:
    check_details(DETAILS_FOR, kind, details)  # the class the registry names
    assert dict(details) == old
    assert json.loads(json.dumps(dict(details))) == old  # what the audit log stores


def test_the_examples_cover_every_class() -> None:
    used = {type(details) for _, details, _ in EXAMPLES}
    assert set(DETAILS_FOR.values()) <= used


def test_details_are_frozen_fields() -> None:
    details = LoginDetails(user="bob@demo")
    assert details.user == "bob@demo"
    with pytest.raises(dataclasses.FrozenInstanceError):
        details.user = "eve@demo"  # type: ignore[misc]


def test_a_message_event_keeps_header_and_body_apart_from_its_facts() -> None:
    details = ResponseReceived(
        header=SecureHeader.of(HEADER), header_verified=True, serial=SERIAL, attributed=False
    )
    assert details.header is not None
    assert details.header["serialNumber"] == SERIAL
    assert details.facts() == {"headerVerified": True, "serial": SERIAL, "attributed": False}


def test_the_journal_takes_only_the_kinds_class() -> None:
    journal = Journal(SystemClock())
    journal.add(CoreEvent.CORE_STOPPED, summary="stopped")
    with pytest.raises(TypeError, match="LoginDetails"):
        journal.add(CoreEvent.LOGIN_RECEIVED, summary="login")  # NoDetails by default
    with pytest.raises(TypeError, match="NoDetails"):
        journal.add(CoreEvent.ADMIN_USER_CREATED, summary="u", details=CoolDown(until=1.0))
    assert [e.kind for e in journal.entries] == [CoreEvent.CORE_STOPPED]
    assert isinstance(journal.entries[0].details, NoDetails)


def test_an_event_refuses_untyped_details() -> None:
    with pytest.raises(TypeError, match="typed"):
        Event(kind="x", source="core", details={"a": 1})  # type: ignore[arg-type]
