"""In-memory stand-ins for the core's device API and a push service.

``FakeCore`` runs the real server-side protocol (activation, request sealing,
``validate_response``) so what the phone sends is judged exactly as the core
would judge it; it records every call the phone makes. ``FakeDelivery`` is a
store-and-forward queue per token, like the mocks' delivery streams.
"""

from __future__ import annotations

import asyncio
import itertools
import secrets
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from core.clock import Clock
from core.protocol.activation import (
    ServerActivationState,
    accept_device_code,
    generate_activation_password,
    generate_serial,
    start_server_activation,
    verify_activation_signature,
)
from core.protocol.errors import ActivationError, InvalidMessageBody, SecureChannelError
from core.protocol.keys import AuthenticatorKeys, UnlockProtection
from core.protocol.messages import (
    ChallengeRequest,
    ChallengeResponse,
    RequestContext,
    new_challenge,
)
from core.protocol.secure_channel import MessageType, NonceRegistry, Protection, open_message, seal
from core.protocol.session import SessionFacts, SessionStatus, Verdict, validate_response
from core.protocol.signature import verify_signature
from simulators.phone.core_client import NotificationRegistration, ResponseReceipt
from simulators.phone.errors import CoreApiError
from simulators.phone.identity import AppInfo, Platform
from simulators.phone.push_delivery import PushRegistration, PushTokenRevoked


@dataclass
class FakeAuthenticator:
    keys: AuthenticatorKeys
    user_id: str
    domain: str
    active: bool = False
    push_token: str | None = None
    platform: str | None = None
    app_id: str | None = None


@dataclass
class FakeSession:
    request: ChallengeRequest
    message: str
    challenge_key: str | None
    number: int | None
    status: SessionStatus = SessionStatus.PENDING
    fetched: bool = False
    verdicts: list[Verdict] = field(default_factory=list)


