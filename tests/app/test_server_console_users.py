"""The console's user line: lockout and the push rate limit at a glance."""

from __future__ import annotations

from types import SimpleNamespace
from typing import cast

from app.server_console import _user_state
from core.storage.records import DomainRecord, UserRecord

DOMAIN = cast(DomainRecord, SimpleNamespace(push_rate_limit=3, push_rate_window=60))


def user(failed_attempts: int = 0, locked: bool = False) -> UserRecord:
    """Only what the line reads."""
    return cast(UserRecord, SimpleNamespace(failed_attempts=failed_attempts, locked=locked))


def test_the_user_line_shows_the_push_count_and_the_cap() -> None:
    assert _user_state(user(), 0, DOMAIN) == "ok"
    assert _user_state(user(), 2, DOMAIN) == "ok · 2/3 pushes in 60 s"
    assert _user_state(user(), 3, DOMAIN) == "ok · 3/3 pushes in 60 s (push rate limit reached)"


def test_the_user_line_shows_wrong_passwords_and_the_lock() -> None:
    assert _user_state(user(failed_attempts=2), 0, DOMAIN) == "2 wrong passwords"
    assert _user_state(user(locked=True), 1, DOMAIN) == "locked · 1/3 pushes in 60 s"
