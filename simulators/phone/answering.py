"""Answering a request: unlock, sign, seal, post (push-login steps 5 and 6).

Approve: the app unlocks as the request's protection requires — directly with
the ``unlock`` given, or through an interactive ``UnlockPrompt`` the user feeds
with ``submit_unlock`` (the GUI's PIN pad and sensor) — then signs a
``ChallengeResponse`` with the instance key of the protection actually used.
Reject: no unlock; signed with the device instance key. Either way the
response is sealed as type 4 with protection 0x01 under the device→server keys
and posted; the core's answer (a ``ResponseReceipt``) is kept on the
notification. Number matching: the user's pick must be one of the request's
three numbers (the core judges whether it is the right one).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.protocol.keys import UnlockProtection
from core.protocol.messages import ChallengeRequest, ChallengeResponse, Decision
from core.protocol.secure_channel import MessageType, Protection, seal
from simulators.phone.core_client import ResponseReceipt
from simulators.phone.errors import (
    AppLocked,
    BiometricLockout,
    CoreApiError,
    NoUnlockPrompt,
    NumberChoiceError,
    RequestUnusable,
    UnlockError,
)
from simulators.phone.event_details import (
    Approval,
    CoreAnswered,
    ResponseSent,
    UnlockFailed,
    UnlockPrompted,
    UnlockSucceeded,
)
from simulators.phone.event_kinds import PhoneEvent
from simulators.phone.inbox import Notification, NotificationStatus
from simulators.phone.receiving import RequestReceiver, unusable
from simulators.phone.unlock import (
    NoUnlock,
    UnlockedKey,
    UnlockInput,
    UnlockPrompt,
    is_retryable,
    method_name,
)

if TYPE_CHECKING:
    from simulators.phone.authenticator_app import AuthenticatorApp
    from simulators.phone.keystore import Keystore


def check_number(request: ChallengeRequest, number: int | None) -> None:
    if request.numbers is None:
        if number is not None:
            raise NumberChoiceError("this request has no number matching")
        return
    if number is None:
        raise NumberChoiceError("pick the number shown at login")
    if number not in request.numbers:
        raise NumberChoiceError(f"{number} is not one of the numbers offered")


def seal_response(keystore: Keystore, response: ChallengeResponse) -> str:
    """The response as the app posts it: type 4, encrypted and MACed device -> server."""
    return seal(
        type=MessageType.RESPONSE,
        protection=Protection.ENCRYPT_AND_MAC,
        serial=keystore.serial,
        body=response.to_bytes(),
        keys=keystore.device_to_server,
    )


class RequestAnswerer:
    def __init__(self, app: AuthenticatorApp, receiver: RequestReceiver) -> None:
        self.app = app
        self.receiver = receiver
        self._answering: set[str] = set()

    # -- public --------------------------------------------------------------
    async def approve(
        self, notification_id: str, *, unlock: UnlockInput | None = None, number: int | None = None
    ) -> ResponseReceipt:
        notification = await self._prepare(notification_id)
        request = notification.request
        assert request is not None
        await self.app.host.gate.reach(5, request.request_id)  # step mode: before the answer
        check_number(request, number)
        self._answering.add(notification_id)
        try:
            self.app.host.emit(
                PhoneEvent.USER_APPROVE,
                "user approves",
                request_id=request.request_id,
                step=5,
                details=Approval(required=request.protection.value),
            )
            unlocked = await self._unlock(notification, request.protection, unlock)
            response = ChallengeResponse.create(
                request=request,
                decision=Decision.ACCEPT,
                protection=unlocked.protection,
                instance_key=unlocked.key,
                now=self.app.host.now(),
                number=number,
            )
            return await self._send(notification_id, response, NotificationStatus.APPROVED)
        finally:
            self._answering.discard(notification_id)

    async def reject(self, notification_id: str) -> ResponseReceipt:
        notification = await self._prepare(notification_id)
        request = notification.request
        assert request is not None
        await self.app.host.gate.reach(5, request.request_id)  # step mode: before the answer
        self._answering.add(notification_id)
        try:
            self.app.host.emit(
                PhoneEvent.USER_REJECT, "user rejects", request_id=request.request_id, step=5
            )
            response = ChallengeResponse.create(
                request=request,
                decision=Decision.REJECT,
                protection=UnlockProtection.DEVICE,
                instance_key=self.app.require_activated().device_key,
                now=self.app.host.now(),
            )
            return await self._send(notification_id, response, NotificationStatus.REJECTED)
        finally:
            self._answering.discard(notification_id)

    async def submit_unlock(self, given: UnlockInput) -> UnlockProtection:
        """Feed the open prompt; returns what was unlocked or raises why not."""
        prompt = self.app.prompt
        if prompt is None:
            raise NoUnlockPrompt()
        return await prompt.submit(given)

    def cancel_unlock(self) -> None:
        prompt = self.app.prompt
        if prompt is None:
            raise NoUnlockPrompt()
        prompt.cancel()
        self.app.host.emit(PhoneEvent.UNLOCK_CANCELLED, "unlock prompt closed by the user")

    # -- steps ---------------------------------------------------------------
    async def _prepare(self, notification_id: str) -> Notification:
        self.app.require_activated()
        self.app.host.core()  # offline? say so before the user unlocks anything
        notification = self.receiver.visible(notification_id)
        if notification_id in self._answering:
            raise RequestUnusable("the request is being answered")
        if not notification.answerable:
            raise unusable(notification)
        notification = await self.receiver.open_notification(notification_id)
        if not notification.answerable or notification.request is None:
            raise unusable(notification)
        return notification

    async def _unlock(
        self, notification: Notification, required: UnlockProtection, given: UnlockInput | None
    ) -> UnlockedKey:
        enforce = not self.app.host.settings.ignore_required_protection
        if given is None:
            if required is not UnlockProtection.DEVICE and enforce:
                return await self._prompt(notification, required)
            given = NoUnlock()
        return await self._attempt(notification, required, given, enforce=enforce)

    async def _attempt(
        self,
        notification: Notification,
        required: UnlockProtection,
        given: UnlockInput,
        *,
        enforce: bool,
    ) -> UnlockedKey:
        app, host = self.app, self.app.host
        method = method_name(given)
        was_locked_out = host.sensor.locked_out
        try:
            unlocked = await app.gate.unlock(
                app.require_activated(), required, given, enforce=enforce
            )
        except UnlockError as exc:
            remaining = getattr(exc, "remaining", None)
            host.emit(
                PhoneEvent.UNLOCK_FAILED,
                str(exc),
                request_id=notification.request_id,
                step=5,
                details=UnlockFailed(method=method, reason=str(exc), remaining=remaining),
            )
            if isinstance(exc, AppLocked):
                host.emit(PhoneEvent.APP_LOCKED, str(exc), request_id=notification.request_id)
            if isinstance(exc, BiometricLockout) and not was_locked_out:
                host.emit(
                    PhoneEvent.BIOMETRIC_LOCKOUT, str(exc), request_id=notification.request_id
                )
            raise
        host.emit(
            PhoneEvent.UNLOCK_SUCCEEDED,
            f"unlocked ({unlocked.protection.value} key)",
            request_id=notification.request_id,
            step=5,
            details=UnlockSucceeded(method=method, protection=unlocked.protection.value),
        )
        return unlocked

    def _show_prompt(self, prompt: UnlockPrompt, request_id: str) -> None:
        methods = [method.value for method in prompt.offered]
        self.app.host.emit(
            PhoneEvent.UNLOCK_PROMPT,
            f"unlock with {' or '.join(methods)} to approve",
            request_id=request_id,
            step=5,
            details=UnlockPrompted(
                notification_id=prompt.notification_id,
                required=prompt.required.value,
                offered=tuple(methods),
                pin_attempts_left=self.app.gate.remaining_pin_attempts,
            ),
        )

    async def _prompt(self, notification: Notification, required: UnlockProtection) -> UnlockedKey:
        app = self.app
        async with app.prompt_lock:
            prompt = UnlockPrompt(
                notification_id=notification.id,
                required=required,
                offered=app.gate.offered(required),
            )
            app.prompt = prompt
            self._show_prompt(prompt, notification.request_id)
            try:
                while True:
                    given, outcome = await prompt.next_attempt()
                    try:
                        unlocked = await self._attempt(notification, required, given, enforce=True)
                    except UnlockError as exc:
                        if not outcome.done():
                            outcome.set_exception(exc)
                        if not is_retryable(exc):
                            raise
                        offered = app.gate.offered(required)
                        if offered != prompt.offered:  # e.g. biometric lockout: PIN fallback
                            prompt.offered = offered
                            self._show_prompt(prompt, notification.request_id)
                        continue
                    if not outcome.done():
                        outcome.set_result(unlocked.protection)
                    return unlocked
            finally:
                app.prompt = None
                prompt.cancel()

    async def _send(
        self, notification_id: str, response: ChallengeResponse, status: NotificationStatus
    ) -> ResponseReceipt:
        app, host = self.app, self.app.host
        notification = self.receiver.expire_if_due(self.receiver.visible(notification_id))
        if not notification.answerable:  # e.g. expired while the user was unlocking
            raise unusable(notification)
        await host.gate.reach(6, response.request_id)  # step mode: before signing and posting
        keystore = app.require_activated()
        core = host.core()
        message = seal_response(keystore, response)
        sent = ResponseSent(
            decision=response.decision.value,
            protection=response.protection.value,
            number=None if response.number is None else str(response.number),
        )
        host.emit(
            PhoneEvent.RESPONSE_SENT,
            f"{response.decision.value} sent ({response.protection.value} key)",
            target="core",
            request_id=response.request_id,
            step=6,
            raw=message,
            details=sent,
        )
        try:
            receipt = await core.post_response(keystore.serial, message)
        except CoreApiError as exc:  # unreachable or 5xx: the user may try again
            host.emit(PhoneEvent.RESPONSE_FAILED, str(exc), request_id=response.request_id)
            raise
        reason = receipt.reason or receipt.message or receipt.session_status or ""
        app.inbox.update(notification_id, status=status, reason=reason)
        host.emit(
            PhoneEvent.RESPONSE_ANSWERED,
            f"core: {receipt.session_status or receipt.message or receipt.http_status}",
            request_id=response.request_id,
            details=CoreAnswered(receipt=receipt),
        )
        return receipt
