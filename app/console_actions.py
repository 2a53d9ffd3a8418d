"""What the console's context menus do, through the core's directory service.

``ConsoleActions.for_target`` lists a row's actions: a ``Step`` runs at once
(unlock, clear the cool-down...) and says what it did; a ``FormStep`` first
builds an inline form (``console_forms``) that does the change when submitted.
Deleting a user goes through a one-button form, so nothing is lost by a stray
click and no modal dialog is needed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.console_forms import FieldSpec, FormSpec, Values, field_error
from app.console_model import Target
from core.protocol.passkey import RequestMethod
from core.service.directory import APP_ID, DirectoryService
from core.service.errors import Conflict
from core.storage.records import AUTH_ACTIVE, AUTH_DEACTIVATED

if TYPE_CHECKING:
    from simulators.phone import Phone
    from simulators.suite import Suite

PROTECTIONS = ("device", "pin", "fingerprint")


@dataclass(frozen=True)
class Step:
    label: str
    run: Callable[[], Coroutine[Any, Any, str]]  # -> what happened, for the status line


@dataclass(frozen=True)
class FormStep:
    label: str
    build: Callable[[], Awaitable[FormSpec]]


def parse_keywords(text: str) -> dict[str, str]:
    """``push=device, PIN=pin`` -> {"push": "device", "PIN": "pin"}."""
    out: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.replace("\n", ",").split(","))):
        keyword, sep, protection = part.partition("=")
        if not sep or not keyword.strip():
            raise field_error("keywords", f"{part!r}: write keyword=protection")
        out[keyword.strip()] = protection.strip()
    return out


class ConsoleActions:
    def __init__(self, suite: Suite) -> None:
        self.suite = suite

    @property
    def directory(self) -> DirectoryService:
        return self.suite.core.service.directory

    def for_target(self, target: Target) -> list[Step | FormStep]:
        keys = target.keys
        if target.kind == "users":
            return [FormStep("New user…", self._new_user)]
        if target.kind == "user":
            user_id, domain = keys
            who = f"{user_id}@{domain}"
            d = self.directory
            return [
                Step("Unlock", self._step(d.unlock_user, keys, f"{who} unlocked")),
                Step(
                    "Reset failed attempts",
                    self._step(d.reset_failed_attempts, keys, f"{who}: failed attempts reset"),
                ),
                Step(
                    "Clear push cool-down",
                    self._step(d.clear_cooldown, keys, f"{who}: cool-down and push count cleared"),
                ),
                FormStep("Delete user…", lambda: self._delete_user(user_id, domain)),
                FormStep("New user…", self._new_user),
            ]
        if target.kind == "authenticator":
            (serial,) = keys
            return [
                Step("Deactivate", self._status(serial, AUTH_DEACTIVATED)),
                Step("Unlock", self._status(serial, AUTH_ACTIVE)),
                Step("Ask the phone to re-register push", lambda: self._reregister(serial)),
            ]
        if target.kind == "domain":
            return [FormStep("Edit domain settings…", lambda: self._domain_form(keys[0]))]
        if target.kind == "push app":
            return [FormStep("Edit Bundle ID…", lambda: self._push_app_form(keys[0]))]
        return []

    @staticmethod
    def _step(
        call: Callable[..., Awaitable[object]], args: tuple[str, ...], said: str
    ) -> Callable[[], Coroutine[Any, Any, str]]:
        async def run() -> str:
            await call(*args)
            return said

        return run

    def _status(self, serial: str, status: str) -> Callable[[], Coroutine[Any, Any, str]]:
        async def run() -> str:
            updated = await self.directory.set_authenticator_status(serial, status)
            return f"authenticator {serial}: {updated.status}"

        return run

    def phone_with(self, serial: str) -> Phone | None:
        for phone in self.suite.phones.values():
            if phone.app.serial == serial:
                return phone
        return None

    async def _reregister(self, serial: str) -> str:
        phone = self.phone_with(serial)
        if phone is None:
            raise Conflict(f"no simulated phone holds {serial}")
        again = getattr(phone, "reregister_push", None)  # the phone's one-click recovery
        await (again() if again is not None else phone.ensure_push_registration())
        return f"{phone.name}: asked to register for push again"

    # -- forms ------------------------------------------------------------------------
    async def _new_user(self) -> FormSpec:
        domains = tuple(d.name for d in await self.directory.list_domains())

        async def create(v: Values) -> str:
            try:
                user = await self.directory.create_user(
                    v["user_id"], v["domain"], v["password"] or None
                )
            except Conflict as exc:
                raise field_error("user_id", exc.reason) from None
            return f"user {user.user_id}@{user.domain} created"

        fields = [
            FieldSpec("user_id", "User ID", hint="printable ASCII, no space or '/'"),
            FieldSpec("domain", "Domain", "choice", domains[0] if domains else "", domains),
            FieldSpec("password", "Static password", "password", hint="empty: cannot log in"),
        ]
        return FormSpec("New user", fields, "Create", create)

    async def _delete_user(self, user_id: str, domain: str) -> FormSpec:
        async def delete(_: Values) -> str:
            await self.directory.delete_user(user_id, domain)
            return f"user {user_id}@{domain} deleted"

        title = f"Delete {user_id}@{domain}? Its sessions stay in the log."
        return FormSpec(title, [], "Delete", delete)

    async def _domain_form(self, name: str) -> FormSpec:
        d = await self.directory.get_domain(name)
        keywords = ", ".join(f"{k}={v}" for k, v in d.keywords.items())
        methods = tuple(m.value for m in RequestMethod)
        fields = [
            FieldSpec("request_method", "Request method", "choice", d.request_method, methods),
            FieldSpec(
                "keywords", "Keywords", value=keywords, hint="keyword=device|pin|fingerprint, …"
            ),
            FieldSpec("push_timeout", "Push timeout (s)", "int", d.push_timeout, hint="1–300"),
            FieldSpec(
                "lockout_threshold",
                "Lockout after wrong passwords",
                "int",
                d.lockout_threshold,
                hint="1–100",
            ),
            FieldSpec("poll_fallback", "Poll fallback", "bool", d.poll_fallback),
            FieldSpec("number_matching", "Number matching", "bool", d.number_matching),
            FieldSpec(
                "push_rate_limit",
                "Push rate limit (pushes)",
                "int",
                d.push_rate_limit,
                hint="1–1000",
            ),
            FieldSpec(
                "push_rate_window",
                "Push rate window (s)",
                "int",
                d.push_rate_window,
                hint="1–86400",
            ),
        ]

        async def save(v: Values) -> str:
            changes = dict(v, keywords=parse_keywords(v["keywords"]))
            await self.directory.update_domain(name, changes)
            return f"domain {name} saved"

        return FormSpec(f"Domain {name}", fields, "Save", save)

    async def _push_app_form(self, app_id: str) -> FormSpec:
        app = await self.directory.get_push_app(app_id)
        hint = f"empty: the app ID ({app_id}) is used as the Bundle ID"
        if app.platform != "ios":
            hint += "; Android apps send through FCM, which ignores it"
        fields = [
            FieldSpec("apns_bundle_id", "Bundle ID", value=app.apns_bundle_id or "", hint=hint)
        ]

        async def save(v: Values) -> str:
            bundle = v["apns_bundle_id"] or None
            if bundle is not None and not APP_ID.fullmatch(bundle):
                raise field_error("apns_bundle_id", "must be a Bundle ID like com.example.app")
            current = await self.directory.get_push_app(app_id)
            await self.directory.put_push_app(
                dataclasses.replace(current, apns_bundle_id=bundle), replace=True
            )
            return f"push app {app_id}: Bundle ID {bundle or app_id}"

        return FormSpec(f"Push app {app_id}", fields, "Save", save)
