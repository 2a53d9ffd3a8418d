"""The command line: ``pushsim serve --json --auto-respond``, ``pushsim demo``, no display."""

from __future__ import annotations

import asyncio
import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
from rich.console import Console

from core.pki import client_ssl_context
from simulators.terminal_demo import run_demo
from tests.e2e.conftest import suite_options

PUSHSIM = [sys.executable, "-m", "app.cli"]


async def test_serve_json_with_auto_approve_accepts_a_login(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    workspace = tmp_path / "ws"
    process = await asyncio.create_subprocess_exec(
        *PUSHSIM,
        *("--workspace", str(workspace), "serve", "--json", "--auto-respond", "approve"),
        *("--password-hash-cost", "4"),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    try:
        assert process.stdout is not None
        async with asyncio.timeout(60):
            info = json.loads(await process.stdout.readline())
        assert info["core"]["url"].startswith("https://127.0.0.1:")
        assert info["core"]["password_hash_log2_n"] == 4
        for service in ("fcm", "apns"):
            assert info[service]["url"].startswith("https://127.0.0.1:")
            assert info[service]["ca_file"] == str(workspace / "pki" / "ca.pem")
        assert info["fcm"]["service_account_file"].startswith(str(workspace))
        assert info["apns"]["key_id"]
        assert info["apns"]["team_id"]
        assert info["apns"]["topic"] == "com.pushsim.sdkdemo"
        assert {u["userID"] for u in info["demo"]["users"]} == {"alice", "bob"}
        assert all(phone["pushToken"] for phone in info["phones"].values())
        assert len(info["admin_token"]) >= 32
        async with httpx.AsyncClient(
            base_url=info["core"]["url"], verify=client_ssl_context(Path(info["ca_file"]))
        ) as http:
            login = await http.post(
                "/v1/users/alice@demo/login",
                json={"credentials": {"passKey": "pushDemo-1234"}},
            )
            assert login.status_code == 200, login.text
            request_id = login.json()["requestID"]
            status = await http.get(f"/v1/sessions/{request_id}", params={"wait": 20}, timeout=30)
            assert status.json()["sessionStatus"] == "accepted"
            # the mocks' control APIs: the printed control token or the admin token, else 401
            for service in ("fcm", "apns"):
                control = info[service]["control_endpoint"] + "/devices"
                refused = await http.get(control)
                assert refused.status_code == 401
                for bearer in (info[service]["control_token"], info["admin_token"]):
                    listed = await http.get(control, headers={"Authorization": f"Bearer {bearer}"})
                    assert listed.status_code == 200
                    assert "registrationSecret" not in listed.text
    finally:
        process.send_signal(signal.SIGINT)
        async with asyncio.timeout(30):
            _, stderr = await process.communicate()
    assert process.returncode == 0, stderr.decode()


async def test_terminal_demo_narrates_an_approval_and_a_rejection(tmp_path: Path) -> None:
    out = io.StringIO()
    console = Console(file=out, width=200, color_system=None)
    code = await run_demo(
        workspace_dir=tmp_path / "ws", reset=False, options=suite_options(), console=console
    )
    text = out.getvalue()
    assert code == 0, text
    for step in range(1, 8):
        assert f"Step {step}" in text
    assert "accepted" in text
    assert "refused" in text
    assert "Demo-1234" not in text  # the static password is never shown


def test_gui_without_a_display_says_so_and_names_the_headless_commands() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)
    result = subprocess.run(PUSHSIM, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert "no display" in result.stderr
    assert "pushsim serve" in result.stderr
    assert "pushsim demo" in result.stderr
