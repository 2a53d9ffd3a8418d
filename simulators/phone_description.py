"""A phone as ``pushsim serve --json`` lists it (``Suite.describe``)."""

from __future__ import annotations

from typing import Any

from simulators.phone import Phone


def describe_phone(phone: Phone) -> dict[str, Any]:
    """What a tester needs to reach a phone from outside: its push token and serial."""
    enrollment = phone.app.state.enrollment
    return {
        "platform": phone.platform.value,
        "pushService": phone.platform.push_service,
        "pushToken": phone.app.state.push_token,
        "appID": phone.app.info.app_id,
        "userID": enrollment.user_id if enrollment else None,
        "serialNumber": enrollment.serial if enrollment else None,
        "online": phone.link.online,
    }
