"""Read and validate scenario files: all of a file is checked before any of it runs.

``load_scenario(path)`` returns a ``Scenario`` or raises ``ScenarioInvalid``
listing every problem as ``file:line: what is wrong`` — TOML syntax, unknown
tables, keys and actions, wrong types and values, missing required fields,
references to users, phones or session aliases that were never declared, and
a scenario without any expectation (it would pass whatever happened).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from simulators.scenarios.lines import LineIndex
from simulators.scenarios.model import (
    DEFAULT_PIN,
    DEFAULT_TIMEOUT,
    PhoneSpec,
    Problem,
    Scenario,
    ScenarioInvalid,
    Step,
    UserSpec,
)
from simulators.scenarios.schema import (
    ACTIONS,
    DOMAIN,
    FAULT,
    KINDS,
    PHONE,
    SCENARIO,
    SESSION_KEYS,
    USER,
    Field,
)

SUFFIX = ".toml"


def scenario_files(paths: Iterable[Path | str]) -> list[Path]:
    """The scenario files named by ``paths`` (folders: every ``*.toml`` in them, sorted)."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob(f"*{SUFFIX}") if p.is_file()))
        else:
            found.append(path)
    return found


def load_scenario(path: Path | str) -> Scenario:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioInvalid([Problem(path, 1, f"cannot read the file: {exc}")]) from None
    return parse_scenario(text, path)


def parse_scenario(text: str, path: Path) -> Scenario:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioInvalid([Problem(path, _toml_line(exc), f"TOML syntax: {exc}")]) from None
    checker = _Checker(path, LineIndex(text))
    scenario = checker.scenario(data)
    if checker.problems:
        raise ScenarioInvalid(checker.problems)
    return scenario


def _toml_line(exc: tomllib.TOMLDecodeError) -> int:
    # "Invalid value (at line 3, column 7)": the position is only in the text
    message = str(exc)
    marker = "at line "
    if marker in message:
        digits = message.split(marker, 1)[1].split(",", 1)[0].split(")", 1)[0]
        if digits.isdigit():
            return int(digits)
    return 1


