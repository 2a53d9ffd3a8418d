"""Two-step offline activation endpoints (SPEC §4, contract §2)."""

from __future__ import annotations

from core.api.admin_route import admin_route
from core.api.http import Request, Response, Router
from core.api.validation import Fields
from core.api.views import registration_json
from core.service import CoreService


def register(router: Router, service: CoreService) -> None:
    @admin_route(
        router,
        "POST /v1/users/register",
        "Start an activation: serial, activation password, activation message 1",
        {
            201: "{registrationID, serialNumber, activationPassword, activationMessage1, expires}",
            400: "bad body",
            404: "unknown user or domain",
        },
        tag="activation",
        body={
            "type": "object",
            "required": ["userID", "domain", "appKind", "platform"],
            "properties": {
                "userID": {"type": "string"},
                "domain": {"type": "string"},
                "activationType": {"enum": ["offlineMDL"]},
                "appKind": {"enum": ["authenticator", "sdk"]},
                "platform": {"enum": ["android", "ios"]},
            },
        },
    )
    async def register_user(request: Request) -> Response:
        fields = Fields(request.json())
        user_id = fields.string("userID", max_len=128)
        domain = fields.string("domain", max_len=64)
        activation_type = fields.opt_string("activationType", max_len=32) or "offlineMDL"
        app_kind = fields.string("appKind", choices=("authenticator", "sdk"))
        platform = fields.string("platform", choices=("android", "ios"))
        fields.done()
        started = await service.activation.register(
            user_id=user_id,
            domain=domain,
            app_kind=app_kind,
            platform=platform,
            activation_type=activation_type,
        )
        return Response(
            201,
            {
                "registrationID": started.registration_id,
                "serialNumber": started.serial,
                "activationPassword": started.activation_password,
                "activationMessage1": started.activation_message1,
                "expires": started.expires,
            },
        )

    @router.route(
        "POST",
        "/v1/registrations/{registrationID}/add-device",
        summary="Enter the phone's device code; returns activation message 2",
        tag="activation",
        body={
            "type": "object",
            "required": ["deviceCode"],
            "properties": {"deviceCode": {"type": "string"}},
        },
        responses={
            200: "{activationMessage2}",
            400: "wrong activation password or mistyped device code {remainingAttempts}",
            404: "unknown registration",
            409: "device already added",
            410: "registration expired",
            423: "registration locked",
        },
    )
    async def add_device(request: Request) -> Response:
        fields = Fields(request.json())
        code = fields.string("deviceCode", max_len=256)
        fields.done()
        message2 = await service.activation.add_device(request.params["registrationID"], code)
        return Response(200, {"activationMessage2": message2})

    @router.route(
        "POST",
        "/v1/registrations/{registrationID}/activate",
        summary="Finish activation with a signature over the registration ID",
        tag="activation",
        body={
            "type": "object",
            "required": ["signature"],
            "properties": {"signature": {"type": "string", "pattern": "^[0-9]{16}$"}},
        },
        responses={
            200: "{serialNumber, status: active}",
            401: "signature does not verify",
            404: "unknown registration",
            409: "device not added yet / already active",
            410: "registration expired",
        },
    )
    async def activate(request: Request) -> Response:
        fields = Fields(request.json())
        signature = fields.string("signature", max_len=32)
        fields.done()
        authenticator = await service.activation.activate(
            request.params["registrationID"], signature
        )
        return Response(200, {"serialNumber": authenticator.serial, "status": authenticator.status})

    @admin_route(
        router,
        "GET /v1/registrations/{registrationID}",
        "A registration's status",
        {200: "the registration", 404: "unknown"},
        tag="activation",
    )
    async def get_registration(request: Request) -> Response:
        registration = await service.activation.get(request.params["registrationID"])
        return Response(200, registration_json(registration))