class FakeCore:
    """Implements ``CoreDeviceApi`` in memory, with the real protocol functions."""

    def __init__(self, *, clock: Clock, delivery: FakeDelivery) -> None:
        self.clock = clock
        self.delivery = delivery
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.registrations: dict[str, ServerActivationState] = {}
        self.authenticators: dict[str, FakeAuthenticator] = {}
        self.sessions: dict[str, FakeSession] = {}
        self.nonces = NonceRegistry()
        self.allow_polling = True
        # Where login() hands its pushes (token, payload); a real mock in integration tests.
        self.push_sink: Callable[[str, Mapping[str, Any]], object] = delivery.deliver
        self._ids = itertools.count(1)

    # -- portal / login side (what the test drives) ----------------------------
    def register_user(self, user_id: str = "alice", domain: str = "demo") -> tuple[str, str, str]:
        """(registration ID, activation message 1, activation password)."""
        registration_id = f"reg{next(self._ids)}"
        password = generate_activation_password()
        state, message1 = start_server_activation(
            serial=generate_serial(),
            user_id=user_id,
            domain=domain,
            registration_id=registration_id,
            activation_password=password,
        )
        self.registrations[registration_id] = state
        return registration_id, message1, password

    def login(
        self,
        serial: str,
        *,
        protection: UnlockProtection = UnlockProtection.DEVICE,
        numbers: tuple[int, ...] | None = None,
        number: int | None = None,
        timeout: float = 60.0,
        by_challenge_key: bool = False,
        push: bool = True,
        title: str = "Transaction Request",
        subject: str = "Tap here to confirm transaction",
    ) -> str:
        """Start a push login for ``serial``; returns the request ID."""
        authenticator = self.authenticators[serial]
        now = self.clock.now()
        request_id = f"req{next(self._ids)}"
        request = ChallengeRequest(
            request_id=request_id,
            challenge=new_challenge(),
            user_id=authenticator.user_id,
            domain=authenticator.domain,
            serial=serial,
            protection=protection,
            expires=now + timeout,
            title=title,
            subject=subject,
            context=RequestContext(client_ip="192.0.2.7", time=now),
            numbers=numbers,
        )
        message = seal(
            type=MessageType.REQUEST,
            protection=Protection.ENCRYPT_AND_MAC,
            serial=serial,
            body=request.to_bytes(),
            keys=authenticator.keys.server_to_device,
        )
        challenge_key = secrets.token_hex(16) if by_challenge_key else None
        self.sessions[request_id] = FakeSession(
            request=request, message=message, challenge_key=challenge_key, number=number
        )
        if push:
            assert authenticator.push_token is not None, "phone has no push registration"
            data: dict[str, Any] = {"pushsim": "1", "serialNumber": serial, "requestID": request_id}
            if challenge_key is not None:
                data["challengeKey"] = challenge_key
            else:
                data["requestMessage"] = message
            self.push_sink(
                authenticator.push_token,
                {**data, "notification": {"title": title, "body": subject}},
            )
        return request_id

    def status(self, request_id: str) -> SessionStatus:
        return self.sessions[request_id].status

    def last_verdict(self, request_id: str) -> Verdict:
        return self.sessions[request_id].verdicts[-1]

    # -- CoreDeviceApi -----------------------------------------------------------
    async def add_device(self, registration_id: str, device_code: str) -> str:
        self.calls.append(
            ("add_device", {"registrationID": registration_id, "deviceCode": device_code})
        )
        state = self.registrations[registration_id]
        try:
            keys, message2 = accept_device_code(state, device_code)
        except ActivationError as exc:
            raise CoreApiError(400, exc.reason) from exc
        offer = state.offer
        self.authenticators[offer.serial] = FakeAuthenticator(
            keys=keys, user_id=offer.user_id, domain=offer.domain
        )
        return message2

    async def activate(self, registration_id: str, signature: str) -> str:
        self.calls.append(("activate", {"registrationID": registration_id, "signature": signature}))
        serial = self.registrations[registration_id].offer.serial
        authenticator = self.authenticators[serial]
        if not verify_activation_signature(authenticator.keys, registration_id, signature):
            raise CoreApiError(400, "activation signature invalid")
        authenticator.active = True
        return serial

    async def register_notifications(
        self, serial: str, registration: NotificationRegistration, *, signature: str
    ) -> None:
        body = dict(registration)
        self.calls.append(
            ("register_notifications", {"serialNumber": serial, **body, "signature": signature})
        )
        authenticator = self.authenticators[serial]
        fields = {"purpose": "notification-registration", "serialNumber": serial, **body}
        device_key = authenticator.keys.instance_keys[UnlockProtection.DEVICE]
        if not verify_signature(device_key, fields, signature):
            raise CoreApiError(401, "signature invalid")
        authenticator.push_token, authenticator.platform, authenticator.app_id = (
            registration["pushToken"],
            registration["platform"],
            registration["appID"],
        )

    async def pending(self, serial: str, *, time: float, signature: str) -> str | None:
        self.calls.append(
            ("pending", {"serialNumber": serial, "time": time, "signature": signature})
        )
        if not self.allow_polling:
            raise CoreApiError(403, "polling is not allowed in this domain")
        device_key = self.authenticators[serial].keys.instance_keys[UnlockProtection.DEVICE]
        fields = {"purpose": "pending", "serialNumber": serial, "time": time}
        if not verify_signature(device_key, fields, signature):
            raise CoreApiError(401, "signature invalid")
        for session in reversed(list(self.sessions.values())):
            if (
                session.request.serial == serial
                and session.status is SessionStatus.PENDING
                and not session.fetched
            ):
                session.fetched = True
                return session.message
        return None

    async def fetch_challenge(self, serial: str, challenge_key: str) -> str:
        self.calls.append(
            ("fetch_challenge", {"serialNumber": serial, "challengeKey": challenge_key})
        )
        for session in self.sessions.values():
            if session.challenge_key == challenge_key and session.request.serial == serial:
                if session.fetched:
                    break
                session.fetched = True
                return session.message
        raise CoreApiError(404, "challenge not found")

    async def post_response(self, serial: str, response_message: str) -> ResponseReceipt:
        self.calls.append(
            ("post_response", {"serialNumber": serial, "responseMessage": response_message})
        )
        authenticator = self.authenticators.get(serial)
        if authenticator is None:
            return ResponseReceipt(http_status=404, message="unknown authenticator")
        session: FakeSession | None = None
        try:  # find the session the way the core does: decrypt, read requestID
            opened = open_message(
                response_message,
                keys=authenticator.keys.device_to_server,
                expected_type=MessageType.RESPONSE,
            )
            session = self.sessions.get(ChallengeResponse.from_bytes(opened.body).request_id)
        except (SecureChannelError, InvalidMessageBody):
            session = None
        facts = None
        if session is not None:
            facts = SessionFacts(
                request_id=session.request.request_id,
                serial=session.request.serial,
                challenge=session.request.challenge,
                status=session.status,
                required_protection=session.request.protection,
                expires=session.request.expires,
                number=session.number,
            )
        verdict = validate_response(
            message=response_message,
            authenticator_serial=serial,
            authenticator_active=authenticator.active,
            keys=authenticator.keys,
            session=facts,
            nonce_is_fresh=self.nonces.check_and_remember,
            now=self.clock.now(),
        )
        if session is not None:
            session.verdicts.append(verdict)
        if verdict.outcome is None or session is None:
            failed = verdict.failed.value if verdict.failed else None
            return ResponseReceipt(http_status=400, message=verdict.reason, check=failed)
        session.status = verdict.outcome
        return ResponseReceipt(
            http_status=200,
            request_id=session.request.request_id,
            session_status=verdict.outcome.value,
            reason=verdict.reason,
        )


