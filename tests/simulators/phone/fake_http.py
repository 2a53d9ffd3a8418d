"""``FakeCore`` behind contract section 2's HTTP routes, for the real httpx client."""

from __future__ import annotations

import json
from typing import Any

import httpx

from simulators.phone.core_client import NotificationRegistration
from simulators.phone.errors import CoreApiError
from tests.simulators.phone.fakes import FakeCore


def http_transport(core: FakeCore, recorded: list[httpx.Request]) -> httpx.MockTransport:
    """``FakeCore`` behind contract section 2's HTTP routes, recording every request."""

    async def handle(request: httpx.Request) -> httpx.Response:
        recorded.append(request)
        parts = request.url.path.strip("/").split("/")
        body: dict[str, Any] = json.loads(request.content) if request.content else {}
        try:
            match (request.method, parts):
                case ("POST", ["v1", "registrations", registration_id, "add-device"]):
                    message2 = await core.add_device(registration_id, body["deviceCode"])
                    return httpx.Response(200, json={"activationMessage2": message2})
                case ("POST", ["v1", "registrations", registration_id, "activate"]):
                    serial = await core.activate(registration_id, body["signature"])
                    return httpx.Response(200, json={"serialNumber": serial, "status": "active"})
                case ("POST", ["v1", "authenticators", serial, "notification-registration"]):
                    await core.register_notifications(
                        serial,
                        NotificationRegistration(
                            platform=body["platform"],
                            pushToken=body["pushToken"],
                            appID=body["appID"],
                            time=body["time"],
                        ),
                        signature=body["signature"],
                    )
                    return httpx.Response(200, json={"status": "registered"})
                case ("GET", ["v1", "authenticators", serial, "pending"]):
                    message = await core.pending(
                        serial,
                        time=float(request.url.params["time"]),
                        signature=request.url.params["signature"],
                    )
                    return httpx.Response(200, json={"requestMessage": message})
                case ("POST", ["v1", "push", "secure-challenge"]):
                    message = await core.fetch_challenge(body["serialNumber"], body["challengeKey"])
                    return httpx.Response(200, json={"requestMessage": message})
                case ("POST", ["v1", "push", "response"]):
                    receipt = await core.post_response(
                        body["serialNumber"], body["responseMessage"]
                    )
                    answer = {
                        "requestID": receipt.request_id,
                        "sessionStatus": receipt.session_status,
                        "reason": receipt.reason,
                        "message": receipt.message,
                        "check": receipt.check,
                    }
                    return httpx.Response(
                        receipt.http_status, json={k: v for k, v in answer.items() if v is not None}
                    )
        except CoreApiError as exc:
            return httpx.Response(exc.status, json={"message": exc.message, "check": exc.check})
        return httpx.Response(404, json={"message": "no such route"})

    return httpx.MockTransport(handle)
