"""Administration use cases: domains, push app configurations, users, authenticators.

Semantic checks live here (ranges, known methods and protections, what may be
deleted); the API only checks JSON types. Every change leaves an audit event.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from core.event_kinds import CoreEvent
from core.protocol.keys import UnlockProtection
from core.protocol.passkey import MAX_KEYWORD_LENGTH, RequestMethod
from core.protocol.session import SessionTrigger
from core.push.fcm import CredentialsError, ServiceAccount
from core.service.context import ServiceContext
from core.service.errors import Conflict, InvalidInput, NotFound, Unprocessable
from core.service.event_details import AuthenticatorStatus
from core.service.lifecycle import decide
from core.service.passwords import hash_cost, hash_password_async
from core.service.unit import Unit
from core.service.user_standing import UserStanding, read_standing
from core.storage.records import (
    AUTH_ACTIVE,
    AUTH_DEACTIVATED,
    AUTH_LOCKED,
    AuditRecord,
    AuthenticatorRecord,
    DomainRecord,
    PushAppRecord,
    SessionRecord,
    UserRecord,
)
from core.storage.repo_sessions import SessionQuery

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
# printable ASCII without space or '/', not starting with '@' (routes.toml: userID)
USER_ID = re.compile(r"[!-.0-?A-~][!-.0-~]{0,127}")
APP_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,254}")
HTTPS_URL = re.compile(r"https://[!-.0-~]+(/[!-~]*)?")  # printable ASCII, no space
KEYWORD = re.compile(rf"[!-~]{{1,{MAX_KEYWORD_LENGTH}}}")  # printable ASCII, no space
DEFAULT_KEYWORDS = {"push": UnlockProtection.DEVICE.value}


def _bad(field: str, message: str) -> InvalidInput:
    """``field`` is the record's field name; the API shows its wire name (api/views)."""
    return InvalidInput("invalid request", validation_errors=[{"field": field, "message": message}])


def check_keywords(keywords: Mapping[str, str]) -> dict[str, str]:
    if not 1 <= len(keywords) <= 16:
        raise _bad("keywords", "must map 1-16 keywords to a protection")
    out = {}
    seen: set[str] = set()
    for keyword, protection in keywords.items():
        if not KEYWORD.fullmatch(keyword):
            raise _bad(
                "keywords",
                f"keyword {keyword!r} must be 1-{MAX_KEYWORD_LENGTH} printable ASCII characters",
            )
        if keyword.casefold() in seen:  # each fits the schema; together they do not
            raise Unprocessable(
                "invalid request",
                validation_errors=[
                    {"field": "keywords", "message": f"keyword {keyword!r} is there twice"}
                ],
            )
        seen.add(keyword.casefold())
        try:
            out[keyword] = UnlockProtection(protection).value
        except ValueError:
            raise _bad(
                "keywords", f"protection {protection!r} is not device|pin|fingerprint"
            ) from None
    return out


def _check_domain(domain: DomainRecord) -> None:
    if not NAME.fullmatch(domain.name):
        raise _bad("name", "must be 1-64 letters, digits, '.', '_' or '-'")
    if not APP_ID.fullmatch(domain.mobile_app_name):
        raise _bad("mobile_app_name", "must be an app ID like com.example.app")
    try:
        RequestMethod(domain.request_method)
    except ValueError:
        methods = ", ".join(m.value for m in RequestMethod)
        raise _bad("request_method", f"must be one of {methods}") from None
    check_keywords(domain.keywords)
    if not 1 <= domain.push_timeout <= 300:
        raise _bad("push_timeout", "must be 1-300 seconds")
    if not 1 <= domain.lockout_threshold <= 100:
        raise _bad("lockout_threshold", "must be 1-100")
    if not 1 <= domain.push_rate_limit <= 1000:
        raise _bad("push_rate_limit", "must be 1-1000 pushes")
    if not 1 <= domain.push_rate_window <= 86400:
        raise _bad("push_rate_window", "must be 1-86400 seconds")


