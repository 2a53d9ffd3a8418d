"""Backoff arithmetic for bounded retries (pure functions, easy to test)."""

from __future__ import annotations

import email.utils
import math

from core.settings import RetryPolicy


def parse_retry_after(value: str | None, *, now: float) -> float | None:
    """A ``Retry-After`` header (seconds or HTTP date) as seconds from ``now``."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        return max(0.0, when.timestamp() - now)
    if math.isnan(seconds) or math.isinf(seconds):
        return None
    return max(0.0, seconds)


def backoff_delay(policy: RetryPolicy, retry_number: int, retry_after: float | None) -> float:
    """Delay before retry ``retry_number`` (1 = the first retry).

    The provider's Retry-After wins when given (a provider that asks for more
    than ``retry_after_cap`` gets the cap: a login must not wait forever);
    otherwise exponential backoff capped at ``max_backoff``.
    """
    if retry_after is not None:
        return min(retry_after, policy.retry_after_cap)
    delay = policy.initial_backoff * policy.multiplier ** (retry_number - 1)
    return float(min(delay, policy.max_backoff))
