"""The modules of ``simulators.phone`` import each other without a circle.

The graph is read with ``ast`` over every import statement, ``TYPE_CHECKING``
blocks included: a type-only import back is still a design circle. Parts the
phone builds (``connectivity``) or that are attached to it (``auto_responder``)
see it through a ``typing.Protocol`` host instead.
"""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[3] / "simulators" / "phone"
PREFIX = "simulators.phone."


def import_graph() -> dict[str, set[str]]:
    modules = {path.stem for path in PACKAGE.glob("*.py")}
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.glob("*.py"):
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            targets.update(
                name.removeprefix(PREFIX).split(".")[0]
                for name in names
                if name.startswith(PREFIX) and name.removeprefix(PREFIX).split(".")[0] in modules
            )
        graph[path.stem] = targets - {path.stem}
    return graph


def test_the_graph_sees_known_edges() -> None:
    assert "unlock" in import_graph()["answering"]


def test_simulators_phone_has_no_import_cycle() -> None:
    try:
        tuple(TopologicalSorter(import_graph()).static_order())
    except CycleError as exc:
        pytest.fail(f"import cycle in simulators.phone: {' -> '.join(exc.args[1])}")
