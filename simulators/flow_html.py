"""An ``Inspection`` as HTML: the inspector pane and the session report share it.

Only simple HTML 4 tags and inline styles, because Qt's rich text (the
inspector is a ``QTextBrowser``) understands no more; a browser shows the
same markup. Every text that came from the wire is escaped.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

from simulators.flow_inspection import FAILED, NOT_REACHED, PASSED, ByteField, Inspection

BYTES_PER_LINE = 16

# One tint per framing field, legible on light and dark backgrounds.
FIELD_TINTS = {
    "version": "#f4c7c3",
    "type": "#fce8b2",
    "protection": "#b7e1cd",
    "serial": "#c6dafc",
    "nonce": "#e1bee7",
    "body": "",
    "tag": "#ffd8a8",
}
_MARK = {PASSED: ("✓", "#188038"), FAILED: ("✗", "#c5221f"), NOT_REACHED: ("–", "#80868b")}


def _tint_of(offset: int, fields: tuple[ByteField, ...]) -> str:
    for field in fields:
        if field.start <= offset < field.end:
            return FIELD_TINTS.get(field.name, "")
    return ""


def hexdump_html(raw_hex: str, fields: tuple[ByteField, ...]) -> str:
    """A hex dump in a <pre>, each framing field's bytes on its own tint."""
    data = bytes.fromhex(raw_hex)
    lines = []
    for offset in range(0, len(data), BYTES_PER_LINE):
        cells = []
        for index, byte in enumerate(data[offset : offset + BYTES_PER_LINE], start=offset):
            tint = _tint_of(index, fields)
            cell = f"{byte:02x}"
            cells.append(f'<span style="background-color:{tint}">{cell}</span>' if tint else cell)
        lines.append(f"{offset:04x}  " + " ".join(cells))
    return "<pre>" + "\n".join(lines) + "</pre>"


def _legend(fields: tuple[ByteField, ...]) -> str:
    parts = []
    for field in fields:
        tint = FIELD_TINTS.get(field.name, "")
        label = f"{escape(field.name)} [{field.start}–{field.end})"
        parts.append(f'<span style="background-color:{tint}">&nbsp;{label}&nbsp;</span>')
    return "<p>" + " ".join(parts) + "</p>"


def _pretty(value: Any) -> str:
    text = json.dumps(value, indent=2, ensure_ascii=False, default=str)
    return f"<pre>{escape(text)}</pre>"


def checks_html(inspection: Inspection) -> str:
    if not inspection.checks:
        return ""
    rows = []
    for row in inspection.checks:
        mark, colour = _MARK[row.state]
        rows.append(
            f'<tr><td style="color:{colour}"><b>{mark}</b></td>'
            f"<td>{escape(row.check)}</td><td>{escape(row.state)}</td>"
            f"<td>{escape(row.detail)}</td></tr>"
        )
    failure = inspection.first_failure
    verdict = (
        "every check passed"
        if failure is None
        else f"first failure: <b>{escape(failure.check)}</b> — {escape(failure.detail)}"
    )
    return (
        f"<h4>Validation checks</h4><p>{verdict}</p>"
        '<table cellspacing="0" cellpadding="3">' + "".join(rows) + "</table>"
    )


def inspection_html(inspection: Inspection) -> str:
    """The whole inspector text for one message."""
    parts = [f"<h3>{escape(inspection.title)}</h3>", f"<p>{escape(inspection.summary)}</p>"]
    parts.append(checks_html(inspection))
    if inspection.header is not None:
        parts += ["<h4>Decoded header</h4>", _pretty(dict(inspection.header))]
    if inspection.body is not None:
        parts += ["<h4>Decrypted body</h4>", _pretty(dict(inspection.body))]
    if inspection.raw:
        if inspection.raw_is_hex:
            size = len(inspection.raw) // 2
            parts += [f"<h4>Raw message ({size} bytes)</h4>", _legend(inspection.fields)]
            parts.append(hexdump_html(inspection.raw, inspection.fields))
        else:
            parts += ["<h4>Raw message</h4>", f"<pre>{escape(inspection.raw)}</pre>"]
    return "".join(parts)
