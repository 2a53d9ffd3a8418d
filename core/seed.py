"""Demo data: domain ``demo``, the two demo push apps, users ``alice`` and ``bob`` (idempotent).

Per-user app mapping: a domain has one *Mobile Application Name* (here the
Android app ID), but alice uses the Android authenticator app and bob the iOS
SDK demo app. Each authenticator therefore records the app ID (or iOS Bundle
ID) it registered its push token with; dispatch looks the push app
configuration up by that, and uses the domain's Mobile Application Name only
for an authenticator that never said. The iOS configuration has no Bundle ID
on purpose: its app ID doubles as the APNs topic (SPEC §2.1 fallback).

Activating the demo authenticators is the phones' job (they run the real
activation through ``CoreService.activation``); the seed creates the users.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field

from core.protocol.keys import UnlockProtection
from core.protocol.passkey import RequestMethod
from core.provider_credentials import ProviderCredentials
from core.service import CoreService
from core.storage.records import PushAppRecord

DEMO_DOMAIN = "demo"
ANDROID_APP_ID = "com.pushsim.authenticator"
IOS_APP_ID = "com.pushsim.sdkdemo"
DEMO_PASSWORD = "Demo-1234"  # noqa: S105 - the published demo password
DEMO_KEYWORDS = {
    "push": UnlockProtection.DEVICE.value,
    "NoPIN": UnlockProtection.DEVICE.value,
    "PIN": UnlockProtection.PIN.value,
    "Fingerprint": UnlockProtection.FINGERPRINT.value,
}


@dataclass(frozen=True, kw_only=True)
class DemoUser:
    user_id: str
    platform: str  # android | ios
    app_kind: str  # authenticator | sdk
    app_id: str
    keywords: tuple[str, ...]


DEMO_USERS = (
    DemoUser(
        user_id="alice",
        platform="android",
        app_kind="authenticator",
        app_id=ANDROID_APP_ID,
        keywords=("push",),
    ),
    DemoUser(
        user_id="bob",
        platform="ios",
        app_kind="sdk",
        app_id=IOS_APP_ID,
        keywords=("NoPIN", "PIN", "Fingerprint"),
    ),
)


@dataclass
class SeedReport:
    created: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created)


async def seed_demo(
    service: CoreService,
    credentials: ProviderCredentials,
    *,
    password_hashes: Mapping[str, str] | None = None,
) -> SeedReport:
    """Create whatever of the demo data is missing; never overwrites what exists.

    ``password_hashes``: demo users' hashes made ahead of time (``simulators.prestart``),
    used when they have this core's cost; any other user's password is hashed here.
    """
    report = SeedReport()
    directory = service.directory
    now = service.context.clock.now()
    async with service.db.read() as repos:
        have_domain = await repos.domains.get(DEMO_DOMAIN) is not None
        have_apps = {a.app_id for a in await repos.push_apps.all()}
        have_users = {u.user_id for u in await repos.users.find(DEMO_DOMAIN)}
    if not have_domain:
        await directory.create_domain(
            directory.new_domain(
                DEMO_DOMAIN,
                ANDROID_APP_ID,
                request_method=RequestMethod.KEYWORD_PASSWORD.value,
                keywords=dict(DEMO_KEYWORDS),
            )
        )
        report.created.append(f"domain {DEMO_DOMAIN}")
    if ANDROID_APP_ID not in have_apps:
        account = await asyncio.to_thread(
            credentials.fcm_service_account_file.read_text, encoding="utf-8"
        )
        await directory.put_push_app(
            PushAppRecord(
                app_id=ANDROID_APP_ID,
                platform="android",
                created=now,
                fcm_project_id=credentials.fcm_project_id,
                fcm_service_account=account,
            ),
            replace=False,
        )
        report.created.append(f"push app {ANDROID_APP_ID}")
    if IOS_APP_ID not in have_apps:
        key_pem = await asyncio.to_thread(credentials.apns_key_file.read_text, encoding="ascii")
        await directory.put_push_app(
            PushAppRecord(
                app_id=IOS_APP_ID,
                platform="ios",
                created=now,
                apns_auth="token",
                apns_key_pem=key_pem,
                apns_key_id=credentials.apns_key_id,
                apns_team_id=credentials.apns_team_id,
                apns_bundle_id=None,  # the app ID is the topic
                apns_environment="sandbox",
            ),
            replace=False,
        )
        report.created.append(f"push app {IOS_APP_ID}")
    missing = [u for u in DEMO_USERS if u.user_id not in have_users]
    # each password hash takes a core for a tenth of a second: hash them side by side
    ready = {
        user_id: encoded
        for user_id, encoded in (password_hashes or {}).items()
        if directory.hash_has_current_cost(encoded)
    }
    await asyncio.gather(
        *(
            directory.create_user(
                u.user_id, DEMO_DOMAIN, DEMO_PASSWORD, password_hash=ready.get(u.user_id)
            )
            for u in missing
        )
    )
    report.created += [f"user {u.user_id}@{DEMO_DOMAIN}" for u in missing]
    return report


async def reset_demo(service: CoreService, credentials: ProviderCredentials) -> SeedReport:
    """Back to the demo data: every row removed (users, sessions, audit, activations), re-seeded.

    Long polls on the sessions that were pending are woken (they find the
    session gone: 404). The phones' activations are gone with the rows: the
    suite activates the demo phones again.
    """
    async with service.db.transaction() as tx:
        pending = await tx.reset.pending_ids()
        await tx.reset.clear_all()
    for request_id in pending:
        service.context.watch.notify(request_id)
    return await seed_demo(service, credentials)
