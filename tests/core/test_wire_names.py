"""Wire names live in core/api: the service names invalid input by record field.

(Signed device fields such as ``appID`` are protocol bytes, not names to translate.)
"""

from __future__ import annotations

from pathlib import Path

import httpx

from core.api.views import WIRE_FIELDS

SERVICE = Path(__file__).resolve().parents[2] / "core" / "service"


def test_the_service_speaks_no_wire_field_names() -> None:
    for path in SERVICE.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        spoken = [
            name
            for name in WIRE_FIELDS.values()
            if f'_bad("{name}"' in source
            or f'"field": "{name}"' in source
            or f'extra={{"{name}"' in source  # error extras: remainingAttempts ...
        ]
        assert spoken == [], f"{path.name} names wire fields {spoken}"


def test_the_service_side_of_every_translation_is_a_python_name() -> None:
    assert all(name.isidentifier() and name.islower() for name in WIRE_FIELDS)


def test_errors_are_answered_with_wire_names() -> None:
    from core.api.views import error_json
    from core.service.errors import InvalidInput

    error = InvalidInput(
        "invalid request",
        validation_errors=[
            {"field": "app_id", "message": "unknown app ID"},
            {"field": "keywords", "message": "x"},
        ],
        extra={"remaining_attempts": 2, "request_id": "r1", "check": "nonce_fresh"},
    )
    assert error_json(error) == {
        "message": "invalid request",
        "validationErrors": [
            {"field": "appID", "message": "unknown app ID"},
            {"field": "keywords", "message": "x"},
        ],
        "remainingAttempts": 2,
        "requestID": "r1",
        "check": "nonce_fresh",
    }


async def test_the_api_answers_service_errors_with_wire_names(api: httpx.AsyncClient) -> None:
    from tests.core.device_core import ADMIN
    from tests.core.test_api_activation import REGISTER

    bad_type = await api.post(
        "/v1/users/register", json={**REGISTER, "activationType": "online"}, headers=ADMIN
    )
    assert [e["field"] for e in bad_type.json()["validationErrors"]] == ["activationType"]
    bad_id = await api.post(
        "/v1/users/alice@demo/login",
        json={"credentials": {"passKey": "pushDemo-1234"}, "requestID": "no spaces"},
    )
    assert bad_id.status_code == 400
    assert [e["field"] for e in bad_id.json()["validationErrors"]] == ["requestID"]
