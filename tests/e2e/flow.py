"""What the end-to-end tests do over and over: log in, wait for the phone, read the outcome."""

from __future__ import annotations

from typing import Any

import httpx

from core.events import Event
from simulators.phone import Notification, Phone
from simulators.suite import Suite

PASSWORD = "Demo-1234"


async def login(http: httpx.AsyncClient, user: str, passkey: str) -> httpx.Response:
    return await http.post(
        f"/v1/users/{user}@demo/login",
        json={
            "objectType": "LoginInput",
            "credentials": {"passKey": passkey},
            "orchestrationDelivery": ["pushNotification"],
            "clientIP": "203.0.113.7",
        },
    )


async def start_login(http: httpx.AsyncClient, user: str, passkey: str) -> str:
    response = await login(http, user, passkey)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["sessionStatus"] == "pending"
    return str(body["requestID"])


async def notification(suite: Suite, phone: Phone, request_id: str) -> Notification:
    """The notification for ``request_id`` once it has reached the phone."""

    def arrived(event: Event) -> bool:
        return phone.notification_for(request_id) is not None

    if phone.notification_for(request_id) is None:
        await suite.events.wait_for(arrived, timeout=15)
    found = phone.notification_for(request_id)
    assert found is not None
    return found


async def final_status(http: httpx.AsyncClient, request_id: str, wait: int = 15) -> dict[str, Any]:
    """Long-poll the session until it leaves ``pending`` (or the wait runs out)."""
    body: dict[str, Any] = {}
    for _ in range(4):
        response = await http.get(f"/v1/sessions/{request_id}", params={"wait": wait})
        assert response.status_code == 200, response.text
        body = response.json()
        if body["sessionStatus"] != "pending":
            return body
    return body


async def trace(suite: Suite, http: httpx.AsyncClient, request_id: str) -> dict[str, Any]:
    response = await http.get(
        f"/v1/sessions/{request_id}/trace",
        headers={"Authorization": f"Bearer {suite.workspace.admin_token()}"},
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def steps_of(trace_body: dict[str, Any]) -> set[int]:
    return {int(entry["step"]) for entry in trace_body["events"] if entry.get("step") is not None}
