"""The console's user line: every reason the next login would be refused, in full."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

from app.console_model import user_state
from core.service.user_standing import UserStanding
from core.storage.records import DomainRecord, UserRecord

DOMAIN = cast(DomainRecord, SimpleNamespace(push_rate_limit=3, push_rate_window=60))


def standing(failed_attempts: int = 0, locked: bool = False, **more: Any) -> UserStanding:
    """Only what the line reads."""
    user = cast(UserRecord, SimpleNamespace(failed_attempts=failed_attempts, locked=locked))
    values: dict[str, Any] = {"checking": 0, "cooldown": None, "pushes": 0, "push_wait": None}
    return UserStanding(user=user, domain=DOMAIN, **(values | more))


def test_the_user_line_shows_the_push_count_and_the_cap() -> None:
    assert user_state(standing()) == "ok"
    assert user_state(standing(pushes=2)) == "ok · 2/3 pushes in 60 s"
    assert (
        user_state(standing(pushes=3, push_wait=42))
        == "push rate limit: refused for 42 s (429) · 3/3 pushes in 60 s"
    )


def test_the_user_line_shows_wrong_passwords_and_the_lock() -> None:
    assert user_state(standing(failed_attempts=2)) == "2 wrong passwords"
    assert user_state(standing(failed_attempts=1)) == "1 wrong password"
    assert user_state(standing(locked=True, pushes=1)) == "locked · 1/3 pushes in 60 s"


def test_a_check_in_flight_is_not_a_wrong_password() -> None:
    assert user_state(standing(failed_attempts=1, checking=1)) == "checking password"
    assert user_state(standing(failed_attempts=2, checking=1)) == (
        "checking password · 1 wrong password"
    )


def test_the_cool_down_is_never_ok() -> None:
    assert user_state(standing(cooldown=590)) == "in cool-down for 590 s (429)"
