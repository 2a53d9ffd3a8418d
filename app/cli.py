"""The ``pushsim`` command.

Qt is imported only on the GUI path, so every headless command (``serve``,
``demo``, ``scenario``, ``bench``) runs on machines without Qt libraries or a
display.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import types
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from simulators.bench.arguments import add_bench_arguments, add_hash_cost_option


def _skip_httpx_cli() -> None:
    """httpx imports its command-line client (click, rich, pygments: ~0.1 s) whenever
    click is installed; PushSim never runs it, so its module is a stub here."""
    if "httpx" in sys.modules:
        return
    stub = types.ModuleType("httpx._main", "httpx's command-line client: not loaded by pushsim")

    def main() -> None:
        raise SystemExit("the httpx command-line client is not available inside pushsim")

    stub.main = main  # type: ignore[attr-defined]
    sys.modules.setdefault("httpx._main", stub)


_skip_httpx_cli()

HEADLESS_HINT = """\
The headless commands work without a display:
  pushsim serve --json        core, mock FCM/APNs and demo phones; endpoints as JSON
  pushsim demo                narrated approve and reject in the terminal
  pushsim scenario run PATH   QA scenarios (TOML), JUnit/JSON reports
(or start a virtual display: xvfb-run pushsim)"""


def package_version() -> str:
    try:
        return version("pushsim")
    except PackageNotFoundError:  # running from a source tree without install
        return "0.0.0+source"


def has_display() -> bool:
    """Whether Qt can open a window here (or has been told to render offscreen)."""
    if os.environ.get("QT_QPA_PLATFORM", "").startswith(("offscreen", "minimal", "vnc")):
        return True
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pushsim",
        description="Simulator suite for push-notification two-step authentication.",
    )
    parser.add_argument("--version", action="version", version=f"pushsim {package_version()}")
    parser.add_argument("--workspace", type=Path, help="workspace folder (default: user data dir)")
    parser.add_argument("--reset", action="store_true", help="start from a fresh workspace")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="drive the window through an approve, a reject and step mode; ok/FAIL per check",
    )
    commands = parser.add_subparsers(dest="command")

    serve = commands.add_parser("serve", help="run core, mocks and phones headless")
    serve.add_argument("--json", action="store_true", help="print the endpoints as one JSON object")
    serve.add_argument(
        "--auto-respond",
        choices=["approve", "reject", "ignore"],
        help="make every demo phone answer by itself",
    )
    add_hash_cost_option(serve)
    for sub in (serve,):
        sub.add_argument("--workspace", type=Path, default=argparse.SUPPRESS)
        sub.add_argument("--reset", action="store_true", default=argparse.SUPPRESS)

    demo = commands.add_parser("demo", help="narrated terminal demo: one approve, one reject")
    demo.add_argument("--workspace", type=Path, default=argparse.SUPPRESS)
    demo.add_argument("--reset", action="store_true", default=argparse.SUPPRESS)

    from simulators.scenarios.arguments import add_parser as add_scenario_parser

    add_scenario_parser(commands)
    bench = commands.add_parser("bench", help="time complete push logins: N phones, M logins")
    add_bench_arguments(bench)
    return parser


LOCKED_COMMANDS = {"serve": "pushsim serve", "demo": "pushsim demo", None: "pushsim"}
WORKSPACE_IN_USE = 3  # exit status when another PushSim holds the workspace


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    command = LOCKED_COMMANDS.get(args.command)
    if command is None or args.self_test:  # the self-test makes its own workspace
        return run_command(args)
    from core.workspace import default_workspace_root
    from core.workspace_lock import WorkspaceInUse, lock_workspace

    try:
        lock = lock_workspace(args.workspace or default_workspace_root(), command)
    except WorkspaceInUse as refused:
        print(f"pushsim: {refused}", file=sys.stderr)
        if args.command is None and has_display():  # a desktop start may have no terminal
            from app.in_use_notice import tell_in_use

            tell_in_use(str(refused))
        return WORKSPACE_IN_USE
    try:
        return run_command(args)
    finally:
        lock.release()


def run_command(args: argparse.Namespace) -> int:
    if args.command == "serve":
        from simulators.serve_command import run_serve

        return asyncio.run(
            run_serve(
                workspace_dir=args.workspace,
                reset=args.reset,
                json_out=args.json,
                auto_respond=args.auto_respond,
                password_hash_cost=args.password_hash_cost,
            )
        )
    if args.command == "bench":
        from simulators.bench.command import run_bench_command

        return run_bench_command(args)
    if args.command == "demo":
        from simulators.terminal_demo import run_demo

        return asyncio.run(run_demo(workspace_dir=args.workspace, reset=args.reset))
    if args.command == "scenario":
        from simulators.scenarios.cli import run_command

        return run_command(args)
    return run_gui(args)


def run_gui(args: argparse.Namespace) -> int:
    # The workspace material and the demo hashes start on a thread now, before
    # the window's imports (most of a second) rather than after them.
    import gc

    # no cyclic collections while the start-up builds ~100,000 long-lived objects;
    # the window collects once and freezes them when ready (app.startup)
    gc.disable()
    from app.startup import mark
    from core.workspace import Workspace, default_workspace_root
    from simulators.prestart import Prestart

    if args.self_test:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # a check, not a show
        folder = Path(tempfile.mkdtemp(prefix="pushsim-self-test-"))
        prestart = Prestart(Workspace(folder / "workspace"), reset=True)
        mark("arguments read; workspace preparation begun on a thread")
        from app.self_test import run_self_test

        mark("window code imported")

        try:
            return run_self_test(prestart)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    if not has_display():
        print("pushsim: no display found (DISPLAY and WAYLAND_DISPLAY are unset),", file=sys.stderr)
        print("so the desktop window cannot open.\n", file=sys.stderr)
        print(HEADLESS_HINT, file=sys.stderr)
        return 2
    workspace = Workspace(args.workspace or default_workspace_root())
    prestart = Prestart(workspace, reset=args.reset)
    mark("arguments read; workspace preparation begun on a thread")
    from app.gui import run as run_window

    mark("window code imported")

    return int(run_window(workspace.root, reset=args.reset, prestart=prestart))


if __name__ == "__main__":
    sys.exit(main())