def _check_push_app(app: PushAppRecord) -> None:
    if not APP_ID.fullmatch(app.app_id):
        raise _bad("app_id", "must be an app ID like com.example.app")
    for name, url in (("endpoint", app.endpoint), ("token_uri", app.token_uri)):
        if url is not None and not HTTPS_URL.fullmatch(url):
            raise _bad(name, "must be an https:// URL")
    if app.platform == "android":
        if not (app.fcm_service_account or app.fcm_legacy_server_key):
            raise _bad("fcm", "needs a service account (or a legacy server key, refused at send)")
        if app.fcm_service_account:
            try:
                ServiceAccount.from_json(app.fcm_service_account)
            except CredentialsError as exc:  # well-formed, but not a key that loads
                raise Unprocessable(
                    "invalid service account",
                    validation_errors=[{"field": "fcm_service_account", "message": str(exc)}],
                ) from None
    elif app.platform == "ios":
        if app.apns_auth == "token":
            if not (app.apns_key_pem and app.apns_key_id and app.apns_team_id):
                raise _bad("apns", "token auth needs keyPem, keyID and teamID")
        elif app.apns_auth == "certificate":
            if not app.apns_cert_pem:
                raise _bad("apns", "certificate auth needs certificatePem")
        else:
            raise _bad("apns_auth", "must be token or certificate")
        if app.apns_environment not in ("sandbox", "production"):
            raise _bad("apns_environment", "must be sandbox or production")
    else:
        raise _bad("platform", "must be android or ios")


T = TypeVar("T")


def _found(record: T | None, what: str) -> T:
    """``record``, or NotFound ``unknown <what>`` where there is none."""
    if record is None:
        raise NotFound(f"unknown {what}")
    return record


