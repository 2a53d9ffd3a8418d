"""``pushsim serve``: start the suite, print ``describe()`` (as JSON, or a few lines),
wait for SIGINT/SIGTERM, stop cleanly."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

from core.collector import settle_heap
from core.serve import stop_signal
from core.settings import CoreSettings
from core.workspace import Workspace, default_workspace_root
from simulators.suite import Suite, SuiteOptions


async def run_serve(
    *,
    workspace_dir: Path | None,
    reset: bool,
    json_out: bool,
    auto_respond: str | None,
    password_hash_cost: int = 15,
) -> int:
    """``pushsim serve``: run everything until SIGINT/SIGTERM."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    workspace = Workspace(workspace_dir or default_workspace_root())
    settings = CoreSettings(password_hash_log2_n=password_hash_cost)
    suite = Suite(
        workspace, options=SuiteOptions(auto_respond=auto_respond, core_settings=settings)
    )
    try:
        with stop_signal() as stop:
            await suite.start(reset=reset)
            settle_heap()
            if json_out:
                print(json.dumps(suite.describe()), flush=True)
            else:
                print(f"PushSim ready in {suite.startup_seconds:.2f} s (Ctrl-C stops)", flush=True)
                print(f"  validation core  {suite.core.url}", flush=True)
                print(f"  mock FCM         {suite.fcm.url}", flush=True)
                print(f"  mock APNs        {suite.apns.url}", flush=True)
                print(f"  workspace        {workspace.root}", flush=True)
                for name in suite.phones:
                    print(f"  phone            {name}", flush=True)
            await stop.wait()
    finally:
        await suite.stop()
    return 0
