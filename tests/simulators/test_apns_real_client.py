"""aioapns 4.0, unmodified, against the mock APNs: only endpoint and trust store changed."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aioapns import APNs, NotificationRequest, PushType
from aioapns.connection import APNsProductionClientProtocol

from core.clock import SystemClock
from core.events import EventBus
from core.pki import client_ssl_context
from simulators.apns.server import ApnsMock
from simulators.delivery.client import ApnsDeviceClient
from tests.simulators.mock_support import DeviceListener, Material, make_material, running_apns

# aioapns reads the topic from the certificate with a pyOpenSSL API that warns.
pytestmark = pytest.mark.filterwarnings(
    "ignore:X509.get_subject is deprecated:DeprecationWarning:aioapns.connection"
)

ALERT = {"aps": {"alert": {"title": "Transaction Request", "body": "Tap here"}}, "pushsim": 1}


@pytest.fixture(scope="module")
def material(tmp_path_factory: pytest.TempPathFactory) -> Material:
    return make_material(tmp_path_factory.mktemp("apns-real"))


@pytest.fixture
def clock() -> SystemClock:
    # aioapns stamps its provider token with the host's time: the mock must agree.
    return SystemClock()


@pytest.fixture
def events() -> EventBus:
    return EventBus()


@pytest.fixture
async def apns(material: Material, events: EventBus, clock: SystemClock) -> AsyncIterator[ApnsMock]:
    async with running_apns(material, events, clock) as mock:
        yield mock


@pytest.fixture
async def phone(apns: ApnsMock, material: Material) -> AsyncIterator[ApnsDeviceClient]:
    client = ApnsDeviceClient(apns.device_url, material.pki.ca_file)
    yield client
    await client.aclose()


ClientFactory = Callable[[str], APNs]


@pytest.fixture(params=["token", "certificate"])
def auth(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def make_client(apns: ApnsMock, material: Material) -> AsyncIterator[ClientFactory]:
    """An aioapns client, with token or certificate auth, pointed at the mock."""

    class MockApnsProtocol(APNsProductionClientProtocol):
        APNS_SERVER = "127.0.0.1"
        APNS_PORT = apns.port

    created: list[APNs] = []
    creds = material.creds

    def factory(auth: str) -> APNs:
        ssl_context = client_ssl_context(material.pki.ca_file)
        kwargs: dict[str, Any]
        if auth == "token":
            kwargs = {
                "key": creds.apns_key_file.read_text(),
                "key_id": creds.apns_key_id,
                "team_id": creds.apns_team_id,
                "topic": creds.apns_bundle_id,
            }
        else:  # the topic comes from the certificate (subject UID)
            kwargs = {"client_cert": str(creds.apns_client_bundle_file)}
        client = APNs(ssl_context=ssl_context, **kwargs)
        client.pool.protocol_class = MockApnsProtocol
        created.append(client)
        return client

    yield factory
    for client in created:
        client.pool.close()


def _request(token: str, message: dict[str, Any] = ALERT, **kwargs: Any) -> NotificationRequest:
    return NotificationRequest(
        device_token=token, message=message, push_type=PushType.ALERT, priority=10, **kwargs
    )


async def test_a_push_is_accepted_and_reaches_the_phone(
    make_client: ClientFactory,
    auth: str,
    phone: ApnsDeviceClient,
    events: EventBus,
    material: Material,
) -> None:
    token = await phone.register(material.creds.apns_bundle_id, "sandbox")
    listener = await DeviceListener(phone, token, events).start()
    client = make_client(auth)
    result = await client.send_notification(_request(token, time_to_live=60))
    assert (result.status, result.description) == ("200", None)
    delivered = await listener.next()
    assert delivered.service == "apns"
    assert delivered.token == token
    assert delivered.message_id == result.notification_id
    assert delivered.payload == ALERT
    await listener.stop("apns")


async def test_bad_device_token(make_client: ClientFactory, auth: str) -> None:
    result = await make_client("").send_notification(_request("ab" * 32))  # type: ignore[call-arg]
    assert (result.status, result.description) == ("400", "BadDeviceToken")


async def test_unregistered_carries_the_uninstall_timestamp(
    make_client: ClientFactory,
    auth: str,
    phone: ApnsDeviceClient,
    apns: ApnsMock,
    material: Material,
) -> None:
    token = await phone.register(material.creds.apns_bundle_id, "sandbox")
    await phone.unregister(token)
    state = await phone.state(token)
    result = await make_client("").send_notification(_request(token))  # type: ignore[call-arg]
    assert (result.status, result.description) == ("410", "Unregistered")
    assert result.timestamp == int(state["unregistered_at"] * 1000)


async def test_payload_too_large(
    make_client: ClientFactory, auth: str, phone: ApnsDeviceClient
) -> None:
    token = await phone.register("com.pushsim.sdkdemo", "sandbox")
    big = {"aps": {"alert": "x" * 4096}}
    assert len(json.dumps(big)) > 4096
    result = await make_client("").send_notification(_request(token, big))  # type: ignore[call-arg]
    assert (result.status, result.description) == ("413", "PayloadTooLarge")


async def test_expired_provider_token(
    make_client: ClientFactory, phone: ApnsDeviceClient, clock: SystemClock
) -> None:
    token = await phone.register("com.pushsim.sdkdemo", "sandbox")
    client = make_client("token")
    assert (await client.send_notification(_request(token))).status == "200"
    clock.advance(2 * 3600)  # the token aioapns minted is now two hours old for APNs
    result = await client.send_notification(_request(token))
    assert (result.status, result.description) == ("403", "ExpiredProviderToken")


async def test_a_chosen_error_fault_reaches_certificate_clients(
    make_client: ClientFactory, phone: ApnsDeviceClient, apns: ApnsMock
) -> None:
    token = await phone.register("com.pushsim.sdkdemo", "sandbox")
    apns.faults.fail("BadCertificate", count=1)
    client = make_client("certificate")
    result = await client.send_notification(_request(token))
    assert (result.status, result.description) == ("403", "BadCertificate")
    assert (await client.send_notification(_request(token))).status == "200"
