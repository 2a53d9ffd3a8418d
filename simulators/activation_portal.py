"""The activation portal, headless: what the window's wizard does, without Qt.

A tester adds a user and a phone at runtime, as an operator would at a real
portal: the core creates the user (``POST /v1/admin/users``) and starts the
two-step offline activation (``POST /v1/users/register``), which gives
activation message 1 (QR #1) and the activation password. The new phone
(``simulators/extra_phones``) scans the code, the user types the password on
it, the phone shows its device code, the user enters that code here
(``add-device``: QR #2, or the refusal with the core's own remaining-attempts
counter), and the phone scans QR #2, activates and registers for push.

Everything goes through the core's real HTTP API with the workspace's admin
token; the phone side is the phone's own activation (``activation_flow``).
``NewPhoneActivation`` keeps the steps in the wizard's order; a refusal is a
``PortalRefused`` whose ``errors`` name the wizard's fields.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.protocol.activation import ActivationOffer
from simulators.extra_phones import ExtraPhone, discard_extra_phone, remember_extra_phone
from simulators.phone.errors import ActivationFailed, PhoneError
from simulators.phone.fingerprint import validate_finger
from simulators.phone.keystore import validate_pin
from simulators.phone.storage import validate_phone_name
from simulators.workspace_http import WorkspaceHttpClient

if TYPE_CHECKING:
    from simulators.phone import Phone
    from simulators.suite import Suite

PLATFORMS = ("android", "ios")
APP_KINDS = ("authenticator", "sdk")
# the core's wire names of the wizard's fields, where they differ from ours
_FIELD_OF_WIRE = {"userID": "user_id", "appKind": "app_kind", "deviceCode": "device_code"}


@dataclass(frozen=True)
class FieldProblem:
    field: str  # the wizard's field: user_id, password, domain, platform, app_kind, ...
    message: str


class PortalRefused(Exception):
    """The portal (or the phone) refused a step; ``errors`` name the fields to mark."""

    def __init__(
        self,
        message: str,
        errors: Iterable[FieldProblem] = (),
        *,
        status: int = 0,
        remaining_attempts: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.errors = tuple(errors)
        self.status = status
        self.remaining_attempts = remaining_attempts


@dataclass(frozen=True, kw_only=True)
class Registration:
    """``POST /v1/users/register``'s answer: what the portal shows (QR #1 and the password)."""

    registration_id: str
    serial: str
    activation_password: str
    activation_message1: str
    expires: float


_REGISTRATION_WIRE = {
    "registration_id": "registrationID",
    "serial": "serialNumber",
    "activation_password": "activationPassword",
    "activation_message1": "activationMessage1",
}


