"""Two-step offline activation (SPEC §4) and the device's push registration.

register -> (phone scans message 1, shows a device code) -> add-device ->
(phone verifies message 2, derives keys) -> activate -> notification-registration.
Status changes are conditional updates, so two concurrent add-device calls
cannot both succeed. The activation password lives in the registration only
until the device code is accepted; after that only the derived keys remain.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from core.event_kinds import CoreEvent
from core.protocol.activation import (
    WRONG_PASSWORD_OR_CODE,
    ServerActivationState,
    accept_device_code,
    generate_activation_password,
    generate_serial,
    start_server_activation,
    verify_activation_signature,
)
from core.protocol.errors import ActivationError
from core.protocol.keys import AuthenticatorKeys
from core.service.context import ServiceContext
from core.service.credentials import signed_authenticator
from core.service.errors import (
    Conflict,
    Forbidden,
    Gone,
    InvalidInput,
    Locked,
    NotFound,
    Unauthorized,
)
from core.service.event_details import ActivationRegistered, AuthenticatorDetails, PushRegistered
from core.storage import Repositories
from core.storage.records import (
    AUTH_ACTIVE,
    AUTH_PENDING,
    AUTH_PUSH_UNREGISTERED,
    REG_ACTIVE,
    REG_DEVICE_ADDED,
    REG_EXPIRED,
    REG_LOCKED,
    REG_PENDING,
    AuthenticatorRecord,
    RegistrationRecord,
)

ACTIVATION_TYPE = "offlineMDL"


@dataclass(frozen=True, kw_only=True)
class RegistrationStarted:
    registration_id: str
    serial: str
    activation_password: str
    activation_message1: str
    expires: float


class ActivationService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def register(
        self,
        *,
        user_id: str,
        domain: str,
        app_kind: str,
        platform: str,
        activation_type: str = ACTIVATION_TYPE,
    ) -> RegistrationStarted:
        if activation_type != ACTIVATION_TYPE:
            raise InvalidInput(
                "unsupported activation type",
                validation_errors=[{"field": "activation_type", "message": "must be offlineMDL"}],
            )
        now = self._ctx.clock.now()
        async with self._ctx.unit() as u:
            if await u.tx.domains.get(domain) is None:
                raise NotFound(f"unknown domain {domain}")
            if await u.tx.users.get(user_id, domain) is None:
                raise NotFound(f"unknown user {user_id}@{domain}")
            serial = generate_serial()
            while await u.tx.registrations.serial_exists(serial):
                serial = generate_serial()
            registration_id = secrets.token_hex(16)
            password = generate_activation_password()
            state, message1 = start_server_activation(
                serial=serial,
                user_id=user_id,
                domain=domain,
                registration_id=registration_id,
                activation_password=password,
            )
            expires = now + self._ctx.settings.registration_ttl
            await u.tx.registrations.insert(
                RegistrationRecord(
                    registration_id=registration_id,
                    serial=serial,
                    user_id=user_id,
                    domain=domain,
                    app_kind=app_kind,
                    platform=platform,
                    status=REG_PENDING,
                    server_state=state.to_dict(),
                    keys=None,
                    failed_attempts=0,
                    expires=expires,
                    created=now,
                )
            )
            u.add(
                CoreEvent.ACTIVATION_REGISTERED,
                summary=f"registration for {user_id}@{domain}, serial {serial}",
                target="phone",
                raw=message1,
                details=ActivationRegistered(serial=serial, registration_id=registration_id),
            )
        return RegistrationStarted(
            registration_id=registration_id,
            serial=serial,
            activation_password=password,
            activation_message1=message1,
            expires=expires,
        )

    async def get(self, registration_id: str) -> RegistrationRecord:
        async with self._ctx.db.read() as repos:
            found = await repos.registrations.get(registration_id)
        if found is None:
            raise NotFound(f"unknown registration {registration_id}")
        if found.status in (REG_PENDING, REG_DEVICE_ADDED) and self._expired(found):
            await self._expire(found)
            return await self.get(registration_id)
        return found

    def _expired(self, registration: RegistrationRecord) -> bool:
        return self._ctx.clock.now() >= registration.expires

    async def _expire(self, registration: RegistrationRecord) -> None:
        async with self._ctx.db.transaction() as tx:
            await tx.registrations.transition(
                registration.registration_id, from_status=registration.status, to_status=REG_EXPIRED
            )

    async def _usable(
        self, tx: Repositories, registration_id: str, want: str
    ) -> RegistrationRecord:
        found = await tx.registrations.get(registration_id)
        if found is None:
            raise NotFound(f"unknown registration {registration_id}")
        if found.status == REG_LOCKED:
            raise Locked("registration locked after too many failed attempts")
        if found.status == REG_EXPIRED or (
            found.status in (REG_PENDING, REG_DEVICE_ADDED) and self._expired(found)
        ):
            raise Gone("registration expired; start a new one")
        if found.status != want:
            raise Conflict(f"registration is {found.status}, expected {want}")
        return found

    async def add_device(self, registration_id: str, device_code: str) -> str:
        """Check the device code; returns activation message 2 (hex)."""
        failed: tuple[int, int, str] | None = None
        async with self._ctx.db.read() as repos:
            registration = await repos.registrations.get(registration_id)
        if (
            registration is not None
            and registration.status == REG_PENDING
            and self._expired(registration)
        ):
            await self._expire(registration)
        async with self._ctx.unit() as u:
            registration = await self._usable(u.tx, registration_id, REG_PENDING)
            state = ServerActivationState.from_dict(dict(registration.server_state))
            try:
                keys, message2 = accept_device_code(state, device_code)
            except ActivationError as exc:
                if exc.reason != WRONG_PASSWORD_OR_CODE:
                    raise
                failures = registration.failed_attempts + 1
                limit = self._ctx.settings.registration_max_failures
                changes: dict[str, Any] = {"failed_attempts": failures}
                if failures >= limit:
                    changes["status"] = REG_LOCKED
                await u.tx.registrations.update(registration_id, changes)
                u.add(
                    CoreEvent.ACTIVATION_DEVICE_CODE_REFUSED,
                    summary=f"{exc.reason} ({failures}/{limit})",
                    details=AuthenticatorDetails(serial=registration.serial),
                )
                failed = (failures, limit, exc.reason)
            else:
                now = self._ctx.clock.now()
                await u.tx.registrations.update(
                    registration_id,
                    {"status": REG_DEVICE_ADDED, "keys": keys.to_dict(), "server_state": "{}"},
                )
                await u.tx.authenticators.insert(
                    AuthenticatorRecord(
                        serial=registration.serial,
                        user_id=registration.user_id,
                        domain=registration.domain,
                        registration_id=registration_id,
                        app_kind=registration.app_kind,
                        platform=registration.platform,
                        status=AUTH_PENDING,
                        keys=keys.to_dict(),
                        push_platform=None,
                        push_token=None,
                        push_app_id=None,
                        created=now,
                        activated=None,
                    )
                )
                u.add(
                    CoreEvent.ACTIVATION_DEVICE_ADDED,
                    summary=f"device code accepted for {registration.serial}",
                    target="phone",
                    raw=message2,
                    details=AuthenticatorDetails(serial=registration.serial),
                )
        if failed is not None:
            failures, limit, reason = failed
            if failures >= limit:
                raise Locked(
                    f"registration locked after {limit} failed attempts",
                    extra={"remaining_attempts": 0},
                )
            raise InvalidInput(reason, extra={"remaining_attempts": limit - failures})
        return message2

    async def activate(self, registration_id: str, signature: str) -> AuthenticatorRecord:
        async with self._ctx.unit() as u:
            registration = await self._usable(u.tx, registration_id, REG_DEVICE_ADDED)
            assert registration.keys is not None  # stored with the device-added status
            keys = AuthenticatorKeys.from_dict(dict(registration.keys))
            if not verify_activation_signature(keys, registration_id, signature):
                raise Unauthorized("activation signature does not verify")
            await u.tx.registrations.update(registration_id, {"status": REG_ACTIVE})
            await u.tx.authenticators.update(
                registration.serial, {"status": AUTH_ACTIVE, "activated": self._ctx.clock.now()}
            )
            u.add(
                CoreEvent.ACTIVATION_ACTIVATED,
                summary=f"authenticator {registration.serial} active",
                source="phone",
                target="core",
                details=AuthenticatorDetails(serial=registration.serial),
            )
            authenticator = await u.tx.authenticators.get(registration.serial)
        assert authenticator is not None
        return authenticator

    async def register_push(
        self,
        *,
        serial: str,
        platform: str,
        push_token: str,
        app_id: str,
        time: float,
        signature: str,
    ) -> AuthenticatorRecord:
        """Record where pushes for this authenticator go (app ID/bundle decides the config)."""
        async with self._ctx.unit() as u:
            authenticator = await signed_authenticator(
                self._ctx,
                u.tx,
                serial,
                purpose="notification-registration",
                fields={"platform": platform, "pushToken": push_token, "appID": app_id},
                time=time,
                signature=signature,
            )
            if authenticator.status not in (AUTH_ACTIVE, AUTH_PUSH_UNREGISTERED):
                raise Forbidden(f"authenticator {serial} is {authenticator.status}")
            app = await u.tx.push_apps.get(app_id) or await u.tx.push_apps.find_by_bundle_id(app_id)
            if app is None:
                raise InvalidInput(
                    f"no push app configuration for app ID {app_id}",
                    validation_errors=[{"field": "app_id", "message": "unknown app ID"}],
                )
            if app.platform != platform:
                raise InvalidInput(
                    f"app ID {app_id} is configured for {app.platform}, not {platform}",
                    validation_errors=[{"field": "platform", "message": "does not match app"}],
                )
            await u.tx.authenticators.update(
                serial,
                {
                    "push_platform": platform,
                    "push_token": push_token,
                    "push_app_id": app.app_id,
                    # a reinstalled app re-registers: its pushes may flow again
                    "status": AUTH_ACTIVE,
                },
            )
            u.add(
                CoreEvent.AUTHENTICATOR_PUSH_REGISTERED,
                summary=f"{serial} receives pushes via {app.app_id} ({platform})",
                source="phone",
                target="core",
                details=PushRegistered(serial=serial, app_id=app.app_id),
            )
            updated = await u.tx.authenticators.get(serial)
        assert updated is not None
        return updated
