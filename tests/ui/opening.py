"""Opening files in the real window as File > Open does, waiting for the worker's load to land."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtTest import QTest

from genimg_desktop.ui import file_ops
from genimg_desktop.ui.main_window import MainWindow

LOAD_TIMEOUT_S = 120.0  # a deadline against a hang, not a speed test: a loaded machine may be slow


def wait_for_open(win: MainWindow) -> None:
    """Let a file the window is loading (ui/image_opener.py) land, and its messages be shown."""
    deadline = time.monotonic() + LOAD_TIMEOUT_S
    while win.model.opening is not None:
        assert time.monotonic() < deadline, f"{win.model.opening} did not finish loading"
        QTest.qWait(10)


def open_file(win: MainWindow, path: Path) -> bool:
    """file_ops.open_path, then wait for the load; True when `path` became the open document."""
    file_ops.open_path(win, path)
    wait_for_open(win)
    return win.document.path == path
