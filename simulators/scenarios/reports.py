"""What a scenario run writes: the progress bar, the summary table, JUnit XML and JSON.

JUnit: one ``<testsuite>`` for the run, one ``<testcase>`` per scenario file
(``classname`` = the folder, ``name`` = the file's stem), a ``<failure>`` listing
every broken expectation (``line N: ...``) or an ``<error>`` when a step could
not run. JSON: ``{"seed", "passed", "seconds", "scenarios": [...]}`` with every
step's outcome.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree as ET

from simulators.scenarios.runner import ScenarioResult

BAR = 30


class Progress:
    """A bar on a terminal; one line per finished scenario otherwise (CI logs)."""

    def __init__(self, total: int, stream: IO[str] | None = None) -> None:
        self.total = total
        self.done = 0
        self.failed = 0
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()

    def __call__(self, result: ScenarioResult) -> None:
        self.done += 1
        self.failed += not result.passed
        mark = "ok  " if result.passed else "FAIL"
        if self.tty:
            filled = BAR * self.done // max(1, self.total)
            bar = "#" * filled + "." * (BAR - filled)
            text = f"\r[{bar}] {self.done}/{self.total} {mark} {result.path.name[:40]:<40}"
            self.stream.write(text + ("\n" if self.done == self.total else ""))
        else:
            self.stream.write(f"[{self.done}/{self.total}] {mark} {result.path.name}\n")
        self.stream.flush()


def summary(results: Sequence[ScenarioResult], seconds: float) -> str:
    """The table printed after a run, failures spelled out under it."""
    width = max([len(r.path.stem) for r in results] + [8])
    lines = [f"{'scenario':<{width}}  result  expectations  seconds"]
    for r in results:
        held, written = r.expectations
        verdict = "pass" if r.passed else "FAIL"
        lines.append(
            f"{r.path.stem:<{width}}  {verdict:<6}  {held:>5}/{written:<6}  {r.seconds:7.2f}"
        )
    for r in results:
        if not r.passed:
            lines.append("")
            lines.append(f"FAIL {r.path}: {r.name}")
            lines.extend(f"  {failure}" for failure in r.failures())
    passed = sum(r.passed for r in results)
    lines += ["", f"{passed}/{len(results)} scenarios passed in {seconds:.1f} s"]
    return "\n".join(lines)


def junit_xml(results: Sequence[ScenarioResult], seconds: float) -> bytes:
    suite = ET.Element(
        "testsuite",
        name="pushsim scenarios",
        tests=str(len(results)),
        failures=str(sum(1 for r in results if not r.passed and r.error is None)),
        errors=str(sum(1 for r in results if r.error is not None)),
        time=f"{seconds:.3f}",
    )
    for r in results:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=r.path.parent.name or "scenarios",
            name=r.path.stem,
            file=str(r.path),
            time=f"{r.seconds:.3f}",
        )
        if not r.passed:
            tag = "error" if r.error is not None else "failure"
            node = ET.SubElement(case, tag, message=r.failures()[0][:200])
            node.text = "\n".join(r.failures())
    ET.indent(suite)
    data: bytes = ET.tostring(suite, encoding="utf-8", xml_declaration=True)
    return data


def json_report(results: Sequence[ScenarioResult], seconds: float, seed: int | None) -> str:
    body: dict[str, Any] = {
        "seed": seed,
        "passed": all(r.passed for r in results),
        "seconds": round(seconds, 3),
        "scenarios": [r.to_dict() for r in results],
    }
    return json.dumps(body, indent=2)


def write(path: Path, data: bytes | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data + "\n", encoding="utf-8")
