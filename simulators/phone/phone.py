"""A headless virtual phone: device, settings, storage, and the authenticator app.

``Phone`` is the model the GUI draws and scenarios drive. It owns the device
side — its storage file, settings, fingerprint sensor, clock offset and the
delivery stream to its push service — and hosts one ``AuthenticatorApp``.
Every state change is an ``Event`` from ``phone:<name>`` (``phone.*`` kinds)
followed by the new ``PhoneView`` (``phone.view.changed``, see ``views``), so
views redraw from snapshots and tests await events, never sleep.

Network: the phone reaches the core (``CoreDeviceApi``) and its push service
(``PushDelivery``) only while airplane mode is off. Going offline cancels the
delivery stream (the mock then stores pushes for later); going online opens it
again and finishes what was left: a push registration the core has not seen,
tokens of an uninstalled app that still need unregistering.

Nothing blocks the loop: scrypt runs in a thread, storage files are small.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import Any

from core.clock import Clock
from core.events import NO_DETAILS, Event, EventBus, check_details
from core.protocol.activation import ActivationOffer
from core.protocol.keys import UnlockProtection
from core.step_gate import NO_GATE, Gate
from core.workspace import Workspace
from simulators.phone import app_install, event_details, push_registration
from simulators.phone.answering import RequestAnswerer
from simulators.phone.app_state import AppState
from simulators.phone.authenticator_app import AuthenticatorApp
from simulators.phone.connectivity import DeliveryLink
from simulators.phone.core_client import CoreDeviceApi, ResponseReceipt
from simulators.phone.errors import PhoneOffline
from simulators.phone.event_kinds import PhoneEvent
from simulators.phone.fingerprint import DEFAULT_MAX_MISMATCHES, FingerprintSensor
from simulators.phone.identity import AppInfo, Platform
from simulators.phone.inbox import Notification
from simulators.phone.keystore import KdfParams
from simulators.phone.push_delivery import PushDelivery
from simulators.phone.receiving import RequestReceiver
from simulators.phone.settings import PhoneClock, PhoneSettings
from simulators.phone.storage import PhoneStorage
from simulators.phone.unlock import DEFAULT_MAX_PIN_FAILURES, Finger, Pin, UnlockInput
from simulators.phone.views import PhoneView, SensorView, ViewPublisher, describe_phone_view

log = logging.getLogger(__name__)


class Phone:
    def __init__(
        self,
        *,
        name: str,
        platform: Platform,
        workspace: Workspace,
        events: EventBus,
        clock: Clock,
        core: CoreDeviceApi,
        delivery: PushDelivery,
        app: AppInfo | None = None,
        fingers: Sequence[str] = (),
        kdf: KdfParams | None = None,
        max_pin_failures: int = DEFAULT_MAX_PIN_FAILURES,
        max_finger_mismatches: int = DEFAULT_MAX_MISMATCHES,
        gate: Gate = NO_GATE,
    ) -> None:
        """``fingers`` are enrolled when the phone is first created (not on a reload)."""
        self.name = name
        self.gate = gate  # step mode holds steps 4, 5 and 6 here
        self._platform = Platform(platform)
        self.events = events
        self.storage = PhoneStorage.for_phone(workspace.phones_dir, name)
        self._core = core
        self._delivery = delivery
        self._loading = True  # no saves (or views) while the parts are being built
        self._views = ViewPublisher(events, self.source)
        record = self.storage.load() or {}
        device = record.get("device", {})
        self._settings = PhoneSettings.from_dict(device.get("settings", {}))
        self.clock = PhoneClock(clock, self._settings.clock_offset)
        sensor_data = device.get("fingerprint")
        if sensor_data:
            self._sensor = FingerprintSensor.from_dict(
                sensor_data, max_mismatches=max_finger_mismatches, on_change=self._sensor_changed
            )
        else:
            self._sensor = FingerprintSensor(
                enrolled=tuple(fingers),
                max_mismatches=max_finger_mismatches,
                on_change=self._sensor_changed,
            )
        self.link = DeliveryLink(
            self,
            on_push=lambda push: self.receiver.receive_push(push),
            orphan_tokens=[str(t) for t in device.get("orphanTokens", [])],
        )
        self.app = AuthenticatorApp(
            host=self,
            info=app or AppInfo.demo(self._platform),
            state=AppState.from_dict(record["app"]) if "app" in record else AppState(),
            kdf=kdf or KdfParams(),
            max_pin_failures=max_pin_failures,
        )
        self.receiver = RequestReceiver(self.app)
        self.answerer = RequestAnswerer(self.app, self.receiver)
        self._loading = False
        # What an attached auto-responder does (set by it; the suite attaches one).
        self.auto_response: str | None = None
        self._expiry: asyncio.Task[None] | None = None
        self.save()

    # -- AppHost ---------------------------------------------------------------
    @property
    def platform(self) -> Platform:
        return self._platform

    @property
    def source(self) -> str:
        return f"phone:{self.name}"

    @property
    def settings(self) -> PhoneSettings:
        return self._settings

    @property
    def sensor(self) -> FingerprintSensor:
        return self._sensor

    def now(self) -> float:
        """The phone's own clock (simulation clock plus its offset)."""
        return self.clock.now()

    def emit(self, kind: str, summary: str, **fields: Any) -> Event:
        check_details(event_details.DETAILS_FOR, kind, fields.get("details", NO_DETAILS))
        # stamped with the simulation clock (not the phone's skewed one) so that
        # traces interleave phone, provider and core events in true order
        fields.setdefault("time", self.clock.base.now())
        event = self.events.emit(kind, self.source, summary=summary, **fields)
        # Every state change is announced by an event from here: follow each
        # one with the new view, so views redraw from a snapshot, never poll.
        self.publish_view()
        return event

    def publish_view(self) -> None:
        """Emit ``phone.view.changed`` if the view differs from the last one published."""
        if not self._loading:
            self._views.publish(self.view(), time=self.clock.base.now())

    def save(self) -> None:
        if self._loading:
            return
        self.storage.save(
            {
                "name": self.name,
                "platform": self._platform.value,
                "device": {
                    "settings": self._settings.to_dict(),
                    "fingerprint": self._sensor.to_dict(),
                    "orphanTokens": list(self.link.orphan_tokens),
                },
                "app": self.app.state.to_dict(),
            }
        )

    def core(self) -> CoreDeviceApi:
        if self._settings.airplane_mode:
            raise PhoneOffline()
        return self._core

    def delivery(self) -> PushDelivery:
        if self._settings.airplane_mode:
            raise PhoneOffline()
        return self._delivery

    # -- LinkHost ----------------------------------------------------------------
    @property
    def airplane_mode(self) -> bool:
        return self._settings.airplane_mode

    @property
    def push_token(self) -> str | None:
        state = self.app.state
        return state.push_token if state.installed else None

    @property
    def push_secret(self) -> str | None:
        state = self.app.state
        return state.push_secret if state.installed else None

    async def finish_push_registration(self) -> None:
        if self.app.state.activated and not self.app.state.core_registered:
            await self.ensure_push_registration()

    def push_token_revoked(self, token: str) -> None:
        self.app.push_token_revoked(token)

    def _sensor_changed(self) -> None:
        self.save()
        self.emit(
            PhoneEvent.FINGERPRINT_CHANGED,
            "fingerprint sensor changed",
            details=event_details.SensorChanged(sensor=SensorView.of(self._sensor)),
        )

    # -- lifecycle ---------------------------------------------------------------
    async def start(self) -> None:
        """Go live: hold the delivery stream (when online, installed and registered)."""
        self.link.started = True
        self.emit(
            PhoneEvent.STARTED,
            f"{self.name} ({self._platform.value}) on",
            details=event_details.PhoneShown(view=self.view()),
        )
        self.link.sync(catch_up=True)
        self._expiry = asyncio.create_task(
            self.receiver.expire_on_time(), name=f"{self.name} expiry"
        )

    async def stop(self) -> None:
        if self.app.prompt is not None:
            self.app.prompt.cancel()
        if self._expiry is not None:
            self._expiry.cancel()
        await self.link.stop()
        self.emit(PhoneEvent.STOPPED, f"{self.name} off")

    # -- activation --------------------------------------------------------------
    def scan_activation_message1(self, message1: str) -> ActivationOffer:
        return self.app.scan_activation_message1(message1)

    def enter_activation_password(self, activation_password: str) -> str:
        return self.app.enter_activation_password(activation_password)

    async def complete_activation(self, message2: str, *, pin: str) -> str:
        """Scan message 2, set the PIN, activate, then register for pushes (best effort)."""
        serial = await self.app.complete_activation(message2, pin=pin)
        await self.ensure_push_registration()
        return serial

    async def activate(
        self,
        message1: str,
        activation_password: str,
        *,
        pin: str,
        portal: Callable[[str, str], Awaitable[str]] | None = None,
    ) -> str:
        """The whole activation in one call (headless runs).

        ``portal(registration_id, device_code)`` stands for the user typing the
        device code at the portal and gets message 2 back; by default the
        phone calls ``add-device`` itself.
        """
        offer = self.scan_activation_message1(message1)
        device_code = self.enter_activation_password(activation_password)
        if portal is None:
            message2 = await self.core().add_device(offer.registration_id, device_code)
        else:
            message2 = await portal(offer.registration_id, device_code)
        return await self.complete_activation(message2, pin=pin)

    async def register_push(self) -> str:
        token = await self.app.register_push()
        self.link.sync(catch_up=False)
        return token

    async def reregister_push(self) -> str:
        """Register again: a new push token, then the core (``push_registration``)."""
        return await push_registration.reregister(self)

    async def ensure_push_registration(self) -> None:
        """Register for pushes if we can; failures are shown, and retried when back online."""
        try:
            await self.register_push()
        except Exception as exc:  # shown to the tester; retried when back online
            self.emit(
                PhoneEvent.PUSH_REGISTRATION_FAILED,
                f"push registration failed: {exc}",
                details=event_details.RegistrationFailure(error=type(exc).__name__),
            )

    # -- requests ----------------------------------------------------------------
    @property
    def notifications(self) -> list[Notification]:
        """What the lock screen / app shows (hidden pushes excluded)."""
        return self.app.inbox.visible()

    def notification(self, notification_id: str) -> Notification:
        return self.receiver.visible(notification_id)

    def notification_for(self, request_id: str) -> Notification | None:
        return self.app.inbox.by_request(request_id)

    async def poll(self) -> Notification | None:
        return await self.receiver.poll()

    async def open_notification(self, notification_id: str) -> Notification:
        return await self.receiver.open_notification(notification_id)

    def dismiss(self, notification_id: str) -> None:
        self.receiver.dismiss(notification_id)

    async def approve(
        self, notification_id: str, *, unlock: UnlockInput | None = None, number: int | None = None
    ) -> ResponseReceipt:
        """Approve; without ``unlock`` a prompt opens for ``unlock_with_*`` to answer."""
        return await self.answerer.approve(notification_id, unlock=unlock, number=number)

    async def reject(self, notification_id: str) -> ResponseReceipt:
        return await self.answerer.reject(notification_id)

    async def unlock_with_pin(self, pin: str) -> UnlockProtection:
        return await self.answerer.submit_unlock(Pin(pin))

    async def unlock_with_finger(self, finger: str) -> UnlockProtection:
        return await self.answerer.submit_unlock(Finger(finger))

    def cancel_unlock(self) -> None:
        self.answerer.cancel_unlock()

    async def change_pin(self, old_pin: str, new_pin: str) -> bool:
        """Re-wrap the PIN key; False when ``old_pin`` is wrong (not counted)."""
        return await self.app.change_pin(old_pin, new_pin)

    # -- settings ----------------------------------------------------------------
    def _change_settings(self, summary: str, **changes: Any) -> None:
        self._settings = replace(self._settings, **changes)
        self.clock.offset = self._settings.clock_offset
        self.save()
        changed = event_details.SettingsChanged(settings=self._settings)
        self.emit(PhoneEvent.SETTINGS_CHANGED, summary, details=changed)

    def set_airplane_mode(self, on: bool) -> None:
        if on == self._settings.airplane_mode:
            return
        self._change_settings("airplane mode on" if on else "airplane mode off", airplane_mode=on)
        self.link.sync(catch_up=not on)

    def set_notifications_denied(self, denied: bool) -> None:
        self._change_settings(
            "notifications denied" if denied else "notifications allowed",
            notifications_denied=denied,
        )

    def set_clock_offset(self, seconds: float) -> None:
        self._change_settings(f"clock offset {seconds:+.0f} s", clock_offset=float(seconds))

    def set_ignore_required_protection(self, on: bool) -> None:
        """QA: a tampered app that signs with whatever key it has."""
        self._change_settings(
            "app tampered: ignores the required protection" if on else "app untampered",
            ignore_required_protection=on,
        )

    def enroll_finger(self, finger: str) -> None:
        self._sensor.enroll(finger)

    def remove_finger(self, finger: str) -> None:
        self._sensor.remove(finger)

    async def uninstall_app(self) -> None:
        """Uninstall: the sandbox is wiped and the push token unregistered."""
        await app_install.uninstall(self)

    async def install_app(self) -> None:
        """A fresh install (reinstall after ``uninstall_app``): it must be activated again."""
        await app_install.install(self)

    # -- views -------------------------------------------------------------------
    def view(self) -> PhoneView:
        """The phone as a frozen snapshot (what every view draws)."""
        return PhoneView(
            name=self.name,
            platform=self._platform,
            online=self.link.online,
            delivery=self.link.state.value,
            airplane_mode=self._settings.airplane_mode,
            clock=self.now(),
            settings=self._settings,
            sensor=SensorView.of(self._sensor),
            app=self.app.view(),
            notifications=tuple(self.notifications),
            auto_responder=self.auto_response,
        )

    def describe(self) -> dict[str, Any]:
        """Everything a view draws (JSON-able; no secrets)."""
        return describe_phone_view(self.view())
