"""The auto-responder: a phone that answers by itself (headless and load runs).

It listens on the event bus for its phone's ``phone.notification.received``
events and, after an optional delay, approves, rejects or ignores the request.
For approvals it unlocks as the request requires: nothing for DEVICE, the
policy's PIN for PIN, the policy's finger for FINGERPRINT (the PIN when
biometrics are unavailable or locked out). With number matching on it asks
``choose_number`` (scenarios know the number the login client was shown).
With ``poll_interval`` it also polls the core for pending requests, so it
answers even when pushes are lost (if the domain allows polling).

The responder works on a ``ResponderHost`` (a ``Phone`` is one) and is
attached from outside (the suite, tests) with ``start_auto_responder``: the
phone does not know this module.

The policy's PIN is kept in memory only (never stored, published or logged).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from core.events import Event, EventBus
from core.protocol.keys import UnlockProtection
from core.protocol.messages import ChallengeRequest
from simulators.phone.authenticator_app import AuthenticatorApp, PhoneParts
from simulators.phone.core_client import ResponseReceipt
from simulators.phone.errors import BiometricLockout, CoreApiError, NoFingerEnrolled, PhoneError
from simulators.phone.event_details import AutoAnswer, AutoAnswered, AutoFailed, NotificationShown
from simulators.phone.event_kinds import PhoneEvent
from simulators.phone.inbox import Notification
from simulators.phone.keystore import validate_pin
from simulators.phone.unlock import Finger, Pin, UnlockInput


class ResponderHost(PhoneParts, Protocol):
    """The phone an auto-responder answers for."""

    events: EventBus
    # What the attached responder does ("approve", ...), None without one: views show it.
    auto_response: str | None

    @property
    def source(self) -> str: ...

    @property
    def app(self) -> AuthenticatorApp: ...

    async def poll(self) -> Notification | None: ...

    async def open_notification(self, notification_id: str) -> Notification: ...

    async def approve(
        self, notification_id: str, *, unlock: UnlockInput | None = None, number: int | None = None
    ) -> ResponseReceipt: ...

    async def reject(self, notification_id: str) -> ResponseReceipt: ...


class AutoAction(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    IGNORE = "ignore"


@dataclass(frozen=True, kw_only=True)
class AutoResponsePolicy:
    action: AutoAction
    delay: float = 0.0  # seconds between the notification and the answer
    pin: str | None = field(default=None, repr=False)
    finger: str | None = None
    choose_number: Callable[[ChallengeRequest], int | None] | None = None
    poll_interval: float | None = None  # seconds between polls; None: pushes only

    def __post_init__(self) -> None:
        object.__setattr__(self, "action", AutoAction(self.action))
        if self.delay < 0:
            raise ValueError("delay must not be negative")
        if self.poll_interval is not None and self.poll_interval <= 0:
            raise ValueError("poll_interval must be positive")
        if self.pin is not None:
            validate_pin(self.pin)

    def unlock_for(self, required: UnlockProtection, *, fingerprint_ok: bool) -> UnlockInput | None:
        """What to unlock with; None when the policy has nothing that fits."""
        if required is UnlockProtection.DEVICE:
            return None
        if required is UnlockProtection.FINGERPRINT and self.finger and fingerprint_ok:
            return Finger(self.finger)
        return Pin(self.pin) if self.pin is not None else None


class AutoResponder:
    """Answers a phone's notifications by policy until stopped."""

    def __init__(self, phone: ResponderHost, policy: AutoResponsePolicy) -> None:
        self.phone = phone
        self.policy = policy
        self._unsubscribe: Callable[[], None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()  # answers and the poller

    @property
    def running(self) -> bool:
        return self._unsubscribe is not None

    def start(self) -> None:
        if self._unsubscribe is None:
            self._unsubscribe = self.phone.events.subscribe(
                self._on_event, source=self.phone.source
            )
            self.phone.auto_response = self.policy.action.value
            self._emit(PhoneEvent.AUTORESPONDER_ON, f"auto-responder: {self.policy.action.value}")
            if self.policy.poll_interval is not None:
                self._track(self._poll_forever(self.policy.poll_interval))

    async def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
            self.phone.auto_response = None
            self._emit(PhoneEvent.AUTORESPONDER_OFF, "auto-responder off")
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _emit(self, kind: str, summary: str, **fields: Any) -> None:
        self.phone.emit(kind, summary, **fields)

    def _on_event(self, event: Event) -> None:
        if event.source != self.phone.source or event.kind != PhoneEvent.NOTIFICATION_RECEIVED:
            return
        shown = event.details
        if not isinstance(shown, NotificationShown) or not shown.notification.answerable:
            return
        # The bus calls subscribers synchronously: answer in a task of our own.
        self._track(self._respond(shown.notification.id))

    def _track(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _poll_forever(self, interval: float) -> None:
        """Poll for requests the pushes did not bring; found ones arrive as events."""
        while True:
            await asyncio.sleep(interval)
            try:
                await self.phone.poll()
            except CoreApiError as exc:
                if exc.status == 403:  # the domain does not allow polling: stop asking
                    self._emit(PhoneEvent.AUTORESPONDER_POLL_REFUSED, str(exc))
                    return
            except PhoneError:  # offline, not activated, unusable request: try again later
                continue

    async def _respond(self, notification_id: str) -> None:
        policy = self.policy
        if policy.delay:
            await asyncio.sleep(policy.delay)
        notification = self.phone.app.inbox.get(notification_id)
        try:
            if policy.action is AutoAction.IGNORE:
                self._emit(
                    PhoneEvent.AUTORESPONDER_IGNORED,
                    "auto-responder ignores the request",
                    request_id=notification.request_id if notification else None,
                    details=AutoAnswer(notification_id=notification_id),
                )
                return
            if policy.action is AutoAction.REJECT:
                receipt = await self.phone.reject(notification_id)
            else:
                receipt = await self._approve(notification_id)
        except PhoneError as exc:
            self._emit(
                PhoneEvent.AUTORESPONDER_FAILED,
                f"auto-responder could not {policy.action.value}: {exc}",
                details=AutoFailed(notification_id=notification_id, error=type(exc).__name__),
            )
            return
        self._emit(
            PhoneEvent.AUTORESPONDER_ANSWERED,
            f"auto-responder: {policy.action.value} -> {receipt.session_status}",
            request_id=receipt.request_id,
            details=AutoAnswered(notification_id=notification_id, receipt=receipt),
        )

    async def _approve(self, notification_id: str) -> ResponseReceipt:
        notification = await self.phone.open_notification(notification_id)
        request = notification.request
        if request is None:
            raise PhoneError(notification.reason or "the request could not be opened")
        number = None
        if request.numbers is not None and self.policy.choose_number is not None:
            number = self.policy.choose_number(request)
        sensor = self.phone.sensor
        unlock = self.policy.unlock_for(request.protection, fingerprint_ok=sensor.available)
        if unlock is None and request.protection is not UnlockProtection.DEVICE:
            raise PhoneError(f"the policy has no way to unlock {request.protection.value}")
        try:
            return await self.phone.approve(notification_id, unlock=unlock, number=number)
        except (BiometricLockout, NoFingerEnrolled):
            if self.policy.pin is None or not isinstance(unlock, Finger):
                raise
            # A finger failed hard: fall back to the PIN, as a user would.
            return await self.phone.approve(
                notification_id, unlock=Pin(self.policy.pin), number=number
            )


def start_auto_responder(phone: ResponderHost, policy: AutoResponsePolicy) -> AutoResponder:
    """Attach a running responder to ``phone``; the caller keeps it and stops it."""
    responder = AutoResponder(phone, policy)
    responder.start()
    return responder
