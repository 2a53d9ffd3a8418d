"""A phone on the real delivery stack: loopback TLS server, mock hub, real device client."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Mapping
from typing import Any

import pytest

from core.clock import FrozenClock
from core.events import EventBus
from core.pki import ensure_pki, server_ssl_context
from core.web.dispatch import RoutedApp
from core.workspace import Workspace
from simulators.delivery.client import FcmDeviceClient
from simulators.delivery.faults import FaultPlan
from simulators.delivery.hub import DeliveryHub
from simulators.delivery.loopback import LoopbackAsgiServer
from simulators.delivery.routes import device_routes
from simulators.delivery.store import Notification
from simulators.phone.delivery_adapter import DeliveryClientAdapter
from tests.simulators.phone.conftest import PIN, MakePhone, receive, wait_for
from tests.simulators.phone.fakes import FakeCore


@pytest.fixture
async def fcm(
    workspace: Workspace, bus: EventBus, clock: FrozenClock
) -> AsyncIterator[tuple[DeliveryHub, DeliveryClientAdapter]]:
    pki = ensure_pki(workspace)
    hub = DeliveryHub(service="fcm", events=bus, clock=clock, faults=FaultPlan(seed=1))
    app = RoutedApp(device_routes(hub))
    server = LoopbackAsgiServer(app, server_ssl_context(pki), name="fcm-test")
    await server.start()
    adapter = DeliveryClientAdapter(FcmDeviceClient(server.url, pki.ca_file))
    yield hub, adapter
    await adapter.aclose()
    await server.stop()


async def test_phone_receives_over_the_real_stream_and_goes_offline(
    make_phone: MakePhone,
    core: FakeCore,
    bus: EventBus,
    clock: FrozenClock,
    fcm: tuple[DeliveryHub, DeliveryClientAdapter],
) -> None:
    hub, adapter = fcm

    def accept(token: str, payload: Mapping[str, Any]) -> object:
        data = {k: v for k, v in payload.items() if k != "notification"}
        return hub.accept(
            Notification(
                service="fcm",
                message_id=secrets.token_hex(8),
                token=token,
                app_id="com.pushsim.authenticator",
                payload={**data, "notification": payload["notification"]},
                raw="{}",
                accepted_at=clock.now(),
                expires_at=clock.now() + 60,
                request_id=str(payload["requestID"]),
            )
        )

    core.push_sink = accept
    phone = make_phone(delivery=adapter)
    await phone.start()
    _, message1, password = core.register_user()
    serial = await phone.activate(message1, password, pin=PIN)
    token = phone.app.state.push_token
    assert token is not None
    await wait_for(bus, "phone.delivery.online", phone)
    assert hub.is_online(token)

    first = core.login(serial)
    assert (await phone.approve(await receive(bus, phone, first))).session_status == "accepted"

    phone.set_airplane_mode(True)
    await wait_for(bus, "fcm.device_offline")  # the mock saw the stream close
    assert not hub.is_online(token)
    second = core.login(serial)  # stored by the mock while the phone is offline

    mark = bus.history[-1].seq
    phone.set_airplane_mode(False)
    await wait_for(bus, "phone.delivery.online", phone, where=lambda e: e.seq > mark)
    assert (await phone.approve(await receive(bus, phone, second))).session_status == "accepted"

    await phone.uninstall_app()
    state = hub.device_state(token)
    assert state is not None
    assert "unregistered_at" in state
