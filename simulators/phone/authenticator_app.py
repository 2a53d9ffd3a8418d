"""The authenticator app: its sandbox, activation and push registration.

The app runs inside a phone (its ``AppHost``), which gives it the clock, the
event bus, persistence and — only while online — the core and the push service.
It owns the app state (keystore, push token, PIN counters) and the unlock gate;
receiving requests lives in ``receiving`` and answering them in ``answering``,
both working on this object.

Activation (device side of the two-step offline activation): scan message 1,
type the activation password, show the device code, scan message 2, choose a
PIN; the keys are wrapped (``keystore``) and the app ``activate``s with a
signature over the registration ID. Push registration then gets a token from
the push service and tells the core about it (signed with the device key).

Everything the user sees is published as ``phone.*`` events; no event, log or
request ever carries the PIN.
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

from core.events import Event, EventDetails
from core.protocol.activation import ActivationOffer, activation_signature
from core.protocol.signature import compute_signature
from core.step_gate import Gate
from simulators.phone.activation_flow import ActivationFlow
from simulators.phone.app_state import AppState, Enrollment
from simulators.phone.core_client import CoreDeviceApi, NotificationRegistration
from simulators.phone.errors import (
    ActivationFailed,
    AppNotInstalled,
    CoreApiError,
    NotActivated,
)
from simulators.phone.event_details import (
    ActivationFailure,
    DeviceCode,
    Enrolled,
    PushRegistered,
    PushTokenDetails,
    Scanned,
)
from simulators.phone.event_kinds import PhoneEvent
from simulators.phone.fingerprint import FingerprintSensor
from simulators.phone.identity import AppInfo, Platform
from simulators.phone.inbox import Inbox
from simulators.phone.keystore import (
    KdfParams,
    Keystore,
    change_pin,
    create_keystore,
    validate_pin,
)
from simulators.phone.push_delivery import PushDelivery
from simulators.phone.settings import PhoneSettings
from simulators.phone.unlock import DEFAULT_MAX_PIN_FAILURES, UnlockGate, UnlockPrompt
from simulators.phone.views import AuthenticatorView, UnlockPromptView, describe_authenticator_view


class PhoneParts(Protocol):
    """What a phone lends to the software running on it: its sensor and its event log."""

    @property
    def gate(self) -> Gate:
        """Step mode's gate: the app waits here before steps 4-6."""
        ...

    @property
    def sensor(self) -> FingerprintSensor: ...

    def emit(
        self, kind: str, summary: str, *, details: EventDetails = ..., **fields: Any
    ) -> Event: ...


class AppHost(PhoneParts, Protocol):
    """What the phone provides to the app running on it."""

    @property
    def platform(self) -> Platform: ...

    @property
    def settings(self) -> PhoneSettings: ...

    def now(self) -> float: ...

    def save(self) -> None: ...

    def core(self) -> CoreDeviceApi:
        """The core API; raises PhoneOffline in airplane mode."""
        ...

    def delivery(self) -> PushDelivery:
        """The push service; raises PhoneOffline in airplane mode."""
        ...


