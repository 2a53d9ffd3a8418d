"""HTTP routes every mock serves besides its provider API: devices and control.

Device API (like a phone's link to Google Play services or apsd):

- ``POST /pushsim/v1/devices`` — register: FCM ``{"projectId", "appId"}``,
  APNs ``{"bundleId", "environment"}`` → ``201 {"token", ...,
  "registrationSecret"}`` (the secret is answered this once)
- ``GET /pushsim/v1/devices/{token}`` — registration and online state
- ``DELETE /pushsim/v1/devices/{token}`` — uninstall (token unregistered)
- ``GET /pushsim/v1/devices/{token}/stream`` — the delivery stream (NDJSON,
  see ``wire``); holding it open is being online. It needs the header
  ``X-PushSim-Registration-Secret`` (401 without, 403 wrong; see ``access``).

Control API (``Authorization: Bearer`` the mock's control token or the
workspace admin token, else 401 in the provider's shape), used by scenarios:
``GET /pushsim/control`` (describe), ``GET|POST|DELETE /pushsim/control/faults``,
``DELETE /pushsim/control/faults/{id}``, ``POST /pushsim/control/seed``,
``GET /pushsim/control/devices``,
``POST /pushsim/control/devices/{token}/(uninstall|offline|online)``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from core.protocol.errors import PushSimError
from simulators.delivery.access import SECRET_HEADER, ControlAccess
from simulators.delivery.asgi import (
    HttpRequest,
    HttpResponse,
    Receive,
    Router,
    Scope,
    Send,
    send_response,
    with_params,
)
from simulators.delivery.faults import FaultError
from simulators.delivery.hub import (
    DeliveryHub,
    DeviceSecretRefused,
    DeviceUnknown,
    DeviceUnregistered,
)
from simulators.delivery.registry import RegistrationError
from simulators.delivery.wire import (
    PING_LINE,
    STREAM_MEDIA_TYPE,
    StreamEnd,
    end_line,
    hello_line,
    notification_line,
)

DEVICE_PREFIX = "/pushsim/v1/devices"
CONTROL_PREFIX = "/pushsim/control"
PING_INTERVAL = 15.0
_TOKEN = r"(?P<token>[A-Za-z0-9_:-]{1,300})"  # noqa: S105 - a path pattern


def _error(status: int, message: str, **extra: Any) -> HttpResponse:
    return HttpResponse.json(status, {"message": message, **extra})


def _json_object(request: HttpRequest) -> dict[str, Any] | None:
    """The body as a strict JSON object (``core.protocol.strict_json``), else None."""
    try:
        return request.json()
    except PushSimError:  # StrictJsonError, or ApiError for an empty body
        return None


def device_routes(hub: DeliveryHub) -> Router:
    router = Router()

    async def register(request: HttpRequest, _: dict[str, str]) -> HttpResponse:
        data = _json_object(request)
        if data is None:
            return _error(400, "body must be a JSON object")
        try:
            if hub.service == "fcm":
                project_id, app_id = data.get("projectId"), data.get("appId")
                if not isinstance(project_id, str) or not isinstance(app_id, str):
                    return _error(400, "projectId and appId (strings) are required")
                issued = hub.register_fcm(project_id=project_id, app_id=app_id)
            else:
                bundle_id = data.get("bundleId")
                environment = data.get("environment", "sandbox")
                if not isinstance(bundle_id, str) or not isinstance(environment, str):
                    return _error(400, "bundleId (string) is required")
                issued = hub.register_apns(bundle_id=bundle_id, environment=environment)
        except RegistrationError as exc:
            return _error(400, str(exc))
        answer = {**issued.registration.to_dict(), "registrationSecret": issued.secret}
        return HttpResponse.json(201, answer, headers=(("cache-control", "no-store"),))

    async def state(_: HttpRequest, params: dict[str, str]) -> HttpResponse:
        device = hub.device_state(params["token"])
        return (
            _error(404, "unknown device token")
            if device is None
            else HttpResponse.json(200, device)
        )

    async def uninstall(_: HttpRequest, params: dict[str, str]) -> HttpResponse:
        registration = hub.uninstall(params["token"])
        if registration is None:
            return _error(404, "unknown device token")
        return HttpResponse.json(200, registration.to_dict())

    async def stream(scope: Scope, receive: Receive, send: Send, params: dict[str, str]) -> None:
        await _serve_stream(
            hub, params["token"], _scope_header(scope, SECRET_HEADER), receive, send
        )

    router.add("POST", DEVICE_PREFIX, with_params(register))
    router.stream("GET", DEVICE_PREFIX + f"/{_TOKEN}/stream", stream)
    router.add("GET", DEVICE_PREFIX + f"/{_TOKEN}", with_params(state))
    router.add("DELETE", DEVICE_PREFIX + f"/{_TOKEN}", with_params(uninstall))
    return router


def _scope_header(scope: Scope, name: str) -> str | None:
    wanted = name.encode("latin-1")
    for key, value in scope.get("headers", ()):
        if bytes(key).lower() == wanted:
            return bytes(value).decode("latin-1")
    return None


async def _serve_stream(
    hub: DeliveryHub, token: str, secret: str | None, receive: Receive, send: Send
) -> None:
    # The (empty) GET body comes first; after it, receive() only ever reports
    # the disconnect, which is how we learn that the device went away.
    message = await receive()
    if message["type"] == "http.disconnect":
        return
    try:
        stream = hub.connect(token, secret)
    except DeviceUnknown:
        await send_response(send, _error(404, "unknown device token"))
        return
    except DeviceSecretRefused as exc:
        await send_response(send, _secret_refusal(exc))
        return
    except DeviceUnregistered as exc:
        registration = exc.registration
        await send_response(
            send,
            _error(410, "Unregistered", unregisteredAt=registration.unregistered_at),
        )
        return

    async def watch_disconnect() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    watcher = asyncio.ensure_future(watch_disconnect())
    ended = False
    try:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", STREAM_MEDIA_TYPE.encode("ascii")),
                    (b"cache-control", b"no-store"),
                ],
            }
        )
        online = hub.is_online(token)
        first = hello_line(service=hub.service, token=token, online=online)
        await send({"type": "http.response.body", "body": first, "more_body": True})
        while True:
            item_task = asyncio.ensure_future(stream.next())
            done, _ = await asyncio.wait(
                {item_task, watcher}, timeout=PING_INTERVAL, return_when=asyncio.FIRST_COMPLETED
            )
            if item_task not in done:
                item_task.cancel()
                if watcher in done:
                    break
                await send({"type": "http.response.body", "body": PING_LINE, "more_body": True})
                continue
            item = item_task.result()
            if isinstance(item, StreamEnd):
                body = end_line(item)
                await send({"type": "http.response.body", "body": body, "more_body": False})
                ended = True
                break
            line = notification_line(item, delivered_at=hub.clock.now())
            await send({"type": "http.response.body", "body": line, "more_body": True})
    except OSError:  # the peer vanished mid-write
        pass
    finally:
        watcher.cancel()
        hub.disconnect(stream)
        if not ended:
            with contextlib.suppress(Exception):
                await send({"type": "http.response.body", "body": b"", "more_body": False})


def _secret_refusal(refused: DeviceSecretRefused) -> HttpResponse:
    if refused.missing:
        return _error(401, "registration secret required (X-PushSim-Registration-Secret)")
    return _error(403, "wrong registration secret")


def control_routes(
    hub: DeliveryHub,
    *,
    describe: Callable[[], dict[str, Any]],
    access: ControlAccess,
) -> Router:
    router = Router()
    faults = hub.faults

    def guarded(
        handler: Callable[[HttpRequest, dict[str, str]], HttpResponse],
    ) -> Callable[[HttpRequest, dict[str, str]], Any]:
        async def wrapper(request: HttpRequest, params: dict[str, str]) -> HttpResponse:
            refusal = access.refusal(request)
            return refusal if refusal is not None else handler(request, params)

        return wrapper

    def faults_state() -> dict[str, Any]:
        return {"seed": faults.seed, "faults": faults.describe()}

    def get_describe(_: HttpRequest, __: dict[str, str]) -> HttpResponse:
        return HttpResponse.json(200, {**describe(), **faults_state()})

    def list_faults(_: HttpRequest, __: dict[str, str]) -> HttpResponse:
        return HttpResponse.json(200, faults_state())

    def add_fault(request: HttpRequest, _: dict[str, str]) -> HttpResponse:
        data = _json_object(request)
        if data is None:
            return _error(400, "body must be a JSON object")
        try:
            fault = faults.add_from_dict(data)
        except FaultError as exc:
            return _error(400, str(exc))
        return HttpResponse.json(201, fault.to_dict())

    def clear_faults(request: HttpRequest, _: dict[str, str]) -> HttpResponse:
        tokens = parse_qs(request.query_string).get("token")
        faults.clear(token=tokens[0] if tokens else None)
        return HttpResponse.json(200, faults_state())

    def remove_fault(_: HttpRequest, params: dict[str, str]) -> HttpResponse:
        if not faults.remove(params["fault_id"]):
            return _error(404, "no such fault")
        return HttpResponse.json(200, faults_state())

    def reseed(request: HttpRequest, _: dict[str, str]) -> HttpResponse:
        data = _json_object(request)
        seed = None if data is None else data.get("seed")
        if not isinstance(seed, int) or isinstance(seed, bool):
            return _error(400, "seed (integer) is required")
        faults.reseed(seed)
        return HttpResponse.json(200, faults_state())

    def list_devices(_: HttpRequest, __: dict[str, str]) -> HttpResponse:
        return HttpResponse.json(200, {"devices": hub.devices()})

    def device_action(_: HttpRequest, params: dict[str, str]) -> HttpResponse:
        token, action = params["token"], params["action"]
        if hub.registry.get(token) is None:
            return _error(404, "unknown device token")
        if action == "uninstall":
            faults.uninstall(token)
        elif action == "offline":
            if not faults.is_offline(token):
                faults.offline(token)
        else:
            faults.online(token)
        return HttpResponse.json(200, hub.device_state(token))

    router.add("GET", CONTROL_PREFIX, with_params(guarded(get_describe)))
    router.add("GET", CONTROL_PREFIX + "/faults", with_params(guarded(list_faults)))
    router.add("POST", CONTROL_PREFIX + "/faults", with_params(guarded(add_fault)))
    router.add("DELETE", CONTROL_PREFIX + "/faults", with_params(guarded(clear_faults)))
    router.add(
        "DELETE", CONTROL_PREFIX + r"/faults/(?P<fault_id>f\d+)", with_params(guarded(remove_fault))
    )
    router.add("POST", CONTROL_PREFIX + "/seed", with_params(guarded(reseed)))
    router.add("GET", CONTROL_PREFIX + "/devices", with_params(guarded(list_devices)))
    router.add(
        "POST",
        CONTROL_PREFIX + f"/devices/{_TOKEN}/(?P<action>uninstall|offline|online)",
        with_params(guarded(device_action)),
    )
    return router
