"""``pushsim scenario run``: the built-in library passes; broken promises fail with their line.

The built-in run is the issue's CI acceptance: every file of
``resources/scenarios`` is one JUnit test case, and all of them pass.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from app.cli import main
from simulators.scenarios.loader import scenario_files
from simulators.scenarios.reports import Progress
from simulators.scenarios.runner import ScenarioResult
from tests.simulators.scenarios.texts import GOOD

BUILT_IN = Path(__file__).resolve().parents[3] / "resources" / "scenarios"

# GOOD with a reject: its `expect status = "accepted"` (line 21) does not hold
REJECT = GOOD.replace('do = "approve"', 'do = "reject"') + (
    '\n[[step]]\ndo = "expect"\nphone = "pixel"\nauthenticator_status = "active"\n'
)


def run(*args: str | Path) -> int:
    return main(["scenario", "run", *(str(a) for a in args)])


def cases(junit: Path) -> dict[str, ET.Element]:
    root = ET.fromstring(junit.read_bytes())  # noqa: S314 - our own report
    return {case.attrib["name"]: case for case in root.iter("testcase")}


def test_the_built_in_library_passes_one_junit_case_per_file(tmp_path: Path) -> None:
    junit, report = tmp_path / "out.xml", tmp_path / "out.json"
    assert run(BUILT_IN, "--junit", junit, "--json", report, "--seed", "3") == 0
    files = scenario_files([BUILT_IN])
    assert len(files) >= 25
    found = cases(junit)
    assert sorted(found) == sorted(path.stem for path in files)
    for name, case in found.items():
        assert list(case) == [], f"{name}: {ET.tostring(case, encoding='unicode')}"
    body = json.loads(report.read_text(encoding="utf-8"))
    assert body["passed"] is True
    assert body["seed"] == 3
    assert len(body["scenarios"]) == len(files)
    assert all(s["expectations"]["held"] == s["expectations"]["written"] for s in body["scenarios"])


def test_a_broken_expectation_fails_with_its_line_and_the_rest_still_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "reject.toml"
    path.write_text(REJECT, encoding="utf-8")
    junit, report = tmp_path / "out.xml", tmp_path / "out.json"
    assert run(path, "--junit", junit, "--json", report) == 1
    failure = cases(junit)["reject"].find("failure")
    assert failure is not None
    assert "line 21: expect: status is 'refused'" in (failure.text or "")
    (scenario,) = json.loads(report.read_text(encoding="utf-8"))["scenarios"]
    assert scenario["expectations"] == {"held": 1, "written": 2}  # the later one still ran
    assert "0/1 scenarios passed" in capsys.readouterr().out


def test_a_step_that_cannot_run_stops_the_scenario_as_an_error(tmp_path: Path) -> None:
    path = tmp_path / "stuck.toml"
    path.write_text(REJECT.replace('user = "carol"\nas', 'user = "carol"\npassword = "x"\nas'))
    junit = tmp_path / "out.xml"
    assert run(path, "--junit", junit) == 1
    error = cases(junit)["stuck"].find("error")
    assert error is not None
    assert "line 11: login: login got HTTP 401" in (error.text or "")
    assert "scenario stopped" in (error.text or "")


def test_an_invalid_file_runs_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "good.toml").write_text(REJECT, encoding="utf-8")
    (tmp_path / "bad.toml").write_text(REJECT.replace('do = "reject"', 'do = "rejekt"'))
    junit = tmp_path / "out.xml"
    assert run(tmp_path, "--junit", junit) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'bad.toml'}:17: unknown step action 'rejekt'" in err
    assert not junit.exists()


def test_the_same_seed_replays_the_same_run(tmp_path: Path) -> None:
    reports = [tmp_path / "one.json", tmp_path / "two.json"]
    for report in reports:
        assert run(BUILT_IN / "tamper.toml", "--json", report, "--seed", "11") == 0
    steps = [json.loads(r.read_text())["scenarios"][0]["steps"] for r in reports]
    assert steps[0] == steps[1]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_fills_on_a_terminal_and_logs_lines_elsewhere() -> None:
    done = [ScenarioResult(path=Path(f"s{i}.toml"), name=f"s{i}") for i in range(4)]
    done[1].error = "line 3: login could not run"
    bar, log = Terminal(), io.StringIO()
    for stream in (bar, log):
        progress = Progress(len(done), stream)
        for result in done:
            progress(result)
    assert bar.getvalue().startswith("\r[" + "#" * 7 + ".")
    assert f"[{'#' * 30}] 4/4" in bar.getvalue()
    assert bar.getvalue().endswith("\n")
    assert log.getvalue().splitlines()[:2] == ["[1/4] ok   s0.toml", "[2/4] FAIL s1.toml"]
    assert progress.failed == 1
