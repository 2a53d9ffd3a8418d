"""A minimal device side for core tests, built only from the protocol's device functions."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from core.api.app import CoreApi
from core.clock import FrozenClock
from core.events import EventBus
from core.protocol.activation import (
    activation_signature,
    begin_device_activation,
    finish_device_activation,
    read_activation_message1,
)
from core.protocol.keys import AuthenticatorKeys, UnlockProtection
from core.protocol.messages import ChallengeRequest, ChallengeResponse, Decision
from core.protocol.secure_channel import MessageType, Protection, open_message, seal
from core.protocol.signature import compute_signature
from core.service import CoreService
from core.settings import FAST_TEST_SETTINGS, CoreSettings
from core.storage import Database
from core.storage.records import PushAppRecord
from tests.core.helpers_core import FakeProviders, SleepRecorder, apns_app, fcm_app, make_dispatcher

FCM_APP = "com.pushsim.authenticator"
IOS_APP = "com.pushsim.sdkdemo"


def signed(keys: AuthenticatorKeys, purpose: str, fields: dict[str, object]) -> str:
    return compute_signature(
        keys.instance_keys[UnlockProtection.DEVICE],
        {**fields, "purpose": purpose, "serialNumber": keys.serial},
    )


def open_request(keys: AuthenticatorKeys, message: str) -> ChallengeRequest:
    opened = open_message(message, keys=keys.server_to_device, expected_type=MessageType.REQUEST)
    return ChallengeRequest.from_bytes(opened.body)


def answer(
    keys: AuthenticatorKeys,
    request_message: str,
    *,
    now: float,
    decision: Decision = Decision.ACCEPT,
    protection: UnlockProtection | None = None,
    number: int | None = None,
) -> str:
    request = open_request(keys, request_message)
    used = protection or request.protection
    response = ChallengeResponse.create(
        request=request,
        decision=decision,
        protection=used,
        instance_key=keys.instance_keys[used],
        now=now,
        number=number,
    )
    return seal(
        type=MessageType.RESPONSE,
        protection=Protection.ENCRYPT_AND_MAC,
        serial=keys.serial,
        body=response.to_bytes(),
        keys=keys.device_to_server,
    )


@dataclass
class CoreEnv:
    service: CoreService
    providers: FakeProviders
    clock: FrozenClock
    events: EventBus
    sleep: SleepRecorder

    @property
    def now(self) -> float:
        return self.clock.now()

    async def add_domain(self, name: str = "demo", **options: object) -> None:
        d = self.service.directory
        await d.create_domain(d.new_domain(name, FCM_APP, **options))

    async def add_apps(self) -> None:
        for app in (fcm_app(), apns_app()):
            await self.service.directory.put_push_app(app, replace=False)

    async def activate(
        self,
        user_id: str,
        domain: str = "demo",
        *,
        platform: str = "android",
        app_kind: str = "authenticator",
        push_token: str = "tok-1",
    ) -> AuthenticatorKeys:
        """register -> add-device -> activate -> notification-registration, like a phone."""
        activation = self.service.activation
        started = await activation.register(
            user_id=user_id, domain=domain, app_kind=app_kind, platform=platform
        )
        offer = read_activation_message1(started.activation_message1)
        state, code = begin_device_activation(offer, started.activation_password)
        message2 = await activation.add_device(started.registration_id, code)
        keys = finish_device_activation(state, message2)
        await activation.activate(
            started.registration_id, activation_signature(keys, started.registration_id)
        )
        app_id = FCM_APP if platform == "android" else IOS_APP
        fields = {"platform": platform, "pushToken": push_token, "appID": app_id, "time": self.now}
        await activation.register_push(
            serial=keys.serial,
            platform=platform,
            push_token=push_token,
            app_id=app_id,
            time=self.now,
            signature=signed(keys, "notification-registration", fields),
        )
        return keys

    def last_request_message(self) -> str:
        """The requestMessage of the last push the fake providers received."""
        send = self.providers.sends()[-1]
        body = json.loads(send.content)
        data = body["message"]["data"] if "message" in body else body
        return str(data["requestMessage"])


async def make_env(
    tmp_path: Path,
    *,
    settings: CoreSettings = FAST_TEST_SETTINGS,
    apps: tuple[PushAppRecord, ...] | None = None,
) -> CoreEnv:
    clock = FrozenClock()
    providers = FakeProviders()
    sleep = SleepRecorder()
    events = EventBus()
    db = await Database.open(tmp_path / "core.sqlite3")
    service = CoreService(
        db=db,
        settings=settings,
        clock=clock,
        events=events,
        dispatcher=make_dispatcher(providers, clock=clock, settings=settings, sleep=sleep),
    )
    return CoreEnv(service=service, providers=providers, clock=clock, events=events, sleep=sleep)


ADMIN_TOKEN = "test-admin-token"
ADMIN = {"authorization": f"Bearer {ADMIN_TOKEN}"}


def api_client(env: CoreEnv) -> httpx.AsyncClient:
    """An httpx client talking to the ASGI app in-process (no sockets).

    Raw ``content=`` bodies go out as JSON too, so tests of bad JSON reach the parser.
    """
    app = CoreApi(env.service, ADMIN_TOKEN)
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="https://core.test",
        headers={"content-type": "application/json"},
    )


async def until(condition: Callable[[], bool], *, turns: int = 1000) -> None:
    """Let other tasks run (zero-time yields, no sleeping) until ``condition`` holds."""
    for _ in range(turns):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("condition never became true")
