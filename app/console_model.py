"""What the server console draws: a snapshot of the core read through its directory service.

``read_console(suite)`` is Qt-free; each row names what its context menu acts on
(``Target``). A user's line says what the next login meets — locked, a password
check in flight, settled wrong passwords, the reject cool-down and the push rate
limit, each with the seconds left — so the console never says "ok" for a user
who would get 423 or 429.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.service.user_standing import UserStanding
from core.storage.records import AuthenticatorRecord
from core.storage.repo_sessions import SessionQuery

if TYPE_CHECKING:
    from simulators.suite import Suite

RECENT_SESSIONS = 8


@dataclass(frozen=True)
class Target:
    """What a row stands for: ``kind`` (users, user, authenticator, domain, push app) and keys."""

    kind: str
    keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class Row:
    """One line: ``text`` alone spans the tree; with ``value`` it is a label and a value."""

    text: str
    value: str = ""
    children: tuple[Row, ...] = ()
    target: Target | None = None


@dataclass(frozen=True, kw_only=True)
class ConsoleSnapshot:
    sections: tuple[tuple[str, tuple[Row, ...]], ...]
    taken: float
    counting: bool = False  # a cool-down or push wait is running: read again in a second
    section_targets: tuple[tuple[str, Target], ...] = ()


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def user_state(s: UserStanding) -> str:
    """The user's line after the name: every reason the next login would be refused."""
    parts = ["locked"] if s.user.locked else []
    if s.checking:
        parts.append("checking password")
    if s.wrong_passwords:
        parts.append(_plural(s.wrong_passwords, "wrong password"))
    if s.cooldown:
        parts.append(f"in cool-down for {s.cooldown} s (429)")
    if s.push_wait:
        parts.append(f"push rate limit: refused for {s.push_wait} s (429)")
    state = " · ".join(parts) or "ok"
    if s.pushes:
        state += f" · {s.pushes}/{s.domain.push_rate_limit} pushes in {s.domain.push_rate_window} s"
    return state


def _authenticator_row(a: AuthenticatorRecord) -> Row:
    push = "" if a.has_push_registration else " · no push token"
    status = a.status.replace("-", " ")  # "push-unregistered" reads "push unregistered"
    text = f"{a.serial} · {a.platform} · {status}{push}"
    return Row(text, target=Target("authenticator", (a.serial,)))


async def read_console(suite: Suite) -> ConsoleSnapshot:
    directory = suite.core.service.directory
    services = (
        Row("core", suite.core.url),
        Row("FCM", suite.fcm.url, (Row("control token", suite.fcm.control_token),)),
        Row("APNs", suite.apns.url, (Row("control token", suite.apns.control_token),)),
        Row("files", str(suite.workspace.root)),
    )
    domains = tuple(
        Row(
            f"{d.name} · app {d.mobile_app_name} · push timeout {d.push_timeout} s",
            children=tuple(Row(f"{kw} → {need}") for kw, need in d.keywords.items()),
            target=Target("domain", (d.name,)),
        )
        for d in await directory.list_domains()
    )
    push_apps = tuple(
        Row(
            f"{app.app_id} ({app.platform})",
            children=(Row(f"Bundle ID {app.apns_topic}"),) if app.platform == "ios" else (),
            target=Target("push app", (app.app_id,)),
        )
        for app in await directory.list_push_apps()
    )
    authenticators = await directory.list_authenticators()
    standings = [await directory.standing(user) for user in await directory.list_users()]
    users = tuple(
        Row(
            f"{s.user.user_id}@{s.user.domain} · {user_state(s)}",
            children=tuple(
                _authenticator_row(a)
                for a in authenticators
                if a.user_id == s.user.user_id and a.domain == s.user.domain
            )
            or (Row("no authenticator"),),
            target=Target("user", (s.user.user_id, s.user.domain)),
        )
        for s in standings
    )
    sessions = tuple(
        Row(
            f"{time.strftime('%H:%M:%S', time.localtime(s.created))} {s.user_id} · {s.status}",
            children=(Row(s.reason or f"request {s.request_id}"),),
        )
        for s in await directory.list_sessions(SessionQuery(limit=RECENT_SESSIONS))
    ) or (Row("none yet"),)
    return ConsoleSnapshot(
        sections=(
            ("Services", services),
            ("Domains", domains),
            ("Push apps", push_apps),
            ("Users and authenticators", users),
            ("Recent sessions", sessions),
        ),
        taken=time.time(),
        counting=any(s.cooldown or s.push_wait for s in standings),
        section_targets=(("Users and authenticators", Target("users")),),
    )
