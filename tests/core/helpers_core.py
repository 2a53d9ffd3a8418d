"""Shared helpers for the core tests: provider credentials and fake provider transports."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from core.clock import FrozenClock
from core.push.clients import ClientSpec
from core.push.config import PushAppConfig
from core.push.dispatcher import PushDispatcher
from core.push.endpoints import ProviderEndpoints
from core.service.dispatch import push_app_config
from core.settings import FAST_TEST_SETTINGS, CoreSettings
from core.storage.records import PushAppRecord, SessionRecord

FCM_BASE = "https://fcm.test"
TOKEN_URI = "https://fcm.test/token"
APNS_BASE = "https://apns.test"
ENDPOINTS = ProviderEndpoints(
    fcm_send_base=FCM_BASE, fcm_token_uri=TOKEN_URI, apns_base=APNS_BASE, ca_file=Path("/dev/null")
)

_rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
RSA_PEM = _rsa.private_bytes(
    serialization.Encoding.PEM,
    serialization.PrivateFormat.PKCS8,
    serialization.NoEncryption(),
).decode()
RSA_PUBLIC = _rsa.public_key()
_ec = ec.generate_private_key(ec.SECP256R1())
EC_PEM = _ec.private_bytes(
    serialization.Encoding.PEM,
    serialization.PrivateFormat.PKCS8,
    serialization.NoEncryption(),
).decode()
EC_PUBLIC = _ec.public_key()

SERVICE_ACCOUNT = json.dumps(
    {
        "type": "service_account",
        "project_id": "pushsim-demo",
        "private_key_id": "k1",
        "private_key": RSA_PEM,
        "client_email": "core@pushsim-demo.iam.gserviceaccount.com",
        "token_uri": TOKEN_URI,
    }
)


def fcm_app(**changes: object) -> PushAppRecord:
    values: dict[str, object] = {
        "app_id": "com.pushsim.authenticator",
        "platform": "android",
        "created": 0.0,
        "fcm_project_id": "pushsim-demo",
        "fcm_service_account": SERVICE_ACCOUNT,
    }
    values.update(changes)
    return PushAppRecord(**values)  # type: ignore[arg-type]


def apns_app(**changes: object) -> PushAppRecord:
    values: dict[str, object] = {
        "app_id": "com.pushsim.sdkdemo",
        "platform": "ios",
        "created": 0.0,
        "apns_auth": "token",
        "apns_key_pem": EC_PEM,
        "apns_key_id": "PUSHSIMK01",
        "apns_team_id": "PUSHSIMTM1",
    }
    values.update(changes)
    return PushAppRecord(**values)  # type: ignore[arg-type]


Handler = Callable[[httpx.Request], httpx.Response]


class FakeProviders:
    """Answers FCM token/send and APNs requests with scripted responses; records them."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.fcm_answers: list[httpx.Response] = []
        self.apns_answers: list[httpx.Response] = []
        self.token_answers: list[httpx.Response] = []
        self.specs: list[ClientSpec] = []
        self.token_count = 0

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == "/token":
            self.token_count += 1
            if self.token_answers:
                return self.token_answers.pop(0)
            return httpx.Response(
                200,
                json={
                    "access_token": f"at-{self.token_count}",
                    "expires_in": 3600,
                    "token_type": "Bearer",
                },
            )
        if request.url.host == "fcm.test":
            if self.fcm_answers:
                return self.fcm_answers.pop(0)
            return httpx.Response(200, json={"name": "projects/pushsim-demo/messages/1"})
        if self.apns_answers:
            return self.apns_answers.pop(0)
        return httpx.Response(200, headers={"apns-id": request.headers.get("apns-id", "")})

    def factory(self, spec: ClientSpec) -> httpx.AsyncClient:
        self.specs.append(spec)
        return httpx.AsyncClient(transport=httpx.MockTransport(self.handle))

    def sends(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path != "/token"]


def fcm_error(
    status: int, code: str, *, rpc_status: str = "", retry_after: str | None = None
) -> httpx.Response:
    details = [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": code}]
    headers = {"retry-after": retry_after} if retry_after else {}
    return httpx.Response(
        status,
        headers=headers,
        json={
            "error": {
                "code": status,
                "message": f"{code} from the fake",
                "status": rpc_status or code,
                "details": details if code else [],
            }
        },
    )


def apns_error(status: int, reason: str, *, retry_after: str | None = None) -> httpx.Response:
    headers = {"retry-after": retry_after} if retry_after else {}
    return httpx.Response(status, headers=headers, json={"reason": reason})


class SleepRecorder:
    """Stands in for asyncio.sleep in the dispatcher: records delays, returns at once."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


def make_dispatcher(
    providers: FakeProviders,
    *,
    clock: FrozenClock | None = None,
    settings: CoreSettings = FAST_TEST_SETTINGS,
    sleep: SleepRecorder | None = None,
) -> PushDispatcher:
    return PushDispatcher(
        endpoints=ENDPOINTS,
        clock=clock or FrozenClock(),
        settings=settings,
        client_factory=providers.factory,
        sleep=sleep or SleepRecorder(),
    )


def session_record(request_id: str, **changes: object) -> SessionRecord:
    values: dict[str, object] = {
        "request_id": request_id,
        "user_id": "alice",
        "domain": "demo",
        "serial": "PS00000001",
        "challenge": "00" * 16,
        "protection": "device",
        "keyword": "push",
        "status": "pending",
        "reason": "",
        "number": None,
        "numbers": (12, 34, 56),
        "client_ip": "",
        "created": 1.0,
        "expires": 61.0,
        "decided": None,
        "request_message": "01",
        "challenge_key_hash": f"h-{request_id}",
        "fetched": False,
        "push_state": "none",
        "push_detail": "",
        "user_rejected": False,
        "checks": None,
        "failed_check": None,
    }
    values.update(changes)
    return SessionRecord(**values)  # type: ignore[arg-type]


def fcm_config(**changes: object) -> PushAppConfig:
    return push_app_config(fcm_app(**changes))


def apns_config(**changes: object) -> PushAppConfig:
    return push_app_config(apns_app(**changes))
