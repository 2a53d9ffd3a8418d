"""The desktop's answer when the workspace is taken: a message box, not only stderr.

Started from a desktop launcher, a refused ``pushsim`` has no terminal to print
to; the box names the running PushSim (command, pid, start time) and the way out.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QMessageBox

TITLE = "PushSim is already running"


def tell_in_use(message: str) -> None:
    """Show ``message`` (``WorkspaceInUse``'s text) in a message box and wait for OK."""
    if QApplication.instance() is None:
        QApplication(sys.argv)
    QMessageBox.critical(None, TITLE, f"PushSim cannot start: {message}.")