class ActivationPortal(WorkspaceHttpClient):
    """The core's user and activation endpoints, as an operator's portal calls them."""

    def __init__(
        self, base_url: str, ca_file: Path | str, admin_token: str, *, timeout: float = 15.0
    ) -> None:
        super().__init__(base_url, ca_file, timeout=timeout)
        self._auth = {"Authorization": f"Bearer {admin_token}"}

    async def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = await self._http.request(method, f"/v1{path}", json=body, headers=self._auth)
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        if response.is_success:
            return answer
        answer = answer if isinstance(answer, dict) else {}
        message = str(answer.get("message") or response.reason_phrase)
        problems = [
            FieldProblem(_FIELD_OF_WIRE.get(str(e.get("field")), str(e.get("field"))), e["message"])
            for e in answer.get("validationErrors") or []
            if isinstance(e, dict) and "message" in e
        ]
        remaining = answer.get("remainingAttempts")
        raise PortalRefused(
            message,
            problems,
            status=response.status_code,
            remaining_attempts=remaining if isinstance(remaining, int) else None,
        )

    async def create_user(self, user_id: str, domain: str, password: str) -> None:
        try:
            await self._call(
                "POST", "/admin/users", {"userID": user_id, "domain": domain, "password": password}
            )
        except PortalRefused as refused:
            if refused.errors:
                raise
            where = {404: "domain", 409: "user_id"}.get(refused.status)
            if where is None:
                raise
            raise PortalRefused(
                refused.message, [FieldProblem(where, refused.message)], status=refused.status
            ) from None

    async def register(
        self, *, user_id: str, domain: str, app_kind: str, platform: str
    ) -> Registration:
        answer = await self._call(
            "POST",
            "/users/register",
            {
                "userID": user_id,
                "domain": domain,
                "activationType": "offlineMDL",
                "appKind": app_kind,
                "platform": platform,
            },
        )
        texts = {name: str(answer[wire]) for name, wire in _REGISTRATION_WIRE.items()}
        return Registration(**texts, expires=float(answer["expires"]))

    async def add_device(self, registration_id: str, device_code: str) -> str:
        """The device code the phone shows -> activation message 2 (QR #2)."""
        try:
            answer = await self._call(
                "POST",
                f"/registrations/{registration_id}/add-device",
                {"deviceCode": device_code},
            )
        except PortalRefused as refused:
            message = refused.message
            if refused.remaining_attempts is not None:
                left = refused.remaining_attempts
                message += f" · {left} attempt{'s' if left != 1 else ''} left"
            raise PortalRefused(
                message,
                [FieldProblem("device_code", message)],
                status=refused.status,
                remaining_attempts=refused.remaining_attempts,
            ) from None
        return str(answer["activationMessage2"])

    async def registration(self, registration_id: str) -> dict[str, Any]:
        """``GET /v1/registrations/{id}``: status and ``failedAttempts``."""
        answer: dict[str, Any] = await self._call("GET", f"/registrations/{registration_id}")
        return answer


@dataclass(frozen=True, kw_only=True)
class NewPhone:
    """What the wizard's first page asks: the new user and their phone."""

    user_id: str
    password: str  # the user's static password (what the login panel takes after the keyword)
    domain: str
    platform: str  # android | ios
    app_kind: str  # authenticator | sdk
    phone_name: str
    pin: str
    fingers: tuple[str, ...] = field(default=())

    def problems(self, taken: Iterable[str] = ()) -> list[FieldProblem]:
        """What the wizard marks before anything is sent (the core checks the rest)."""
        found: list[FieldProblem] = []

        def check(name: str, ok: bool, message: str) -> None:
            if not ok:
                found.append(FieldProblem(name, message))

        check("user_id", bool(self.user_id), "enter a user ID")
        check("password", bool(self.password), "the user needs a password to log in")
        check("domain", bool(self.domain), "enter a domain")
        check("platform", self.platform in PLATFORMS, "android or ios")
        check("app_kind", self.app_kind in APP_KINDS, "authenticator or sdk")
        for name, validate, value in (
            ("phone_name", validate_phone_name, self.phone_name),
            ("pin", validate_pin, self.pin),
            *(("fingers", validate_finger, finger) for finger in self.fingers),
        ):
            try:
                validate(value)
            except ValueError as exc:
                found.append(FieldProblem(name, str(exc)))
        check("phone_name", self.phone_name not in set(taken), "a phone with this name runs")
        return found

    def extra_phone(self) -> ExtraPhone:
        shared = ("platform", "app_kind", "user_id", "domain", "fingers")
        return ExtraPhone(name=self.phone_name, **{key: getattr(self, key) for key in shared})


def parse_fingers(text: str) -> tuple[str, ...]:
    """``right-index, left-thumb`` -> ("right-index", "left-thumb")."""
    return tuple(f.strip() for f in text.replace("\n", ",").split(",") if f.strip())


