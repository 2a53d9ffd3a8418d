"""The scenario validator: every problem reported as file:line, nothing half-validated."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulators.scenarios import reference
from simulators.scenarios.loader import load_scenario, parse_scenario, scenario_files
from simulators.scenarios.model import ScenarioInvalid
from simulators.scenarios.schema import ACTIONS
from tests.simulators.scenarios.texts import GOOD

BUILT_IN = Path(__file__).resolve().parents[3] / "resources" / "scenarios"


def problems(text: str, name: str = "broken.toml") -> list[str]:
    with pytest.raises(ScenarioInvalid) as info:
        parse_scenario(text, Path(name))
    return [str(p) for p in info.value.problems]


def test_a_good_file_loads_with_the_line_of_each_step() -> None:
    scenario = parse_scenario(GOOD, Path("good.toml"))
    assert scenario.name == "approve"
    assert [(s.action, s.line) for s in scenario.steps] == [
        ("login", 11),
        ("approve", 16),
        ("expect", 21),
    ]
    assert scenario.phones[0].pin == "2468"
    assert scenario.expectations == 1


def test_toml_syntax_error_names_file_and_line() -> None:
    text = GOOD.replace('status = "accepted"', "status = accepted")
    assert problems(text) == ["broken.toml:24: TOML syntax: Invalid value (at line 24, column 10)"]


def test_unknown_step_action_is_reported_at_its_do_line() -> None:
    text = GOOD.replace('do = "approve"', 'do = "aprove"')
    (found,) = problems(text)
    assert found.startswith("broken.toml:17: unknown step action 'aprove' (known: ")


def test_wrong_type_names_the_key_line() -> None:
    text = GOOD.replace('phone = "pixel"\nsession = "s1"', 'phone = "pixel"\nsession = 1')
    assert problems(text) == [
        "broken.toml:19: step 'approve': 'session' must be a string, not an integer"
    ]


def test_a_boolean_is_not_a_number() -> None:
    text = "timeout = true\n" + GOOD
    assert problems(text) == ["broken.toml:1: scenario: 'timeout' must be a number, not a boolean"]


def test_an_unknown_key_lists_the_known_ones() -> None:
    # a key written after [[step]] belongs to that step
    known = ", ".join(sorted(ACTIONS["expect"].fields))
    assert problems(GOOD + "timeout = 5\n") == [
        f"broken.toml:25: step 'expect': unknown key 'timeout' (known: {known})"
    ]


def test_missing_expectation_is_an_error() -> None:
    text = GOOD.split('[[step]]\ndo = "expect"')[0]
    assert problems(text) == ["broken.toml:1: the scenario expects nothing: add an `expect` step"]


def test_unknown_user_and_phone_are_reported_where_used() -> None:
    text = GOOD.replace('user = "carol"\nas', 'user = "dave"\nas').replace(
        'phone = "pixel"', 'phone = "iphone"'
    )
    assert sorted(problems(text)) == [
        "broken.toml:13: unknown user 'dave' (declared: carol)",
        "broken.toml:18: unknown phone 'iphone' (declared: pixel)",
    ]


def test_every_problem_is_listed_not_only_the_first() -> None:
    text = (
        GOOD.replace('platform = "android"', 'platform = "symbian"').replace(
            'status = "accepted"', 'status = "approved"'
        )
        + '\n[[step]]\ndo = "approve"\n'
    )
    found = problems(text)
    assert found == [
        "broken.toml:8: [[phone]] #1: 'platform' must be one of android, ios; got 'symbian'",
        "broken.toml:24: step 'expect': 'status' must be one of pending, accepted, refused,"
        " timeout, failure; got 'approved'",
        "broken.toml:26: step 'approve': 'phone' is required",
    ]


def test_a_session_alias_must_be_defined_before_use() -> None:
    text = GOOD.replace('session = "s1"\nstatus', 'session = "s2"\nstatus')
    assert problems(text) == [
        "broken.toml:23: session 's2' is used before a login names it with `as`"
    ]


def test_a_step_needing_one_of_several_keys_says_which() -> None:
    text = GOOD.replace('do = "approve"\nphone = "pixel"\nsession = "s1"', 'do = "unlock"')
    text = text.replace('do = "unlock"', 'do = "unlock"\nphone = "pixel"')
    assert problems(text) == ["broken.toml:16: step 'unlock' needs one of: pin, finger"]


def test_keyword_table_values_are_checked() -> None:
    text = '[domain]\nkeywords = { push = "face" }\n' + GOOD.replace('name = "approve"\n', "")
    text = 'name = "x"\n' + text
    assert problems(text) == [
        "broken.toml:3: [domain]: 'keywords': 'push' must be one of device, pin, fingerprint;"
        " got 'face'"
    ]


def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(b'name = "\xe9"\n')
    with pytest.raises(ScenarioInvalid) as info:
        load_scenario(path)
    assert str(info.value).startswith(f"{path}:1: cannot read the file")


def test_folders_expand_to_their_toml_files_sorted(tmp_path: Path) -> None:
    (tmp_path / "b.toml").write_text(GOOD)
    (tmp_path / "a.toml").write_text(GOOD)
    (tmp_path / "notes.txt").write_text("not a scenario")
    assert [p.name for p in scenario_files([tmp_path])] == ["a.toml", "b.toml"]


def test_the_built_in_scenarios_validate() -> None:
    files = scenario_files([BUILT_IN])
    assert files, "resources/scenarios holds the built-in scenarios"
    for path in files:
        assert load_scenario(path).expectations >= 1, path


def test_docs_hold_the_generated_reference() -> None:
    docs = (BUILT_IN.parents[1] / "docs" / "scenarios.md").read_text(encoding="utf-8")
    start, end = docs.index(reference.BEGIN), docs.index(reference.END) + len(reference.END)
    assert docs[start:end] + "\n" == reference.markdown(), (
        "docs/scenarios.md is stale: python -m simulators.scenarios.reference"
    )


def test_the_docs_example_is_the_built_in_one() -> None:
    docs = (BUILT_IN.parents[1] / "docs" / "scenarios.md").read_text(encoding="utf-8")
    example = docs.split("```toml\n", 1)[1].split("```", 1)[0]
    scenario = parse_scenario(example, Path("docs/scenarios.md"))
    built_in = load_scenario(BUILT_IN / "approve-pin-android.toml")
    assert [(s.action, dict(s.args)) for s in scenario.steps] == [
        (s.action, dict(s.args)) for s in built_in.steps
    ]


def test_an_expectation_about_an_authenticator_or_user_names_whose() -> None:
    text = GOOD + 'authenticator_status = "active"\n\n[[step]]\ndo = "expect"\nlocked = true\n'
    assert problems(text) == [
        "broken.toml:25: step 'expect': 'authenticator_status' needs 'phone' beside it",
        "broken.toml:29: step 'expect': 'locked' needs 'user' beside it",
    ]


def test_a_scenario_without_steps_is_an_error() -> None:
    text = GOOD.split("[[step]]", 1)[0]
    assert problems(text) == ["broken.toml:1: the scenario has no [[step]] tables"]


def test_wrong_types_in_setup_tables_name_their_lines() -> None:
    text = GOOD.replace('id = "carol"', "id = 7").replace('user = "carol"\n\n', 'user = "carol"\n')
    text = text.replace('platform = "android"', 'platform = "android"\nfingers = "thumb"')
    found = problems(text)
    assert "broken.toml:4: [[user]] #1: 'id' must be a string, not an integer" in found
    assert "broken.toml:9: [[phone]] #1: 'fingers' must be a list of strings, not a string" in found


def test_an_unknown_phone_in_a_fault_table_is_reported() -> None:
    text = GOOD.replace(
        "[[step]]", '[[fault]]\nservice = "fcm"\nkind = "offline"\nphone = "nokia"\n\n[[step]]', 1
    )
    assert problems(text) == ["broken.toml:14: unknown phone 'nokia' (declared: pixel)"]


def test_clearing_a_fault_nobody_named_is_reported() -> None:
    text = GOOD.replace(
        '[[step]]\ndo = "approve"',
        '[[step]]\ndo = "clear_fault"\nid = "slow"\n\n[[step]]\ndo = "approve"',
    )
    assert problems(text) == [
        "broken.toml:18: no fault 'slow' is injected before this step (named faults: none)"
    ]
