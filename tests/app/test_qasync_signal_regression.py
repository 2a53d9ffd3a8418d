"""Regression test for the PySide6 6.12 + Python 3.11 crash (STACK-NOTES).

PySide6 6.12 drops one reference to ``True`` too many on every Python-side
``Signal.emit()``; qasync emits on every ``call_soon_threadsafe`` (aiosqlite
calls it on every query), so the process dies with ``bool_dealloc`` after a
few hundred requests. A pinned good version survives tens of thousands.
The emissions run in a child interpreter so that a fatal abort shows up as a
failed test, not as a dead test runner.
"""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import version

EMISSIONS = 20_000

CHILD = f"""
import asyncio, sys, threading
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication
import qasync

class Emitter(QObject):
    fired = Signal(bool)

app = QApplication(sys.argv)
emitter = Emitter()
received = []
emitter.fired.connect(received.append)

async def main():
    loop = asyncio.get_running_loop()
    done = asyncio.Event()
    woken = 0
    def wake():
        nonlocal woken
        woken += 1
        if woken == {EMISSIONS}:
            done.set()
    # call_soon_threadsafe from another thread: qasync emits a Qt signal per call
    def worker():
        for _ in range({EMISSIONS}):
            loop.call_soon_threadsafe(wake)
    thread = threading.Thread(target=worker)
    thread.start()
    for i in range({EMISSIONS}):
        emitter.fired.emit(i % 2 == 0)
        if i % 1000 == 0:
            await asyncio.sleep(0)
    await asyncio.wait_for(done.wait(), 60)
    thread.join()
    return woken

woken = qasync.run(main())
print("RESULT", len(received), woken, received.count(True))
"""


def test_pinned_pyside6_version_is_safe_for_this_python() -> None:
    major, minor = (int(part) for part in version("PySide6-Essentials").split(".")[:2])
    if sys.version_info < (3, 12):
        assert (6, 8) <= (major, minor) < (6, 12)
    else:
        assert (major, minor) >= (6, 8)


def test_twenty_thousand_signals_through_qasync_do_not_crash() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [sys.executable, "-c", CHILD],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"RESULT {EMISSIONS} {EMISSIONS} {EMISSIONS // 2}" in result.stdout