class DirectoryService:
    def __init__(
        self, ctx: ServiceContext, checking: Callable[[str, str], int] = lambda *_: 0
    ) -> None:
        self._ctx = ctx
        self._checking = checking  # (user_id, domain) -> password checks in flight

    # -- domains --------------------------------------------------------------
    def new_domain(self, name: str, mobile_app_name: str, **options: Any) -> DomainRecord:
        """A domain record with the SPEC defaults for everything not given."""
        values: dict[str, Any] = {
            "request_method": RequestMethod.KEYWORD_PASSWORD.value,
            "keywords": dict(DEFAULT_KEYWORDS),
            "push_timeout": 60,
            "lockout_threshold": 5,
            "poll_fallback": False,
            "number_matching": False,
        }
        values.update({k: v for k, v in options.items() if v is not None})
        return DomainRecord(
            name=name, mobile_app_name=mobile_app_name, created=self._ctx.clock.now(), **values
        )

    async def create_domain(self, domain: DomainRecord) -> DomainRecord:
        _check_domain(domain)
        domain = dataclasses.replace(domain, keywords=check_keywords(domain.keywords))
        async with self._ctx.unit() as u:
            if await u.tx.domains.get(domain.name) is not None:
                raise Conflict(f"domain {domain.name} exists already")
            await u.tx.domains.insert(domain)
            u.add(CoreEvent.ADMIN_DOMAIN_CREATED, summary=f"domain {domain.name} created")
        return domain

    async def get_domain(self, name: str) -> DomainRecord:
        async with self._ctx.db.read() as repos:
            return _found(await repos.domains.get(name), f"domain {name}")

    async def list_domains(self) -> list[DomainRecord]:
        async with self._ctx.db.read() as repos:
            return await repos.domains.all()

    async def update_domain(self, name: str, changes: Mapping[str, Any]) -> DomainRecord:
        async with self._ctx.unit() as u:
            current = _found(await u.tx.domains.get(name), f"domain {name}")
            updated = dataclasses.replace(current, **dict(changes))
            _check_domain(updated)
            updated = dataclasses.replace(updated, keywords=check_keywords(updated.keywords))
            values = {k: getattr(updated, k) for k in changes}
            await u.tx.domains.update(name, values)
            u.add(
                CoreEvent.ADMIN_DOMAIN_UPDATED,
                summary=f"domain {name} updated: {', '.join(changes)}",
            )
        return updated

    async def delete_domain(self, name: str) -> None:
        async with self._ctx.db.transaction() as tx:
            if await tx.domains.get(name) is None:
                raise NotFound(f"unknown domain {name}")
            if await tx.users.count_in_domain(name):
                raise Conflict(f"domain {name} still has users; delete them first")
            await tx.domains.delete(name)

    # -- push app configurations ----------------------------------------------
    async def put_push_app(self, app: PushAppRecord, *, replace: bool) -> PushAppRecord:
        _check_push_app(app)
        async with self._ctx.unit() as u:
            exists = await u.tx.push_apps.get(app.app_id) is not None
            if exists and not replace:
                raise Conflict(f"push app {app.app_id} exists already")
            if not exists and replace:
                raise NotFound(f"unknown push app {app.app_id}")
            if exists:
                await u.tx.push_apps.replace(app)
            else:
                await u.tx.push_apps.insert(app)
            u.add(CoreEvent.ADMIN_PUSH_APP_SAVED, summary=f"push app {app.app_id} ({app.platform})")
        return app

    async def get_push_app(self, app_id: str) -> PushAppRecord:
        async with self._ctx.db.read() as repos:
            return _found(await repos.push_apps.get(app_id), f"push app {app_id}")

    async def list_push_apps(self) -> list[PushAppRecord]:
        async with self._ctx.db.read() as repos:
            return await repos.push_apps.all()

    async def delete_push_app(self, app_id: str) -> None:
        async with self._ctx.db.transaction() as tx:
            if not await tx.push_apps.delete(app_id):
                raise NotFound(f"unknown push app {app_id}")

    # -- users ------------------------------------------------------------------
    async def create_user(
        self, user_id: str, domain: str, password: str | None, *, password_hash: str | None = None
    ) -> UserRecord:
        """``password_hash``: the password's hash, made ahead of time (the demo seed)."""
        if not USER_ID.fullmatch(user_id):
            raise _bad("user_id", "must be 1-128 printable ASCII characters, no space or '/'")
        hashed = password_hash
        if hashed is None and password is not None:
            hashed = await self._hash(password)
        user = UserRecord(
            user_id=user_id,
            domain=domain,
            password_hash=hashed,
            failed_attempts=0,
            locked=False,
            cooldown_until=None,
            created=self._ctx.clock.now(),
        )
        async with self._ctx.unit() as u:
            if await u.tx.domains.get(domain) is None:
                raise NotFound(f"unknown domain {domain}")
            if await u.tx.users.get(user_id, domain) is not None:
                raise Conflict(f"user {user_id}@{domain} exists already")
            await u.tx.users.insert(user)
            u.add(CoreEvent.ADMIN_USER_CREATED, summary=f"user {user_id}@{domain} created")
        return user

    def hash_has_current_cost(self, encoded: str) -> bool:
        """True when ``encoded`` was hashed at this core's cost (so it may be stored as is)."""
        s = self._ctx.settings
        return hash_cost(encoded) == (s.password_hash_log2_n, s.password_hash_r, s.password_hash_p)

    async def _hash(self, password: str) -> str:
        if not 1 <= len(password) <= 256:
            raise _bad("password", "must be 1-256 characters")
        s = self._ctx.settings
        return await hash_password_async(
            password, log2_n=s.password_hash_log2_n, r=s.password_hash_r, p=s.password_hash_p
        )

    async def get_user(self, user_id: str, domain: str) -> UserRecord:
        async with self._ctx.db.read() as repos:
            return _found(await repos.users.get(user_id, domain), f"user {user_id}@{domain}")

    async def list_users(self, domain: str | None = None) -> list[UserRecord]:
        async with self._ctx.db.read() as repos:
            return await repos.users.find(domain)

    async def standing(self, user: UserRecord) -> UserStanding:
        """What the user's next login meets: lockout, checks in flight, cool-down, push cap."""
        async with self._ctx.db.read() as repos:
            domain = _found(await repos.domains.get(user.domain), f"domain {user.domain}")
            now = self._ctx.clock.now()
            checking = self._checking(user.user_id, user.domain)
            return await read_standing(repos, user, domain, now, checking)

    async def update_user(
        self, user_id: str, domain: str, *, password: str | None, locked: bool | None
    ) -> UserRecord:
        changes: dict[str, Any] = {}
        if password is not None:
            changes["password_hash"] = await self._hash(password)
        if locked is not None:
            changes["locked"] = int(locked)
            if not locked:
                changes |= self._unlocked()
        return await self._change_user(user_id, domain, changes, "updated")

    async def unlock_user(self, user_id: str, domain: str) -> UserRecord:
        return await self._change_user(user_id, domain, self._unlocked(), "unlocked")

    async def reset_failed_attempts(self, user_id: str, domain: str) -> UserRecord:
        """The wrong-password count back to 0; a locked user stays locked (unlock that)."""
        return await self._change_user(
            user_id, domain, {"failed_attempts": 0}, "failed attempts reset"
        )

    async def clear_cooldown(self, user_id: str, domain: str) -> UserRecord:
        """End the reject cool-down and restart the push rate count (the two 429s)."""
        changes = {"cooldown_until": None, "pushes_counted_from": self._ctx.clock.now()}
        return await self._change_user(user_id, domain, changes, "cool-down cleared")

    def _unlocked(self) -> dict[str, Any]:
        """Unlocking clears the lockout, the reject cool-down and the push rate count."""
        now = self._ctx.clock.now()
        return {
            "locked": 0,
            "failed_attempts": 0,
            "cooldown_until": None,
            "pushes_counted_from": now,
        }

    async def _change_user(
        self, user_id: str, domain: str, changes: Mapping[str, Any], what: str
    ) -> UserRecord:
        async with self._ctx.unit() as u:
            if not await u.tx.users.update(user_id, domain, changes):
                raise NotFound(f"unknown user {user_id}@{domain}")
            user = await u.tx.users.get(user_id, domain)
            u.add(CoreEvent.ADMIN_USER_CHANGED, summary=f"user {user_id}@{domain} {what}")
        assert user is not None  # updated inside this transaction
        return user

    async def delete_user(self, user_id: str, domain: str) -> None:
        async with self._ctx.db.transaction() as tx:
            if not await tx.users.delete(user_id, domain):
                raise NotFound(f"unknown user {user_id}@{domain}")

    # -- authenticators, sessions, audit ------------------------------------------
    async def list_authenticators(
        self, *, user_id: str | None = None, domain: str | None = None
    ) -> list[AuthenticatorRecord]:
        async with self._ctx.db.read() as repos:
            return await repos.authenticators.find(user_id=user_id, domain=domain)

    async def get_authenticator(self, serial: str) -> AuthenticatorRecord:
        async with self._ctx.db.read() as repos:
            return _found(await repos.authenticators.get(serial), f"authenticator {serial}")

    async def set_authenticator_status(self, serial: str, status: str) -> AuthenticatorRecord:
        """Deactivate (any status) or lock/unlock (active <-> locked)."""
        async with self._ctx.unit() as u:
            current = _found(await u.tx.authenticators.get(serial), f"authenticator {serial}")
            allowed = {
                AUTH_DEACTIVATED: {current.status},
                AUTH_ACTIVE: {AUTH_LOCKED},
                AUTH_LOCKED: {AUTH_ACTIVE},
            }.get(status, set())
            if current.status not in allowed:
                raise Conflict(
                    f"authenticator {serial} is {current.status}; cannot become {status}"
                )
            await u.tx.authenticators.set_status(serial, status)
            if status != AUTH_ACTIVE:
                await self._fail_pending(u, serial, f"authenticator {status}")
            u.add(
                CoreEvent.AUTHENTICATOR_STATUS,
                summary=f"authenticator {serial}: {status}",
                details=AuthenticatorStatus(serial=serial),
            )
            updated = await u.tx.authenticators.get(serial)
        assert updated is not None
        return updated

    async def _fail_pending(self, u: Unit, serial: str, reason: str) -> None:
        now = self._ctx.clock.now()
        for session in await u.tx.sessions.pending_for_serial(serial):
            await decide(u, session, SessionTrigger.FAIL, reason, now=now)

    async def list_sessions(self, query: SessionQuery) -> list[SessionRecord]:
        async with self._ctx.db.read() as repos:
            return await repos.sessions.find(query)

    async def audit_events(
        self, *, request_id: str | None = None, after_id: int = 0, limit: int = 200
    ) -> list[AuditRecord]:
        async with self._ctx.db.read() as repos:
            return await repos.audit.find(request_id=request_id, after_id=after_id, limit=limit)
