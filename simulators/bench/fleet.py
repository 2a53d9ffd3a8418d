"""The bench fleet: the whole suite plus N bench users, each with its own auto-approving phone.

A ``BenchFleet`` is a ``Suite`` started without the demo phones: after the
servers are up it creates users ``bench0000``, ``bench0001`` … in the demo
domain (the static password hashed at the run's cost), starts one phone per
user (Android, iOS or alternating), activates each through the core's real
two-step activation, and attaches an auto-responder that approves every
request. Logins use the keyword ``push`` (device protection: the phone
approves without a PIN, so the bench measures the protocol, not the phone's
PIN key derivation).
"""

from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import dataclass

from core.seed import ANDROID_APP_ID, DEMO_DOMAIN, DEMO_PASSWORD, IOS_APP_ID, DemoUser
from core.settings import CoreSettings
from core.storage.records import DomainRecord
from core.workspace import Workspace
from simulators.bench.arguments import PLATFORMS
from simulators.phone import KdfParams
from simulators.suite import DemoPhone, Suite, SuiteOptions

KEYWORD = "push"
PASSKEY = KEYWORD + DEMO_PASSWORD
PHONE_KDF = KdfParams(n=2**4)  # the phones' PIN wrapping; bench logins never unlock with a PIN
START_AT_ONCE = 8  # phones activated concurrently while the fleet starts
# Domain limits a bench must lift: each user logs in many times a minute. Only
# the options this version's DomainRecord has are set (the per-user push rate
# limit, SPEC 2.3, arrives as a domain option).
BENCH_DOMAIN_LIMITS = {"push_rate_limit": 1000, "push_rate_window": 1}


@dataclass(frozen=True, kw_only=True)
class FleetPlan:
    phones: int
    platform: str = "android"  # android | ios | mixed
    password_hash_log2_n: int = 15

    def __post_init__(self) -> None:
        if self.phones < 1:
            raise ValueError("a fleet needs at least one phone")
        if self.platform not in PLATFORMS:
            raise ValueError(f"platform must be one of {', '.join(PLATFORMS)}")
        CoreSettings(password_hash_log2_n=self.password_hash_log2_n)  # raises when out of range

    def platform_of(self, index: int) -> str:
        if self.platform == "mixed":
            return ("android", "ios")[index % 2]
        return self.platform

    def users(self) -> list[DemoUser]:
        return [bench_user(i, self.platform_of(i)) for i in range(self.phones)]


def bench_user(index: int, platform: str) -> DemoUser:
    android = platform == "android"
    return DemoUser(
        user_id=f"bench{index:04d}",
        platform=platform,
        app_kind="authenticator" if android else "sdk",
        app_id=ANDROID_APP_ID if android else IOS_APP_ID,
        keywords=(KEYWORD,),
    )


class BenchFleet(Suite):
    """The suite with the plan's users and phones instead of the demo phones."""

    def __init__(self, workspace: Workspace, plan: FleetPlan) -> None:
        settings = CoreSettings(password_hash_log2_n=plan.password_hash_log2_n)
        super().__init__(
            workspace,
            options=SuiteOptions(
                core_settings=settings,
                phone_kdf=PHONE_KDF,
                auto_respond="approve",
                with_phones=False,
            ),
        )
        self.plan = plan
        self.users: list[DemoUser] = []

    async def start(self, *, reset: bool = False) -> None:
        await super().start(reset=reset)
        try:
            await self._add_fleet()
        except BaseException:
            await self.stop()
            raise

    async def _add_fleet(self) -> None:
        directory = self.core.service.directory
        known = {f.name for f in dataclasses.fields(DomainRecord)}
        limits = {k: v for k, v in BENCH_DOMAIN_LIMITS.items() if k in known}
        if limits:
            await directory.update_domain(DEMO_DOMAIN, limits)
        gate = asyncio.Semaphore(START_AT_ONCE)

        async def add(user: DemoUser) -> None:
            async with gate:
                await directory.create_user(user.user_id, DEMO_DOMAIN, DEMO_PASSWORD)
                name = f"{user.user_id}-{'pixel' if user.platform == 'android' else 'iphone'}"
                await self._start_phone(DemoPhone(name=name, user=user))

        users = self.plan.users()
        async with asyncio.TaskGroup() as group:
            for user in users:
                group.create_task(add(user))
        self.users = users
