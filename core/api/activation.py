"""Two-step offline activation endpoints (SPEC §4, contract §2).

``get_registration`` is a ``call`` operation of ``routes.toml``.
"""

from __future__ import annotations

from core.api.http import Request, Response
from core.api.operations import operation
from core.api.validation import Fields
from core.service import CoreService


@operation
async def register_user(service: CoreService, request: Request) -> Response:
    fields = Fields(request.json())
    started = await service.activation.register(
        user_id=fields.string("userID", max_len=128),
        domain=fields.string("domain", max_len=64),
        activation_type=fields.opt_string("activationType", max_len=32) or "offlineMDL",
        app_kind=fields.string("appKind", choices=("authenticator", "sdk")),
        platform=fields.checked(fields.string("platform", choices=("android", "ios"))),
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


@operation
async def add_device(service: CoreService, request: Request) -> Response:
    fields = Fields(request.json())
    code = fields.checked(fields.string("deviceCode", max_len=256))
    message2 = await service.activation.add_device(request.params["registrationID"], code)
    return Response(200, {"activationMessage2": message2})


@operation
async def activate(service: CoreService, request: Request) -> Response:
    fields = Fields(request.json())
    signature = fields.checked(fields.string("signature", max_len=32))
    activated = await service.activation.activate(request.params["registrationID"], signature)
    return Response(200, {"serialNumber": activated.serial, "status": activated.status})
