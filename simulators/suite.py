"""The composition root: validation core, mock FCM, mock APNs and the demo phones.

One ``Suite`` runs everything on the current asyncio loop (plain asyncio
headless, qasync under the GUI), all servers on free 127.0.0.1 ports over TLS
with the workspace CA. Start-up order follows the data flow: workspace
material, then the mocks (the core needs their URLs), then the core and its
demo data, then the phones, which activate themselves through the core's real
API on first start (or when their storage and the core disagree) and register
their push tokens with the mocks.

``pushsim serve`` runs one (``simulators.serve_command``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from core.clock import Clock, SystemClock
from core.events import EventBus
from core.pki import PkiMaterial
from core.provider_credentials import (
    ProviderCredentials,
    write_service_account,
)
from core.push.endpoints import ProviderEndpoints
from core.seed import DEMO_DOMAIN, DEMO_PASSWORD, DEMO_USERS, DemoUser, seed_demo
from core.server import CoreServer
from core.service.errors import NotFound
from core.settings import CoreSettings
from core.step_gate import StepGate
from core.workspace import Workspace
from simulators.apns.server import ApnsMock
from simulators.delivery.client import ApnsDeviceClient, FcmDeviceClient
from simulators.extra_phones import ExtraPhone, restart_extra_phones, start_extra_phone
from simulators.fcm.server import FcmMock
from simulators.phone import (
    AppInfo,
    AutoAction,
    AutoResponder,
    AutoResponsePolicy,
    HttpCoreDeviceApi,
    KdfParams,
    Phone,
    Platform,
)
from simulators.phone.auto_responder import start_auto_responder
from simulators.phone.delivery_adapter import DeliveryClientAdapter
from simulators.phone.event_details import SuiteReady
from simulators.phone.event_kinds import SuiteEvent
from simulators.phone.push_registration import follow_core_push_status
from simulators.phone_description import describe_phone
from simulators.prestart import Prestart, prepare

log = logging.getLogger(__name__)
T = TypeVar("T")


class _Started(Generic[T]):
    """A part the suite builds in ``start``: read from ``_<name>``, an error before."""

    def __set_name__(self, owner: type, name: str) -> None:
        self._attribute = f"_{name}"

    def __get__(self, suite: object, owner: type | None = None) -> T:
        part: T | None = getattr(suite, self._attribute)
        assert part is not None, "suite not started"
        return part


DEMO_PIN = "1234"
DEMO_FINGER = "right-index"


@dataclass(frozen=True, kw_only=True)
class DemoPhone:
    """A demo phone and the user whose authenticator it carries."""

    name: str
    user: DemoUser
    fingers: tuple[str, ...] = ()

    @property
    def platform(self) -> Platform:
        return Platform(self.user.platform)


DEMO_PHONES = tuple(
    DemoPhone(
        name=f"{user.user_id}-{'pixel' if user.platform == 'android' else 'iphone'}",
        user=user,
        fingers=(DEMO_FINGER,) if user.platform == "ios" else (),
    )
    for user in DEMO_USERS
)


@dataclass(kw_only=True)
class SuiteOptions:
    """Knobs for tests, benchmarks and scenarios; the defaults are the product's."""

    core_settings: CoreSettings | None = None
    phone_kdf: KdfParams | None = None
    auto_respond: str | None = None  # approve | reject | ignore
    with_phones: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


