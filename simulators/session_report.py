"""One session as a self-contained HTML file: the diagram, every message, timings.

The report opens in any browser with no network: the sequence diagram is an
inline SVG drawn from the same ``SessionFlow`` the window paints, each arrow
links to its message section (the inspector's HTML: header, body, raw bytes,
checks), and a table gives each message's time from the login. Nothing is
loaded from outside the file, and every wire text is escaped.
"""

from __future__ import annotations

import time
from html import escape

from simulators.flow_html import inspection_html
from simulators.flow_inspection import inspect
from simulators.session_flow import FlowArrow, Lane, SessionFlow

STEP_COLOURS = ("#1a73e8", "#7b1fa2", "#e37400", "#00897b", "#c2185b", "#5e35b1", "#188038")
LANE_WIDTH, HEADER, ROW = 190, 56, 34

_CSS = """
body { font-family: system-ui, sans-serif; margin: 24px; color: #1f2328; max-width: 980px; }
h1 { font-size: 20px; } h3 { font-size: 16px; margin-top: 28px; } h4 { font-size: 14px; }
pre { background: #f6f8fa; padding: 8px; overflow-x: auto; font-size: 12px; }
table { border-collapse: collapse; font-size: 13px; }
td, th { border-bottom: 1px solid #e1e4e8; padding: 3px 8px; text-align: left; }
section { border-top: 1px solid #d8dbe0; }
"""


def _colour(step: int) -> str:
    return STEP_COLOURS[(step - 1) % len(STEP_COLOURS)]


def _lane_x(lane: Lane) -> int:
    return LANE_WIDTH * lane + LANE_WIDTH // 2


def _svg_arrow(index: int, arrow: FlowArrow) -> str:
    y = HEADER + 24 + index * ROW
    x1, x2 = _lane_x(arrow.source), _lane_x(arrow.target)
    colour = _colour(arrow.step)
    if x1 == x2:  # a part's own step: a loop
        side = -1 if arrow.source == max(Lane) else 1
        loop = x1 + side * 34
        line = f'<polyline points="{x1},{y - 8} {loop},{y - 8} {loop},{y} {x1},{y}" fill="none"'
        label_x, anchor = loop + side * 6, "start" if side > 0 else "end"
    else:
        line = f'<line x1="{x1}" y1="{y}" x2="{x2}" y2="{y}"'
        label_x, anchor = (x1 + x2) // 2, "middle"
    return (
        f'<a href="#m{index}"><title>{escape(arrow.summary)}</title>'
        f'{line} stroke="{colour}" stroke-width="2" marker-end="url(#head{arrow.step})"/>'
        f'<circle cx="{x1}" cy="{y}" r="9" fill="{colour}"/>'
        f'<text x="{x1}" y="{y + 4}" fill="#fff" font-size="11" text-anchor="middle">'
        f"{arrow.step}</text>"
        f'<text x="{label_x}" y="{y - 6}" font-size="12" text-anchor="{anchor}">'
        f"{escape(arrow.label)}</text></a>"
    )


def diagram_svg(flow: SessionFlow) -> str:
    width = LANE_WIDTH * len(Lane)
    height = HEADER + 24 + max(len(flow.arrows), 1) * ROW
    markers = "".join(
        f'<marker id="head{step}" markerWidth="10" markerHeight="8" refX="9" refY="4"'
        f' orient="auto"><path d="M0,0 L10,4 L0,8 z" fill="{_colour(step)}"/></marker>'
        for step in range(1, 8)
    )
    lanes = []
    for lane in Lane:
        x = _lane_x(lane)
        detail = flow.lane_detail(lane)
        lanes.append(
            f'<rect x="{x - 85}" y="4" width="170" height="{HEADER - 12}" rx="6"'
            f' fill="#f1f3f5" stroke="#3b4250"/>'
            f'<text x="{x}" y="24" font-weight="bold" font-size="13" text-anchor="middle">'
            f"{escape(lane.title)}</text>"
            f'<text x="{x}" y="40" font-size="11" text-anchor="middle">{escape(detail)}</text>'
            f'<line x1="{x}" y1="{HEADER - 8}" x2="{x}" y2="{height}" stroke="#9aa0a8"'
            ' stroke-dasharray="4 3"/>'
        )
    arrows = "".join(_svg_arrow(i, a) for i, a in enumerate(flow.arrows))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"'
        f' font-family="system-ui, sans-serif"><defs>{markers}</defs>'
        + "".join(lanes)
        + arrows
        + "</svg>"
    )


def _timings(flow: SessionFlow) -> str:
    start = flow.started
    rows = "".join(
        f'<tr><td><a href="#m{i}">{a.step}</a></td><td>{escape(a.label)}</td>'
        f"<td>{escape(flow.lane_title(a.source))} → {escape(flow.lane_title(a.target))}</td>"
        f"<td>+{(a.time - start) * 1000:.1f} ms</td></tr>"
        for i, a in enumerate(flow.arrows)
    )
    return (
        "<table><tr><th>step</th><th>message</th><th>from → to</th><th>time</th></tr>"
        + rows
        + "</table>"
    )


def session_report_html(flow: SessionFlow, *, title: str = "PushSim session report") -> str:
    started = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(flow.started))
    sections = "".join(
        f'<section id="m{i}">{inspection_html(inspect(arrow, flow))}</section>'
        for i, arrow in enumerate(flow.arrows)
    )
    heading = f"{flow.user or 'session'} · {flow.status}"
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}: {escape(heading)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{escape(heading)}</h1>"
        f"<p>request {escape(flow.request_id)} · started {escape(started)} ·"
        f" {len(flow.arrows)} messages</p>"
        f"{diagram_svg(flow)}<h3>Timings</h3>{_timings(flow)}{sections}</body></html>"
    )
