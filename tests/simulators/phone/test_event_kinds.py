"""Phones and the suite publish kinds from one enum, never ad-hoc strings."""

from __future__ import annotations

import ast
from pathlib import Path

from simulators.phone.event_kinds import PhoneEvent, SuiteEvent

ROOT = Path(__file__).resolve().parents[3]
EMITTERS = [*sorted((ROOT / "simulators" / "phone").glob("*.py")), ROOT / "simulators" / "suite.py"]


def test_values_are_the_published_strings() -> None:
    assert all(kind.value.startswith("phone.") for kind in PhoneEvent)
    assert [kind.value for kind in SuiteEvent] == ["suite.ready", "suite.reset"]
    assert PhoneEvent.NOTIFICATION_RECEIVED == "phone.notification.received"


def test_no_emitter_spells_a_kind_as_a_literal() -> None:
    literals = [
        f"{path.name}:{node.lineno}"
        for path in EMITTERS
        if path.name != "event_kinds.py"
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value.startswith(("phone.", "suite."))
    ]
    assert literals == []
