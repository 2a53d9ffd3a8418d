"""POST /v1/users/{userID}@{domain}/login (open, as in the real service)."""

from __future__ import annotations

from typing import Any

from core.api.http import Request, Response
from core.api.operations import operation
from core.api.validation import Fields
from core.service import CoreService


@operation
async def login(service: CoreService, request: Request) -> Response:
    fields = Fields(request.json())
    fields.opt_string("objectType", choices=("LoginInput",))
    credentials = fields.object("credentials")
    passkey = credentials.string("passKey", max_len=1024, min_len=0)
    fields.merge(credentials)
    delivery = fields.opt_string_list("orchestrationDelivery")
    if delivery is not None and "pushNotification" not in delivery:
        fields.errors.append(
            {"field": "orchestrationDelivery", "message": "only pushNotification is offered"}
        )
    client_ip = fields.opt_string("clientIP", max_len=64)
    request_id = fields.opt_string("requestID", max_len=64)
    fields.done()
    result = await service.login(
        user_id=request.params["userID"],
        domain=request.params["domain"],
        passkey=passkey,
        client_ip=client_ip if client_ip is not None else request.client,
        request_id=request_id,
    )
    body: dict[str, Any] = {"requestID": result.request_id, "sessionStatus": result.status}
    if result.reason:
        body["reason"] = result.reason
    if result.number is not None:
        body["number"] = result.number
    return Response(200, body)
