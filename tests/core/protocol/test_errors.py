"""The error hierarchy: one base, an HTTP status each, opaque Secure Channel errors."""

from __future__ import annotations

import pytest

from core.protocol import errors
from core.protocol.errors import (
    ActivationError,
    InvalidMessageBody,
    PasskeyError,
    PushSimError,
    SecureChannelError,
    SessionOutdated,
)


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (SecureChannelError(), 400),
        (ActivationError("wrong activation password or mistyped device code"), 400),
        (PasskeyError("no keyword"), 401),
        (SessionOutdated("accepted"), 409),
        (InvalidMessageBody("not JSON"), 400),
    ],
)
def test_every_error_is_a_pushsim_error_with_a_status(error: PushSimError, status: int) -> None:
    assert isinstance(error, PushSimError)
    assert error.http_status == status
    assert error.reason == str(error)


def test_secure_channel_error_is_opaque() -> None:
    assert str(SecureChannelError()) == "secure channel message rejected"
    with pytest.raises(TypeError):
        SecureChannelError("tag mismatch at byte 3")  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("status", "text"),
    [
        ("accepted", "session outdated: accepted"),
        ("refused", "session outdated: refused"),
        ("timeout", "session outdated: expired"),
        ("failure", "session outdated: failed"),
    ],
)
def test_session_outdated_wording(status: str, text: str) -> None:
    error = SessionOutdated(status)
    assert str(error) == text
    assert error.status == status


def test_activation_error_keeps_its_reason() -> None:
    error = ActivationError("activation message 2 not authentic")
    assert error.reason == "activation message 2 not authentic"


def test_hierarchy_is_drawn_in_the_docstring() -> None:
    doc = errors.__doc__ or ""
    for name in ("PushSimError", "SecureChannelError", "ActivationError", "PasskeyError"):
        assert name in doc
    assert "SessionOutdated" in doc
    assert "InvalidMessageBody" in doc
