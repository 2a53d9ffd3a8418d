"""Wire names live in core/api: the service names invalid input by record field.

(Signed device fields such as ``appID`` are protocol bytes, not names to translate.)
"""

from __future__ import annotations

from pathlib import Path

from core.api.views import WIRE_FIELDS

SERVICE = Path(__file__).resolve().parents[2] / "core" / "service"


def test_the_service_speaks_no_wire_field_names() -> None:
    for path in SERVICE.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        spoken = [
            name
            for name in WIRE_FIELDS.values()
            if f'_bad("{name}"' in source or f'"field": "{name}"' in source
        ]
        assert spoken == [], f"{path.name} names wire fields {spoken}"


def test_every_translated_field_is_a_record_field() -> None:
    from dataclasses import fields

    from core.storage.records import DomainRecord, PushAppRecord, UserRecord

    known = {f.name for record in (DomainRecord, PushAppRecord, UserRecord) for f in fields(record)}
    assert set(WIRE_FIELDS) <= known


def test_errors_are_answered_with_wire_names() -> None:
    from core.api.views import with_wire_fields
    from core.service.errors import InvalidInput

    error = InvalidInput(
        "invalid request",
        validation_errors=[
            {"field": "app_id", "message": "unknown app ID"},
            {"field": "keywords", "message": "x"},
        ],
    )
    assert with_wire_fields(error).body()["validationErrors"] == [
        {"field": "appID", "message": "unknown app ID"},
        {"field": "keywords", "message": "x"},
    ]
