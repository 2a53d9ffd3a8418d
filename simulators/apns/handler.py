"""What the mock APNs answers to one ``POST /3/device/{token}``, transport aside.

Checks run in a fixed order, so each outcome is predictable:

1. method (405 ``MethodNotAllowed``), path (404 ``BadPath``, 400
   ``MissingDeviceToken``), repeated headers (``DuplicateHeaders``), apns-id;
2. provider authentication: the client certificate's topic, else the provider
   token (``MissingProviderToken``, ``InvalidProviderToken``,
   ``ExpiredProviderToken``);
3. headers: ``MissingTopic`` (token auth), ``TopicDisallowed`` (certificate for
   another topic), ``InvalidPushType``, ``BadPriority``, ``BadExpirationDate``,
   ``BadCollapseId``;
4. payload: ``PayloadEmpty``, ``PayloadTooLarge`` (4096 bytes; 5120 for VoIP),
   ``BadPayload`` (not a JSON object);
5. the fault plan (latency, an injected error, or a silent drop);
6. the device token: ``BadDeviceToken`` (malformed, unknown, or for the other
   environment when the request names one through its host),
   ``Unregistered`` 410 with ``timestamp``, ``DeviceTokenNotForTopic``;
7. accepted: the delivery hub delivers it or keeps the newest per device and
   app until ``apns-expiration`` (absent: 30 days; 0: never stored).
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Any

from core.clock import Clock
from core.protocol.strict_json import StrictJsonError, read_json_object
from simulators.apns.auth import ProviderTokenVerifier
from simulators.apns.reasons import ApnsResponse
from simulators.delivery.event_details import ApnsSendAnswer, ApnsSendRequest, FaultFired, Notice
from simulators.delivery.event_kinds import MockEvent
from simulators.delivery.faults import Fault, FaultKind
from simulators.delivery.hub import DeliveryHub
from simulators.delivery.registry import APNS_TOKEN_RE
from simulators.delivery.store import Notification

PAYLOAD_LIMIT = 4096
VOIP_PAYLOAD_LIMIT = 5120
DEFAULT_STORE_SECONDS = 30 * 24 * 3600
PUSH_TYPES = frozenset(
    {
        "alert",
        "background",
        "location",
        "voip",
        "complication",
        "fileprovider",
        "mdm",
        "liveactivity",
        "pushtotalk",
        "widgets",
    }
)
_EXPIRATION_RE = re.compile(r"[0-9]{1,12}")  # epoch seconds; 12 digits is year 33658
UUID_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
PATH_PREFIX = "/3/device/"
_SINGLE_HEADERS = (
    "apns-id",
    "apns-topic",
    "apns-push-type",
    "apns-priority",
    "apns-expiration",
    "apns-collapse-id",
    "authorization",
)


@dataclass(frozen=True, kw_only=True)
class ApnsRequest:
    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    authority: str = ""
    certificate_topic: str | None = None
    body_too_large: bool = False

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key == name:
                return value
        return None

    @property
    def environment(self) -> str | None:
        """The APNs environment a real host name implies (127.0.0.1 implies none)."""
        host = self.authority.lower()
        if "sandbox" in host or "development" in host:
            return "sandbox"
        if host.startswith("api.push.apple.com"):
            return "production"
        return None


def _request_id(payload: Any) -> str | None:
    value = payload.get("requestID") if isinstance(payload, dict) else None
    return value if isinstance(value, str) else None


class ApnsService:
    def __init__(self, *, hub: DeliveryHub, verifier: ProviderTokenVerifier, clock: Clock) -> None:
        self.hub = hub
        self.verifier = verifier
        self.clock = clock

    async def handle(self, request: ApnsRequest) -> ApnsResponse:
        raw = request.body.decode("utf-8", errors="replace")
        safe_headers = {k: v for k, v in request.headers if k != "authorization"}
        payload = _json_object(request.body)
        request_id = _request_id(payload)
        self.hub.emit(
            MockEvent.SEND,
            f"{request.method} {request.path}",
            raw=raw,
            request_id=request_id,
            details=ApnsSendRequest(
                headers=safe_headers,
                auth="certificate" if request.certificate_topic else "token",
            ),
        )
        response, outcome = await self._decide(request, payload)
        self.hub.emit(
            MockEvent.ACCEPTED if response.status == 200 else MockEvent.REJECTED,
            f"HTTP {response.status} {response.reason or outcome}",
            raw=response.body.decode("utf-8") or None,
            request_id=request_id,
            details=ApnsSendAnswer(
                status=response.status,
                reason=response.reason,
                apns_id=response.apns_id,
                outcome=outcome,
            ),
        )
        return response

    async def _decide(self, request: ApnsRequest, payload: Any) -> tuple[ApnsResponse, str]:
        given_id = request.header("apns-id")
        # Echoed even when malformed (BadMessageId): clients match answers by it.
        apns_id = given_id or str(uuid.uuid4()).upper()

        def error(reason: str, timestamp: int | None = None) -> tuple[ApnsResponse, str]:
            return ApnsResponse.error(reason, apns_id, timestamp=timestamp), reason

        if request.method != "POST":
            return error("MethodNotAllowed")
        if not request.path.startswith(PATH_PREFIX) or "/" in request.path[len(PATH_PREFIX) :]:
            return error("BadPath")
        token = request.path[len(PATH_PREFIX) :]
        if not token:
            return error("MissingDeviceToken")
        counts = Counter(name for name, _ in request.headers)
        if any(counts[name] > 1 for name in _SINGLE_HEADERS):
            return error("DuplicateHeaders")
        if given_id is not None and not UUID_RE.match(given_id):
            return error("BadMessageId")

        topic = request.header("apns-topic")
        if request.certificate_topic is not None:
            if topic is not None and topic != request.certificate_topic:
                return error("TopicDisallowed")
            topic = request.certificate_topic
        else:
            reason = self.verifier.check(request.header("authorization"))
            if reason is not None:
                return error(reason)
            if not topic:
                return error("MissingTopic")

        reason = _header_problem(request)
        if reason is not None:
            return error(reason)
        push_type = request.header("apns-push-type") or "alert"
        limit = VOIP_PAYLOAD_LIMIT if push_type == "voip" else PAYLOAD_LIMIT
        if request.body_too_large or len(request.body) > limit:
            return error("PayloadTooLarge")
        if not request.body.strip():
            return error("PayloadEmpty")
        if payload is None:
            return error("BadPayload")

        decision = self.hub.faults.decide(token.lower())
        for fault in decision.fired:
            self.hub.emit(
                MockEvent.FAULT_FIRED,
                f"fault {fault.kind.value} fired",
                request_id=_request_id(payload),
                details=FaultFired(fault=fault, target=token),
            )
        if decision.latency:
            await asyncio.sleep(decision.latency)
        if decision.error is not None:
            return self._fault_answer(decision.error, apns_id)

        if not APNS_TOKEN_RE.match(token):
            return error("BadDeviceToken")
        registration = self.hub.registry.get(token.lower())
        if registration is None:
            return error("BadDeviceToken")
        if request.environment is not None and registration.environment != request.environment:
            return error("BadDeviceToken")
        if registration.unregistered_at is not None:
            return error("Unregistered", int(registration.unregistered_at * 1000))
        if not _topic_matches(topic, registration.app_id):
            return error("DeviceTokenNotForTopic")

        now = self.clock.now()
        expires_at, storable = _expiry(request.header("apns-expiration"), now)
        notification = Notification(
            service="apns",
            message_id=apns_id,
            token=registration.token,
            app_id=registration.app_id,
            payload=payload,
            raw=request.body.decode("utf-8"),
            accepted_at=now,
            expires_at=expires_at,
            storable=storable,
            collapse_key=request.header("apns-collapse-id"),
            request_id=_request_id(payload),
            details=Notice(
                topic=topic, push_type=push_type, priority=request.header("apns-priority") or "10"
            ),
        )
        outcome = self.hub.accept(
            notification, dropped_by=decision.drop.id if decision.drop else None
        )
        return ApnsResponse(status=200, apns_id=apns_id), outcome

    def _fault_answer(self, fault: Fault, apns_id: str) -> tuple[ApnsResponse, str]:
        reason = {
            FaultKind.RATE_LIMIT: "TooManyRequests",
            FaultKind.OUTAGE: "ServiceUnavailable",
            FaultKind.EXPIRED_CREDENTIALS: "ExpiredProviderToken",
            FaultKind.INVALID_CREDENTIALS: "InvalidProviderToken",
        }.get(fault.kind, fault.error or "InternalServerError")
        timestamp = (
            int(self.clock.now() * 1000) if reason in ("Unregistered", "ExpiredToken") else None
        )
        return ApnsResponse.error(reason, apns_id, timestamp=timestamp), f"fault {fault.kind.value}"


def _json_object(body: bytes) -> dict[str, Any] | None:
    """The payload as a strict JSON object (no NaN, duplicate keys, deep nesting), else None."""
    try:
        return read_json_object(body)
    except StrictJsonError:
        return None


def _header_problem(request: ApnsRequest) -> str | None:
    push_type = request.header("apns-push-type")
    if push_type is not None and push_type not in PUSH_TYPES:
        return "InvalidPushType"
    priority = request.header("apns-priority")
    if priority is not None and priority not in ("1", "5", "10"):
        return "BadPriority"
    expiration = request.header("apns-expiration")
    if expiration is not None and not _EXPIRATION_RE.fullmatch(expiration):
        return "BadExpirationDate"  # ASCII digits only, and a float can hold them
    collapse_id = request.header("apns-collapse-id")
    if collapse_id is not None and len(collapse_id.encode("utf-8")) > 64:
        return "BadCollapseId"
    return None


def _topic_matches(topic: str | None, bundle_id: str) -> bool:
    # Push types with their own topics: <bundle>.voip, .complication,
    # .pushkit.fileprovider, .push-type.liveactivity, ...
    return topic is not None and (topic == bundle_id or topic.startswith(bundle_id + "."))


def _expiry(header: str | None, now: float) -> tuple[float | None, bool]:
    """(expires_at, storable) from ``apns-expiration``."""
    if header is None:
        return now + DEFAULT_STORE_SECONDS, True
    expiration = int(header)
    if expiration == 0 or expiration <= now:
        return now, False  # deliver now if the device is there, never store
    return float(expiration), True
