"""Device-facing endpoints (open; the phone proves itself by signatures and Secure Channel)."""

from __future__ import annotations

from core.api.http import ApiError, Request, Response
from core.api.operations import operation
from core.api.validation import Fields, query_number
from core.service import CoreService

_HEX_MAX = 64 * 1024


@operation
async def notification_registration(service: CoreService, request: Request) -> Response:
    fields = Fields(request.json())
    registered = await service.activation.register_push(
        serial=request.params["serial"],
        platform=fields.string("platform", choices=("android", "ios")),
        push_token=fields.string("pushToken", max_len=4096),
        app_id=fields.string("appID", max_len=255),
        time=fields.number("time"),
        signature=fields.checked(fields.string("signature", max_len=32)),
    )
    return Response(
        200,
        {
            "status": registered.status,
            "serialNumber": registered.serial,
            "appID": registered.push_app_id,
            "platform": registered.push_platform,
        },
    )


@operation
async def pending(service: CoreService, request: Request) -> Response:
    time = query_number(request.query, "time", low=0.0, high=1e12)
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


@operation
async def secure_challenge(service: CoreService, request: Request) -> Response:
    fields = Fields(request.json())
    serial = fields.string("serialNumber", max_len=10, min_len=10)
    key = fields.checked(fields.string("challengeKey", max_len=128))
    message = await service.device.fetch_by_challenge_key(serial, key)
    return Response(200, {"requestMessage": message})


@operation
async def push_response(service: CoreService, request: Request) -> Response:
    fields = Fields(request.json())
    serial = fields.string("serialNumber", max_len=10, min_len=10)
    message = fields.checked(fields.string("responseMessage", max_len=_HEX_MAX))
    decided = await service.respond(serial=serial, response_message=message)
    body = {"requestID": decided.request_id, "sessionStatus": decided.status}
    if decided.reason:
        body["reason"] = decided.reason
    return Response(200, body)
