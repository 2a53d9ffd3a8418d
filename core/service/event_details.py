"""Typed details of every core event kind, and the registry that pairs them.

``DETAILS_FOR`` names the details class of each ``CoreEvent``; the journal
refuses an event whose details are of another class, so a kind's facts are
spelled in one place. As mappings the details hold exactly the keys the audit
log and the trace have always stored (wire spellings such as ``rateLimit``
come from ``wire(key)``); ``session.decided`` has its details next to the
session's view model, in ``core.service.views``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field
from typing import Any

from core.event_kinds import CoreEvent
from core.events import EventDetails, MessageDetails, NoDetails, wire
from core.protocol.fields import copied
from core.protocol.secure_channel import SecureChannelHeader
from core.push.transport import PushAttempt
from core.service.views import SessionDecided


class SecureHeader(EventDetails):
    """A Secure Channel header as the trace shows it (``MessageDetails.header``)."""

    version: int
    type: str  # the message type's name: REQUEST, RESPONSE, ...
    protection: str  # hex: 0x03
    serial: str = field(metadata=wire("serialNumber"))
    nonce: str  # hex

    @classmethod
    def of(cls, header: SecureChannelHeader) -> SecureHeader:
        protection = f"0x{int(header.protection):02x}"
        return copied(
            cls, header, type=header.type.name, protection=protection, nonce=header.nonce.hex()
        )


class LoginDetails(EventDetails):
    """``login.received`` / ``login.refused``: whose login, or that a rate limit refused it."""

    user: str | None = field(default=None, metadata=wire(sparse=True))
    rate_limit: bool | None = field(default=None, metadata=wire("rateLimit", sparse=True))


class AuthenticatorDetails(EventDetails):
    """The authenticator an activation step concerns (``activation.*``)."""

    serial: str


class PushAttempted(EventDetails):
    """``push.attempt``: one send to FCM/APNs and the provider's answer."""

    attempt: int  # 1, 2, ... within this dispatch
    outcome: str
    status: int | None  # HTTP status, None when no answer came
    reason: str
    request_headers: Mapping[str, str] = field(metadata=wire("requestHeaders"))
    response: str
    message_id: str | None = field(metadata=wire("messageID"))
    retry_in: float | None = field(metadata=wire("retryIn"))  # None: no retry follows

    @classmethod
    def of(cls, number: int, attempt: PushAttempt, delay: float | None) -> PushAttempted:
        """Status, reason, headers and message ID as the attempt has them."""
        outcome = attempt.outcome.value
        response = attempt.response_body
        return copied(
            cls, attempt, attempt=number, outcome=outcome, response=response, retry_in=delay
        )


class ActivationRegistered(AuthenticatorDetails):
    """``activation.registered``: the new registration of that serial."""

    registration_id: str = field(metadata=wire("registrationID"))


class PushResult(EventDetails):
    """``push.result``: how the dispatch ended; ``challenge_key`` once delivered."""

    outcome: str
    challenge_key: bool | None = field(default=None, metadata=wire("challengeKey", sparse=True))


class EndedNoticeSent(EventDetails):
    """``push.ended``: the "request ended" notice, the outcome it told, what the provider said."""

    outcome: str
    service: str
    result: str  # delivered | unregistered | retryable | ...


class PushRegistered(AuthenticatorDetails):
    """``authenticator.push_registered``: the push app its pushes go through."""

    app_id: str = field(metadata=wire("appID"))


class ResponseReceived(MessageDetails):
    """``response.received``: a phone's answer as it came (header/body when readable)."""

    header_verified: bool = field(metadata=wire("headerVerified"))
    serial: str
    attributed: bool  # filed under a guessed session: the message named none


class AuthenticatorStatus(AuthenticatorDetails):
    """``authenticator.status``: the new status, when a push outcome set it."""

    status: str | None = field(default=None, metadata=wire(sparse=True))


class ResponseRefused(EventDetails):
    """``response.refused``: the failed check; with why and every check for an unusable message."""

    check: str
    reason: str | None = field(default=None, metadata=wire(sparse=True))
    checks: tuple[Mapping[str, Any], ...] | None = field(default=None, metadata=wire(sparse=True))
    serial: str | None = field(default=None, metadata=wire(sparse=True))


class CoolDown(EventDetails):
    """``ratelimit.cooldown``: until when the user's logins are refused (push bombing)."""

    until: float


DETAILS_FOR: dict[CoreEvent, type[EventDetails]] = {
    CoreEvent.CORE_STARTED: NoDetails,
    CoreEvent.CORE_STOPPED: NoDetails,
    CoreEvent.LOGIN_RECEIVED: LoginDetails,
    CoreEvent.LOGIN_REFUSED: LoginDetails,
    CoreEvent.CHALLENGE_CREATED: MessageDetails,
    CoreEvent.CHALLENGE_FETCHED: NoDetails,
    CoreEvent.PUSH_ATTEMPT: PushAttempted,
    CoreEvent.PUSH_RESULT: PushResult,
    CoreEvent.PUSH_ENDED: EndedNoticeSent,
    CoreEvent.RESPONSE_RECEIVED: ResponseReceived,
    CoreEvent.RESPONSE_REFUSED: ResponseRefused,
    CoreEvent.SESSION_DECIDED: SessionDecided,
    CoreEvent.RATELIMIT_COOLDOWN: CoolDown,
    CoreEvent.ACTIVATION_REGISTERED: ActivationRegistered,
    CoreEvent.ACTIVATION_ACTIVATED: AuthenticatorDetails,
    CoreEvent.ACTIVATION_DEVICE_ADDED: AuthenticatorDetails,
    CoreEvent.ACTIVATION_DEVICE_CODE_REFUSED: AuthenticatorDetails,
    CoreEvent.ADMIN_DOMAIN_CREATED: NoDetails,
    CoreEvent.ADMIN_DOMAIN_UPDATED: NoDetails,
    CoreEvent.ADMIN_PUSH_APP_SAVED: NoDetails,
    CoreEvent.ADMIN_USER_CREATED: NoDetails,
    CoreEvent.ADMIN_USER_CHANGED: NoDetails,
    CoreEvent.AUTHENTICATOR_PUSH_REGISTERED: PushRegistered,
    CoreEvent.AUTHENTICATOR_STATUS: AuthenticatorStatus,
}