class NewPhoneActivation:
    """One new user and phone, activated step by step in the wizard's order."""

    def __init__(self, suite: Suite) -> None:
        self.suite = suite
        self.new: NewPhone | None = None
        self.registration: Registration | None = None
        self.phone: Phone | None = None
        self.offer: ActivationOffer | None = None
        self.device_code: str | None = None
        self.activation_message2: str | None = None
        self.serial: str | None = None

    def portal(self) -> ActivationPortal:
        """A client of the suite's core (``async with``: one per step, nothing left open)."""
        suite = self.suite
        return ActivationPortal(suite.core.url, suite.pki.ca_file, suite.workspace.admin_token())

    async def start(self, new: NewPhone) -> Registration:
        """Check the fields, create the user, start the activation and the (new) phone."""
        problems = new.problems(self.suite.phones)
        if problems:
            raise PortalRefused("check the marked fields", problems)
        async with self.portal() as portal:
            await portal.create_user(new.user_id, new.domain, new.password)
            self.registration = await portal.register(
                user_id=new.user_id, domain=new.domain, app_kind=new.app_kind, platform=new.platform
            )
        self.new = new
        self.phone = await self.suite.add_extra_phone(new.extra_phone())
        return self.registration

    def _phone(self) -> Phone:
        if self.phone is None:
            raise PortalRefused("start the activation first")
        return self.phone

    async def scan(self, code: str) -> int:
        """The phone scans ``code``: QR #1 (then it asks for the password) or QR #2.

        QR #2 is verified, the phone activates and registers for push (``finish``).
        Returns which code it was.
        """
        registration = self.registration
        if registration is not None and code == registration.activation_message1:
            self.offer = self._phone_step(
                lambda: self._phone().scan_activation_message1(code), "scan"
            )
            return 1
        if code and code == self.activation_message2:
            await self.finish()
            return 2
        raise PortalRefused("no activation code to scan", [FieldProblem("scan", "pick a code")])

    def enter_password(self, activation_password: str) -> str:
        """Typed on the phone; the device code it shows (a wrong password shows one too)."""
        self.device_code = self._phone_step(
            lambda: self._phone().enter_activation_password(activation_password),
            "activation_password",
        )
        return self.device_code

    async def add_device(self, device_code: str) -> str:
        """The device code typed at the portal -> activation message 2 (QR #2)."""
        if self.registration is None:
            raise PortalRefused("start the activation first")
        code = device_code.strip()
        if not code:
            raise PortalRefused("", [FieldProblem("device_code", "type the phone's device code")])
        async with self.portal() as portal:
            self.activation_message2 = await portal.add_device(
                self.registration.registration_id, code
            )
        return self.activation_message2

    async def finish(self) -> str:
        """The phone scans QR #2, verifies it, activates and registers for push: its serial."""
        phone, new, message2 = self._phone(), self.new, self.activation_message2
        if new is None or message2 is None:
            raise PortalRefused("enter the device code at the portal first")
        try:
            self.serial = await phone.complete_activation(message2, pin=new.pin)
        except PhoneError as exc:
            reason = _phone_reason(exc)
            raise PortalRefused(reason, [FieldProblem("scan", reason)]) from None
        remember_extra_phone(self.suite.workspace, replace(new.extra_phone(), serial=self.serial))
        return self.serial

    async def abandon(self) -> None:
        """Stop a phone that never finished its activation (the wizard started over)."""
        if self.phone is not None and self.serial is None:
            await discard_extra_phone(self.suite, self.phone.name)
        self.phone = None

    @staticmethod
    def _phone_step(step: Any, field_name: str) -> Any:
        try:
            return step()
        except PhoneError as exc:
            reason = _phone_reason(exc)
            raise PortalRefused(reason, [FieldProblem(field_name, reason)]) from None


def _phone_reason(exc: PhoneError) -> str:
    return exc.reason if isinstance(exc, ActivationFailed) else str(exc)


async def activate_new_phone(
    suite: Suite, new: NewPhone, *, activation_password: str | None = None
) -> NewPhoneActivation:
    """The whole wizard in one call (tests, scripts): returns the finished activation.

    ``activation_password``: what the user types on the phone (default: the right one).
    """
    activation = NewPhoneActivation(suite)
    registration = await activation.start(new)
    await activation.scan(registration.activation_message1)
    code = activation.enter_password(activation_password or registration.activation_password)
    await activation.scan(await activation.add_device(code))
    return activation
