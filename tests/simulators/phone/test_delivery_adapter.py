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
from simulators.delivery.access import secret_digest
from simulators.delivery.client import FcmDeviceClient
from simulators.delivery.faults import FaultPlan
from simulators.delivery.hub import DeliveryHub
from simulators.delivery.loopback import LoopbackAsgiServer
from simulators.delivery.routes import device_routes
from simulators.delivery.store import Notification
from simulators.phone import Phone
from simulators.phone.delivery_adapter import DeliveryClientAdapter
from tests.simulators.phone.conftest import PIN, MakePhone, receive, wait_for
from tests.simulators.phone.fakes import FakeCore

Fcm = tuple[DeliveryHub, DeliveryClientAdapter]


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


async def _online_phone(
    make_phone: MakePhone, core: FakeCore, bus: EventBus, adapter: DeliveryClientAdapter
) -> tuple[Phone, str, str]:
    """A started, activated phone holding its stream: (phone, serial, push token)."""
    phone = make_phone(delivery=adapter)
    await phone.start()
    _, message1, password = core.register_user()
    serial = await phone.activate(message1, password, pin=PIN)
    token = phone.app.state.push_token
    assert token is not None
    await wait_for(bus, "phone.delivery.online", phone)
    return phone, serial, token


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
    phone, serial, token = await _online_phone(make_phone, core, bus, adapter)
    assert hub.is_online(token)
    secret = phone.app.state.push_secret  # issued once by the mock; the stream proved it
    registration = hub.registry.get(token)
    assert secret is not None
    assert registration is not None
    assert registration.secret_digest == secret_digest(secret)
    assert secret not in repr([(e.summary, e.raw, e.details) for e in bus.history])

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


async def test_stale_secret(make_phone: MakePhone, core: FakeCore, bus: EventBus, fcm: Fcm) -> None:
    """A stream refused for its secret makes the phone drop the token and register again."""
    hub, adapter = fcm
    phone, serial, old = await _online_phone(make_phone, core, bus, adapter)

    phone.set_airplane_mode(True)
    await wait_for(bus, "fcm.device_offline")
    phone.app.state.push_secret = "a-stale-secret"  # e.g. storage from before secrets existed
    mark = bus.history[-1].seq
    phone.set_airplane_mode(False)
    revoked = await wait_for(bus, "phone.push.token_revoked", phone)
    assert revoked.details["token"] == old
    # at once: the useless token is unregistered, a new one registered and streamed
    await wait_for(bus, "phone.push.unregistered", phone, where=lambda e: e.seq > mark)
    await wait_for(bus, "phone.delivery.online", phone, where=lambda e: e.seq > mark)
    new = phone.app.state.push_token
    assert new is not None
    assert new != old
    assert hub.is_online(new)
    old_state = hub.device_state(old)
    assert old_state is not None
    assert "unregistered_at" in old_state
    assert core.authenticators[serial].push_token == new  # the core was told (§14.1)
