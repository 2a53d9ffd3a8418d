"""The mock FCM as an ASGI app: OAuth token endpoint, HTTP v1 send, device and control.

A send is handled in a fixed order, so every outcome is predictable:

1. bearer access token (401 ``UNAUTHENTICATED``), project in the path must be
   the service account's (403 ``PERMISSION_DENIED``);
2. request validation (400 ``INVALID_ARGUMENT``, see ``validation``);
3. the fault plan (latency, then an injected error, or a silent drop);
4. the target: a well-formed token that is unknown or unregistered is 404
   ``UNREGISTERED``, one registered for another sender is 403
   ``SENDER_ID_MISMATCH``;
5. ``validate_only`` stops here (``.../messages/fake_message_id``); otherwise
   the delivery hub delivers or stores it (ttl rules) and the answer is
   ``{"name": "projects/{p}/messages/{id}"}``.

Topic and condition sends are accepted and reach nobody (no subscriptions in
the mock).
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import Callable
from typing import Any

from core.clock import Clock
from core.protocol.strict_json import StrictJsonError, read_json
from core.provider_credentials import ProviderCredentials
from simulators.delivery.access import ControlAccess
from simulators.delivery.asgi import HttpRequest, HttpResponse, RoutedApp, Router, with_params
from simulators.delivery.event_details import (
    FaultFired,
    FcmSendAnswer,
    FcmSendRequest,
    Notice,
    OAuthTokenRequest,
)
from simulators.delivery.event_kinds import MockEvent
from simulators.delivery.faults import Fault, FaultKind, FaultPlan
from simulators.delivery.hub import DeliveryHub
from simulators.delivery.registry import FCM_TOKEN_RE, FID_RE, Registration
from simulators.delivery.routes import control_routes, device_routes
from simulators.delivery.store import Notification
from simulators.fcm.errors import (
    FcmErrorCode,
    fcm_error,
    rpc_error,
    unauthenticated,
)
from simulators.fcm.oauth import OAuthIssuer
from simulators.fcm.validation import MAX_TTL, FcmInvalid, FcmSend, parse_send

SEND_PATH = "/v1/projects/{project}/messages:send"


def _not_found(request: HttpRequest) -> HttpResponse:
    return rpc_error(404, "NOT_FOUND", f"Requested entity was not found: {request.path}")


def _message_id(now: float) -> str:
    return f"0:{int(now * 1000)}%{secrets.token_hex(8)}"


class FcmApi:
    def __init__(
        self,
        *,
        credentials: ProviderCredentials,
        hub: DeliveryHub,
        clock: Clock,
        token_uri: Callable[[], str | None],
        describe: Callable[[], dict[str, Any]],
        access: ControlAccess,
    ) -> None:
        self.credentials = credentials
        self.hub = hub
        self.faults: FaultPlan = hub.faults
        self.clock = clock
        self.oauth = OAuthIssuer(credentials=credentials, clock=clock, token_uri=token_uri)
        self.router = Router()
        self.router.add("POST", "/token", with_params(self._token))
        self.router.add("POST", SEND_PATH, with_params(self._send))
        self.router.include(device_routes(hub))
        self.router.include(control_routes(hub, describe=describe, access=access))
        self.app = RoutedApp(self.router, not_found=_not_found)

    # -- OAuth ------------------------------------------------------------------
    async def _token(self, request: HttpRequest, _: dict[str, str]) -> HttpResponse:
        answer = self.oauth.token_request(
            request.body, refuse_all=self.faults.credentials_invalid()
        )
        outcome = "issued" if answer.status == 200 else answer.body.get("error", "refused")
        self.hub.emit(
            MockEvent.OAUTH_TOKEN,
            f"OAuth token request: {outcome}",
            raw="grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<redacted>",
            details=OAuthTokenRequest(status=answer.status, claims=answer.claims),
        )
        return HttpResponse.json(
            answer.status, answer.body, headers=(("cache-control", "no-store"),)
        )

    # -- send ---------------------------------------------------------------------
    async def _send(self, request: HttpRequest, params: dict[str, str]) -> HttpResponse:
        raw = request.body.decode("utf-8", errors="replace")
        request_id = _request_id(request.body)
        self.hub.emit(
            MockEvent.SEND,
            f"POST messages:send for project {params['project']}",
            raw=raw,
            request_id=request_id,
            details=FcmSendRequest(project=params["project"]),
        )
        response, outcome = await self._handle_send(request, params["project"])
        try:
            answer: Any = json.loads(response.body)
        except ValueError:
            answer = {}
        self.hub.emit(
            MockEvent.ACCEPTED if response.status == 200 else MockEvent.REJECTED,
            f"HTTP {response.status} {outcome}".rstrip(),
            raw=response.body.decode("utf-8"),
            request_id=request_id,
            details=FcmSendAnswer(status=response.status, outcome=outcome, answer=answer),
        )
        return response

    async def _handle_send(self, request: HttpRequest, project: str) -> tuple[HttpResponse, str]:
        grant = self.oauth.check_bearer(request.header("authorization"))
        if grant is None:
            return unauthenticated(), "bad bearer"
        if project != grant.project_id:
            return rpc_error(
                403,
                "PERMISSION_DENIED",
                f"Permission 'cloudmessaging.messages.create' denied on resource "
                f"'//cloudresourcemanager.googleapis.com/projects/{project}' "
                "(or it may not exist).",
            ), "wrong project"
        try:
            send = parse_send(request.body)
        except FcmInvalid as exc:
            return fcm_error(FcmErrorCode.INVALID_ARGUMENT, exc.message, field=exc.field), (
                "invalid"
            )

        registration: Registration | None = None
        if send.target_kind in ("token", "fid"):
            fault_token = self.hub.registry.find(send.target)
            decision_token = fault_token.token if fault_token else send.target
        else:
            decision_token = None
        decision = self.faults.decide(decision_token)
        for fault in decision.fired:
            self._emit_fault(fault, decision_token, _request_id(request.body))
        if decision.latency:
            await asyncio.sleep(decision.latency)
        if decision.error is not None:
            return self._fault_answer(decision.error), f"fault {decision.error.kind.value}"

        if send.target_kind in ("token", "fid"):
            registration, refusal = self._resolve(send)
            if refusal is not None:
                return refusal
        if send.validate_only:
            return HttpResponse.json(
                200, {"name": f"projects/{project}/messages/fake_message_id"}
            ), "validate_only"

        now = self.clock.now()
        message_id = _message_id(now)
        name = f"projects/{project}/messages/{message_id}"
        if registration is None:
            return HttpResponse.json(200, {"name": name}), f"{send.target_kind} (no subscribers)"
        outcome = self.hub.accept(
            self._notification(send, registration, message_id, now, request),
            dropped_by=decision.drop.id if decision.drop else None,
        )
        return HttpResponse.json(200, {"name": name}), outcome

    def _resolve(
        self, send: FcmSend
    ) -> tuple[Registration | None, tuple[HttpResponse, str] | None]:
        shape = FCM_TOKEN_RE if send.target_kind == "token" else FID_RE
        if not (shape.match(send.target) or FCM_TOKEN_RE.match(send.target)):
            return None, (
                fcm_error(
                    FcmErrorCode.INVALID_ARGUMENT,
                    "The registration token is not a valid FCM registration token",
                    field=f"message.{send.target_kind}",
                ),
                "invalid token",
            )
        registration = self.hub.registry.find(send.target)
        if registration is None or not registration.active:
            return None, (fcm_error(FcmErrorCode.UNREGISTERED), "unregistered")
        if registration.project_id != self.credentials.fcm_project_id:
            return None, (fcm_error(FcmErrorCode.SENDER_ID_MISMATCH), "sender mismatch")
        return registration, None

    def _notification(
        self,
        send: FcmSend,
        registration: Registration,
        message_id: str,
        now: float,
        request: HttpRequest,
    ) -> Notification:
        ttl = float(MAX_TTL) if send.ttl is None else send.ttl
        return Notification(
            service="fcm",
            message_id=message_id,
            token=registration.token,
            app_id=registration.app_id,
            payload=send.device_payload(),
            raw=request.body.decode("utf-8", errors="replace"),
            accepted_at=now,
            expires_at=now + ttl,
            storable=ttl > 0,
            collapse_key=send.collapse_key,
            request_id=send.data.get("requestID"),
            details=Notice(ttl=ttl, priority=send.priority or "normal"),
        )

    def _fault_answer(self, fault: Fault) -> HttpResponse:
        if fault.kind is FaultKind.RATE_LIMIT:
            return fcm_error(FcmErrorCode.QUOTA_EXCEEDED, retry_after=fault.retry_after)
        if fault.kind is FaultKind.OUTAGE:
            return fcm_error(FcmErrorCode.UNAVAILABLE, retry_after=fault.retry_after)
        if fault.kind is FaultKind.EXPIRED_CREDENTIALS:
            return unauthenticated("Request had expired authentication credentials.")
        if fault.kind is FaultKind.INVALID_CREDENTIALS:
            return unauthenticated()
        return fcm_error(FcmErrorCode(str(fault.error)), retry_after=fault.retry_after)

    def _emit_fault(self, fault: Fault, token: str | None, request_id: str | None) -> None:
        self.hub.emit(
            MockEvent.FAULT_FIRED,
            f"fault {fault.kind.value} fired",
            request_id=request_id,
            details=FaultFired(fault=fault, target=token),
        )


def _request_id(body: bytes) -> str | None:
    """The push login's requestID from the data pairs, when the body has one."""
    try:
        data = read_json(body)["message"]["data"]["requestID"]
    except (StrictJsonError, KeyError, TypeError):
        return None
    return data if isinstance(data, str) else None
