"""POST /v1/users/{userID}@{domain}/login (open, as in the real service)."""

from __future__ import annotations

from typing import Any

from core.api.http import Request, Response, Router
from core.api.validation import Fields
from core.service import CoreService

LOGIN_BODY: dict[str, Any] = {
    "type": "object",
    "required": ["credentials"],
    "properties": {
        "objectType": {"type": "string", "enum": ["LoginInput"]},
        "credentials": {
            "type": "object",
            "required": ["passKey"],
            "properties": {"passKey": {"type": "string", "description": "keyword + password"}},
        },
        "orchestrationDelivery": {"type": "array", "items": {"enum": ["pushNotification"]}},
        "clientIP": {"type": "string"},
        "requestID": {"type": "string", "pattern": "^[A-Za-z0-9._:-]{1,64}$"},
    },
}


def register(router: Router, service: CoreService) -> None:
    @router.route(
        "POST",
        "/v1/users/{userID}@{domain}/login",
        summary="Log in with keyword + static password; sends the push",
        tag="login",
        body=LOGIN_BODY,
        responses={
            200: "{requestID, sessionStatus: pending|failure, reason?, number?}",
            400: "malformed body",
            401: "wrong static password or passKey; an unknown user (the same body)",
            404: "unknown domain; an unknown user where the domain reveals unknown users",
            409: "no push-ready authenticator; requestID taken",
            423: "user locked",
            429: "pending-push limit, reject cool-down or push rate limit (retryAfter)",
        },
    )
    async def login(request: Request) -> Response:
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
