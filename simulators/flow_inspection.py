"""What the inspector shows for one arrow of the sequence diagram.

``inspect(arrow, flow)`` gathers, from every event telling of the message:
the raw bytes (with the Secure Channel header fields located, so a view can
highlight them), the decoded header, the decrypted body and, for a response
or a decision, every validation check of SPEC §2.3 as passed, failed or not
reached, with the reason of the first failure. ``Inspection.as_json()`` is
the "Copy as JSON" text. Qt-free: the GUI, the HTML report and tests share it.
"""

from __future__ import annotations

import json
import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.protocol.secure_channel import HEADER_LENGTH, SERIAL_LENGTH, TAG_LENGTH
from core.protocol.session import Check
from simulators.session_flow import FlowArrow, SessionFlow

PASSED, FAILED, NOT_REACHED = "passed", "failed", "not reached"

# Secure Channel framing (docs/protocol.md §1): name, first byte, end byte.
_HEADER_FIELDS = (
    ("version", 0, 1),
    ("type", 1, 2),
    ("protection", 2, 3),
    ("serial", 3, 3 + SERIAL_LENGTH),
    ("nonce", 3 + SERIAL_LENGTH, HEADER_LENGTH),
)


@dataclass(frozen=True)
class CheckRow:
    check: str
    state: str  # passed | failed | not reached
    detail: str


@dataclass(frozen=True)
class ByteField:
    """A named byte range of the raw message (end exclusive)."""

    name: str
    start: int
    end: int


@dataclass(frozen=True)
class Inspection:
    title: str
    summary: str
    raw: str | None
    raw_is_hex: bool
    fields: tuple[ByteField, ...]
    header: Mapping[str, Any] | None
    body: Mapping[str, Any] | None
    checks: tuple[CheckRow, ...]
    events: tuple[Mapping[str, Any], ...]

    @property
    def first_failure(self) -> CheckRow | None:
        return next((c for c in self.checks if c.state == FAILED), None)

    def as_json(self) -> str:
        failure = self.first_failure
        document = {
            "message": self.title,
            "summary": self.summary,
            "raw": self.raw,
            "header": self.header,
            "body": self.body,
            "checks": [vars(c) for c in self.checks],
            "firstFailure": None if failure is None else vars(failure),
            "events": list(self.events),
        }
        return json.dumps(document, indent=2, ensure_ascii=False, default=str)


def is_hex(text: str) -> bool:
    return bool(text) and len(text) % 2 == 0 and all(c in string.hexdigits for c in text)


def secure_channel_fields(raw: str) -> tuple[ByteField, ...]:
    """The header fields, body and tag of a hex Secure Channel message (() if it is not one)."""
    size = len(raw) // 2
    if not is_hex(raw) or size < HEADER_LENGTH:
        return ()
    found = [ByteField(name, start, end) for name, start, end in _HEADER_FIELDS]
    if raw[4:6] != "00" and size >= HEADER_LENGTH + TAG_LENGTH:  # protected: a tag ends it
        found.append(ByteField("body", HEADER_LENGTH, size - TAG_LENGTH))
        found.append(ByteField("tag", size - TAG_LENGTH, size))
    else:
        found.append(ByteField("body", HEADER_LENGTH, size))
    return tuple(found)


def check_rows(checks: list[Mapping[str, Any]] | None) -> tuple[CheckRow, ...]:
    """Every check in SPEC order: what ran (passed/failed), the rest not reached."""
    if checks is None:
        return ()
    ran = {str(c.get("check")): c for c in checks}
    rows = []
    for check in Check:
        result = ran.get(check.value)
        if result is None:
            rows.append(CheckRow(check.value, NOT_REACHED, ""))
        else:
            state = PASSED if result.get("passed") else FAILED
            rows.append(CheckRow(check.value, state, str(result.get("detail", ""))))
    return tuple(rows)


def _checks_for(arrow: FlowArrow, flow: SessionFlow) -> list[Mapping[str, Any]] | None:
    """The checks of this message's validation: a response and its verdict share them."""
    if arrow.step < 6:
        return None
    later = [a for a in flow.arrows if a.step == 7 and a.time >= arrow.time]
    for candidate in (arrow, *later):
        for event in candidate.events:
            checks = event.details.get("checks")
            if isinstance(checks, list | tuple):
                return list(checks)
    return None


def _mapping(arrow: FlowArrow, key: str) -> Mapping[str, Any] | None:
    for event in arrow.events:
        value = event.details.get(key)
        if isinstance(value, Mapping):
            return value
    return None


def inspect(arrow: FlowArrow, flow: SessionFlow) -> Inspection:
    raw = next((e.raw for e in arrow.events if e.raw), None)
    fields = secure_channel_fields(raw) if raw else ()
    return Inspection(
        title=f"{arrow.step}. {arrow.label}: {flow.lane_title(arrow.source)}"
        f" → {flow.lane_title(arrow.target)}",
        summary=arrow.summary,
        raw=raw,
        raw_is_hex=bool(raw) and is_hex(raw or ""),
        fields=fields,
        header=_mapping(arrow, "header"),
        body=_mapping(arrow, "body"),
        checks=check_rows(_checks_for(arrow, flow)),
        events=tuple(
            {
                "kind": str(e.kind),
                "source": e.source,
                "target": e.target,
                "summary": e.summary,
                "details": dict(e.details),
            }
            for e in arrow.events
        ),
    )
