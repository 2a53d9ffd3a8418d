"""What a network attacker holding copies of the traffic tries, and what the core says.

Four attacks, each posted to the core's device API like any client could:
the phone's last response again (replay), the same with one byte flipped
(tamper), an honest answer to session A sent as the answer to session B
(cross-session), and an honest approval sent after the session timed out.
The phone's own screen would never send the last two; an attacker (or a
modified app) holding the phone's key can, so the core must refuse them.

``SentResponses`` keeps each phone's last response exactly as it went out
(the ``phone.response.sent`` event carries the message). The window's attack
panel and the scenarios' attacker steps share these functions.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from core.events import Event, EventBus
from core.protocol.keys import UnlockProtection
from core.protocol.messages import ChallengeRequest, ChallengeResponse, Decision
from simulators.phone import Phone, ResponseReceipt
from simulators.phone.answering import seal_response
from simulators.phone.event_kinds import PhoneEvent

HEADER_BYTES = 24  # the Secure Channel header: flipping a byte after it hits the sealed body


@dataclass(frozen=True)
class SentResponse:
    request_id: str | None
    message: str  # hex, as posted


class SentResponses:
    """The newest response each phone sent (by phone source), from the event bus."""

    def __init__(self) -> None:
        self._last: dict[str, SentResponse] = {}

    def attach(self, bus: EventBus) -> Callable[[], None]:
        for event in bus.history:
            self.add(event)
        return bus.subscribe(self.add)

    def add(self, event: Event) -> None:
        if event.kind == PhoneEvent.RESPONSE_SENT and event.raw:
            self._last[event.source] = SentResponse(event.request_id, event.raw)

    def last(self, phone: Phone) -> SentResponse | None:
        return self._last.get(phone.source)


@dataclass(frozen=True, kw_only=True)
class AttackResult:
    """What the core answered to one attack."""

    attack: str
    http_status: int
    check: str | None = None  # the check that refused it
    reason: str | None = None
    session_status: str | None = None

    @property
    def refused(self) -> bool:
        return not (200 <= self.http_status < 300 and self.check is None)

    def summary(self) -> str:
        if not self.refused:
            return f"{self.attack}: ACCEPTED by the core (HTTP {self.http_status})"
        check = self.check or "?"
        why = f": {self.reason}" if self.reason else ""
        return f"{self.attack}: refused by {check} (HTTP {self.http_status}){why}"

    @classmethod
    def of(cls, attack: str, receipt: ResponseReceipt) -> AttackResult:
        return cls(
            attack=attack,
            http_status=receipt.http_status,
            check=receipt.check,
            reason=receipt.reason or receipt.message,
            session_status=receipt.session_status,
        )


def serial_of(phone: Phone) -> str:
    return phone.app.require_activated().serial


def flip_byte(message: str, index: int) -> str:
    """``message`` (hex) with one bit of byte ``index`` (modulo its length) flipped."""
    raw = bytearray(bytes.fromhex(message))
    raw[index % len(raw)] ^= 0x01
    return raw.hex()


def body_byte(message: str, pick: int) -> int:
    """A byte index inside the sealed body (never the header), chosen by ``pick``."""
    length = len(message) // 2
    return HEADER_BYTES + pick % max(1, length - HEADER_BYTES)


def forged_approval(phone: Phone, request: ChallengeRequest, request_id: str) -> str:
    """An approval of ``request``, honestly signed with the phone's key, for ``request_id``."""
    keystore = phone.app.require_activated()
    response = ChallengeResponse.create(
        request=dataclasses.replace(request, request_id=request_id),
        decision=Decision.ACCEPT,
        protection=UnlockProtection.DEVICE,
        instance_key=keystore.device_key,
        now=phone.now(),
    )
    return seal_response(keystore, response)


def request_seen(phone: Phone, request_id: str) -> ChallengeRequest:
    note = phone.notification_for(request_id)
    if note is None or note.request is None:
        raise AttackNotPossible(f"{phone.name} never received the request {request_id[:8]}")
    return note.request


class AttackNotPossible(Exception):
    """The attack needs something this phone or session does not have (yet)."""


async def post(phone: Phone, attack: str, message: str) -> AttackResult:
    receipt = await phone.core().post_response(serial_of(phone), message)
    return AttackResult.of(attack, receipt)


async def replay_last(phone: Phone, sent: SentResponses) -> AttackResult:
    last = sent.last(phone)
    if last is None:
        raise AttackNotPossible(f"{phone.name} has not sent a response yet")
    return await post(phone, "replay the last response", last.message)


async def flip_one_byte(phone: Phone, sent: SentResponses, pick: int = 0) -> AttackResult:
    last = sent.last(phone)
    if last is None:
        raise AttackNotPossible(f"{phone.name} has not sent a response yet")
    tampered = flip_byte(last.message, body_byte(last.message, pick))
    return await post(phone, "flip one byte", tampered)


async def answer_other_session(phone: Phone, source_id: str, target_id: str) -> AttackResult:
    """Session ``source_id``'s request, signed honestly, sent as the answer to ``target_id``."""
    message = forged_approval(phone, request_seen(phone, source_id), target_id)
    return await post(phone, "session A's response for session B", message)


async def answer_after_timeout(phone: Phone, request_id: str) -> AttackResult:
    """An honest approval of a session that has timed out (the phone's screen refuses to)."""
    message = forged_approval(phone, request_seen(phone, request_id), request_id)
    return await post(phone, "answer after the timeout", message)