class AuthenticatorApp:
    def __init__(
        self,
        *,
        host: AppHost,
        info: AppInfo,
        state: AppState,
        kdf: KdfParams,
        max_pin_failures: int = DEFAULT_MAX_PIN_FAILURES,
    ) -> None:
        self.host = host
        self.info = info
        self.state = state
        self.kdf = kdf
        self.max_pin_failures = max_pin_failures
        self.inbox = Inbox()
        self.activation = ActivationFlow()
        self.gate = self._new_gate()
        # The open "unlock to approve" screen, if any (set by answering).
        self.prompt: UnlockPrompt | None = None
        self.prompt_lock = asyncio.Lock()
        # The push service or the core dropped our token: shown as "push
        # unregistered" until a registration succeeds (the next start does one).
        self.push_lost = False

    def _new_gate(self) -> UnlockGate:
        return UnlockGate(
            sensor=self.host.sensor,
            pin_failures=self.state.pin_failures,
            locked=self.state.locked,
            max_pin_failures=self.max_pin_failures,
            on_change=self._gate_changed,
        )

    def _gate_changed(self) -> None:
        self.state.pin_failures = self.gate.pin_failures
        self.state.locked = self.gate.locked
        self.host.save()

    # -- state ---------------------------------------------------------------
    @property
    def serial(self) -> str | None:
        return self.state.enrollment.serial if self.state.enrollment else None

    def require_installed(self) -> None:
        if not self.state.installed:
            raise AppNotInstalled()

    def require_activated(self) -> Keystore:
        self.require_installed()
        if self.state.keystore is None or self.state.enrollment is None:
            raise NotActivated()
        return self.state.keystore

    def view(self) -> AuthenticatorView:
        enrollment = self.state.enrollment
        prompt = self.prompt
        return AuthenticatorView(
            kind=self.info.kind.value,
            app_id=self.info.app_id,
            installed=self.state.installed,
            activated=self.state.activated,
            serial=enrollment.serial if enrollment else None,
            user_id=enrollment.user_id if enrollment else None,
            domain=enrollment.domain if enrollment else None,
            push_registered=self.state.core_registered,
            push_unregistered=self.push_lost and not self.state.core_registered,
            locked=self.gate.locked,
            pin_attempts_left=self.gate.remaining_pin_attempts,
            activation_step=self.activation.step.value,
            prompt=None
            if prompt is None
            else UnlockPromptView(
                notification_id=prompt.notification_id,
                required=prompt.required.value,
                offered=tuple(method.value for method in prompt.offered),
            ),
        )

    def describe(self) -> dict[str, Any]:
        return describe_authenticator_view(self.view())

    def wipe(self, *, installed: bool) -> None:
        """Uninstall (``installed=False``) or a fresh install: the sandbox is emptied."""
        if self.prompt is not None:
            self.prompt.cancel()
        self.state = AppState(installed=installed)
        self.inbox.clear()
        self.activation.reset()
        self.gate = self._new_gate()
        self.host.save()

    # -- activation ----------------------------------------------------------
    def scan_activation_message1(self, message1: str) -> ActivationOffer:
        self.require_installed()
        if self.state.activated:
            raise ActivationFailed("the app is already activated; reinstall it to start over")
        try:
            offer = self.activation.scan_message1(message1)
        except ActivationFailed as exc:
            self._activation_failed(exc, exc.reason)
            raise
        self.host.emit(
            PhoneEvent.ACTIVATION_SCANNED,
            f"activation for {offer.user_id}@{offer.domain} — enter the activation password",
            details=Scanned(
                serial=offer.serial,
                user_id=offer.user_id,
                domain=offer.domain,
                registration_id=offer.registration_id,
            ),
        )
        return offer

    def enter_activation_password(self, activation_password: str) -> str:
        self.require_installed()
        code = self.activation.enter_password(activation_password)
        self.host.emit(
            PhoneEvent.ACTIVATION_DEVICE_CODE,
            "device code shown — enter it at the portal",
            details=DeviceCode(device_code=code),
        )
        return code

    async def complete_activation(self, message2: str, *, pin: str) -> str:
        """Verify message 2, wrap the keys under the PIN, and activate with the core."""
        self.require_installed()
        try:
            validate_pin(pin)
        except ValueError as exc:
            raise ActivationFailed(str(exc)) from None
        offer = self.activation.offer
        core = self.host.core()
        try:
            keys = self.activation.scan_message2(message2)
        except ActivationFailed as exc:
            self._activation_failed(exc, exc.reason)
            raise
        assert offer is not None  # scan_message2 succeeded, so message 1 was scanned
        keystore = await create_keystore(keys, pin=pin, kdf=self.kdf, sensor=self.host.sensor)
        signature = activation_signature(keys, offer.registration_id)
        try:
            await core.activate(offer.registration_id, signature)
        except CoreApiError as exc:
            self._activation_failed(exc, exc.message)
            raise ActivationFailed(exc.message) from exc
        self.state = AppState(
            installed=True,
            enrollment=Enrollment(
                serial=offer.serial,
                registration_id=offer.registration_id,
                user_id=offer.user_id,
                domain=offer.domain,
            ),
            keystore=keystore,
        )
        self.gate = self._new_gate()
        self.activation.reset()
        self.host.save()
        self.host.emit(
            PhoneEvent.ACTIVATION_COMPLETED,
            f"activated as {offer.serial}",
            details=Enrolled(serial=offer.serial, user_id=offer.user_id, domain=offer.domain),
        )
        return offer.serial

    def _activation_failed(self, exc: Exception, reason: str) -> None:
        self.host.emit(
            PhoneEvent.ACTIVATION_FAILED, str(exc), details=ActivationFailure(reason=reason)
        )

    # -- push registration ---------------------------------------------------
    async def register_push(self) -> str:
        """Get a push token (once) and tell the core about it (signed)."""
        keystore = self.require_activated()
        if self.state.push_token is None:
            issued = await self.host.delivery().register(platform=self.host.platform, app=self.info)
            token = issued.token
            self.state.push_token, self.state.push_secret = token, issued.secret
            self.state.core_registered = False
            self.host.save()
            self.host.emit(
                PhoneEvent.PUSH_TOKEN,
                f"{self.host.platform.push_service} token issued",
                target=self.host.platform.push_service,
                details=PushTokenDetails(token=token),
            )
        token = self.state.push_token
        if not self.state.core_registered:
            registration = NotificationRegistration(
                platform=self.host.platform.value,
                pushToken=token,
                appID=self.info.app_id,
                time=self.host.now(),
            )
            fields = {
                "purpose": "notification-registration",
                "serialNumber": keystore.serial,
                **registration,
            }
            await self.host.core().register_notifications(
                keystore.serial,
                registration,
                signature=compute_signature(keystore.device_key, fields),
            )
            self.state.core_registered = True
            self.push_lost = False
            self.host.save()
            self.host.emit(
                PhoneEvent.PUSH_REGISTERED,
                "push token registered with the core",
                target="core",
                details=PushRegistered(token=token, app_id=self.info.app_id),
            )
        return token

    def push_token_revoked(
        self, token: str, summary: str = "the push service unregistered this phone's token"
    ) -> None:
        """``token`` is dead (push service or core): forget it; ``register_push`` gets a new one."""
        if self.state.push_token == token:
            self.state.push_token = self.state.push_secret = None
            self.state.core_registered = False
            self.push_lost = True
            self.host.save()
        self.host.emit(
            PhoneEvent.PUSH_TOKEN_REVOKED, summary, details=PushTokenDetails(token=token)
        )

    async def change_pin(self, old_pin: str, new_pin: str) -> bool:
        """Re-wrap the PIN key; False when ``old_pin`` is wrong (not counted)."""
        keystore = self.require_activated()
        changed = await change_pin(keystore, old_pin=old_pin, new_pin=new_pin)
        if changed is None:
            self.host.emit(PhoneEvent.PIN_CHANGE_FAILED, "PIN not changed: the old PIN is wrong")
            return False
        self.state.keystore = changed
        self.host.save()
        self.host.emit(PhoneEvent.PIN_CHANGED, "PIN changed")
        return True