@dataclass(frozen=True, kw_only=True)
class FakePush:
    service: str
    token: str
    message_id: str
    payload: Mapping[str, Any]
    received_at: float


class FakeDelivery:
    """Store-and-forward per token; a stream is an async generator over the queue."""

    def __init__(self, service: str = "fcm") -> None:
        self.service = service
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._queues: dict[str, asyncio.Queue[FakePush | None]] = {}
        self.unregistered: set[str] = set()
        self.open_streams: dict[str, int] = {}
        self.secrets: dict[str, str] = {}  # token -> registration secret
        self._ids = itertools.count(1)

    async def register(self, *, platform: Platform, app: AppInfo) -> PushRegistration:
        self.calls.append(("register", {"platform": platform.value, "appID": app.app_id}))
        token = (
            secrets.token_hex(32) if platform is Platform.IOS else f"fcm-{secrets.token_hex(12)}"
        )
        self._queues[token] = asyncio.Queue()
        self.secrets[token] = secrets.token_urlsafe(16)
        return PushRegistration(token, self.secrets[token])

    async def notifications(
        self,
        token: str,
        *,
        secret: str | None = None,
        on_online: Callable[[], None] | None = None,
    ) -> AsyncIterator[FakePush]:
        self.calls.append(("stream", {"token": token}))
        if token in self.unregistered or token not in self._queues:
            raise PushTokenRevoked(token)
        if secret is None or secret != self.secrets[token]:  # as the mocks refuse it
            raise PushTokenRevoked(token)
        queue = self._queues[token]
        self.open_streams[token] = self.open_streams.get(token, 0) + 1
        if on_online is not None:
            on_online()
        try:
            while True:
                push = await queue.get()
                if push is None:
                    raise PushTokenRevoked(token)
                yield push
        finally:
            self.open_streams[token] -= 1

    def revoke(self, token: str) -> None:
        """The service unregisters the token by itself (an "app uninstalled" fault)."""
        self.unregistered.add(token)
        self._queues[token].put_nowait(None)

    async def unregister(self, token: str) -> None:
        self.calls.append(("unregister", {"token": token}))
        self.unregistered.add(token)

    def deliver(self, token: str, payload: Mapping[str, Any]) -> bool:
        """Queue a push (stored while the phone is offline); False if the token is dead."""
        if token in self.unregistered or token not in self._queues:
            return False
        self._queues[token].put_nowait(
            FakePush(
                service=self.service,
                token=token,
                message_id=f"m{next(self._ids)}",
                payload=payload,
                received_at=0.0,
            )
        )
        return True

    def queued(self, token: str) -> int:
        return self._queues[token].qsize()
