"""The device side of the two-step offline activation, as the app's wizard.

1. scan activation message 1 (QR #1): who, which domain, the server's key;
2. the user types the activation password; the app shows its device code,
   which the user enters at the portal (``add-device``);
3. scan activation message 2 (QR #2): it proves the server knew the password
   and saw our device code, and only then are the keys derived.

The maths is ``core.protocol.activation``; this module keeps the wizard's step
and turns protocol errors into ``ActivationFailed`` with the protocol's reason.
The wizard lives in memory only: an activation cut short by a restart is
simply started again, as on a real phone.
"""

from __future__ import annotations

from enum import StrEnum

from core.protocol.activation import (
    ActivationOffer,
    DeviceActivationState,
    begin_device_activation,
    finish_device_activation,
    read_activation_message1,
)
from core.protocol.errors import ActivationError
from core.protocol.keys import AuthenticatorKeys
from simulators.phone.errors import ActivationFailed


class ActivationStep(StrEnum):
    IDLE = "idle"
    AWAITING_PASSWORD = "awaiting_password"  # noqa: S105 (a wizard step, not a secret)
    SHOWING_DEVICE_CODE = "showing_device_code"  # waiting for message 2
    DERIVED = "derived"  # message 2 verified, keys derived


def _reason(exc: ActivationError) -> str:
    return getattr(exc, "reason", "") or str(exc) or "activation message rejected"


class ActivationFlow:
    def __init__(self) -> None:
        self.step = ActivationStep.IDLE
        self.offer: ActivationOffer | None = None
        self.device_code: str | None = None
        self._state: DeviceActivationState | None = None

    def reset(self) -> None:
        self.step = ActivationStep.IDLE
        self.offer = self.device_code = self._state = None

    def scan_message1(self, message1: str) -> ActivationOffer:
        try:
            offer = read_activation_message1(message1.strip())
        except ActivationError as exc:
            raise ActivationFailed(_reason(exc)) from exc
        self.offer, self.device_code, self._state = offer, None, None
        self.step = ActivationStep.AWAITING_PASSWORD
        return offer

    def enter_password(self, activation_password: str) -> str:
        """The device code to show; typing the password again makes a new one."""
        if self.offer is None:
            raise ActivationFailed("scan activation message 1 first")
        password = activation_password.strip()
        if not password:
            raise ActivationFailed("enter the activation password")
        try:
            self._state, self.device_code = begin_device_activation(self.offer, password)
        except ActivationError as exc:
            raise ActivationFailed(_reason(exc)) from exc
        self.step = ActivationStep.SHOWING_DEVICE_CODE
        return self.device_code

    def scan_message2(self, message2: str) -> AuthenticatorKeys:
        if self._state is None:
            raise ActivationFailed("enter the activation password first")
        try:
            keys = finish_device_activation(self._state, message2.strip())
        except ActivationError as exc:
            raise ActivationFailed(_reason(exc)) from exc
        self.step = ActivationStep.DERIVED
        return keys
