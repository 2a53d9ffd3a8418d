"""A validated scenario: what the runner plays and the recorder writes.

Everything here has passed the validator (``simulators.scenarios.loader``):
names refer to declared users and phones, aliases are defined before use,
values have their schema types. Each step keeps its file and line so a
failing expectation is reported where it was written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.protocol.errors import PushSimError

DEFAULT_TIMEOUT = 60.0
DEFAULT_PIN = "2468"


@dataclass(frozen=True, kw_only=True)
class UserSpec:
    id: str
    password: str | None = None


@dataclass(frozen=True, kw_only=True)
class PhoneSpec:
    name: str
    platform: str
    app: str = "authenticator"
    user: str | None = None
    pin: str = DEFAULT_PIN
    fingers: tuple[str, ...] = ()
    auto: str | None = None


@dataclass(frozen=True, kw_only=True)
class Step:
    action: str
    args: Mapping[str, Any]
    line: int
    index: int  # 0-based position among the steps

    def get(self, key: str, default: Any = None) -> Any:
        return self.args.get(key, default)


@dataclass(frozen=True, kw_only=True)
class Scenario:
    path: Path
    name: str
    description: str = ""
    tags: tuple[str, ...] = ()
    seed: int | None = None
    timeout: float = DEFAULT_TIMEOUT
    domain: Mapping[str, Any] = field(default_factory=dict)
    users: tuple[UserSpec, ...] = ()
    phones: tuple[PhoneSpec, ...] = ()
    faults: tuple[Mapping[str, Any], ...] = ()
    steps: tuple[Step, ...] = ()

    @property
    def expectations(self) -> int:
        return sum(1 for step in self.steps if step.action.startswith("expect"))


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario file, where it was written."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class ScenarioInvalid(PushSimError):
    """A scenario file that does not validate; nothing of it runs.

    ``problems`` lists every problem found (the validator does not stop at the
    first), each as ``file:line: what is wrong``.
    """

    http_status = 400

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))