class Suite:
    def __init__(
        self,
        workspace: Workspace,
        *,
        clock: Clock | None = None,
        events: EventBus | None = None,
        options: SuiteOptions | None = None,
        prestart: Prestart | None = None,
    ) -> None:
        self.workspace = workspace
        self._prestart = prestart  # the workspace material, begun at process start
        self.clock = clock or SystemClock()
        self.events = events or EventBus()
        self.gate = StepGate(self.clock)  # step mode: holds the flow before each step
        self.options = options or SuiteOptions()
        self.phones: dict[str, Phone] = {}
        # The suite, not the phone, attaches auto-responders (by phone name).
        self.auto_responders: dict[str, AutoResponder] = {}
        self._pki: PkiMaterial | None = None
        self._credentials: ProviderCredentials | None = None
        self._fcm: FcmMock | None = None
        self._apns: ApnsMock | None = None
        self._core: CoreServer | None = None
        self._closers: list[Any] = []
        self.startup_seconds: float | None = None
        # a token the core gives up on is shown (and later replaced) on its phone
        follow_core_push_status(self.events, lambda: self.phones)

    # -- parts (valid after start) ---------------------------------------------
    core = _Started[CoreServer]()
    fcm = _Started[FcmMock]()
    apns = _Started[ApnsMock]()
    pki = _Started[PkiMaterial]()
    credentials = _Started[ProviderCredentials]()

    def phone_for(self, user_id: str) -> Phone:
        for demo in DEMO_PHONES:
            if demo.user.user_id == user_id:
                return self.phones[demo.name]
        raise KeyError(f"no demo phone for user {user_id!r}")

    # -- lifecycle ---------------------------------------------------------------
    async def start(self, *, reset: bool = False) -> None:
        try:
            await self._start(reset=reset)
        except BaseException:
            await self.stop()  # whatever did start must not outlive a failed start
            raise

    async def _start(self, *, reset: bool) -> None:
        began = time.perf_counter()
        ws = self.workspace
        if self._prestart is not None and self._prestart.workspace == ws:
            prepared = await self._prestart.result()  # it did the reset it was asked for
        else:  # the seed hashes the demo passwords side by side, after the mocks start
            prepared = await asyncio.to_thread(prepare, ws, reset=reset, hash_demo=False)
        self._prestart = None  # a restart of this suite prepares afresh
        self._pki = pki = prepared.pki
        self._credentials = creds = prepared.credentials
        # both mocks share the workspace material and keep their own registrations;
        # their control APIs take their own token or the workspace admin token
        shared: dict[str, Any] = {
            "pki": pki,
            "credentials": creds,
            "events": self.events,
            "clock": self.clock,
            "admin_token": prepared.admin_token,
        }
        self._fcm = FcmMock(**shared, registrations_file=ws.root / "fcm-registrations.json")
        self._apns = ApnsMock(**shared, registrations_file=ws.root / "apns-registrations.json")
        await self._fcm.start()
        self._closers.append(self._fcm.stop)
        await self._apns.start()
        self._closers.append(self._apns.stop)
        await asyncio.to_thread(write_service_account, creds, token_uri=self._fcm.token_uri)
        endpoints = ProviderEndpoints(
            fcm_send_base=self._fcm.url,
            fcm_token_uri=self._fcm.token_uri,
            apns_base=self._apns.url,
            ca_file=pki.ca_file,
        )
        self._core = CoreServer(
            workspace=ws,
            pki=pki,
            events=self.events,
            clock=self.clock,
            endpoints=endpoints,
            settings=self.options.core_settings,
            gate=self.gate,
        )
        await seed_demo(
            await self._core.open_service(), creds, password_hashes=prepared.demo_password_hashes
        )
        await self._core.start()
        self._closers.append(self._core.stop)
        if self.options.with_phones:  # side by side: each activation waits on KDFs and HTTP
            async with asyncio.TaskGroup() as phones:
                for demo in DEMO_PHONES:
                    phones.create_task(self._start_phone(demo))
            order = [demo.name for demo in DEMO_PHONES]  # the window lists them in this order
            self.phones = dict(sorted(self.phones.items(), key=lambda p: order.index(p[0])))
            await restart_extra_phones(self)  # the wizard's phones, after the demo's
        self.startup_seconds = time.perf_counter() - began
        self.events.emit(
            SuiteEvent.READY,
            "suite",
            summary=f"PushSim ready in {self.startup_seconds:.2f} s",
            details=SuiteReady(startup_seconds=self.startup_seconds),
        )

    async def reset_demo(self) -> float:
        """File › Reset to demo data, without a restart (``simulators/demo_reset``); seconds."""
        from simulators.demo_reset import reset_demo

        return await reset_demo(self)

    async def set_auto_responder(self, phone: Phone, policy: AutoResponsePolicy | None) -> None:
        """Answer ``phone``'s notifications by ``policy`` from now on (None: the user answers)."""
        current = self.auto_responders.pop(phone.name, None)
        if current is not None:
            await current.stop()
        if policy is not None:
            self.auto_responders[phone.name] = start_auto_responder(phone, policy)

    async def stop(self) -> None:
        for phone in list(self.phones.values()):
            await self.set_auto_responder(phone, None)
            await phone.stop()
        while self._closers:
            closer = self._closers.pop()
            try:
                await closer()
            except Exception:  # keep stopping the rest
                log.exception("stopping %s failed", closer)
        self.phones.clear()

    async def __aenter__(self) -> Suite:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- phones ------------------------------------------------------------------
    async def _start_phone(self, demo: DemoPhone) -> Phone:
        phone = await self.add_phone(demo.name, demo.platform, fingers=demo.fingers)
        if not await self.phone_matches_core(phone):
            await self.activate_phone(phone, demo.user)
        if self.options.auto_respond:
            await self.set_auto_responder(
                phone,
                AutoResponsePolicy(
                    action=AutoAction(self.options.auto_respond),
                    pin=DEMO_PIN,
                    finger=demo.fingers[0] if demo.fingers else None,
                ),
            )
        return phone

    async def add_phone(
        self,
        name: str,
        platform: Platform,
        *,
        fingers: tuple[str, ...] = (),
        app: AppInfo | None = None,
    ) -> Phone:
        """Build and start a phone wired to this suite's core and mock (not activated)."""
        ca = self.pki.ca_file
        core_api = HttpCoreDeviceApi(self.core.url, ca_file=ca, gate=self.gate)
        self._closers.append(core_api.aclose)
        client: FcmDeviceClient | ApnsDeviceClient
        if platform is Platform.ANDROID:
            client = FcmDeviceClient(self.fcm.device_url, ca)
        else:
            client = ApnsDeviceClient(self.apns.device_url, ca)
        delivery = DeliveryClientAdapter(client)
        self._closers.append(delivery.aclose)
        phone = Phone(
            name=name,
            platform=platform,
            workspace=self.workspace,
            events=self.events,
            clock=self.clock,
            core=core_api,
            delivery=delivery,
            fingers=fingers,
            app=app,
            kdf=self.options.phone_kdf,
            gate=self.gate,
        )
        self.phones[name] = phone
        await phone.start()
        return phone

    async def add_extra_phone(self, extra: ExtraPhone) -> Phone:
        """A phone added at runtime (the wizard); listed once activated (``extra_phones``)."""
        return await start_extra_phone(self, extra)

    async def phone_matches_core(self, phone: Phone) -> bool:
        """True when the phone holds an activation the core knows as usable."""
        enrollment = phone.app.state.enrollment
        if not phone.app.state.activated or enrollment is None:
            return False
        serial = enrollment.serial
        try:
            record = await self.core.service.directory.get_authenticator(serial)
        except NotFound:
            return False
        return record.status in ("active", "push-unregistered")

    async def activate_phone(self, phone: Phone, user: DemoUser, *, pin: str = DEMO_PIN) -> str:
        """Two-step offline activation through the core's real API (the portal is us)."""
        if phone.app.state.activated:
            await phone.install_app()  # a stale activation: start the app afresh
        started = await self.core.service.activation.register(
            user_id=user.user_id,
            domain=DEMO_DOMAIN,
            app_kind=user.app_kind,
            platform=user.platform,
        )
        return await phone.activate(
            started.activation_message1, started.activation_password, pin=pin
        )

    # -- reporting ---------------------------------------------------------------
    def describe(self) -> dict[str, Any]:
        return {
            "workspace": str(self.workspace.root),
            "admin_token": self.workspace.admin_token(),
            "ca_file": str(self.pki.ca_file),
            "startup_seconds": self.startup_seconds,
            "core": self.core.describe(),
            "fcm": {**self.fcm.describe(), "control_token": self.fcm.control_token},
            "apns": {**self.apns.describe(), "control_token": self.apns.control_token},
            "demo": {
                "domain": DEMO_DOMAIN,
                "password": DEMO_PASSWORD,
                "users": [
                    {
                        "userID": demo.user.user_id,
                        "platform": demo.user.platform,
                        "appKind": demo.user.app_kind,
                        "keywords": list(demo.user.keywords),
                        "phone": demo.name,
                    }
                    for demo in DEMO_PHONES
                ],
                "pin": DEMO_PIN,
                "finger": DEMO_FINGER,
            },
            "phones": {name: describe_phone(phone) for name, phone in self.phones.items()},
        }
