"""Production decides sessions through the table, and only in the lifecycle module.

Two proofs: with a transition taken out of ``TRANSITIONS`` the matching
service action is refused and the session stays pending; and no module of
``core/`` but the lifecycle module writes a session status to storage.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from core.protocol.session import TRANSITIONS, SessionStatus, SessionTrigger
from core.service.errors import Conflict
from tests.core.device_core import CoreEnv, answer

ROOT = Path(__file__).resolve().parents[2]
LIFECYCLE = ROOT / "core" / "service" / "lifecycle.py"


@pytest.fixture
def env(core_env: CoreEnv) -> CoreEnv:
    return core_env


async def _stored_status(env: CoreEnv, request_id: str) -> str:
    async with env.service.db.read() as repos:
        session = await repos.sessions.get(request_id)
    assert session is not None
    return session.status


async def test_without_the_accept_transition_an_approval_is_refused(
    env: CoreEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delitem(TRANSITIONS[SessionStatus.PENDING], SessionTrigger.ACCEPT)
    keys = await env.activate("alice")
    result = await env.service.login(user_id="alice", domain="demo", passkey="pushDemo-1234")
    with pytest.raises(Conflict):
        await env.service.respond(
            serial=keys.serial,
            response_message=answer(keys, env.last_request_message(), now=env.now),
        )
    assert await _stored_status(env, result.request_id) == SessionStatus.PENDING


async def test_without_the_expire_transition_a_session_does_not_time_out(
    env: CoreEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delitem(TRANSITIONS[SessionStatus.PENDING], SessionTrigger.EXPIRE)
    await env.activate("alice")
    result = await env.service.login(user_id="alice", domain="demo", passkey="pushDemo-1234")
    env.clock.advance(10_000)
    session = await env.service.session_status(result.request_id)
    assert session.status == SessionStatus.PENDING
    assert await _stored_status(env, result.request_id) == SessionStatus.PENDING


def _session_writes(tree: ast.AST) -> list[int]:
    """Lines that call ``<x>.sessions.decide`` or pass a status to ``<x>.sessions.<method>``."""
    lines = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        receiver = node.func.value
        if not (isinstance(receiver, ast.Attribute) and receiver.attr == "sessions"):
            continue
        if node.func.attr == "decide":
            lines.append(node.lineno)
        for keyword in node.keywords:
            if keyword.arg == "status" and node.func.attr != "find":
                lines.append(node.lineno)
        for arg in node.args:
            if isinstance(arg, ast.Dict) and any(
                isinstance(key, ast.Constant) and key.value == "status" for key in arg.keys
            ):
                lines.append(node.lineno)
    return lines


def test_only_the_lifecycle_module_writes_a_session_status() -> None:
    offenders = []
    for path in sorted((ROOT / "core").rglob("*.py")):
        if path == LIFECYCLE or "storage" in path.parts:
            continue  # the lifecycle decides; storage runs the conditional UPDATE it asks for
        tree = ast.parse(path.read_text(encoding="utf-8"))
        offenders += [f"{path.relative_to(ROOT)}:{line}" for line in _session_writes(tree)]
    assert offenders == []


def test_the_scan_sees_a_status_write() -> None:
    """The scan is not vacuous: it flags the call the lifecycle makes, and a literal update."""
    assert _session_writes(ast.parse(LIFECYCLE.read_text(encoding="utf-8")))
    assert _session_writes(ast.parse('tx.sessions.update(rid, {"status": "accepted"})'))
    assert _session_writes(ast.parse("tx.sessions.decide(rid, status=SessionStatus.REFUSED)"))


def test_storage_updates_the_status_only_in_the_conditional_decide() -> None:
    hits = [
        path.relative_to(ROOT)
        for path in (ROOT / "core").rglob("*.py")
        if "SET status" in path.read_text(encoding="utf-8") and "sessions" in path.read_text()
    ]
    repo = (ROOT / "core" / "storage" / "repo_sessions.py").read_text(encoding="utf-8")
    assert repo.count("UPDATE sessions SET status") == 1
    assert "WHERE request_id = ? AND status = ?" in repo
    assert all("storage" in path.parts for path in hits)
