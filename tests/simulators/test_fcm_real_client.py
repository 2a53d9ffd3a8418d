"""firebase-admin 7, unmodified, against the mock FCM: only the send URL and trust changed.

The service-account JSON's ``token_uri`` already points at the mock (it rewrites
it on start). firebase-admin's sync API uses requests in threads; its async API
refreshes OAuth tokens with a *blocking* requests call, so it runs on its own
loop in a worker thread while the mock serves on the test's loop.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator

import firebase_admin
import pytest
from firebase_admin import credentials, messaging

from core.clock import SystemClock
from core.events import EventBus
from simulators.delivery.client import FcmDeviceClient
from simulators.fcm.server import FcmMock
from tests.simulators.mock_support import (
    DeviceListener,
    Material,
    kind_is,
    make_material,
    running_fcm,
)

APP_ID = "com.pushsim.authenticator"
_names = itertools.count(1)


@pytest.fixture(scope="module")
def material(tmp_path_factory: pytest.TempPathFactory) -> Material:
    return make_material(tmp_path_factory.mktemp("fcm-real"))


@pytest.fixture
def events() -> EventBus:
    return EventBus()


@pytest.fixture
async def fcm(material: Material, events: EventBus) -> AsyncIterator[FcmMock]:
    async with running_fcm(material, events, SystemClock()) as mock:
        yield mock


@pytest.fixture
async def phone(fcm: FcmMock, material: Material) -> AsyncIterator[FcmDeviceClient]:
    client = FcmDeviceClient(fcm.device_url, material.pki.ca_file)
    yield client
    await client.aclose()


@pytest.fixture
async def app(
    fcm: FcmMock, material: Material, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[firebase_admin.App]:
    ca = str(material.pki.ca_file)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", ca)  # sync path (requests)
    monkeypatch.setenv("SSL_CERT_FILE", ca)  # async path (httpx)
    cred = credentials.Certificate(str(material.creds.fcm_service_account_file))
    app = firebase_admin.initialize_app(cred, name=f"pushsim-test-{next(_names)}")
    messaging._get_messaging_service(app)._fcm_url = fcm.send_url
    yield app
    # delete_app closes the async client with asyncio.run(): not on this loop.
    await asyncio.to_thread(firebase_admin.delete_app, app)


def _message(token: str, request_id: str = "r-1") -> messaging.Message:
    return messaging.Message(
        fid=token,
        data={"pushsim": "1", "serialNumber": "PS12345678", "requestID": request_id},
        notification=messaging.Notification(title="Transaction Request", body="Tap here"),
        android=messaging.AndroidConfig(priority="high", ttl=60),
    )


def _send_each_async(
    app: firebase_admin.App, batch: list[messaging.Message]
) -> messaging.BatchResponse:
    async def run() -> messaging.BatchResponse:
        try:
            return await messaging.send_each_async(batch, app=app)
        finally:
            await messaging._get_messaging_service(app)._async_client.aclose()

    return asyncio.run(run())


async def test_send_reaches_the_phone(
    app: firebase_admin.App, phone: FcmDeviceClient, events: EventBus, fcm: FcmMock
) -> None:
    token = await phone.register(fcm.credentials.fcm_project_id, APP_ID)
    listener = await DeviceListener(phone, token, events).start()
    name = await asyncio.to_thread(messaging.send, _message(token), app=app)
    assert name.startswith("projects/pushsim-demo/messages/")
    delivered = await listener.next()
    assert delivered.message_id == name.rsplit("/", 1)[1]
    assert delivered.payload == {
        "pushsim": "1",
        "serialNumber": "PS12345678",
        "requestID": "r-1",
        "notification": {"title": "Transaction Request", "body": "Tap here"},
    }
    assert events.history[-1].kind != "fcm.rejected"
    token_requests = [e for e in events.history if e.kind == "fcm.oauth_token"]
    assert [e.details["status"] for e in token_requests] == [200]
    await listener.stop("fcm")


async def test_send_each_and_send_each_async(
    app: firebase_admin.App, phone: FcmDeviceClient, fcm: FcmMock
) -> None:
    project = fcm.credentials.fcm_project_id
    good = await phone.register(project, APP_ID)
    gone = await phone.register(project, APP_ID)
    await phone.unregister(gone)
    batch = [_message(good, "a"), _message(gone, "b"), _message(good, "c")]

    sync = await asyncio.to_thread(messaging.send_each, batch, app=app)
    assert (sync.success_count, sync.failure_count) == (2, 1)
    assert isinstance(sync.responses[1].exception, messaging.UnregisteredError)

    parallel = await asyncio.to_thread(_send_each_async, app, batch)
    assert (parallel.success_count, parallel.failure_count) == (2, 1)
    assert isinstance(parallel.responses[1].exception, messaging.UnregisteredError)
    assert fcm.hub.store.count(good) == 4  # the phone is offline: stored for it


async def test_unregistered(app: firebase_admin.App, phone: FcmDeviceClient, fcm: FcmMock) -> None:
    token = await phone.register(fcm.credentials.fcm_project_id, APP_ID)
    fcm.faults.uninstall(token)
    with pytest.raises(messaging.UnregisteredError):
        await asyncio.to_thread(messaging.send, _message(token), app=app)


async def test_sender_id_mismatch(app: firebase_admin.App, phone: FcmDeviceClient) -> None:
    token = await phone.register("another-project", APP_ID)
    with pytest.raises(messaging.SenderIdMismatchError):
        await asyncio.to_thread(messaging.send, _message(token), app=app)


async def test_quota_exceeded(
    app: firebase_admin.App, phone: FcmDeviceClient, fcm: FcmMock
) -> None:
    token = await phone.register(fcm.credentials.fcm_project_id, APP_ID)
    fcm.faults.fail("QUOTA_EXCEEDED", token=token, count=1)
    with pytest.raises(messaging.QuotaExceededError):
        await asyncio.to_thread(messaging.send, _message(token), app=app)


async def test_a_rate_limit_with_retry_after_is_retried_by_the_client(
    app: firebase_admin.App, phone: FcmDeviceClient, fcm: FcmMock, events: EventBus
) -> None:
    token = await phone.register(fcm.credentials.fcm_project_id, APP_ID)
    fcm.faults.rate_limit(token=token, count=1, retry_after=0)
    await asyncio.to_thread(messaging.send, _message(token), app=app)
    answers = [
        e.details["status"] for e in events.history if e.kind in ("fcm.accepted", "fcm.rejected")
    ]
    assert answers == [429, 200]
    assert await events.wait_for(kind_is("fcm.stored", token=token), include_history=True)
