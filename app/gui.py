"""``pushsim`` with a display: the suite and the main window on one qasync loop.

The window shows at once, in a "starting…" state, and fills in when the suite
reports ``suite.ready``; closing it cancels what the window started and stops
the suite (servers, phones) before the process exits. The suite runs on the
Qt thread's asyncio loop (qasync), so models and widgets never cross threads;
slow work (KDFs, file I/O) already goes to worker threads inside the suite.
Quitting is driven by the window's ``closing`` signal, not by Qt's "last
window closed", so the loop is never stopped under a running coroutine.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from pathlib import Path

import platformdirs
import qasync
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app.main_window import MainWindow
from app.startup import mark
from core.workspace import Workspace, default_workspace_root
from simulators.prestart import Prestart
from simulators.suite import Suite, SuiteOptions

log = logging.getLogger(__name__)

WINDOW_SIZE = (1400, 900)
PREFS_FILE = "window.ini"


def prefs_file() -> Path:
    """Where the window keeps theme, zoom and layout (PUSHSIM_CONFIG_DIR overrides)."""
    override = os.environ.get("PUSHSIM_CONFIG_DIR")
    folder = Path(override) if override else Path(platformdirs.user_config_dir("pushsim", False))
    return folder / PREFS_FILE


SIGNAL_POLL_MS = 250  # lets Python see Ctrl-C while Qt waits for events


def run(
    workspace_dir: Path | None = None,
    reset: bool = False,
    *,
    options: SuiteOptions | None = None,
    prestart: Prestart | None = None,
) -> int:
    """Open the window, run until it is closed; 0 when the suite started, 1 if not.

    ``prestart``: the workspace's preparation, begun at process start (``app.cli``).
    """
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("PushSim")
    app.setQuitOnLastWindowClosed(False)
    # Python runs signal handlers only between bytecodes; an idle Qt loop runs none
    keepalive = QTimer()
    keepalive.timeout.connect(lambda: None)
    keepalive.start(SIGNAL_POLL_MS)
    try:
        window = run_window(workspace_dir, reset=reset, options=options, prestart=prestart)
        return int(qasync.run(window))
    except KeyboardInterrupt:
        return 130
    finally:
        keepalive.stop()


async def run_window(
    workspace_dir: Path | None,
    *,
    reset: bool,
    options: SuiteOptions | None = None,
    prestart: Prestart | None = None,
) -> int:
    workspace = Workspace(workspace_dir or default_workspace_root())
    suite = Suite(workspace, options=options, prestart=prestart)
    window = MainWindow(suite, prefs_file=prefs_file(), freeze_heap=True)
    if not window.restored_layout:
        window.resize(*WINDOW_SIZE)
    window.show()
    mark("window built and shown; the suite starts")
    closed = asyncio.Event()
    window.closing.connect(closed.set)
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError, RuntimeError):  # not on Windows
        loop.add_signal_handler(signal.SIGTERM, window.close)  # a clean stop, like closing
    starting = asyncio.create_task(suite.start(reset=reset), name="suite start")
    waiting = asyncio.create_task(closed.wait(), name="window closed")
    code = 0
    try:
        await asyncio.wait({starting, waiting}, return_when=asyncio.FIRST_COMPLETED)
        if starting.done() and starting.exception() is not None:
            error = starting.exception()
            assert error is not None
            log.error("the suite did not start", exc_info=error)
            window.show_startup_error(error)
            code = 1
        await waiting
    finally:
        waiting.cancel()
        if not starting.done():
            starting.cancel()  # closed while starting: start() stops what it began
        with contextlib.suppress(BaseException):
            await starting
        await window.aclose()
        await suite.stop()
        window.close()
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.remove_signal_handler(signal.SIGTERM)
    return code
