"""Device-facing endpoints (open; the phone proves itself by signatures and Secure Channel)."""

from __future__ import annotations

from core.api.http import ApiError, Request, Response, Router
from core.api.validation import Fields, query_float
from core.service import CoreService

_SERIAL = {"type": "string", "minLength": 10, "maxLength": 10}
_HEX_MAX = 64 * 1024


def register(router: Router, service: CoreService) -> None:
    @router.route(
        "POST",
        "/v1/authenticators/{serial}/notification-registration",
        summary="Register the app's push token (signed with the device instance key)",
        tag="device",
        body={
            "type": "object",
            "required": ["platform", "pushToken", "appID", "time", "signature"],
            "properties": {
                "platform": {"enum": ["android", "ios"]},
                "pushToken": {"type": "string"},
                "appID": {"type": "string", "description": "app ID or iOS Bundle ID"},
                "time": {"type": "number"},
                "signature": {"type": "string", "pattern": "^[0-9]{16}$"},
            },
        },
        responses={
            200: "{status, serialNumber, appID, platform}",
            400: "bad body or unknown app ID",
            401: "bad signature or time",
            403: "authenticator not active",
            404: "unknown authenticator",
        },
    )
    async def notification_registration(request: Request) -> Response:
        fields = Fields(request.json())
        platform = fields.string("platform", choices=("android", "ios"))
        token = fields.string("pushToken", max_len=4096)
        app_id = fields.string("appID", max_len=255)
        time = fields.number("time")
        signature = fields.string("signature", max_len=32)
        fields.done()
        authenticator = await service.activation.register_push(
            serial=request.params["serial"],
            platform=platform,
            push_token=token,
            app_id=app_id,
            time=time,
            signature=signature,
        )
        return Response(
            200,
            {
                "status": authenticator.status,
                "serialNumber": authenticator.serial,
                "appID": authenticator.push_app_id,
                "platform": authenticator.push_platform,
            },
        )

    @router.route(
        "GET",
        "/v1/authenticators/{serial}/pending",
        summary="Poll fallback: the newest pending challenge, fetched once (signed)",
        tag="device",
        query={"time": "unix seconds", "signature": "over {purpose: pending, serialNumber, time}"},
        responses={
            200: "{requestMessage: hex | null}",
            400: "time or signature missing",
            401: "bad signature or time",
            403: "polling not allowed in the domain",
            404: "unknown authenticator",
        },
    )
    async def pending(request: Request) -> Response:
        time = query_float(request.query, "time", low=0.0, high=1e12)
        signature = request.query.get("signature", "")
        if time is None or not signature or len(signature) > 32:
            raise ApiError(
                400,
                "time and signature are required",
                validation_errors=[{"field": "time/signature", "message": "is required"}],
            )
        message = await service.device.fetch_pending(
            request.params["serial"], time=time, signature=signature
        )
        return Response(200, {"requestMessage": message})

    @router.route(
        "POST",
        "/v1/push/secure-challenge",
        summary="Fetch a prepared challenge once by its challengeKey",
        tag="device",
        body={
            "type": "object",
            "required": ["serialNumber", "challengeKey"],
            "properties": {"serialNumber": _SERIAL, "challengeKey": {"type": "string"}},
        },
        responses={200: "{requestMessage}", 400: "bad body", 404: "unknown or used key"},
    )
    async def secure_challenge(request: Request) -> Response:
        fields = Fields(request.json())
        serial = fields.string("serialNumber", max_len=10, min_len=10)
        key = fields.string("challengeKey", max_len=128)
        fields.done()
        message = await service.device.fetch_by_challenge_key(serial, key)
        return Response(200, {"requestMessage": message})

    @router.route(
        "POST",
        "/v1/push/response",
        summary="The app's signed, encrypted answer (Secure Channel type 4)",
        tag="device",
        body={
            "type": "object",
            "required": ["serialNumber", "responseMessage"],
            "properties": {"serialNumber": _SERIAL, "responseMessage": {"type": "string"}},
        },
        responses={
            200: "{requestID, sessionStatus, reason?}: the message decided the session",
            400: "bad body, bad tag or message {message, check}",
            403: "serial mismatch or replay {message, check}",
            404: "unknown authenticator or session {message, check}",
            409: "session outdated: accepted|refused|expired|failed {message, check}",
        },
    )
    async def response(request: Request) -> Response:
        fields = Fields(request.json())
        serial = fields.string("serialNumber", max_len=10, min_len=10)
        message = fields.string("responseMessage", max_len=_HEX_MAX)
        fields.done()
        decided = await service.respond(serial=serial, response_message=message)
        body = {"requestID": decided.request_id, "sessionStatus": decided.status}
        if decided.reason:
            body["reason"] = decided.reason
        return Response(200, body)
