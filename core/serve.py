"""Headless validation core: ``python -m core.serve [--workspace DIR] [--reset] [--json]``.

Runs the core alone (no mocks, no phones): pushes go to ``ProviderEndpoints``
that nothing listens on, so they fail fast as "unreachable" (or fall back to
polling where the domain allows it). ``pushsim serve`` composes the full suite;
this module is what it and the crash test can start in a subprocess. With
``--json`` the first stdout line is ``CoreServer.describe()`` as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

from core.clock import SystemClock
from core.events import EventBus
from core.pki import ensure_pki
from core.provider_credentials import ensure_provider_credentials
from core.push.endpoints import ProviderEndpoints
from core.seed import seed_demo
from core.server import CoreServer
from core.workspace import Workspace, default_workspace_root


async def serve_core(workspace_dir: Path | None, reset: bool, json_out: bool) -> None:
    """Start the core on a free loopback port and serve until SIGINT/SIGTERM."""
    workspace = Workspace(workspace_dir or default_workspace_root())
    await asyncio.to_thread(workspace.ensure, reset=reset)
    pki = await asyncio.to_thread(ensure_pki, workspace)
    credentials = await asyncio.to_thread(ensure_provider_credentials, workspace, pki)
    server = CoreServer(
        workspace=workspace,
        pki=pki,
        events=EventBus(),
        clock=SystemClock(),
        endpoints=ProviderEndpoints.unreachable(pki.ca_file),
    )
    await seed_demo(await server.open_service(), credentials)
    await server.start()
    try:
        with stop_signal() as stop:
            if json_out:
                print(json.dumps(server.describe()), flush=True)
            else:
                print(f"PushSim validation core on {server.url}  (Ctrl-C stops)", flush=True)
                print(f"admin token file: {workspace.admin_token_file}", flush=True)
            await stop.wait()
    finally:
        await server.stop()


@contextlib.contextmanager
def stop_signal() -> Iterator[asyncio.Event]:
    """An event that SIGINT or SIGTERM sets while the block runs; the handlers go after it.

    A server run from a shell stops cleanly on Ctrl-C or ``kill`` instead of
    dying inside a half-written transaction.
    """
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        yield stop
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m core.serve", description=__doc__)
    parser.add_argument("--workspace", type=Path, default=None, help="workspace folder")
    parser.add_argument("--reset", action="store_true", help="start from a fresh workspace")
    parser.add_argument("--json", action="store_true", help="print endpoints as one JSON line")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    asyncio.run(serve_core(args.workspace, args.reset, args.json))
    return 0


if __name__ == "__main__":
    sys.exit(main())