class _Checker:
    def __init__(self, path: Path, lines: LineIndex) -> None:
        self.path = path
        self.lines = lines
        self.problems: list[Problem] = []

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    # -- the file ---------------------------------------------------------
    def scenario(self, data: dict[str, Any]) -> Scenario:
        self.fields(data, SCENARIO, "", 0, what="scenario")
        domain = data.get("domain", {})
        if isinstance(domain, dict):
            self.fields(domain, DOMAIN, "domain", 0, what="[domain]")
        users = [UserSpec(**self.entry(u, USER, "user", i)) for i, u in self.array(data, "user")]
        phones = [self.phone(p, i) for i, p in self.array(data, "phone")]
        faults = [self.entry(f, FAULT, "fault", i) for i, f in self.array(data, "fault")]
        steps = [self.step(s, i) for i, s in self.array(data, "step")]
        self.references(users, phones, faults, steps)
        if not steps:
            self.problem(1, "the scenario has no [[step]] tables")
        elif not any(step.action.startswith("expect") for step in steps):
            self.problem(1, "the scenario expects nothing: add an `expect` step")
        name = data.get("name")
        return Scenario(
            path=self.path,
            name=name if isinstance(name, str) else self.path.stem,
            description=str(data.get("description", "")),
            tags=tuple(data.get("tags", ())),
            seed=data.get("seed"),
            timeout=float(data.get("timeout", DEFAULT_TIMEOUT)),
            domain=domain if isinstance(domain, dict) else {},
            users=tuple(users),
            phones=tuple(phones),
            faults=tuple(faults),
            steps=tuple(steps),
        )

    def array(self, data: dict[str, Any], name: str) -> list[tuple[int, dict[str, Any]]]:
        value = data.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.problem(self.lines.table(name), f"`{name}` must be written as [[{name}]] tables")
            return []
        return list(enumerate(value))

    def entry(
        self, data: dict[str, Any], schema: Mapping[str, Field], table: str, index: int
    ) -> dict[str, Any]:
        self.fields(data, schema, table, index, what=f"[[{table}]] #{index + 1}")
        return {k: v for k, v in data.items() if k in schema}

    def phone(self, data: dict[str, Any], index: int) -> PhoneSpec:
        values = self.entry(data, PHONE, "phone", index)
        return PhoneSpec(
            name=str(values.get("name", f"phone{index + 1}")),
            platform=str(values.get("platform", "android")),
            app=str(values.get("app", "authenticator")),
            user=values.get("user"),
            pin=str(values.get("pin", DEFAULT_PIN)),
            fingers=tuple(values.get("fingers", ())),
            auto=values.get("auto"),
        )

    def step(self, data: dict[str, Any], index: int) -> Step:
        line = self.lines.table("step", index)
        action = data.get("do")
        args = {k: v for k, v in data.items() if k != "do"}
        if not isinstance(action, str):
            self.problem(line, f'step {index + 1} has no `do = "<action>"`')
            return Step(action="", args=args, line=line, index=index)
        spec = ACTIONS.get(action)
        if spec is None:
            known = ", ".join(sorted(ACTIONS))
            self.problem(
                self.lines.key("step", index, "do"),
                f"unknown step action {action!r} (known: {known})",
            )
            return Step(action=action, args=args, line=line, index=index)
        self.fields(args, spec.fields, "step", index, what=f"step {action!r}")
        if spec.one_of and not any(key in args for key in spec.one_of):
            self.problem(line, f"step {action!r} needs one of: {', '.join(spec.one_of)}")
        for key, needed in spec.needs.items():
            if key in args and needed not in args:
                self.problem(
                    self.lines.key("step", index, key),
                    f"step {action!r}: {key!r} needs {needed!r} beside it",
                )
        return Step(action=action, args=args, line=line, index=index)

    # -- values ---------------------------------------------------------
    def fields(
        self,
        data: dict[str, Any],
        schema: Mapping[str, Field],
        table: str,
        index: int,
        *,
        what: str,
    ) -> None:
        for key, value in data.items():
            line = self.lines.key(table, index, key)
            spec = schema.get(key)
            if spec is None:
                known = ", ".join(sorted(schema))
                self.problem(line, f"{what}: unknown key {key!r} (known: {known})")
                continue
            self.value(value, spec, line, f"{what}: {key!r}")
        for key, spec in schema.items():
            if spec.required and key not in data:
                self.problem(self.lines.table(table, index), f"{what}: {key!r} is required")

    def value(self, value: Any, spec: Field, line: int, what: str) -> None:
        # bool is an int in Python; TOML keeps them apart, and so do we
        if not _is_kind(value, spec.kind):
            self.problem(line, f"{what} must be {_article(spec.kind)}, not {_toml_type(value)}")
            return
        if spec.kind.startswith("list["):
            inner = spec.kind[5:-1]
            if not all(_is_kind(v, inner) for v in value):
                self.problem(line, f"{what} must be {_article(spec.kind)}")
        if spec.choices and value not in spec.choices:
            self.problem(line, f"{what} must be one of {', '.join(spec.choices)}; got {value!r}")
        if spec.value_choices and isinstance(value, dict):
            for name, entry in value.items():
                if entry not in spec.value_choices:
                    choices = ", ".join(spec.value_choices)
                    self.problem(line, f"{what}: {name!r} must be one of {choices}; got {entry!r}")

    # -- names ----------------------------------------------------------
    def references(
        self,
        users: list[UserSpec],
        phones: list[PhoneSpec],
        faults: list[dict[str, Any]],
        steps: list[Step],
    ) -> None:
        user_ids = self.unique([u.id for u in users], "user", "id")
        phone_names = self.unique([p.name for p in phones], "phone", "name")
        for i, phone in enumerate(phones):
            if phone.user is not None and phone.user not in user_ids:
                self.problem(self.lines.key("phone", i, "user"), f"unknown user {phone.user!r}")
        for i, fault in enumerate(faults):
            self.known(
                fault.get("phone"), phone_names, "phone", self.lines.key("fault", i, "phone")
            )
        aliases: set[str] = set()
        fault_ids = {str(f["id"]) for f in faults if isinstance(f.get("id"), str)}
        for step in steps:
            self.known(
                step.get("phone"), phone_names, "phone", self.lines.key("step", step.index, "phone")
            )
            self.known(
                step.get("user"), user_ids, "user", self.lines.key("step", step.index, "user")
            )
            for key in SESSION_KEYS:
                alias = step.get(key)
                if isinstance(alias, str) and alias not in aliases:
                    self.problem(
                        self.lines.key("step", step.index, key),
                        f"session {alias!r} is used before a login names it with `as`",
                    )
            if step.action == "login":
                aliases.add(str(step.get("as", "last")))
                aliases.add("last")
            self.fault_ids(step, fault_ids)

    def fault_ids(self, step: Step, known: set[str]) -> None:
        """An `inject_fault` names a fault; a `clear_fault` may only clear a named one."""
        name = step.get("id")
        if not isinstance(name, str):
            return
        if step.action == "inject_fault":
            known.add(name)
        elif step.action == "clear_fault" and name not in known:
            declared = ", ".join(sorted(known)) or "none"
            self.problem(
                self.lines.key("step", step.index, "id"),
                f"no fault {name!r} is injected before this step (named faults: {declared})",
            )

    def unique(self, names: list[str], table: str, key: str) -> set[str]:
        seen: set[str] = set()
        for i, name in enumerate(names):
            if not isinstance(name, str):  # a wrong type, reported already
                continue
            if name in seen:
                self.problem(self.lines.key(table, i, key), f"{table} {name!r} is declared twice")
            seen.add(name)
        return seen

    def known(self, name: object, names: set[str], what: str, line: int) -> None:
        if isinstance(name, str) and name not in names:
            declared = ", ".join(sorted(names)) or "none"
            self.problem(line, f"unknown {what} {name!r} (declared: {declared})")


def _is_kind(value: Any, kind: str) -> bool:
    if isinstance(value, bool):
        return kind == "bool"
    return isinstance(value, KINDS[kind])


# How a schema kind and a TOML value read in a message.
_KIND_WORDS = {
    "str": "a string",
    "int": "an integer",
    "number": "a number",
    "bool": "true or false",
    "list[str]": "a list of strings",
    "list[int]": "a list of integers",
    "table": "a table",
    "array": "an array of tables",
}
_VALUE_WORDS: tuple[tuple[type, str], ...] = (
    (bool, "a boolean"),
    (int, "an integer"),
    (float, "a float"),
    (str, "a string"),
    (list, "an array"),
    (dict, "a table"),
)


def _article(kind: str) -> str:
    return _KIND_WORDS[kind]


def _toml_type(value: Any) -> str:
    # bool before int: True is an int to Python, a boolean to TOML
    return next((words for kind, words in _VALUE_WORDS if isinstance(value, kind)), "a value")
